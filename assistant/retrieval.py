"""Retrievers: find the chunks that may answer a query, with document and date filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ingest.embeddings import Embedder
from ingest.store import ChunkStore, StoredChunk, date_int


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some documents and/or a date range (ISO dates, inclusive)."""

    doc_ids: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if (lo := date_int(self.since)) is not None:
            clauses.append({"date_int": {"$gte": lo}})
        if (hi := date_int(self.until)) is not None:
            clauses.append({"date_int": {"$lte": hi}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, chunk: StoredChunk) -> bool:
        if self.doc_ids and chunk.doc_id not in self.doc_ids:
            return False
        d = date_int(chunk.date)
        if self.since and (d is None or d < (date_int(self.since) or 0)):
            return False
        return not (self.until and (d is None or d > (date_int(self.until) or 99999999)))


class Retriever(Protocol):
    def retrieve(self, query: str, k: int, filters: Filters | None = None) -> list[StoredChunk]:
        """The ``k`` chunks most likely to answer ``query``, best first."""
        ...


class DenseRetriever:
    """Nearest chunks by embedding similarity in Chroma."""

    def __init__(self, store: ChunkStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def retrieve(self, query: str, k: int, filters: Filters | None = None) -> list[StoredChunk]:
        vector = self.embedder.embed([query])[0]
        return self.store.query(vector, k, filters.where() if filters else None)
