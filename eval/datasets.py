"""Evaluation data: question sets (JSONL) and the verifier's calibration pairs."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import BriefingError

DATASETS = Path(__file__).resolve().parent / "datasets"
SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"
BUILTIN_SETS = {"isw_report": SAMPLES, "news_conflict": DATASETS / "conflict_articles"}
# Sets asked over the bundled report and articles of the news-2020 corpus, named (with their sha256)
# in a manifest: the corpus is not copied into the project; give its _posts folder with --corpus.
NEWS_SETS = {"unseen_qa": DATASETS / "unseen_qa_corpus.txt", "unseen_qa2": DATASETS / "unseen_qa2_corpus.txt",
             "unseen_qa3": DATASETS / "unseen_qa3_corpus.txt", "unseen_qa4": DATASETS / "unseen_qa4_corpus.txt",
             # written 2026-11-27 by a ninth author (qa9); in no fit and no cross-fit: see the README
             "unseen_qa5": DATASETS / "unseen_qa5_corpus.txt",
             "briefing_topics": DATASETS / "briefing_topics_corpus.txt"}
CLAIMS = DATASETS / "claims.jsonl"
BRIEFING_TOPICS = DATASETS / "briefing_topics.jsonl"
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
    kinds: list[str] = field(default_factory=list)
    follow_up_of: str | None = None  # asked right after that item, in the same conversation
    split: str | None = None  # "tune" or "test"


@dataclass(frozen=True)
class CalibrationPair:
    id: str
    claim: str
    passages: list[str]
    label: str
    kind: str
    note: str = ""
    split: str | None = None
    document: str = ""  # the document the passages come from: cross-validation keeps a document's pairs in one fold


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Parse JSONL, naming the file and line of the first bad line."""
    if not path.is_file():
        raise BriefingError(f"{path}: no such file")
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(jsonl_lines(path), start=1):
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


def jsonl_lines(path: Path) -> list[str]:
    """A JSONL file's lines, decoded. Lines end at "\\n" (and "\\r\\n") only: str.splitlines() also ends them at
    U+2028 and U+0085, which JSON writes unescaped inside a string (``ensure_ascii=False``), and had cut a
    valid answer in two. A UTF-8 BOM (Windows editors) is dropped; a line that is not UTF-8 is named."""
    lines = path.read_bytes().removeprefix(b"\xef\xbb\xbf").split(b"\n")
    out = []
    for number, raw in enumerate(lines, start=1):
        try:
            out.append(raw.decode("utf-8").removesuffix("\r"))
        except UnicodeDecodeError as exc:
            raise BriefingError(f"{path}:{number}: not UTF-8 text (byte {exc.start + 1} of the line)") from None
    return out


def set_path(name_or_path: str) -> Path:
    if name_or_path in BUILTIN_SETS or name_or_path in NEWS_SETS:
        return DATASETS / f"{name_or_path}.jsonl"
    return Path(name_or_path)


def load_items(name_or_path: str, split: str | None = None) -> list[EvalItem]:
    """The items of a set; ``split`` ("tune" or "test") keeps one half."""
    path = set_path(name_or_path)
    items: list[EvalItem] = []
    for number, row in enumerate(read_jsonl(path), start=1):
        if "question" not in row:
            raise BriefingError(f"{path}:{number}: missing 'question'")
        items.append(EvalItem(
            id=str(row.get("id", f"q{number}")), question=str(row["question"]),
            answerable=bool(row.get("answerable", True)),
            reference_facts=fact_groups(row.get("reference_facts", []), f"{path}:{number}"),
            evidence=list(map(str, row.get("evidence", []))), documents=list(map(str, row.get("documents", []))),
            kinds=list(map(str, row.get("kinds", []))), follow_up_of=row.get("follow_up_of"), split=row.get("split"),
        ))
    if split is not None:
        items = [i for i in items if i.split == split]
    return items


def corpus_for(name_or_path: str) -> Path | None:
    """The folder a built-in set's questions are asked over, if it ships with the project."""
    folder = BUILTIN_SETS.get(name_or_path)
    return folder if folder and folder.is_dir() else None


def corpus_files(name_or_path: str, news_dir: Path | None = None) -> list[Path] | None:
    """What a set's questions are asked over: a shipped folder, or the bundled report and the articles
    its manifest names from ``news_dir`` (checked against their sha256). None for a set given by path."""
    folder = corpus_for(name_or_path)
    if folder is not None:
        return [folder]
    manifest = NEWS_SETS.get(name_or_path)
    if manifest is None:
        return None
    if news_dir is None or not news_dir.is_dir():
        raise BriefingError(f"the {name_or_path} set is asked over articles of the news-2020 corpus: unpack "
                            "news-2020.tar.gz and give its _posts folder with --corpus")
    import hashlib

    files = [SAMPLES]
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, sha = line.split("\t")
        path = news_dir / name
        if not path.is_file():
            raise BriefingError(f"{path}: named in {manifest.name} but not in {news_dir}")
        if hashlib.sha256(path.read_bytes()).hexdigest() != sha:
            raise BriefingError(f"{path}: differs from the article {manifest.name} was written over")
        files.append(path)
    return files


def load_calibration(path: Path = CALIBRATION, split: str | None = None) -> list[CalibrationPair]:
    pairs = [
        CalibrationPair(id=str(r["id"]), claim=str(r["claim"]), passages=list(r["passages"]), label=str(r["label"]),
                        kind=str(r.get("kind", "")), note=str(r.get("note", "")), split=r.get("split"),
                        document=str(r.get("document", "")))
        for r in read_jsonl(path)
    ]
    return [p for p in pairs if split is None or p.split == split]


def fact_groups(value: Any, where: str) -> list[list[str]]:
    """Reference facts as a file gives them, checked: groups of alternative strings (``[["Pashinyan"], ["1,960",
    "1960"]]``). A flat list of strings had been read one character at a time, and a number crashed the scorer."""
    if not isinstance(value, list) or not all(
            isinstance(g, list) and g and all(isinstance(a, str) and a.strip() for a in g) for g in value):
        shown = repr(value)[:120]
        raise BriefingError(f"{where}: 'reference_facts' must be a list of groups, each a list of alternative strings "
                            f'(e.g. [["Pashinyan"], ["1,960", "1960"]]), not {shown}')
    return value


# Markers as other systems write them: Markdown footnotes ("[^1]") and groups ("[1, 2]"). The scorer reads "[n]"
# alone, so such a sentence had been scored as uncited, and an answer citing only that way as an abstention.
FOOTNOTE_MARKER = re.compile(r"\[\^(\d{1,3})\]")
GROUPED_MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})+)\]")


def standard_markers(text: str) -> str:
    """``text`` with its footnote and grouped markers written as "[n]" markers: "[^1]" is "[1]", "[1, 2]" is "[1][2]"."""
    text = FOOTNOTE_MARKER.sub(r"[\1]", text)
    return GROUPED_MARKER.sub(lambda m: "".join(f"[{n.strip()}]" for n in m.group(1).split(",")), text)


def latency_ms(row: dict[str, Any], where: str) -> float | None:
    """A row's own ``latency_ms``, checked: a string had crashed the percentile, NaN made the metrics line invalid
    JSON."""
    value = row.get("latency_ms")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise BriefingError(f"{where}: 'latency_ms' must be a number of milliseconds, not {value!r}")
    return float(value)
