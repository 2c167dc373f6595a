"""The shapes ingest produces: parsed documents, their blocks, footnotes and chunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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


def chunk_id(doc_id: str, index: int) -> str:
    return f"{doc_id}:{index:05d}"
