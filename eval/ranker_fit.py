"""Fit the answer ranker (``assistant/ranker.py``) on the tune half of a question set.

For every tune question the assistant's own retrieval gives the candidates; a candidate is positive
when it holds (or lies inside) one of the item's evidence sentences. A logistic regression
(scikit-learn) is fitted over the candidates of answerable questions; the abstention threshold is then
chosen on all tune questions, answerable and not. The test half is never read here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.extractive import Evidence
from assistant.followup import standalone_question
from assistant.lexicon import Synonyms
from assistant.ranker import FEATURES, Context, LearnedRanker, RankerWeights, answerability_features, feature_matrix
from assistant.text import name_stems, question_names, question_type
from eval.datasets import EvalItem
from eval.metrics import normalize

if TYPE_CHECKING:
    from assistant.engine import Assistant


@dataclass
class QuestionFeatures:
    item: EvalItem
    features: np.ndarray
    labels: np.ndarray  # 1 where the candidate holds evidence
    evidence: list[Evidence]
    query: str
    unknown_names: int
    synonyms: Synonyms | None = None  # the answerer's, so the answerability features are the ones it will see


def holds_evidence(sentence: str, evidence: Sequence[str]) -> bool:
    s = normalize(sentence)
    return any((w := normalize(e)) and (w in s or (len(s) > 40 and s in w)) for e in evidence)


def collect(assistant: Assistant, items: Sequence[EvalItem], *, k: int | None = None) -> list[QuestionFeatures]:
    """Candidates and features for each question, as the assistant would see them."""
    out: list[QuestionFeatures] = []
    previous: dict[str, tuple[str, str]] = {}
    for item in items:
        if item.split == "test":
            raise ValueError(f"{item.id} is a test item: the ranker is fitted on the tune half only")
        history = [previous[item.follow_up_of]] if item.follow_up_of in previous else []
        query = standalone_question(item.question, history) if history else item.question
        passages = assistant.retriever.retrieve(query, k or assistant.k)
        scorer = assistant.scorer
        evidence = scorer.candidates(passages)
        scorer.score(query, evidence)
        ctx = Context(query, question_type(query), {p.id: i for i, p in enumerate(passages)})
        features = feature_matrix(evidence, ctx)
        labels = np.array([holds_evidence(e.text, item.evidence) for e in evidence], dtype=np.int64)
        known = set().union(*(name_stems(f"{p.text} {p.title} {Path(p.source).stem}") for p in passages))
        unknown = sum(n not in known for n in question_names(query))
        previous[item.id] = (item.question, "")  # a follow-up is rewritten from the question alone
        synonyms = getattr(assistant.answerer, "synonyms", None)
        out.append(QuestionFeatures(item, features, labels, evidence, query, unknown, synonyms))
    return out


def fit(questions: Sequence[QuestionFeatures], *, c: float = 1.0) -> tuple[RankerWeights, dict[str, Any]]:
    """Weights over the answerable questions' candidates, then the threshold over every question."""
    from sklearn.linear_model import LogisticRegression

    train = [q for q in questions if q.item.answerable and len(q.labels)]
    x = np.vstack([q.features for q in train])
    y = np.concatenate([q.labels for q in train])
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(x, y)
    weights = RankerWeights(coef=[round(float(v), 6) for v in model.coef_[0]], intercept=round(float(model.intercept_[0]), 6),
                            threshold=0.0, features=list(FEATURES))
    ranker = LearnedRanker(weights)  # the sentence model alone, to rank each question's candidates
    # Answerability: over the best candidate of every tune question; positive when the question is
    # answerable and that candidate holds evidence, negative when it is unanswerable (answerable questions
    # whose best candidate misses say nothing about answerability and are left out of the fit).
    qx, qy, kept = [], [], []
    for q in questions:
        if not len(q.labels):
            continue
        probs = ranker.probabilities(q.features)
        order = np.argsort(-probs)
        ranked = [q.evidence[i] for i in order]
        rows = {id(e): q.features[i] for i, e in enumerate(q.evidence)}
        x_q = answerability_features(q.query, question_type(q.query), ranked, [float(probs[i]) for i in order], rows,
                                     q.unknown_names, q.synonyms)
        hit = bool(q.labels[order[0]])
        kept.append((q.item.answerable, x_q, hit))
        if q.item.answerable and not hit:
            continue
        qx.append(x_q)
        qy.append(int(q.item.answerable))
    judge = LogisticRegression(C=c, max_iter=2000)
    judge.fit(np.vstack(qx), np.array(qy))
    weights.answerability_coef = [round(float(v), 6) for v in judge.coef_[0]]
    weights.answerability_intercept = round(float(judge.intercept_[0]), 6)
    ranker = LearnedRanker(weights)
    scored = [(answerable, ranker.answerability(x_q), hit) for answerable, x_q, hit in kept]
    scored += [(q.item.answerable, 0.0, False) for q in questions if not len(q.labels)]
    weights.threshold, summary = choose_threshold(scored)
    summary["candidates"] = len(y)
    summary["positives"] = int(y.sum())
    return weights, summary


MAX_FALSE_ABSTENTION = 0.08  # on the tune questions: abstaining on answerable questions costs trust too


def choose_threshold(rows: Sequence[tuple[bool, float, bool]]) -> tuple[float, dict[str, Any]]:
    """The threshold with the most questions handled right (answerable ones answered from evidence,
    unanswerable ones abstained on) among those that abstain on at most MAX_FALSE_ABSTENTION of the
    answerable ones; ties go to the lower threshold."""
    answerable = [r for r in rows if r[0]]
    unanswerable = [r for r in rows if not r[0]]
    curve: list[tuple[float, float, float, float]] = []
    for t in sorted({round(p, 3) for _, p, _ in rows} | {0.0}):
        handled = sum((p >= t and hit) if is_answerable else p < t for is_answerable, p, hit in rows)
        false_abstention = sum(p < t for _, p, _ in answerable) / len(answerable) if answerable else 0.0
        recall = sum(p < t for _, p, _ in unanswerable) / len(unanswerable) if unanswerable else 0.0
        curve.append((t, handled / len(rows) if rows else 0.0, false_abstention, recall))
    allowed = [c for c in curve if c[2] <= MAX_FALSE_ABSTENTION] or curve[:1]
    t, right, false_abstention, recall = max(allowed, key=lambda c: (c[1], -c[0]))
    return t, {
        "threshold": t,
        "handled_right": right,
        "top1_evidence": sum(h for _, _, h in answerable) / len(answerable) if answerable else 0.0,
        "false_abstention": false_abstention,
        "abstention_recall": recall,
        "curve": [{"threshold": c[0], "handled_right": round(c[1], 3), "false_abstention": round(c[2], 3),
                   "abstention_recall": round(c[3], 3)} for c in curve[:: max(1, len(curve) // 12)]],
    }
