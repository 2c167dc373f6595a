"""The ingest ledger: one row per file path with its hash, document id, status and chunk count."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LedgerEntry:
    path: str
    sha256: str
    doc_id: str
    status: str  # "pending" while the store is being written, then "done" or "failed"
    chunks: int
    error: str | None
    updated: float


class Ledger:
    """A small SQLite table under BRIEFING_HOME; every write commits at once."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, doc_id TEXT NOT NULL,"
            " status TEXT NOT NULL, chunks INTEGER NOT NULL DEFAULT 0, error TEXT, updated REAL NOT NULL)"
        )
        # The version a pending row replaces, while its new version is being written: a process killed
        # mid-write had lost it (the row already named the new version), so the next run could neither
        # restore it nor drop it, and both versions stayed answerable. A table of its own, so that ledgers
        # written before it open unchanged.
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS replacing (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, doc_id TEXT NOT NULL,"
            " chunks INTEGER NOT NULL)"
        )
        self._db.commit()

    def get(self, path: str) -> LedgerEntry | None:
        row = self._db.execute("SELECT * FROM files WHERE path = ?", (path,)).fetchone()
        return LedgerEntry(*row) if row else None

    def entries(self, status: str | None = None) -> list[LedgerEntry]:
        if status is None:
            rows = self._db.execute("SELECT * FROM files ORDER BY path").fetchall()
        else:
            rows = self._db.execute("SELECT * FROM files WHERE status = ? ORDER BY path", (status,)).fetchall()
        return [LedgerEntry(*r) for r in rows]

    def for_doc(self, doc_id: str) -> list[LedgerEntry]:
        rows = self._db.execute("SELECT * FROM files WHERE doc_id = ?", (doc_id,)).fetchall()
        return [LedgerEntry(*r) for r in rows]

    def record(self, path: str, sha256: str, doc_id: str, status: str, chunks: int = 0, error: str | None = None) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET sha256=excluded.sha256,"
                " doc_id=excluded.doc_id, status=excluded.status, chunks=excluded.chunks, error=excluded.error,"
                " updated=excluded.updated",
                (path, sha256, doc_id, status, chunks, error, time.time()),
            )

    def record_many(self, rows: list[tuple[str, str, str, str, int]]) -> None:
        """Record (path, sha256, doc_id, status, chunks) rows in one transaction."""
        now = time.time()
        with self._db:
            self._db.executemany(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, NULL, ?) ON CONFLICT(path) DO UPDATE SET sha256=excluded.sha256,"
                " doc_id=excluded.doc_id, status=excluded.status, chunks=excluded.chunks, error=NULL,"
                " updated=excluded.updated",
                [(*row, now) for row in rows],
            )

    def begin_replacing(self, previous: list[LedgerEntry]) -> None:
        """Keep each file's done version while its new version is written (see ``replaced``)."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO replacing VALUES (?, ?, ?, ?)",
                                 [(e.path, e.sha256, e.doc_id, e.chunks) for e in previous])

    def replaced(self, path: str) -> LedgerEntry | None:
        """The done version the file's pending row replaces, if its write has not finished."""
        row = self._db.execute("SELECT path, sha256, doc_id, chunks FROM replacing WHERE path = ?", (path,)).fetchone()
        return LedgerEntry(row[0], row[1], row[2], "done", row[3], None, 0.0) if row else None

    def end_replacing(self, paths: list[str]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM replacing WHERE path = ?", [(p,) for p in paths])

    def forget(self, path: str) -> None:
        with self._db:
            self._db.execute("DELETE FROM files WHERE path = ?", (path,))

    def close(self) -> None:
        self._db.close()
