"""BM25 over the stored chunks, kept beside each app process in SQLite FTS5 and updated per document.

The index lives in one SQLite file under the process's own BRIEFING_HOME. It records the store
generation it last caught up with; when the store's generation differs (another process, or this
one, ingested or removed something), :meth:`LexicalIndex.sync` compares the documents it holds with
the store's and indexes or forgets only the documents that differ. Adding one document therefore
touches that document's postings only, where the bm25s index it replaces was rebuilt from every
chunk (45 s on 225,000 chunks).

Chunks are tokenised by :func:`assistant.text.terms` before they reach FTS5 and stored as
space-separated stems; FTS5's ``ascii`` tokeniser with ``'`` and ``.`` as token characters splits
them back exactly (``o'brien``, ``1.5``, ``café`` stay whole), so the terms are the ones the rest of
the assistant uses. Ranking is FTS5's ``bm25()`` (k1 1.2, b 0.75).
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from assistant.text import terms
from ingest.store import ChunkStore, StoredChunk, date_int

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(doc_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS chunks(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc_id TEXT NOT NULL,
                                  date INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(body, tokenize="ascii tokenchars '''.'");
"""
# Documents fetched from the store per round trip while catching up: bounds memory on a first sync
# of a large store (the bm25s rebuild held every chunk's tokens at once: 2.04 GB peak at 225k chunks).
_DOCS_PER_FETCH = 200


def tokenize(text: str) -> list[str]:
    """Lower-cased stems without stop words; numbers lose their thousands separators."""
    return terms(text)


class LexicalIndex:
    """A BM25 index of every chunk in the store, caught up per document from the store's generation."""

    def __init__(self, path: Path, *, legacy: Path | None = None) -> None:
        """``path`` is the SQLite file; ``legacy`` the bm25s folder of an index written before this one
        (removed once the new index has caught up with the store)."""
        self.path = path
        self.legacy = legacy
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self._readers = threading.local()  # a connection per thread for searches: WAL lets them run side by side

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One connection shared by the app's worker threads, serialised by self._lock; WAL and a
            # busy timeout let a second process on the same home (an ingest beside `serve`) wait its turn.
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=60)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            self._db = db
        return self._db

    def _reader(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._readers, "db", None)
        if db is None:
            self._conn()  # creates the file and schema
            db = sqlite3.connect(self.path, check_same_thread=False, timeout=60)
            self._readers.db = db
        return db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
        reader = getattr(self._readers, "db", None)
        if reader is not None:
            reader.close()
            self._readers.db = None

    @property
    def generation(self) -> str | None:
        """The store generation this index has caught up with; None before its first sync."""
        with self._lock:
            row = self._conn().execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return row[0] if row else None

    def sync(self, store: ChunkStore) -> None:
        """Catch up with the store: index the documents it gained, forget the ones it lost and index again
        the ones whose chunks changed since the last sync. One metadata read when nothing changed."""
        current = store.generation()
        if current == self.generation:
            return
        with self._lock:
            db = self._conn()
            first = self.generation is None
            if first and self.legacy is not None and self.legacy.exists():
                log.warning("lexical index: moving the full-rebuild BM25 index in %s to the incremental index in %s "
                            "(one-off: indexing every stored document)", self.legacy, self.path)
            started = time.perf_counter()
            # Read the generation before the document list: a write landing in between leaves the
            # index marked older than it is, and the next question catches up again.
            current = store.generation()
            # A document's id is its file's hash, so the same id can come back with other chunks: removed and
            # ingested again by a writer that does not keep this index (another home on the same Chroma server,
            # a dense-mode process) with another chunk size. Its chunk count tells them apart; compared on ids
            # alone, the index kept the old chunks, its hits named chunks whose text had changed or gone, and
            # the new ones were never searched.
            stored = {d.doc_id: d.chunks for d in store.list_documents()}
            held = self._held_chunks()
            rechunked = [d for d in stored.keys() & held.keys() if stored[d] and stored[d] != held[d]]
            gone = sorted((held.keys() - stored.keys()) | set(rechunked))
            new = sorted((stored.keys() - held.keys()) | set(rechunked))
            self._forget(gone)
            for start in range(0, len(new), _DOCS_PER_FETCH):
                part = new[start:start + _DOCS_PER_FETCH]
                self._add(part, store.chunks_of(part))
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('generation', ?)", (current,))
            if first and self.legacy is not None and self.legacy.exists():
                shutil.rmtree(self.legacy, ignore_errors=True)
                log.warning("lexical index: %d documents indexed in %.1f s; removed %s", len(new),
                            time.perf_counter() - started, self.legacy)

    def _held_chunks(self) -> dict[str, int]:
        """Each indexed document's number of chunks (a document that has none counts 0)."""
        db = self._conn()
        held = dict.fromkeys((row[0] for row in db.execute("SELECT doc_id FROM docs")), 0)
        held.update(db.execute("SELECT doc_id, count(*) FROM chunks GROUP BY doc_id").fetchall())
        return held

    def _add(self, doc_ids: Sequence[str], chunks: Iterable[StoredChunk]) -> None:
        """Index these documents' chunks; one transaction, so a document is indexed whole or not at all."""
        rows = [(c.id, c.doc_id, date_int(c.date) or 0, " ".join(tokenize(f"{c.title}\n{c.text}"))) for c in chunks]
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            for chunk_id, doc_id, date, body in rows:
                cursor = db.execute("INSERT OR IGNORE INTO chunks(id, doc_id, date) VALUES (?, ?, ?)",
                                    (chunk_id, doc_id, date))
                if cursor.rowcount:
                    db.execute("INSERT INTO fts(rowid, body) VALUES (?, ?)", (cursor.lastrowid, body))
            db.executemany("INSERT OR IGNORE INTO docs(doc_id) VALUES (?)", [(d,) for d in doc_ids])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _forget(self, doc_ids: Sequence[str]) -> None:
        if not doc_ids:
            return
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            for doc_id in doc_ids:
                db.execute("DELETE FROM fts WHERE rowid IN (SELECT rowid FROM chunks WHERE doc_id = ?)", (doc_id,))
                db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
                db.execute("DELETE FROM docs WHERE doc_id = ?", (doc_id,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn().execute("SELECT count(*) FROM chunks").fetchone()[0])

    def has_term(self, term: str) -> bool:
        """Whether any chunk holds ``term`` (a stem, as :func:`tokenize` makes them)."""
        row = self._reader().execute("SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 1",
                                     ['"' + term.replace('"', '""') + '"']).fetchone()
        return row is not None

    def search(self, query: str, k: int, *, doc_ids: Iterable[str] = (), since: int | None = None,
               until: int | None = None) -> list[tuple[str, float]]:
        """Chunk ids and BM25 scores (higher is better), best first, after the document and date filters."""
        tokens = tokenize(query)
        if not tokens or k <= 0:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        wanted = list(dict.fromkeys(doc_ids))
        params: list[object] = [match]
        if not wanted and since is None and until is None:
            # Unfiltered, FTS5 ranks alone and only the k winners are joined to their ids: joining every
            # match first cost 30% more (p50 31 -> 22 ms on 231,000 chunks).
            sql = ("SELECT c.id, r.s FROM (SELECT rowid, bm25(fts) AS s FROM fts WHERE fts MATCH ? ORDER BY s LIMIT ?)"
                   " AS r JOIN chunks c ON c.rowid = r.rowid ORDER BY r.s")
            params.append(k)
        else:
            sql = "SELECT c.id, bm25(fts) AS s FROM fts JOIN chunks c ON c.rowid = fts.rowid WHERE fts MATCH ?"
            if wanted:
                sql += f" AND c.doc_id IN ({','.join('?' * len(wanted))})"
                params += wanted
            if since is not None:
                sql += " AND c.date >= ?"
                params.append(since)
            if until is not None:
                sql += " AND c.date <= ? AND c.date > 0"
                params.append(until)
            sql += " ORDER BY s LIMIT ?"
            params.append(k)
        rows = self._reader().execute(sql, params).fetchall()
        # FTS5's bm25() is negative, lower is better; a score of ~0 means only very common terms matched.
        return [(chunk_id, -float(score)) for chunk_id, score in rows if score < 0]
