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
from eval.splits import split_claims, split_questions, split_topics


def rows(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATASETS / name).read_text(encoding="utf-8").splitlines() if line.strip()]


Rule = Callable[[list[dict[str, Any]]], None]
# Each file's authoring rounds: the id prefixes of a round's items and the rule that split them. The
# first round of briefing topics was split before its rule was recorded (None: not re-checked).
SETS: dict[str, dict[tuple[str, ...], Rule | None]] = {
    "unseen_qa.jsonl": {("qa1", "qa2", "qa3"): split_questions},
    "unseen_qa2.jsonl": {("qa4", "qa5"): split_questions},
    "unseen_qa3.jsonl": {("qa6", "qa7"): split_questions},
    "unseen_qa4.jsonl": {("qa8",): split_questions},
    "unseen_qa5.jsonl": {("qa9",): split_questions},
    "claims.jsonl": {("vc1", "vc2"): split_claims, ("vc3",): split_claims, ("vc4", "vc5"): split_claims},
    "briefing_topics.jsonl": {("br",): None, ("bt2",): split_topics},
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_stored_halves_are_the_recorded_rule(name: str) -> None:
    items = rows(name)
    for item in items:
        owners = [p for p in SETS[name] if str(item["id"]).split("-")[0] in p]
        assert len(owners) == 1, f"{name}: {item['id']} is in no authoring round"
    for prefixes, rule in SETS[name].items():
        members = [i for i in items if str(i["id"]).split("-")[0] in prefixes]
        assert members, f"{name}: no items of {prefixes}"
        halves = [m["split"] for m in members]
        assert set(halves) == {"tune", "test"}
        if rule is None:
            continue
        again = copy.deepcopy(members)
        rule(again)
        moved = [a["id"] for a, b in zip(members, again, strict=True) if a["split"] != b["split"]]
        assert not moved, f"{name}: {moved[:5]} are not in the half the split rule gives"
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


def test_a_follow_up_chain_that_loops_is_an_error_not_a_hang() -> None:
    from eval.splits import follow_up_root

    rows = [{"id": "a", "follow_up_of": "b"}, {"id": "b", "follow_up_of": "a"}]
    with pytest.raises(ValueError, match="follows up on itself"):
        follow_up_root(rows)(rows[0])


def test_the_verifier_is_fitted_on_the_rounds_its_shipped_weights_came_from() -> None:
    # --fit must reproduce assistant/verifier_weights.json: fitted on rounds 1-3's 620 tune claims (eval/cli.py)
    from eval.cli import VERIFIER_FIT_ROUNDS
    from eval.datasets import CLAIMS, load_calibration

    tune = load_calibration(CLAIMS, split="tune")
    assert len([p for p in tune if p.id.split("-")[0] in VERIFIER_FIT_ROUNDS]) == 620 < len(tune)
