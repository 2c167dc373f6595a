"""The corpus: the documents of one store, and the only object that changes them.

It ingests and removes under the store's write lock and keeps the indexes derived from the
chunks (the lexical index) in step after every change. Answering never goes through it: the
assistant only reads the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from ingest.embeddings import Embedder
from ingest.ledger import Ledger
from ingest.pipeline import Ingestor, IngestReport, Progress, write_lock
from ingest.sandbox import ParseLimits
from ingest.store import ChunkStore, DocumentRecord, StoredChunk


class ChunkIndex(Protocol):
    """An index derived from every stored chunk (the lexical index is one)."""

    def build(self, chunks: Iterable[StoredChunk]) -> None:
        """Rebuild from ``chunks``, which are all the chunks of the store."""
        ...


class Corpus:
    """Ingest, remove and list the documents of one store."""

    def __init__(self, store: ChunkStore, embedder: Embedder, ledger: Ledger, *, home: Path,
                 indexes: Sequence[ChunkIndex] = (), max_tokens: int = 200, limits: ParseLimits | None = None,
                 batch_chunks: int = 256) -> None:
        self.store = store
        self.embedder = embedder
        self.ledger = ledger
        self.home = home
        self.indexes = list(indexes)
        self.max_tokens = max_tokens
        self.limits = limits or ParseLimits()
        self.batch_chunks = batch_chunks

    def ingest(self, paths: Sequence[Path], progress: Progress | None = None) -> IngestReport:
        """Add or update files and folders (recursively); each bad file fails alone."""
        with write_lock(self.home):
            return self._ingestor().ingest(paths, progress)

    def remove(self, ref: str) -> tuple[str, int]:
        """Remove one document by id, id prefix or source path; returns (doc_id, chunks removed)."""
        with write_lock(self.home):
            return self._ingestor().remove(ref)

    def documents(self) -> list[DocumentRecord]:
        return self.store.list_documents()

    def document(self, doc_id: str) -> DocumentRecord | None:
        return self.store.get_document(doc_id)

    def _ingestor(self) -> Ingestor:
        return Ingestor(self.store, self.embedder, self.ledger, max_tokens=self.max_tokens,
                        on_written=self._rebuild_indexes, limits=self.limits, batch_chunks=self.batch_chunks)

    def _rebuild_indexes(self) -> None:
        for index in self.indexes:
            index.build(self.store.iter_chunks())
