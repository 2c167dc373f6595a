"""The tune / test split of the evaluation sets, made once with a fixed seed and stored in the files.

Features, thresholds and weights are chosen on the tune half only; figures are reported on the test
half, with the tune half beside it. Items that belong together (a follow-up and the question it
follows) fall in the same half; each stratum (author and answerability, or claim kind and label) is
split evenly.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import Any

SEED = 20261126


def assign_splits(rows: list[dict[str, Any]], *, group: Callable[[dict[str, Any]], Hashable],
                  stratum: Callable[[dict[str, Any]], Hashable], seed: int = SEED) -> None:
    """Set ``row["split"]`` to "tune" or "test" for every row, in place."""
    groups: dict[Hashable, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[group(row)].append(row)
    by_stratum: dict[Hashable, list[Hashable]] = defaultdict(list)
    for key, members in groups.items():
        by_stratum[stratum(members[0])].append(key)
    rng = random.Random(seed)
    flip = 0
    for name in sorted(by_stratum, key=repr):
        keys = sorted(by_stratum[name], key=repr)
        rng.shuffle(keys)
        for i, key in enumerate(keys):
            half = "tune" if (i + flip) % 2 == 0 else "test"
            for row in groups[key]:
                row["split"] = half
        flip += len(keys) % 2  # an odd stratum's extra item goes to the other half next time


def follow_up_root(rows: list[dict[str, Any]]) -> Callable[[dict[str, Any]], Hashable]:
    """The id of the question a conversation starts with, so a follow-up stays with what it follows."""
    by_id = {row["id"]: row for row in rows}

    def root(row: dict[str, Any]) -> Hashable:
        seen = {row["id"]}
        while row.get("follow_up_of") in by_id:
            row = by_id[row["follow_up_of"]]
            if row["id"] in seen:
                raise ValueError(f"{row['id']}: follows up on itself through 'follow_up_of'")
            seen.add(row["id"])
        return str(row["id"])
    return root


# The rules each set was split by. A batch of items written in one authoring round is split on its
# own, so adding a round never moves an item of an earlier one from one half to the other.
def split_questions(rows: list[dict[str, Any]]) -> None:
    assign_splits(rows, group=follow_up_root(rows), stratum=lambda r: (r.get("author"), bool(r.get("answerable", True))))


def split_claims(rows: list[dict[str, Any]]) -> None:
    assign_splits(rows, group=lambda r: str(r["id"]), stratum=lambda r: (r.get("kind"), r.get("label")))


def split_topics(rows: list[dict[str, Any]]) -> None:
    assign_splits(rows, group=lambda r: str(r["id"]), stratum=lambda r: r.get("shape"))
