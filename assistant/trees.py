"""Shallow boosted trees over the proxy's signals, read from the verifier's weights file.

The learned combination averages a logistic regression with these trees (gradient boosting, two levels
deep, one tree per label and round). A regression weighs each signal the same everywhere; a tree can say
that a high similarity means little when the claim's names are missing. Fitted by ``eval.calibration``
(scikit-learn's HistGradientBoostingClassifier) and evaluated here with numpy alone, so answering needs
no pickled model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# One node: the signal's index, the threshold (at or under it goes left), the left and right nodes' indices,
# and the value a leaf adds. The root is node 0, so a child index of 0 marks a leaf.
Node = tuple[int, float, int, int, float]


@dataclass(frozen=True)
class BoostedTrees:
    baseline: tuple[float, ...]  # the raw score each label starts from
    rounds: tuple[tuple[tuple[Node, ...], ...], ...]  # per round, one tree per label

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The summed raw score of each label for one row of signals (in the combination's order)."""
        score = np.array(self.baseline, dtype=float)
        for trees in self.rounds:
            for k, nodes in enumerate(trees):
                i = 0
                while nodes[i][2]:
                    feature, threshold, left, right, _ = nodes[i]
                    i = left if x[feature] <= threshold else right
                score[k] += nodes[i][4]
        return score

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        z = self.raw(x)
        p = np.exp(z - z.max())
        return p / p.sum()

    def as_json(self) -> dict[str, Any]:
        return {"baseline": list(self.baseline), "rounds": [[[list(n) for n in t] for t in r] for r in self.rounds]}

    @classmethod
    def from_json(cls, data: dict[str, Any], signals: int, labels: int) -> BoostedTrees:
        """Raises ValueError naming what is wrong when the trees do not fit the combination's signals and labels."""
        baseline = tuple(float(v) for v in data["baseline"])
        rounds = tuple(tuple(tuple((int(n[0]), float(n[1]), int(n[2]), int(n[3]), float(n[4])) for n in tree)
                             for tree in r) for r in data["rounds"])
        if len(baseline) != labels or any(len(r) != labels for r in rounds):
            raise ValueError(f"trees for {len(baseline)} labels, the combination has {labels}")
        for r in rounds:
            for tree in r:
                # a child comes after its parent, so reading a tree always ends at a leaf
                if not tree or any(n[2] and not (0 <= n[0] < signals and i < n[2] < len(tree) and i < n[3] < len(tree))
                                   for i, n in enumerate(tree)):
                    raise ValueError("a tree names a signal or node that does not exist")
        return cls(baseline, rounds)
