"""How `briefing eval --fit-ranker` chooses the abstention threshold. Synthetic questions (random features,
never the evaluation sets): a model fitted on few questions looks surer of them than of new ones, so a
threshold chosen on its own questions abstains on many new answerable ones."""

from __future__ import annotations

import numpy as np

from assistant.extractive import Evidence
from assistant.ranker import FEATURES, LearnedRanker
from eval.datasets import EvalItem
from eval.ranker_fit import QuestionFeatures, answerability_scores, fit
from ingest.store import StoredChunk


def _questions(rng: np.random.Generator, n: int, prefix: str) -> list[QuestionFeatures]:
    """Questions whose features say nothing about whether they are answerable (pure noise), one document
    each; every answerable question's first candidate holds the evidence."""
    out = []
    for i in range(n):
        text = "The talks ended. Both sides met again. A date was set."
        chunk = StoredChunk(id=f"{prefix}{i}-0", doc_id=f"{prefix}{i}", index=0, text=text, start=0, end=len(text),
                            title="Talks", source=f"/tmp/{prefix}{i}.md", date=None, section=None, page=None,
                            footnotes={})
        evidence = [Evidence(chunk, 0, 16, "The talks ended."), Evidence(chunk, 17, 37, "Both sides met again."),
                    Evidence(chunk, 38, 53, "A date was set.")]
        answerable = i % 3 != 0
        item = EvalItem(id=f"{prefix}{i}", question="What happened at the talks?", answerable=answerable,
                        reference_facts=[], evidence=[], documents=[f"{prefix}{i}.md"])
        features = rng.normal(size=(3, len(FEATURES)))
        labels = np.array([1, 0, 0]) if answerable else np.zeros(3, dtype=np.int64)
        out.append(QuestionFeatures(item, features, labels, evidence, item.question, 0))
    return out


def test_the_threshold_is_chosen_out_of_fold_so_new_answerable_questions_rarely_abstain() -> None:
    rates = []
    for seed in range(8):
        rng = np.random.default_rng(seed)
        weights, _ = fit(_questions(rng, 45, "fit"))
        fresh = answerability_scores(LearnedRanker(weights), _questions(rng, 300, "new"))
        rates.append(np.mean([p < weights.threshold for answerable, p, _ in fresh if answerable]))
    # Chosen on the fitted questions' own scores (round 5's fit, cap 0.08), the threshold separated noise the
    # model had memorised: new answerable questions abstained 0.14 of the time on average over these seeds
    # (0.06-0.28); chosen out of fold, 0.02.
    assert np.mean(rates) <= 0.07


def test_the_relevance_floor_is_half_the_least_close_answerable_question_and_unanswerable_ones_never_set_it() -> None:
    rng = np.random.default_rng(0)
    questions = _questions(rng, 30, "rel")
    column = FEATURES.index("semantic")
    for i, q in enumerate(questions):
        q.features[:, column] = 0.3 + 0.01 * i  # every candidate of question i has cosine 0.30 + 0.01 i
    unanswerable = [q for q in questions if not q.item.answerable]
    for q in unanswerable:
        q.features[:, column] = 0.05  # off-topic near misses must not drag the floor down
    weights, _ = fit(questions)
    lowest_answerable = min(q.features[0, column] for q in questions if q.item.answerable)
    assert weights.relevance_floor == round(lowest_answerable / 2, 4) == 0.155
    ranker = LearnedRanker(weights)
    assert ranker.off_topic(unanswerable[0].features)
    assert not ranker.off_topic(questions[1].features)
