"""Evaluation data: question sets (JSONL) and the verifier's calibration pairs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import BriefingError

DATASETS = Path(__file__).resolve().parent / "datasets"
SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"
BUILTIN_SETS = {"isw_report": SAMPLES, "news_conflict": DATASETS / "conflict_articles"}
CALIBRATION = DATASETS / "calibration.jsonl"


@dataclass(frozen=True)
class EvalItem:
    """A question with its reference facts (groups of acceptable alternatives) and evidence sentences."""

    id: str
    question: str
    answerable: bool
    reference_facts: list[list[str]] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CalibrationPair:
    id: str
    claim: str
    passages: list[str]
    label: str
    kind: str
    note: str = ""


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Parse JSONL, naming the file and line of the first bad line."""
    if not path.is_file():
        raise BriefingError(f"{path}: no such file")
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BriefingError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise BriefingError(f"{path}:{number}: expected a JSON object")
        rows.append(row)
    return rows


def set_path(name_or_path: str) -> Path:
    if name_or_path in BUILTIN_SETS:
        return DATASETS / f"{name_or_path}.jsonl"
    return Path(name_or_path)


def load_items(name_or_path: str) -> list[EvalItem]:
    path = set_path(name_or_path)
    items: list[EvalItem] = []
    for number, row in enumerate(read_jsonl(path), start=1):
        if "question" not in row:
            raise BriefingError(f"{path}:{number}: missing 'question'")
        items.append(EvalItem(
            id=str(row.get("id", f"q{number}")), question=str(row["question"]),
            answerable=bool(row.get("answerable", True)),
            reference_facts=[list(map(str, g)) for g in row.get("reference_facts", [])],
            evidence=list(map(str, row.get("evidence", []))), documents=list(map(str, row.get("documents", []))),
        ))
    return items


def corpus_for(name_or_path: str) -> Path | None:
    """The folder a built-in set's questions are asked over, if it ships with the project."""
    folder = BUILTIN_SETS.get(name_or_path)
    return folder if folder and folder.is_dir() else None


def load_calibration(path: Path = CALIBRATION) -> list[CalibrationPair]:
    return [
        CalibrationPair(id=str(r["id"]), claim=str(r["claim"]), passages=list(r["passages"]), label=str(r["label"]),
                        kind=str(r.get("kind", "")), note=str(r.get("note", "")))
        for r in read_jsonl(path)
    ]
