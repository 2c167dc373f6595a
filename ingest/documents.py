"""The shapes ingest produces: parsed documents, their blocks, footnotes and chunks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

# Code points UTF-8 cannot encode: a YAML escape ("\udcff" in front matter) or a PDF's broken
# character map puts them in a parsed str, and Chroma then refuses the whole batch they are written in.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

BlockKind = Literal["title", "byline", "dateline", "heading", "summary", "paragraph", "list_item"]


@dataclass(frozen=True)
class Block:
    """A structural unit of a document's extracted text: ``text[start:end]``."""

    kind: BlockKind
    start: int
    end: int
    section: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class Footnote:
    """One entry of a report's own footnote list."""

    marker: str
    text: str
    urls: tuple[str, ...]


@dataclass(frozen=True)
class FootnoteRef:
    """A footnote marker in the body text at ``text[start:end]``."""

    marker: str
    start: int
    end: int


@dataclass
class ParsedDocument:
    """A document after loading: body text without its footnote list, plus structure and metadata."""

    source: str
    format: str
    text: str
    blocks: list[Block]
    title: str | None = None
    author: str | None = None
    date: str | None = None
    publisher: str | None = None
    description: str | None = None
    footnotes: dict[str, Footnote] = field(default_factory=dict)
    footnote_refs: list[FootnoteRef] = field(default_factory=list)

    def with_encodable_text(self) -> ParsedDocument:
        """This document with every code point UTF-8 cannot encode replaced by U+FFFD, one for one, so
        the blocks' and footnote markers' offsets still hold."""
        footnotes = {
            encodable(marker): Footnote(encodable(f.marker), encodable(f.text), tuple(encodable(u) for u in f.urls))
            for marker, f in self.footnotes.items()
        }
        return dataclasses.replace(
            self, source=encodable(self.source), text=encodable(self.text), footnotes=footnotes,
            footnote_refs=[dataclasses.replace(r, marker=encodable(r.marker)) for r in self.footnote_refs],
            blocks=[dataclasses.replace(b, section=encodable(b.section)) if b.section else b for b in self.blocks],
            title=_encodable_or_none(self.title), author=_encodable_or_none(self.author),
            date=_encodable_or_none(self.date), publisher=_encodable_or_none(self.publisher),
            description=_encodable_or_none(self.description),
        )

    def with_calendar_date(self) -> ParsedDocument:
        """This document, undated when its date is no calendar day (see :func:`calendar_date`)."""
        return dataclasses.replace(self, date=calendar_date(self.date))

    def footnotes_in(self, start: int, end: int) -> dict[str, tuple[str, ...]]:
        """The report's own source URLs, by marker, for the footnote markers inside ``text[start:end]``."""
        found: dict[str, tuple[str, ...]] = {}
        for ref in self.footnote_refs:
            if start <= ref.start and ref.end <= end and ref.marker in self.footnotes:
                found[ref.marker] = self.footnotes[ref.marker].urls
        return found


@dataclass(frozen=True)
class Chunk:
    """A span of a document embedded as one vector."""

    doc_id: str
    index: int
    text: str
    start: int
    end: int
    section: str | None
    page: int | None
    footnotes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def origin(self) -> list[str]:
        """The report's own source URLs for this chunk's sentences."""
        return list(dict.fromkeys(u for urls in self.footnotes.values() for u in urls))

    @property
    def id(self) -> str:
        return chunk_id(self.doc_id, self.index)


def encodable(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD (the same length)."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def calendar_date(date: str | None) -> str | None:
    """``date`` when it is an ISO calendar day, else None: a PDF's CreationDate ``D:20201399`` was stored
    as 2020-13-99, shown as the document's date, kept by date filters as if it were a day of 2020, and
    made a question about the report's date fail."""
    if date is None:
        return None
    try:
        dt.date.fromisoformat(date[:10])
    except ValueError:
        return None
    return date


def _encodable_or_none(text: str | None) -> str | None:
    return None if text is None else encodable(text)


def chunk_id(doc_id: str, index: int) -> str:
    return f"{doc_id}:{index:05d}"
