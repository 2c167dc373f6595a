"""BM25 over the stored chunks (bm25s), persisted beside the store and rebuilt when the store changes."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assistant.text import terms
from ingest.store import ChunkStore, StoredChunk, date_int


def tokenize(text: str) -> list[str]:
    """Lower-cased stems without stop words; numbers lose their thousands separators."""
    return terms(text)


class LexicalIndex:
    """A BM25 index of every chunk; ``signature`` (the chunk count) tells when it is stale."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._bm25: object | None = None
        self.ids: list[str] = []
        self.doc_ids: np.ndarray = np.array([], dtype=object)
        self.dates: np.ndarray = np.array([], dtype=np.int64)
        self.signature: int = -1

    def build(self, chunks: Iterable[StoredChunk]) -> None:
        import bm25s

        ids: list[str] = []
        doc_ids: list[str] = []
        dates: list[int] = []
        corpus: list[list[str]] = []
        for chunk in chunks:
            ids.append(chunk.id)
            doc_ids.append(chunk.doc_id)
            dates.append(date_int(chunk.date) or 0)
            corpus.append(tokenize(f"{chunk.title}\n{chunk.text}") or ["\u2205"])
        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        bm25 = None
        if corpus:
            bm25 = bm25s.BM25()
            bm25.index(corpus, show_progress=False)
            bm25.save(str(tmp / "bm25"), show_progress=False)
        (tmp / "chunks.json").write_text(json.dumps({"ids": ids, "doc_ids": doc_ids, "dates": dates}))
        # Swap the finished index in whole, so a reader never sees half of one.
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            self.directory.rename(old)
        tmp.rename(self.directory)
        shutil.rmtree(old, ignore_errors=True)
        with self._lock:
            self._set(bm25, ids, doc_ids, dates)

    def _set(self, bm25: object | None, ids: list[str], doc_ids: list[str], dates: list[int]) -> None:
        self._bm25 = bm25
        self.ids = ids
        self.doc_ids = np.array(doc_ids, dtype=object)
        self.dates = np.array(dates, dtype=np.int64)
        self.signature = len(ids)

    def load(self) -> bool:
        """Load the saved index; False when there is none."""
        meta = self.directory / "chunks.json"
        if not meta.is_file():
            return False
        import bm25s

        data = json.loads(meta.read_text())
        bm25 = bm25s.BM25.load(str(self.directory / "bm25"), show_progress=False) if data["ids"] else None
        with self._lock:
            self._set(bm25, data["ids"], data["doc_ids"], data["dates"])
        return True

    def ensure_fresh(self, store: ChunkStore) -> None:
        """Load, or rebuild from the store, when the index does not match the store's chunk count."""
        count = store.count()
        if self.signature == count:
            return
        if self.load() and self.signature == count:
            return
        self.build(store.iter_chunks())

    def has_term(self, term: str) -> bool:
        """Whether any chunk holds ``term`` (a stem, as :func:`tokenize` makes them)."""
        with self._lock:
            bm25 = self._bm25
            return bm25 is not None and term in bm25.vocab_dict  # type: ignore[attr-defined]

    def search(self, query: str, k: int, *, doc_ids: Iterable[str] = (), since: int | None = None,
               until: int | None = None) -> list[tuple[str, float]]:
        """Chunk ids and BM25 scores, best first, after the document and date filters."""
        with self._lock:
            bm25 = self._bm25
            if bm25 is None or not self.ids:
                return []
            vocab = bm25.vocab_dict  # type: ignore[attr-defined]
            tokens = [t for t in tokenize(query) if t in vocab]
            if not tokens:
                return []
            mask = np.ones(len(self.ids), dtype=np.float32)
            wanted = set(doc_ids)
            if wanted:
                mask *= np.isin(self.doc_ids, list(wanted)).astype(np.float32)
            if since is not None:
                mask *= (self.dates >= since).astype(np.float32)
            if until is not None:
                mask *= ((self.dates <= until) & (self.dates > 0)).astype(np.float32)
            scores = bm25.get_scores(tokens) * mask  # type: ignore[attr-defined]
            k = min(k, int(np.count_nonzero(scores)))
            if k <= 0:
                return []
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top])]
            return [(self.ids[i], float(scores[i])) for i in top]
