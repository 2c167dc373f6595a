"""The answers' cross-fit (``python -m eval.crossfit``): how it folds the blind tune halves and adds up the folds.

No model and no store: the folds come from the stored sets' tune halves, the counts from hand-made scored answers.
The fold sizes below are those every session's figures were read on (README, round 13): a change to the fold rule
or to a set's tune half shows here, not as a silently different cross-fit."""

from __future__ import annotations

import numpy as np
import pytest

from eval.crossfit import CROSSFIT_SETS, Fold, Row, fold_of, split_folds, tally, total, training
from eval.datasets import EvalItem, load_items
from eval.ranker_fit import QuestionFeatures, document_group
from eval.runner import AnswerRecord, QuestionResult


def item(id_: str, document: str, *, answerable: bool = True, split: str | None = "tune",
         follow_up_of: str | None = None) -> EvalItem:
    return EvalItem(id=id_, question=f"Question {id_}?", answerable=answerable, reference_facts=[["x"]],
                    documents=[document], follow_up_of=follow_up_of, split=split)


def test_the_stored_tune_halves_fall_in_the_recorded_six_folds() -> None:
    folds = split_folds({name: load_items(name, "tune") for name in CROSSFIT_SETS})
    assert list(folds) == [Fold(name, g) for name in CROSSFIT_SETS for g in (0, 1)]
    assert [sum(i.answerable for i in f) for f in folds.values()] == [75, 50, 63, 37, 47, 51]
    assert [sum(not i.answerable for i in f) for f in folds.values()] == [23, 17, 22, 13, 20, 14]
    # a follow-up is answered in its question's conversation: both are in one fold, the question first
    for items in folds.values():
        order = [i.id for i in items]
        for i in items:
            if i.follow_up_of is not None:
                assert i.follow_up_of in order and order.index(i.follow_up_of) < order.index(i.id)
    assert sum(i.follow_up_of is not None for f in folds.values() for i in f) > 10


def test_a_fold_is_the_document_group_of_the_first_document_and_keeps_the_items_order() -> None:
    items = [item(f"q{n}", f"doc{n % 5}.md") for n in range(20)]
    folds = split_folds({"a": items, "b": items[:4]})
    assert set(folds) == {Fold("a", 0), Fold("a", 1), Fold("b", 0), Fold("b", 1)}
    for fold, members in folds.items():
        assert all(document_group(i, 2) == fold.group for i in members)
        assert members == [i for i in ({"a": items, "b": items[:4]}[fold.set]) if fold_of(fold.set, i) == fold]
    assert sorted(i.id for i in folds[Fold("a", 0)] + folds[Fold("a", 1)]) == sorted(i.id for i in items)
    # one document's questions never straddle two folds
    for doc in {i.documents[0] for i in items}:
        assert len({fold_of("a", i) for i in items if i.documents[0] == doc}) == 1


def test_a_test_item_anywhere_is_refused() -> None:
    with pytest.raises(ValueError, match="test"):
        split_folds({"a": [item("q1", "d.md"), item("q2", "e.md", split="test")]})


def _features(name: str, it: EvalItem) -> QuestionFeatures:
    return QuestionFeatures(it, np.zeros((1, 1)), np.zeros(1, dtype=np.int64), [], it.question, 0)


def test_each_fold_is_fitted_on_the_other_folds_and_every_regression_question() -> None:
    from eval.cli import FitSet

    blind = [item(f"q{n}", f"doc{n}.md") for n in range(12)]
    regression = [item(f"r{n}", "report.txt", split=None) for n in range(3)]
    sets = {"a": FitSet("a", blind, None, [_features("a", i) for i in blind]),  # type: ignore[arg-type]
            "reg": FitSet("reg", regression, None, [_features("reg", i) for i in regression])}  # type: ignore[arg-type]
    for held in (Fold("a", 0), Fold("a", 1)):
        fitted = {q.item.id for q in training(sets, ["a"], held)}
        assert fitted == {i.id for i in blind if fold_of("a", i) != held} | {i.id for i in regression}
    assert len(training(sets, ["a"], None)) == 15


def result(it: EvalItem, *, abstained: bool, correct: bool | None = None, words: int = 0,
           cited: bool | None = None) -> QuestionResult:
    record = AnswerRecord(question=it.question, answer="", passages=[], item=it)
    return QuestionResult(record, abstained, [], correct, None, None, None, cited, words)


def test_a_fold_counts_its_answers_and_the_total_pools_them() -> None:
    a = [result(item("a1", "d"), abstained=False, correct=True, words=30, cited=True),
         result(item("a2", "d"), abstained=False, correct=True, words=70, cited=True),  # right but over 60 words
         result(item("a3", "d"), abstained=True, correct=False),
         result(item("n1", "d", answerable=False), abstained=True),
         result(item("n2", "d", answerable=False), abstained=False, words=40)]
    b = [result(item("b1", "e"), abstained=False, correct=False, words=10, cited=False),
         result(item("b2", "e"), abstained=False, correct=True, words=20, cited=True)]
    row_a, row_b = tally("a:0", a, 0.59), tally("a:1", b, 0.6)
    assert (row_a.answerable, row_a.near_misses, row_a.correct, row_a.evidence_cited) == (3, 2, 1, 2)
    assert (row_a.near_misses_abstained, row_a.answerable_abstained, row_a.median_words) == (1, 1, 40.0)
    assert row_a.as_dict()["correct_rate"] == 0.333 and row_a.as_dict()["threshold"] == 0.59
    both = total([row_a, row_b])
    assert (both.answerable, both.near_misses, both.correct, both.evidence_cited) == (5, 2, 2, 3)
    assert (both.near_misses_abstained, both.answerable_abstained) == (1, 1)
    assert both.words == [30, 70, 40, 10, 20] and both.median_words == 30.0  # pooled, not a median of medians
    assert total([]).as_dict()["correct_rate"] is None and Row("x").median_words is None


def test_the_run_checks_the_shipped_weights_among_what_it_must_leave_alone() -> None:
    from eval.crossfit import shipped_state

    state = shipped_state()
    assert {"data/answer_ranker.json", "verifier_weights.json"} <= set(state)
    assert not any("__pycache__" in name for name in state)


def test_the_confidence_table_sits_under_the_folds_when_it_could_be_judged() -> None:
    from eval.crossfit import CrossFit

    scores = {"platt": {"answers": 331, "auc": 0.595, "confidence_brier": 0.22, "confidence_ece": 0.026,
                        "wrong_answers_flagged": 0.079, "right_answers_flagged": 0.028},
              "model": {"answers": 331, "auc": None, "confidence_brier": 0.199, "confidence_ece": 0.052,
                        "wrong_answers_flagged": 0.298, "right_answers_flagged": 0.088}}
    full = {"threshold": 0.58, "relevance_floor": 0.12, "fitted_on": "x"}
    text = CrossFit([Row("a:0")], [], full, confidence=scores).text()
    assert "| platt | 331 | 0.595 | 0.22 | 0.026 | 0.079 | 0.028 |" in text
    assert "| model | 331 | - | 0.199 | 0.052 | 0.298 | 0.088 |" in text
    assert text.index("| a:0 |") < text.index("| platt |")
    assert "confidence (out of fold)" not in CrossFit([Row("a:0")], [], full).text()  # too few answers to judge
    assert CrossFit([Row("a:0")], [], full, confidence=scores).as_dict()["confidence"] == scores
