"""Briefing evaluation: coverage of reference facts, citation recall and precision, and length.

A briefings file has one object per line: ``topic``, ``briefing`` (Markdown with ``[n]`` markers) and
``passages`` (strings, ``[1]`` first) or ``citations`` (objects with ``text``, as ``briefing brief
--json`` prints them). Topics that match the built-in set take its reference facts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.citations import MARKER, page_words, statements
from assistant.verifier import Verifier
from eval.datasets import BRIEFING_TOPICS, fact_groups, latency_ms, read_jsonl, standard_markers
from eval.metrics import (
    StatementCheck,
    bootstrap_ci,
    check_statement,
    fact_in,
    facts_present,
    mean,
    normalize,
    percentile,
)
from eval.runner import citations_made, require_strings
from ingest.errors import BriefingError

if TYPE_CHECKING:
    from assistant.engine import Assistant

SHAPES = ("actor_position", "gains_losses", "timeline", "consequences", "what_is_known")
MAX_WORDS = 400  # the ceiling for a briefing an analyst hands on


@dataclass(frozen=True)
class BriefingTopic:
    """A topic with the facts a good briefing on it holds (groups of acceptable alternatives)."""

    id: str
    topic: str
    shape: str
    documents: list[str]
    reference_facts: list[list[str]]
    bottom_line: str = ""
    open_questions: list[str] = field(default_factory=list)
    split: str | None = None


@dataclass
class BriefingRecord:
    """One briefing to score: ``passages[n-1]`` is what marker ``[n]`` points at."""

    topic: str
    briefing: str
    passages: list[str]
    item: BriefingTopic | None = None
    latency_ms: float | None = None
    mode: str | None = None  # who wrote our own page (extractive, llm); None for a briefings file
    flags: list[str] = field(default_factory=list)  # what the checks of a chat model's page removed


@dataclass
class BriefingResult:
    record: BriefingRecord
    checks: list[StatementCheck]
    facts: tuple[int, int] | None
    missing: list[str]
    words: int
    bottom_line_facts: int | None

    @property
    def cited_rate(self) -> float:
        return sum(bool(c.markers) for c in self.checks) / len(self.checks) if self.checks else 0.0

    @property
    def supported_rate(self) -> float:
        """Sentences cited and supported by their citations, over all sentences (uncited ones count against)."""
        return sum(c.recall for c in self.checks) / len(self.checks) if self.checks else 0.0


def load_topics(path: Path = BRIEFING_TOPICS, split: str | None = None) -> list[BriefingTopic]:
    topics: list[BriefingTopic] = []
    for number, row in enumerate(read_jsonl(path), start=1):
        for key in ("topic", "reference_facts"):
            if key not in row:
                raise BriefingError(f"{path}:{number}: missing {key!r}")
        topics.append(BriefingTopic(
            id=str(row.get("id", number)), topic=str(row["topic"]), shape=str(row.get("shape", "")),
            documents=list(map(str, row.get("documents", []))),
            reference_facts=fact_groups(row["reference_facts"], f"{path}:{number}"),
            bottom_line=str(row.get("bottom_line", "")), open_questions=list(map(str, row.get("open_questions", []))),
            split=row.get("split"),
        ))
    return [t for t in topics if split is None or t.split == split]


def load_briefings(path: Path) -> list[BriefingRecord]:
    """Read a briefings file, naming the file and line of the first bad record."""
    known = {normalize(t.topic): t for t in load_topics()}
    records: list[BriefingRecord] = []
    for number, row in enumerate(read_jsonl(path), start=1):
        for key in ("topic", "briefing"):
            if not isinstance(row.get(key), str):
                raise BriefingError(f"{path}:{number}: {key!r} must be a string")
        if row.get("passages") is not None:
            require_strings(row, "passages", f"{path}:{number}")
            passages = list(row["passages"])
        elif isinstance(row.get("citations"), list):
            passages = citation_passages(row["citations"], f"{path}:{number}")
        else:
            raise BriefingError(f"{path}:{number}: give 'passages' (a list of strings) or 'citations'")
        item = None
        if "reference_facts" in row:
            item = BriefingTopic(id=str(row.get("id", number)), topic=row["topic"], shape=str(row.get("shape", "")),
                                 documents=[], reference_facts=fact_groups(row["reference_facts"], f"{path}:{number}"),
                                 split=row.get("split"))
        else:
            item = known.get(normalize(row["topic"]))
        mode = row.get("mode")
        if mode is not None and not isinstance(mode, str):
            raise BriefingError(f"{path}:{number}: 'mode' must be a string")
        flags = row.get("flags") or []
        if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
            raise BriefingError(f"{path}:{number}: 'flags' must be a list of strings (what the checks removed)")
        records.append(BriefingRecord(topic=row["topic"], briefing=standard_markers(row["briefing"]), passages=passages,
                                      item=item, latency_ms=latency_ms(row, f"{path}:{number}"), mode=mode,
                                      flags=list(flags)))
    return records


def citation_passages(citations: list[Any], where: str) -> list[str]:
    """The passages citations give, ``[n]``'s at ``n - 1``. Citations that carry markers must number 1 to N: sorted
    and listed one after another, a gap ([1] and [3]) had moved [3]'s passage to [2], and "[3]" in the briefing
    was scored as a marker pointing at no passage."""
    if not all(isinstance(c, dict) and "text" in c for c in citations):
        raise BriefingError(f"{where}: every citation needs a 'text'")
    if not any("marker" in c for c in citations):
        return [str(c["text"]) for c in citations]  # in the order given
    markers = [c.get("marker") for c in citations]
    if any(isinstance(m, bool) or not isinstance(m, int) for m in markers):
        raise BriefingError(f"{where}: every citation needs a whole-number 'marker' when one has it, not "
                            f"{next(m for m in markers if isinstance(m, bool) or not isinstance(m, int))!r}")
    if sorted(markers) != list(range(1, len(markers) + 1)):
        raise BriefingError(f"{where}: citation markers must number 1 to {len(markers)}, once each; they are "
                            f"{sorted(markers)}")
    return [str(c["text"]) for c in sorted(citations, key=lambda c: c["marker"])]


def write_briefings(assistant: Assistant, topics: Sequence[BriefingTopic], *, progress: bool = False,
                    words: int = 390) -> list[BriefingRecord]:
    """Our briefing on every topic; its citations are the numbered passages."""
    iterator: Iterable[BriefingTopic] = topics
    if progress:
        from tqdm import tqdm

        iterator = tqdm(topics, desc="brief", unit="topic", disable=None)
    records = []
    for t in iterator:
        result = assistant.brief(t.topic, words=words)
        records.append(BriefingRecord(topic=t.topic, briefing=result.briefing, passages=[c.text for c in result.citations],
                                      item=t, latency_ms=result.timings_ms.get("total"), mode=result.mode,
                                      flags=list(result.flags)))
    return records


_LABEL_ONLY = re.compile(r"^\s*(?:#+\s+.*|\*\*[^*]+\*\*\s*|[-*]\s*\*\*[^*]+\*\*\s*)$")
_LEAD_LABEL = re.compile(r"^(\s*(?:[-*]\s+)?)\*\*[^*]+\*\*\s*")


def body_lines(briefing: str) -> str:
    """The briefing without headings and bold labels: the sentences that make claims."""
    out = []
    for line in briefing.splitlines():
        if _LABEL_ONLY.match(line):
            continue
        out.append(_LEAD_LABEL.sub(r"\1", line))
    return "\n".join(out)


def bottom_line(briefing: str) -> str:
    """The text of the bottom-line paragraph (the line labelled "Bottom line")."""
    for line in briefing.splitlines():
        if "bottom line" in line.lower() and not _LABEL_ONLY.match(line):
            return _LEAD_LABEL.sub("", line)
    return ""


def score_briefing(record: BriefingRecord, verifier: Verifier) -> BriefingResult:
    body = body_lines(record.briefing)
    checks = [check_statement(claim, markers, record.passages, record.passages, verifier)
              for claim, markers in statements(body)]
    text = MARKER.sub("", record.briefing)
    words = page_words(record.briefing)
    facts = None
    missing: list[str] = []
    bl_facts = None
    if record.item is not None:
        facts = facts_present(text, record.item.reference_facts)
        norm = normalize(text)
        missing = [g[0] for g in record.item.reference_facts if not any(fact_in(normalize(a), norm) for a in g)]
        bl_facts = facts_present(MARKER.sub("", bottom_line(record.briefing)), record.item.reference_facts)[0]
    return BriefingResult(record, checks, facts, missing, words, bl_facts)


def score_briefings(records: Sequence[BriefingRecord], verifier: Verifier) -> tuple[list[BriefingResult], dict[str, Any]]:
    results = [score_briefing(r, verifier) for r in records]
    return results, aggregate(results)


def aggregate(results: Sequence[BriefingResult]) -> dict[str, Any]:
    judged = [r for r in results if r.facts and r.facts[1]]
    precision = [sum(c.precision_hits for c in r.checks) / n for r in results
                 if (n := sum(citations_made(c) for c in r.checks))]
    series = {
        "fact_coverage": [r.facts[0] / r.facts[1] for r in judged if r.facts],
        "cited_rate": [r.cited_rate for r in results if r.checks],
        "citation_recall": [r.supported_rate for r in results if r.checks],
        "citation_precision": precision,
        "within_words": [float(r.words <= MAX_WORDS) for r in results],
        "bottom_line_has_fact": [float(bool(r.bottom_line_facts)) for r in judged],
    }
    metrics: dict[str, Any] = {name: mean(values) for name, values in series.items()}
    words = [float(r.words) for r in results]
    metrics.update({
        "n_briefings": len(results),
        "n_statements": sum(len(r.checks) for r in results),
        "words_mean": mean(words),
        "words_max": max(words) if words else None,
        "latency_p50_ms": percentile([r.record.latency_ms for r in results if r.record.latency_ms is not None], 50),
    })
    modes = [r.record.mode for r in results if r.record.mode is not None]
    if "llm" in modes or any(r.record.flags for r in results):
        # In mode llm a page the checks left without a bottom line is the offline one: its share is said, so the
        # model's figures are not read off pages it did not write.
        metrics["model_written_rate"] = mean([float(m == "llm") for m in modes])
    metrics["ci95"] = {name: bootstrap_ci(v) for name, v in series.items() if len(v) >= 2}
    return metrics


def result_rows(results: Sequence[BriefingResult]) -> list[dict[str, Any]]:
    """One row per briefing: facts found, support, words, the facts it missed and its unsupported sentences."""
    rows = []
    for r in results:
        rows.append({
            "id": r.record.item.id if r.record.item else None,
            "topic": r.record.topic,
            "facts": f"{r.facts[0]}/{r.facts[1]}" if r.facts else None,
            "supported": f"{sum(c.recall for c in r.checks)}/{len(r.checks)}",
            "words": r.words,
            "missing": r.missing,
            "unsupported": [c.claim for c in r.checks if not c.recall],
            "briefing": r.record.briefing,
            "mode": r.record.mode,
            "flags": r.record.flags,
        })
    return rows
