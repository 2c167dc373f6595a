"""The corpus: the documents of one store, and the only object that changes them.

It ingests and removes under the store's write lock and brings the indexes derived from the
chunks (the lexical index) up to date after every change; the store's generation marker tells every
other process's indexes to catch up on their next question. Answering never goes through it: the
assistant only reads the store.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ingest.embeddings import Embedder
from ingest.ledger import Ledger
from ingest.pipeline import Ingestor, IngestReport, Progress, write_lock
from ingest.sandbox import ParseLimits
from ingest.store import ChunkStore, DocumentRecord


class ChunkIndex(Protocol):
    """An index derived from every stored chunk (the lexical index is one)."""

    def sync(self, store: ChunkStore) -> None:
        """Catch up with ``store``: index the documents added and forget those removed since the last sync."""
        ...


class Corpus:
    """Ingest, remove and list the documents of one store."""

    def __init__(self, store: ChunkStore, embedder: Embedder, ledger: Ledger, *, home: Path,
                 indexes: Sequence[ChunkIndex] = (), max_tokens: int = 200, limits: ParseLimits | None = None,
                 batch_chunks: int = 256, write_depth: int = 2) -> None:
        self.store = store
        self.embedder = embedder
        self.ledger = ledger
        self.home = home
        self.indexes = list(indexes)
        self.max_tokens = max_tokens
        self.limits = limits or ParseLimits()
        self.batch_chunks = batch_chunks
        self.write_depth = write_depth

    def ingest(self, paths: Sequence[Path], progress: Progress | None = None) -> IngestReport:
        """Add or update files and folders (recursively); each bad file fails alone."""
        with write_lock(self.home):
            report = self._ingestor().ingest(paths, progress)
            started = time.perf_counter()
            self._sync_indexes()
            report.timings["index"] = time.perf_counter() - started
            report.seconds += report.timings["index"]
            return report

    def remove(self, ref: str) -> tuple[str, int]:
        """Remove one document by id, id prefix or source path; returns (doc_id, chunks removed)."""
        with write_lock(self.home):
            removed = self._ingestor().remove(ref)
            self._sync_indexes()
            return removed

    def retain(self, doc_ids: set[str]) -> list[str]:
        """Remove every document not in ``doc_ids``, under one hold of the write lock; returns those removed."""
        with write_lock(self.home):
            ingestor = self._ingestor()
            removed = sorted(set(self.store.document_ids()) - doc_ids)
            for doc_id in removed:
                ingestor.remove(doc_id)
            if removed:
                self._sync_indexes()
            return removed

    def documents(self) -> list[DocumentRecord]:
        return self.store.list_documents()

    def document(self, doc_id: str) -> DocumentRecord | None:
        return self.store.get_document(doc_id)

    def _ingestor(self) -> Ingestor:
        return Ingestor(self.store, self.embedder, self.ledger, max_tokens=self.max_tokens,
                        limits=self.limits, batch_chunks=self.batch_chunks,
                        write_depth=self.write_depth)

    def _sync_indexes(self) -> None:
        for index in self.indexes:
            index.sync(self.store)
