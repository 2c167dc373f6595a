"""How far the verifier agrees with the hand-labelled calibration pairs, and fitting its thresholds."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.verifier import LABELS, ProxyThresholds, ProxyVerifier, Verifier, decide
from eval.datasets import CalibrationPair, load_calibration
from eval.metrics import cohen_kappa


@dataclass
class Agreement:
    accuracy: float
    kappa: float
    n: int
    confusion: dict[str, dict[str, int]]
    by_kind: dict[str, float]
    binary_accuracy: float  # supported vs. everything else, the decision citation recall rests on

    def as_dict(self) -> dict[str, Any]:
        return {"accuracy": self.accuracy, "kappa": self.kappa, "n": self.n, "binary_accuracy": self.binary_accuracy,
                "by_kind": self.by_kind, "confusion": self.confusion}


def agreement(verifier: Verifier, pairs: Sequence[CalibrationPair] | None = None) -> Agreement:
    pairs = list(pairs or load_calibration())
    predicted = [verifier.support(p.claim, p.passages).label for p in pairs]
    return _agreement(pairs, predicted)


def _agreement(pairs: Sequence[CalibrationPair], predicted: Sequence[str]) -> Agreement:
    truth = [p.label for p in pairs]
    confusion: dict[str, dict[str, int]] = {t: dict.fromkeys(LABELS, 0) for t in LABELS}
    for t, p in zip(truth, predicted, strict=True):
        confusion[t][p] += 1
    kinds: Counter[str] = Counter(p.kind for p in pairs)
    hits: Counter[str] = Counter(p.kind for p, lab in zip(pairs, predicted, strict=True) if p.label == lab)
    n = len(pairs)
    return Agreement(
        accuracy=round(sum(t == p for t, p in zip(truth, predicted, strict=True)) / n, 4),
        kappa=cohen_kappa(truth, predicted), n=n, confusion=confusion,
        by_kind={k: round(hits[k] / kinds[k], 3) for k in sorted(kinds)},
        binary_accuracy=round(sum((t == "supported") == (p == "supported") for t, p in zip(truth, predicted, strict=True)) / n, 4),
    )


GRID = {
    "supported": [0.6, 0.64, 0.68, 0.72, 0.76, 0.8],
    "partial": [0.35, 0.4, 0.45, 0.5, 0.55],
    "related": [0.3, 0.4, 0.5],
    "coverage_weight": [0.3, 0.4, 0.5, 0.6],
    "swap_coverage": [0.3, 0.5, 0.7],
    "negation_coverage": [0.4, 0.6, 0.8],
}


def fit_thresholds(verifier: ProxyVerifier, pairs: Sequence[CalibrationPair] | None = None,
                   folds: int = 5) -> tuple[ProxyThresholds, float, float]:
    """Grid-search the proxy's thresholds for accuracy on the pairs.

    Returns the thresholds fitted on all pairs, their in-sample accuracy, and a k-fold
    cross-validated accuracy (fit on k-1 folds, score the held-out fold) as the honest estimate."""
    pairs = list(pairs or load_calibration())
    features = [verifier.features(p.claim, p.passages) for p in pairs]
    candidates = [
        ProxyThresholds(*values) for values in itertools.product(*GRID.values()) if values[1] < values[0]
    ]

    def best(indices: Sequence[int]) -> tuple[ProxyThresholds, float]:
        scored = [
            (sum(decide(features[i], t).label == pairs[i].label for i in indices) / len(indices), -n, t)
            for n, t in enumerate(candidates)
        ]
        acc, _, t = max(scored, key=lambda x: (x[0], x[1]))
        return t, acc

    fitted, in_sample = best(range(len(pairs)))
    order = list(range(len(pairs)))
    random.Random(7).shuffle(order)
    correct = 0
    for f in range(folds):
        held = order[f::folds]
        train = [i for i in order if i not in set(held)]
        t, _ = best(train)
        correct += sum(decide(features[i], t).label == pairs[i].label for i in held)
    return fitted, round(in_sample, 4), round(correct / len(pairs), 4)


@dataclass
class ThresholdSweep:
    """Outcome of each abstention threshold over the evaluation sets."""

    best: float
    rows: list[dict[str, float]]


def sweep_min_score(runs: Sequence[tuple[Any, Any]], thresholds: Sequence[float] | None = None) -> ThresholdSweep:
    """Choose the extractive answerer's abstention threshold on evaluation items.

    ``runs`` pairs each item with the answer given at threshold 0. An answer counts as right when an
    answerable item is answered with every reference fact, or an unanswerable one is abstained on;
    the threshold with the most right answers wins (ties: the lower threshold, which answers more)."""
    from eval.metrics import facts_present

    thresholds = thresholds or [round(0.30 + 0.01 * i, 2) for i in range(51)]
    rows: list[dict[str, float]] = []
    for t in thresholds:
        right = answered_ok = abstained_ok = 0
        n_ans = sum(1 for item, _ in runs if item.answerable)
        n_un = len(runs) - n_ans
        for item, answer in runs:
            answered = not answer.abstained and (answer.confidence or 0.0) >= t
            if item.answerable and answered:
                found, total = facts_present(answer.answer, item.reference_facts)
                ok = total > 0 and found == total
                answered_ok += ok
                right += ok
            elif not item.answerable and not answered:
                abstained_ok += 1
                right += 1
        rows.append({"threshold": t, "accuracy": round(right / len(runs), 4),
                     "answer_correctness": round(answered_ok / n_ans, 4) if n_ans else 0.0,
                     "abstention_recall": round(abstained_ok / n_un, 4) if n_un else 0.0})
    best = max(rows, key=lambda r: (r["accuracy"], -r["threshold"]))
    return ThresholdSweep(best=best["threshold"], rows=rows)
