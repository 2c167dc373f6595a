"""The blind evaluation sets are what their authors wrote, split by the recorded rule.

Each authoring round was split once, on its own, by a fixed seed (eval/splits.py). Re-running the rule
must give the stored halves: an item moved between halves by hand (after seeing an answer, say) fails
here. Evidence quoted from the bundled report must be in it verbatim."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from eval.datasets import DATASETS, NEWS_SETS, SAMPLES
from eval.splits import split_claims, split_questions


def rows(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATASETS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def authoring_rounds(items: list[dict[str, Any]], rounds: dict[str, tuple[str, ...]]) -> dict[str, list[dict[str, Any]]]:
    """The items of each round, by the prefixes of their ids (an item in no round is an error)."""
    by_round: dict[str, list[dict[str, Any]]] = {name: [] for name in rounds}
    for item in items:
        owner = [name for name, prefixes in rounds.items() if str(item["id"]).split("-")[0] in prefixes]
        assert len(owner) == 1, f"{item['id']}: not in exactly one authoring round"
        by_round[owner[0]].append(item)
    return by_round


SETS: list[tuple[str, Callable[[list[dict[str, Any]]], None], dict[str, tuple[str, ...]]]] = [
    ("unseen_qa.jsonl", split_questions, {"round1": ("qa1", "qa2", "qa3")}),
    ("claims.jsonl", split_claims, {"round1": ("vc1", "vc2")}),
]
if (DATASETS / "unseen_qa2.jsonl").exists():
    SETS.append(("unseen_qa2.jsonl", split_questions, {"round2": ("qa4", "qa5")}))


@pytest.mark.parametrize(("name", "rule", "rounds"), SETS, ids=[s[0] for s in SETS])
def test_stored_halves_are_the_recorded_rule(name: str, rule: Callable[[list[dict[str, Any]]], None],
                                            rounds: dict[str, tuple[str, ...]]) -> None:
    for members in authoring_rounds(rows(name), rounds).values():
        again = copy.deepcopy(members)
        rule(again)
        moved = [a["id"] for a, b in zip(members, again, strict=True) if a["split"] != b["split"]]
        assert not moved, f"{name}: {moved[:5]} are not in the half the split rule gives"
        halves = [m["split"] for m in members]
        assert abs(halves.count("tune") - halves.count("test")) <= max(2, len(members) // 20)


@pytest.mark.parametrize("name", sorted(n for n in NEWS_SETS if n != "briefing_topics"))
def test_follow_ups_share_a_half_and_documents_are_in_the_manifest(name: str) -> None:
    items = rows(f"{name}.jsonl")
    by_id = {i["id"]: i for i in items}
    manifest = {line.split("\t")[0] for line in NEWS_SETS[name].read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")}
    for item in items:
        if item.get("follow_up_of"):
            assert by_id[item["follow_up_of"]]["split"] == item["split"], item["id"]
        missing = [d for d in item["documents"] if d != "isw-report" and d not in manifest]
        assert not missing, f"{item['id']}: {missing} not in {NEWS_SETS[name].name}"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("name", sorted(n for n in NEWS_SETS if n != "briefing_topics"))
def test_evidence_from_the_bundled_report_is_verbatim(name: str) -> None:
    report = _flat(next(Path(SAMPLES).glob("*.txt")).read_text(encoding="utf-8"))
    quoted = [(i["id"], e) for i in rows(f"{name}.jsonl") if i["documents"] == ["isw-report"] for e in i["evidence"]]
    assert quoted
    assert [q for q in quoted if _flat(q[1]) not in report] == []
