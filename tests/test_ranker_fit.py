"""How `briefing eval --fit-ranker` chooses the abstention threshold. Synthetic questions (random features,
never the evaluation sets): a model fitted on few questions looks surer of them than of new ones, so a
threshold chosen on its own questions abstains on many new answerable ones."""

from __future__ import annotations

import numpy as np
import pytest

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


def test_the_confidence_is_calibrated_to_how_often_answers_at_that_score_were_right() -> None:
    """Synthetic outcomes where an answer scored p is right with probability sigmoid(2 logit(p) - 1): the
    Platt fit recovers the line, so the shipped confidence says how often such an answer is right."""
    from assistant.ranker import RankerWeights, log_odds
    from eval.ranker_fit import calibrate_confidence

    rng = np.random.default_rng(3)
    probs = rng.uniform(0.55, 0.95, size=4000)
    truth = 1 / (1 + np.exp(-(2 * np.array([log_odds(p) for p in probs]) - 1)))
    outcomes = [(float(p), bool(rng.uniform() < t)) for p, t in zip(probs, truth, strict=True)]
    slope, intercept = calibrate_confidence(outcomes)
    assert abs(slope - 2) < 0.3 and abs(intercept + 1) < 0.3
    ranker = LearnedRanker(RankerWeights(coef=[0.0] * len(FEATURES), intercept=0.0, threshold=0.5,
                                         confidence_calibration=[slope, intercept]))
    # an answer the model scores 0.58 is right about 41% of the time: more likely wrong than right
    assert ranker.confidence(0.58) < 0.5 < 0.58
    uncalibrated = LearnedRanker(RankerWeights(coef=[0.0] * len(FEATURES), intercept=0.0, threshold=0.5))
    assert abs(uncalibrated.confidence(0.62) - 0.62) < 1e-9
    with pytest.raises(ValueError, match="fewer than"):  # one outcome only: nothing to fit
        calibrate_confidence([(0.7, True)] * 50 + [(0.6, False)] * 3)
    backwards = [(float(p), bool(p < 0.75)) for p in probs[:400]]
    with pytest.raises(ValueError, match="do not score higher"):
        calibrate_confidence(backwards)


def test_the_shipped_confidence_calls_an_answer_at_the_threshold_weak_and_a_high_scoring_one_sure() -> None:
    ranker = LearnedRanker.default()
    slope, _ = ranker.weights.confidence_calibration
    assert slope > 0
    assert ranker.confidence(ranker.threshold) < 0.5 < ranker.confidence(0.9)


def test_an_answerer_with_another_ranker_abstains_at_that_rankers_threshold() -> None:
    from assistant.extractive import ExtractiveAnswerer, SentenceScorer
    from assistant.ranker import RankerWeights

    def ranker(threshold: float) -> LearnedRanker:
        return LearnedRanker(RankerWeights(coef=[0.0] * len(FEATURES), intercept=0.0, threshold=threshold))

    answerer = ExtractiveAnswerer(SentenceScorer(embedder=None), ranker=ranker(0.6))  # type: ignore[arg-type]
    fold = answerer.with_ranker(ranker(0.4))
    assert (answerer.min_score, fold.min_score, fold.keep_ratio) == (0.6, 0.4, 0.35)
    fixed = ExtractiveAnswerer(SentenceScorer(embedder=None), ranker=ranker(0.6), min_score=0.7)  # type: ignore[arg-type]
    assert fixed.with_ranker(ranker(0.4)).min_score == 0.7  # a configured threshold stays


def test_answers_right_are_those_holding_every_reference_fact_within_the_word_limit() -> None:
    from eval.ranker_fit import answered_right
    from eval.runner import AnswerRecord

    def record(answer: str, answerable: bool = True, abstained: bool = False, confidence: float | None = 0.7
               ) -> AnswerRecord:
        item = EvalItem(id="q", question="How many?", answerable=answerable, reference_facts=[["1,960"]],
                        evidence=[], documents=["d.md"])
        return AnswerRecord("How many?", answer, [], abstained=abstained, item=item, confidence=confidence,
                            weak_match=None if confidence is None else confidence < 0.5)

    rows = answered_right([record("Russia sent 1,960 troops. [1]"), record("Russia sent troops. [1]"),
                           record("Russia sent 1,960 troops. [1]", answerable=False),
                           record("Russia sent 1,960 troops " + "and more " * 40 + "[1]"),
                           record("The reports do not answer this.", abstained=True),
                           record("Russia sent 1,960 troops. [1]", confidence=None)])
    metadata = record("Russia sent 1,960 troops. [1]")
    metadata.weak_match = None  # a report's metadata answer: its confidence is not the model's
    assert answered_right([metadata]) == []
    assert [(o.confidence, o.right) for o in rows] == [(0.7, True), (0.7, False), (0.7, False), (0.7, False)]
    signals = {"semantic": 0.6}
    given = record("Russia sent 1,960 troops. [1]")
    given.confidence_signals = signals
    assert answered_right([given])[0].signals is signals  # what the confidence model is fitted on


def _confidence_outcomes(rng: np.random.Generator, n: int) -> list:
    """Answers whose rightness depends a little on the answerability and more on the best sentence's cosine and on
    a direct answer having been found: what the answerability alone cannot tell apart."""
    from assistant.ranker import confidence_features, log_odds
    from eval.ranker_fit import Outcome

    out = []
    for _ in range(n):
        answerability, semantic, direct = rng.uniform(0.55, 0.95), rng.uniform(0.1, 0.8), bool(rng.uniform() < 0.5)
        p_right = 1 / (1 + np.exp(-(-3.0 + log_odds(answerability) + 5.0 * semantic + 1.0 * direct)))
        signals = confidence_features(answerability, semantic, answerability, rng.uniform(0, answerability),
                                      int(rng.integers(10, 60)), direct, False, str(rng.choice(["name", "date"])))
        out.append(Outcome(answerability, bool(rng.uniform() < p_right), signals))
    return out


def test_the_confidence_model_reads_what_the_answerability_misses_and_its_stored_weights_give_its_probabilities() -> None:
    from sklearn.metrics import roc_auc_score

    from assistant.ranker import CONFIDENCE, RankerWeights
    from eval.ranker_fit import fit_confidence

    rng = np.random.default_rng(5)
    coef, intercept = fit_confidence(_confidence_outcomes(rng, 3000))
    fitted = dict(zip(CONFIDENCE, coef, strict=True))
    # the drivers, recovered (5.0, 1.0 and 1.0, shrunk a little), and noise near 0
    assert fitted["semantic"] > 3.5 and 0.6 < fitted["direct"] < 1.4 and 0.5 < fitted["answerability"] < 1.5
    assert abs(fitted["quoted_words"]) < 0.02 and abs(fitted["runner_up"]) < 0.5
    assert fitted["asks_time"] == 0.0  # never asked: a signal that never varied gets no weight
    weights = RankerWeights(coef=[0.0] * len(FEATURES), intercept=0.0, threshold=0.5, confidence_coef=coef,
                            confidence_intercept=intercept)
    ranker, fresh = LearnedRanker(weights), _confidence_outcomes(rng, 2000)
    confidence = [ranker.answer_confidence(o.confidence, o.signals) for o in fresh]
    right = [o.right for o in fresh]
    assert roc_auc_score(right, confidence) > 0.68
    # calibrated on new answers: those it calls doubtful are mostly wrong, those it calls sure mostly right
    doubtful = [r for c, r in zip(confidence, right, strict=True) if c < 0.5]
    sure = [r for c, r in zip(confidence, right, strict=True) if c >= 0.5]
    assert np.mean(doubtful) < 0.45 and np.mean(sure) > 0.6
    # a fold's model without one falls back to the answerability, calibrated
    plain = LearnedRanker(RankerWeights(coef=[0.0] * len(FEATURES), intercept=0.0, threshold=0.5))
    assert plain.answer_confidence(0.62, fresh[0].signals) == pytest.approx(0.62)
    with pytest.raises(ValueError, match="fewer than"):
        fit_confidence(_confidence_outcomes(rng, 40))


def test_the_cross_fit_judges_each_folds_confidence_by_models_fitted_on_the_other_folds() -> None:
    from eval.ranker_fit import confidence_cv

    rng = np.random.default_rng(8)
    got = confidence_cv({f"fold{i}": _confidence_outcomes(rng, 400) for i in range(3)})
    assert got["platt"]["answers"] == got["model"]["answers"] == 1200
    assert got["model"]["auc"] > got["platt"]["auc"] + 0.1  # the answerability is noise here; the signals are not
    assert got["model"]["confidence_brier"] < got["platt"]["confidence_brier"]
    assert got["model"]["wrong_answers_flagged"] > got["platt"]["wrong_answers_flagged"]


def test_the_shipped_confidence_calls_a_close_call_weak_and_a_clear_direct_answer_sure() -> None:
    """The shipped model on two answers at the same answerability: a runner-up nearly as likely as the best, a
    sentence far in meaning from the question and no direct answer in it, against a clear best holding the
    asked name."""
    from assistant.ranker import confidence_features

    ranker = LearnedRanker.default()
    p = ranker.threshold + 0.05
    close_call = confidence_features(p, 0.25, p, 0.95 * p, 45, False, False, None)
    clear = confidence_features(p, 0.65, p, 0.2 * p, 30, True, False, "name")
    assert ranker.answer_confidence(p, close_call) < 0.5 < ranker.answer_confidence(p, clear)
