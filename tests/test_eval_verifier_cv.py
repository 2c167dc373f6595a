"""The verifier's cross-validation by kind (eval/verifier_cv.py): cached signals, the held-out labels that
fit_combination hands back, and the per-kind table. No model: the signals are made up."""

from __future__ import annotations

import random

import pytest

from assistant.verifier import FEATURES
from eval.calibration import _agreement, fit_combination
from eval.datasets import CalibrationPair
from eval.verifier_cv import CachedSignals, by_kind

LABELS = ("supported", "partial", "unsupported", "contradicted")


def _pairs_and_signals(n_per_label: int = 20) -> tuple[list[CalibrationPair], CachedSignals]:
    rng = random.Random(3)
    pairs, rows = [], {}
    for li, label in enumerate(LABELS):
        for i in range(n_per_label):
            claim = f"{label} claim {i}"
            passages = [f"passage {i}"]
            pairs.append(CalibrationPair(id=f"vc9-{li}{i:02d}", claim=claim, passages=passages, label=label,
                                         kind=f"kind-{label}", split="tune", document=f"doc{i % 6}"))
            # each label shifts one signal: separable, with noise
            row = {k: rng.random() for k in FEATURES}
            row["coverage"] = (1.0 if label == "supported" else 0.2) + rng.random() * 0.1
            row["negation_mismatch"] = 1.0 if label == "contradicted" else 0.0
            row["missing_run"] = 0.9 if label == "unsupported" else 0.1
            row.update({"number_swap": 0.0, "month_swap": 0.0, "name_swap": 0.0, "name_slot_swap": 0.0, "role_swap": 0.0})
            rows[CachedSignals.key(claim, passages)] = row
    return pairs, CachedSignals(rows)


def test_held_out_labels_are_the_grouped_cross_validation_and_tabulate_by_kind() -> None:
    pairs, signals = _pairs_and_signals()
    held_out: list[list[str]] = []
    # 20 rounds of trees: the shipped 100 only make the test slower
    _, figures = fit_combination(signals, pairs, rounds=20, held_out_labels=held_out)  # type: ignore[arg-type]
    assert len(held_out) == 3 and all(len(run) == len(pairs) for run in held_out)  # one run per shuffle
    # the labels handed back give the grouped figures the floor was chosen with
    mean = sum(_agreement(pairs, run).accuracy for run in held_out) / len(held_out)
    assert mean == pytest.approx(figures["grouped_accuracy"], abs=1e-3)
    table = by_kind(pairs, held_out)
    assert set(table) == {f"kind-{label}" for label in LABELS}
    assert table["kind-supported"]["claims"] == 20 and table["kind-supported"]["label"] == "supported"
    # separable signals: each kind mostly agrees; only supported claims are accepted
    assert all(row["agreement"] > 0.8 for row in table.values())
    assert table["kind-supported"]["accepted"] > 0.8 and table["kind-contradicted"]["accepted"] < 0.2


def test_by_kind_counts_agreement_and_acceptance_per_shuffle() -> None:
    pairs = [CalibrationPair(id=f"x-{i}", claim=str(i), passages=["p"], label=label, kind=kind)
             for i, (label, kind) in enumerate([("supported", "a"), ("supported", "a"), ("contradicted", "b")])]
    table = by_kind(pairs, [["supported", "partial", "supported"], ["supported", "supported", "contradicted"]])
    assert table["a"] == {"claims": 2, "label": "supported", "agreement": 0.75, "accepted": 0.75}
    assert table["b"] == {"claims": 1, "label": "contradicted", "agreement": 0.5, "accepted": 0.5}


def test_cached_signals_are_keyed_by_claim_and_passages() -> None:
    signals = CachedSignals({CachedSignals.key("c", ["p1", "p2"]): {"coverage": 1.0}})
    assert signals.features("c", ["p1", "p2"]) == {"coverage": 1.0}
    with pytest.raises(KeyError):
        signals.features("c", ["p2", "p1"])


def test_the_learning_curve_cross_validates_random_shares_then_every_claim() -> None:
    from eval.verifier_cv import curve_text, learning_curve

    pairs, signals = _pairs_and_signals(n_per_label=30)
    rows = learning_curve(pairs, signals, fractions=(0.5,), seeds=(1, 2), rounds=20)
    assert [r["fraction"] for r in rows] == [0.5, 1.0]
    half, whole = rows
    assert len(half["draws"]) == 2 and len(whole["draws"]) == 1 and whole["draws"][0]["claims"] == 120
    assert all(40 <= d["claims"] <= 80 for d in half["draws"])  # about half, drawn afresh per seed
    assert half["accuracy"] == pytest.approx(sum(d["accuracy"] for d in half["draws"]) / 2, abs=1e-4)
    assert whole["accuracy"] > 0.8  # separable signals
    assert "| 0.50 |" in curve_text(rows) and "| 1.00 | 120 |" in curve_text(rows)
