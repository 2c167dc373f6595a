"""Retrievers: find the chunks that may answer a query, with document and date filters."""

from __future__ import annotations

import datetime as _dt
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Protocol

from assistant.lexical import LexicalIndex
from ingest.embeddings import Embedder
from ingest.store import ChunkStore, StoredChunk, date_int

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_day(value: str | None) -> str | None:
    """A filter date as the store compares it (YYYY-MM-DD, a real day), None when blank; ValueError otherwise.
    A date written another way ("March 5, 2021") would match no stored date and drop the filter silently."""
    value = (value or "").strip()
    if not value:
        return None
    if not _ISO_DAY.fullmatch(value):
        raise ValueError(value)
    _dt.date.fromisoformat(value)
    return value


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some documents and/or a date range (ISO dates, inclusive)."""

    doc_ids: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    def __post_init__(self) -> None:
        # Filters are built in Python too (a LangChain chain, a script), not only by the CLI and the app, which
        # check their dates first. A date written another way ("2020/10/12") read as no date, and the filter was
        # dropped without a word in every retrieval mode; a single id given as a string was read as its letters.
        ids = (self.doc_ids,) if isinstance(self.doc_ids, str) else tuple(self.doc_ids)
        object.__setattr__(self, "doc_ids", ids)
        for name in ("since", "until"):
            value = getattr(self, name)
            if isinstance(value, _dt.date):
                value = value.isoformat()[:10]
            try:
                object.__setattr__(self, name, iso_day(value))
            except (ValueError, AttributeError):
                raise ValueError(f"{name} must be a date as YYYY-MM-DD (e.g. 2020-11-13), not {value!r}") from None
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since {self.since} is after until {self.until}: no report can be dated in between")

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


TIE_MARGIN = 8  # results fetched past the cut, so ties at the cut are broken the same way in every store


class HybridRetriever:
    """Dense (Chroma) and BM25 candidates fused by reciprocal rank, then spread across documents."""

    def __init__(self, store: ChunkStore, embedder: Embedder, lexical: LexicalIndex, *, fetch_k: int = 30,
                 rrf_k: int = 60, per_document: int = 3) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.fetch_k = fetch_k
        self.rrf_k = rrf_k
        self.per_document = per_document
        self._executor: ThreadPoolExecutor | None = None

    def with_per_document(self, per_document: int) -> HybridRetriever:
        """The same store and indexes, with another cap per document (sharing the lexical thread pool)."""
        other = HybridRetriever(self.store, self.embedder, self.lexical, fetch_k=self.fetch_k, rrf_k=self.rrf_k,
                                per_document=per_document)
        other._executor = self._pool()
        return other

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lexical")
        return self._executor

    def retrieve(self, query: str, k: int, filters: Filters | None = None) -> list[StoredChunk]:
        filters = filters or Filters()
        fetch = max(self.fetch_k, k)
        self.lexical.sync(self.store)  # one metadata read unless the store changed since the last question
        # The lexical search runs beside the embedding and the dense query (SQLite and ONNX Runtime both
        # release the GIL): on 231,000 chunks it takes p50 22 ms / p95 49 ms, about what they take.
        pending = self._pool().submit(self.lexical.search, query, fetch + TIE_MARGIN, doc_ids=filters.doc_ids,
                                      since=date_int(filters.since), until=date_int(filters.until))
        dense = self.store.query(self.embedder.embed([query])[0], fetch + TIE_MARGIN, filters.where())
        # Ties go to the lower chunk id, also at the cut: copies of one wire story score exactly alike, and which
        # of them an index returns first (or at all, at its limit) depends on how that store was built. Two stores
        # of the same documents ranked one tune question's passages differently, and refits of the answer ranker
        # on them differed (coefficients by up to 0.13).
        dense = sorted(dense, key=lambda c: (-(c.score or 0.0), c.id))[:fetch]
        lexical = sorted(pending.result(), key=lambda r: (-r[1], r[0]))[:fetch]
        fused: dict[str, float] = {}
        for rank, chunk in enumerate(dense):
            fused[chunk.id] = fused.get(chunk.id, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        for rank, (chunk_id, _) in enumerate(lexical):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        by_id = {c.id: c for c in dense}
        missing = [i for i in fused if i not in by_id]
        by_id.update({c.id: c for c in self.store.get_chunks(missing)} if missing else {})
        ranked = sorted((i for i in fused if i in by_id), key=lambda i: (-fused[i], i))
        return [replace(by_id[i], score=round(fused[i], 5)) for i in diversify(ranked, by_id, k, self.per_document)]


def diversify(ranked: list[str], chunks: dict[str, StoredChunk], k: int, per_document: int) -> list[str]:
    """Keep rank order but let no document take more than ``per_document`` of the first ``k`` places,
    unless too few other documents compete."""
    if k <= 0:  # the loop below stops at exactly k: it never stopped, and returned every candidate
        return []
    chosen: list[str] = []
    overflow: list[str] = []
    per_doc: dict[str, int] = {}
    for chunk_id in ranked:
        doc = chunks[chunk_id].doc_id
        if per_doc.get(doc, 0) < per_document:
            chosen.append(chunk_id)
            per_doc[doc] = per_doc.get(doc, 0) + 1
        else:
            overflow.append(chunk_id)
        if len(chosen) == k:
            return chosen
    return chosen + overflow[: k - len(chosen)]
