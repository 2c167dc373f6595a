"""Questions about a report itself (who wrote it, when, its title), answered from its metadata."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.store import ChunkStore, DocumentRecord, StoredChunk

_ABOUT_DOCUMENT = re.compile(r"\b(?:report|article|assessment|document|paper|study|piece|analysis|brief)\b", re.I)
_AUTHOR = re.compile(r"\bwho (?:wrote|authored|is the author|was the author)|\bauthor(?:s|ed)?\b|\bwritten by\b|\bbyline\b", re.I)
_DATE = re.compile(
    r"\b(?:when|what date|which date|on what date|what day)\b.*\b(?:published|written|released|issued|dated|come out|appear)\b"
    r"|\bpublication date\b|\bdate of (?:the )?(?:report|article|assessment)\b",
    re.I,
)
_TITLE = re.compile(r"\btitle\b|\bwhat is (?:the|this) (?:report|article|assessment) called\b|\bheadline\b", re.I)
_FRONT = ("title", "byline", "dateline")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


@dataclass(frozen=True)
class MetadataAnswer:
    sentences: list[str]
    document: DocumentRecord
    start: int
    end: int


def wants_metadata(question: str) -> set[str]:
    if not _ABOUT_DOCUMENT.search(question):
        return set()
    wanted = set()
    if _AUTHOR.search(question):
        wanted.add("author")
    if _DATE.search(question):
        wanted.add("date")
    if _TITLE.search(question):
        wanted.add("title")
    return wanted


def human_date(iso: str) -> str | None:
    """``2020-11-13`` → ``November 13, 2020``; None for a date that is no calendar day (a store written
    before ingest refused them holds PDF dates like ``2020-13-99``: month 13 raised IndexError, month 00
    read as December)."""
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return None
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def metadata_answer(question: str, passages: Sequence[StoredChunk], store: ChunkStore) -> MetadataAnswer | None:
    """Answer from the metadata of the best-matching retrieved document, cited to its front matter."""
    wanted = wants_metadata(question)
    if not wanted or not passages:
        return None
    document = store.get_document(passages[0].doc_id)
    if document is None:
        return None
    front = [b for b in document.blocks if b.kind in _FRONT]
    if not front:
        return None
    title = document.title
    sentences: list[str] = []
    if "title" in wanted and title:
        by = f" by {document.author}" if document.author else ""
        sentences.append(f"The report{by} is titled “{title}”.")
    if "author" in wanted and document.author:
        sentences.append(f"“{title}” was written by {document.author}.")
    if "date" in wanted and document.date and (published := human_date(document.date)):
        sentences.append(f"“{title}” was published on {published}.")
    if not sentences:
        return None
    return MetadataAnswer(sentences, document, min(b.start for b in front), max(b.end for b in front))
