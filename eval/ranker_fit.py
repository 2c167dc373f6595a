"""Fit the answer ranker (``assistant/ranker.py``) on the tune half of a question set.

For every tune question the assistant's own retrieval gives the candidates; a candidate is positive
when it holds (or lies inside) one of the item's evidence sentences. A logistic regression
(scikit-learn) is fitted over the candidates of answerable questions; the abstention threshold is then
chosen on all tune questions, answerable and not, over out-of-fold probabilities. The test half is never
read here.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from assistant.answers import WEAK_MATCH
from assistant.extractive import Evidence
from assistant.followup import standalone_question
from assistant.lexicon import Synonyms
from assistant.ranker import (
    CONFIDENCE,
    FEATURES,
    Context,
    LearnedRanker,
    RankerWeights,
    answerability_features,
    closest,
    feature_matrix,
    log_odds,
)
from assistant.text import name_stems, question_names, question_type
from eval.datasets import EvalItem
from eval.metrics import facts_present, normalize
from eval.runner import CONCISE_WORDS, AnswerRecord, answer_words, calibration_scores

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


FOLDS = 5  # document groups for everything fitted out of fold


def fit(questions: Sequence[QuestionFeatures], *, c: float = 1.0, folds: int = FOLDS,
        max_false_abstention: float | None = None,
        judge_c: float = 0.1) -> tuple[RankerWeights, dict[str, Any]]:
    """Weights over the answerable questions' candidates, the answerability model over every question's
    best candidate, then the abstention threshold over out-of-fold answerability.

    The threshold is chosen on probabilities from models that did not see the question: the questions are
    split in ``folds`` groups by their first document, each group is scored by the two models fitted on the
    others, and the threshold is chosen over those scores. Chosen in-sample (round 5), the cap of 8% on
    answerable questions abstained let 5-17% abstain on held-out document folds: a fitted model is surer of
    the questions it was fitted on than of new ones.

    The answerability model is regularised harder than the sentence model (``judge_c`` 0.1, scikit-learn's C):
    it is fitted on one row per question (about 350), not per candidate. Cross-fitted on the four document
    folds of the blind tune halves (fit on the other three and the regression sets), answerable abstained
    0.187, 0.060, 0.048, 0.081 with C 1 and the threshold in-sample; 0.160, 0.060, 0.048, 0.081 with C 1 out of
    fold; 0.067, 0.060, 0.064, 0.081 with C 0.1 out of fold (0.3 gave the same, 0.01 answered most near
    misses)."""
    weights, y = _fit_models(questions, c, judge_c)
    weights.relevance_floor = relevance_floor(questions)
    scored: list[tuple[bool, float, bool]] = []
    for g, fold in fold_models(questions, folds=folds, c=c, judge_c=judge_c).items():
        scored += answerability_scores(LearnedRanker(fold), [q for q in questions if document_group(q.item, folds) == g])
    cap = MAX_FALSE_ABSTENTION if max_false_abstention is None else max_false_abstention
    weights.threshold, summary = choose_threshold(scored, cap)
    in_sample = answerability_scores(LearnedRanker(weights), questions)
    answerable = [p for is_answerable, p, _ in in_sample if is_answerable]
    summary["false_abstention_in_sample"] = round(sum(p < weights.threshold for p in answerable) / max(1, len(answerable)), 3)
    summary["candidates"] = len(y)
    summary["positives"] = int(y.sum())
    return weights, summary


# The relevance floor is this share of the lowest closest-sentence cosine of any answerable fit question.
# On the fit of rounds 5-6 (302 answerable questions of the two blind tune halves and the regression sets)
# that lowest is 0.25 (1st percentile 0.37, median 0.66). Off-topic questions to the bundled report score
# 0.08-0.11 ("What is a good recipe for apple pie?" 0.10, which the answerability model had let within
# 0.001 of its threshold). But questions the fit set lacks score lower than any in it while being about the
# corpus: "What are the key takeaways?" 0.18, "quick summary: what happened?" 0.22, a third-turn follow-up
# rewritten from a bare "Where?" 0.13 (a review found these). Half the lowest, 0.12, keeps them.
RELEVANCE_SHARE = 0.5


def relevance_floor(questions: Sequence[QuestionFeatures], share: float = RELEVANCE_SHARE) -> float:
    """The closest-sentence cosine under which a question is taken to be about nothing in the corpus:
    ``share`` of the lowest over the answerable questions (unanswerable ones never set it)."""
    lowest = [closest(q.features) for q in questions if q.item.answerable and len(q.features)]
    return round(share * min(lowest), 4) if lowest else 0.0


def fold_models(questions: Sequence[QuestionFeatures], *, folds: int = FOLDS, c: float = 1.0,
                judge_c: float = 0.1) -> dict[int, RankerWeights]:
    """For each document group that holds questions, the two models fitted on the other groups' questions
    (threshold 0: the caller chooses it, or uses the full fit's)."""
    out: dict[int, RankerWeights] = {}
    for g in range(folds):
        if not any(document_group(q.item, folds) == g for q in questions):
            continue
        rest = [q for q in questions if document_group(q.item, folds) != g]
        try:
            out[g], _ = _fit_models(rest, c, judge_c)
        except ValueError as e:  # a group that holds every question of one kind leaves the rest unfittable
            raise ValueError(f"cannot fit without document group {g} of {folds}: {e}") from e
    return out


def document_group(item: EvalItem, folds: int) -> int:
    """A question's group for cross-fitting: by its first document, so questions on one article stay together."""
    return zlib.crc32((item.documents[0] if item.documents else item.id).encode()) % folds


def _fit_models(questions: Sequence[QuestionFeatures], c: float = 1.0,
                judge_c: float = 0.1) -> tuple[RankerWeights, np.ndarray]:
    """The sentence model, then the answerability model over each question's best candidate (threshold 0)."""
    from sklearn.linear_model import LogisticRegression

    train = [q for q in questions if q.item.answerable and len(q.labels)]
    if not train:
        raise ValueError("no answerable question with candidates to fit the sentence model on")
    x = np.vstack([q.features for q in train])
    y = np.concatenate([q.labels for q in train])
    if y.min() == y.max():
        raise ValueError("the candidates are all positive or all negative")
    sentence = LogisticRegression(C=c, max_iter=2000).fit(x, y)
    weights = RankerWeights(coef=[round(float(v), 6) for v in sentence.coef_[0]],
                            intercept=round(float(sentence.intercept_[0]), 6), threshold=0.0, features=list(FEATURES))
    # Answerability: over the best candidate of every question; positive when the question is answerable
    # and that candidate holds evidence, negative when it is unanswerable (answerable questions whose best
    # candidate misses say nothing about answerability and are left out of the fit).
    rows = _best_candidates(LearnedRanker(weights), questions)
    qx = [x_q for answerable, x_q, hit in rows if hit or not answerable]
    qy = [int(answerable) for answerable, x_q, hit in rows if hit or not answerable]
    if len(set(qy)) < 2:
        raise ValueError("the answerability model needs answerable and unanswerable questions")
    judge = LogisticRegression(C=judge_c, max_iter=2000)
    judge.fit(np.vstack(qx), np.array(qy))
    weights.answerability_coef = [round(float(v), 6) for v in judge.coef_[0]]
    weights.answerability_intercept = round(float(judge.intercept_[0]), 6)
    return weights, y


def _best_candidates(ranker: LearnedRanker, questions: Sequence[QuestionFeatures]) -> list[tuple[bool, np.ndarray, bool]]:
    """For each question with candidates: whether it is answerable, the answerability features of the
    ranker's best candidate, and whether that candidate holds evidence."""
    out = []
    for q in questions:
        if not len(q.labels):
            continue
        probs = ranker.probabilities(q.features)
        order = np.argsort(-probs)
        ranked = [q.evidence[i] for i in order]
        rows = {id(e): q.features[i] for i, e in enumerate(q.evidence)}
        x_q = answerability_features(q.query, question_type(q.query), ranked, [float(probs[i]) for i in order], rows,
                                     q.unknown_names, q.synonyms)
        out.append((q.item.answerable, x_q, bool(q.labels[order[0]])))
    return out


def answerability_scores(ranker: LearnedRanker, questions: Sequence[QuestionFeatures]) -> list[tuple[bool, float, bool]]:
    """(answerable, probability that the best candidate answers, best candidate holds evidence) per question;
    a question with no candidates scores 0."""
    scored = [(answerable, ranker.answerability(x_q), hit) for answerable, x_q, hit in _best_candidates(ranker, questions)]
    return scored + [(q.item.answerable, 0.0, False) for q in questions if not len(q.labels)]


class Outcome(NamedTuple):
    """An answer given by a model fitted without its question, and whether it was right."""

    confidence: float  # as the answer gave it: the fit's fold models give the raw answerability
    right: bool
    signals: dict[str, float] | None = None  # :data:`assistant.ranker.CONFIDENCE`, where the answerer gave them


def calibrate_confidence(outcomes: Sequence[tuple[float, bool]]) -> list[float]:
    """Platt scaling: slope and intercept on the log-odds of the answerability probability, fitted on
    (probability, the answer was right) for the answers given (not abstentions), since the confidence is
    read beside an answer. Right is judged end to end, as the evaluation does: the rules after the model
    (near misses, qualifiers, fragments) and the composition decide it too. Fitted on the model's raw
    out-of-fold probability instead, against "the best sentence holds the evidence" over every question,
    the line bent to the abstentions' many low scores: tune answers shown at 0.40-0.50 were right 64% of
    the time."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([[log_odds(p)] for p, _ in outcomes])
    y = np.array([int(right) for _, right in outcomes])
    if min(int(y.sum()), len(y) - int(y.sum())) < MIN_OUTCOMES:
        raise ValueError(f"cannot calibrate the confidence: {int(y.sum())} right and {len(y) - int(y.sum())} wrong "
                         f"answers, fewer than {MIN_OUTCOMES} of one")
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(x, y)  # two parameters: next to no regularisation
    slope, intercept = float(platt.coef_[0][0]), float(platt.intercept_[0])
    if slope <= 0:  # a surer model would read as less sure: the fit says nothing, so refuse it
        raise ValueError(f"cannot calibrate the confidence: right answers do not score higher (slope {slope:.3f})")
    return [round(slope, 6), round(intercept, 6)]


MIN_OUTCOMES = 10  # right and wrong answers each, for a two-parameter fit


def answered_right(records: Sequence[AnswerRecord]) -> list[Outcome]:
    """Each answer given by the learned answerability (not a report's metadata, whose weak_match is None):
    right when the question is answerable and the answer holds every reference fact within the evaluation's word
    limit."""
    out = []
    for r in records:
        if r.abstained or r.confidence is None or r.weak_match is None or r.item is None:
            continue
        found, wanted = facts_present(r.answer, r.item.reference_facts)
        right = r.item.answerable and wanted > 0 and found == wanted
        out.append(Outcome(r.confidence, right and answer_words(r.answer) <= CONCISE_WORDS, r.confidence_signals))
    return out


# The confidence model's regularisation (scikit-learn's C, on standardised signals). Nested over the six
# cross-fit folds' 331 tune answers (each fold's answers scored by a model fitted on the other five's), Brier
# 0.2005 / 0.1970 / 0.1970 at C 0.03 / 0.1 / 1.0, ECE 0.058 / 0.054 / 0.060.
CONFIDENCE_C = 0.1
MIN_PER_SIGNAL = 5  # right and wrong answers each, per signal of the confidence model


def fit_confidence(outcomes: Sequence[Outcome], c: float = CONFIDENCE_C) -> tuple[list[float], float]:
    """A logistic regression of right over :data:`assistant.ranker.CONFIDENCE` (coefficients on the raw
    signals, and the intercept), fitted on standardised signals so that one ``c`` regularises each alike."""
    from sklearn.linear_model import LogisticRegression

    rows = [o for o in outcomes if o.signals is not None]
    y = np.array([int(o.right) for o in rows])
    least = MIN_PER_SIGNAL * len(CONFIDENCE)
    if min(int(y.sum()), len(y) - int(y.sum())) < least:
        raise ValueError(f"cannot fit the confidence: {int(y.sum())} right and {len(y) - int(y.sum())} wrong answers "
                         f"with signals, fewer than {least} of one")
    x = np.array([[o.signals[name] for name in CONFIDENCE] for o in rows if o.signals is not None])
    mean, spread = x.mean(axis=0), x.std(axis=0)
    # A signal that never varied (no question asked for a time) gets weight 0: its spread is 0 up to rounding
    # (5e-17 for a column of 0.3s), and dividing by that had given it a weight of 1e11.
    constant = spread < 1e-9
    spread[constant] = 1.0
    standard = (x - mean) / spread
    standard[:, constant] = 0.0
    model = LogisticRegression(C=c, max_iter=2000).fit(standard, y)
    coef = model.coef_[0] / spread
    intercept = float(model.intercept_[0] - np.sum(model.coef_[0] * mean / spread))
    return [round(float(v), 6) for v in coef], round(intercept, 6)


def confidence_cv(outcomes_by_fold: dict[str, list[Outcome]]) -> dict[str, dict[str, float | None]]:
    """The answers' confidence judged out of fold: each fold's answers are given the confidence that the
    calibration (``platt``: the answerability alone, as abstentions get it) and the model (``model``) fitted on the
    other folds' answers would give them, and scored together (``eval.runner.calibration_scores``, with the
    area under the ROC curve of right against wrong)."""
    from sklearn.metrics import roc_auc_score

    scored: dict[str, list[tuple[float, bool]]] = {"platt": [], "model": []}
    for held, answers in outcomes_by_fold.items():
        rest = [o for fold, os in outcomes_by_fold.items() if fold != held for o in os]
        coef, bias = fit_confidence(rest)
        # the shipped ranker's own two readings of a confidence, with the weights fitted on the other folds
        fitted = LearnedRanker(RankerWeights(
            coef=[], intercept=0.0, threshold=0.0, confidence_coef=coef, confidence_intercept=bias,
            confidence_calibration=calibrate_confidence([(o.confidence, o.right) for o in rest])))
        for o in answers:
            if o.signals is None:
                continue
            scored["platt"].append((fitted.confidence(o.confidence), o.right))
            scored["model"].append((fitted.answer_confidence(o.confidence, o.signals), o.right))
    out: dict[str, dict[str, float | None]] = {}
    for name, rows in scored.items():
        rights = [r for _, r in rows]
        auc = roc_auc_score(rights, [p for p, _ in rows]) if 0 < sum(rights) < len(rights) else None
        out[name] = {"answers": len(rows), "auc": None if auc is None else round(float(auc), 4),
                     **calibration_scores([(p, r, p < WEAK_MATCH) for p, r in rows])}
    return out


MAX_FALSE_ABSTENTION = 0.06  # out of fold: abstaining on answerable questions costs trust too


def choose_threshold(rows: Sequence[tuple[bool, float, bool]],
                     max_false_abstention: float = MAX_FALSE_ABSTENTION) -> tuple[float, dict[str, Any]]:
    """The threshold with the most questions handled right (answerable ones answered from evidence,
    unanswerable ones abstained on) among those that abstain on at most ``max_false_abstention`` of the
    answerable ones; ties go to the lower threshold."""
    answerable = [r for r in rows if r[0]]
    unanswerable = [r for r in rows if not r[0]]
    curve: list[tuple[float, float, float, float]] = []
    for t in sorted({round(p, 3) for _, p, _ in rows} | {0.0}):
        handled = sum((p >= t and hit) if is_answerable else p < t for is_answerable, p, hit in rows)
        false_abstention = sum(p < t for _, p, _ in answerable) / len(answerable) if answerable else 0.0
        recall = sum(p < t for _, p, _ in unanswerable) / len(unanswerable) if unanswerable else 0.0
        curve.append((t, handled / len(rows) if rows else 0.0, false_abstention, recall))
    allowed = [c for c in curve if c[2] <= max_false_abstention] or curve[:1]
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
