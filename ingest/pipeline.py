"""Ingest files into the store: each file all-or-nothing, idempotent, resumable after a crash."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunking import chunk_document
from ingest.embeddings import Embedder
from ingest.errors import BriefingError, DocumentError, StoreError, StoreLockedError, UnsupportedFileError
from ingest.ledger import Ledger
from ingest.loaders import LOADERS, load_document
from ingest.store import ChunkStore

Progress = Callable[[int, int, str], None]


@dataclass
class FileOutcome:
    path: str
    status: str  # added, updated, unchanged, failed, skipped
    doc_id: str | None = None
    chunks: int = 0
    chars: int = 0
    reason: str | None = None


@dataclass
class IngestReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def chunks(self) -> int:
        return sum(o.chunks for o in self.outcomes if o.status in ("added", "updated"))

    @property
    def chars(self) -> int:
        return sum(o.chars for o in self.outcomes if o.status in ("added", "updated"))

    @property
    def failures(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def summary(self) -> str:
        rate = self.chars / self.seconds if self.seconds > 0 else 0.0
        return (
            f"{len(self.outcomes)} files: {self.count('added')} added, {self.count('updated')} updated, "
            f"{self.count('unchanged')} unchanged, {self.count('failed')} failed, {self.count('skipped')} skipped; "
            f"{self.chunks} chunks, {self.chars:,} characters in {self.seconds:.1f} s ({rate:,.0f} chars/s)"
        )


def document_id(data: bytes) -> str:
    """A document's id: the first 20 hex digits of the SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()[:20]


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given paths, recursively, in a stable order; hidden entries are skipped."""
    for path in paths:
        if not path.exists():
            raise BriefingError(f"{path}: no such file or directory")
        if path.is_file():
            yield path
            continue
        for child in sorted(path.rglob("*")):
            rel = child.relative_to(path)
            if child.is_file() and not any(part.startswith(".") for part in rel.parts):
                yield child


@contextmanager
def write_lock(home: Path) -> Iterator[None]:
    """One writer per store: a second one is refused at once instead of waiting on Chroma."""
    from filelock import FileLock, Timeout

    home.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(home / "write.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise StoreLockedError(
            f"another briefing process is writing to the store in {home} (lock {home / 'write.lock'}); "
            "wait for it to finish"
        ) from None
    try:
        yield
    finally:
        lock.release()


class Ingestor:
    """Loads, chunks, embeds and writes files, recording each in the ledger."""

    def __init__(self, store: ChunkStore, embedder: Embedder, ledger: Ledger, *, max_tokens: int = 200,
                 on_written: Callable[[], None] | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.ledger = ledger
        self.max_tokens = min(max_tokens, embedder.max_tokens - 2)
        self.on_written = on_written

    def recover(self) -> int:
        """Undo the store writes of files whose ingest was interrupted; returns how many."""
        pending = self.ledger.entries("pending")
        for entry in pending:
            if not any(e.status == "done" for e in self.ledger.for_doc(entry.doc_id)):
                self.store.delete_document(entry.doc_id)
            self.ledger.record(entry.path, entry.sha256, entry.doc_id, "failed", 0, "interrupted; ingest it again")
        return len(pending)

    def ingest(self, paths: Iterable[Path], progress: Progress | None = None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        self.recover()
        files = list(discover(paths))
        written = False
        for number, path in enumerate(files, start=1):
            if progress:
                progress(number - 1, len(files), str(path))
            outcome = self.ingest_file(path)
            report.outcomes.append(outcome)
            written = written or outcome.status in ("added", "updated")
        if progress:
            progress(len(files), len(files), "")
        if written and self.on_written:
            self.on_written()
        report.seconds = time.perf_counter() - started
        return report

    def ingest_file(self, path: Path) -> FileOutcome:
        key = str(path.resolve())
        if path.suffix.lower() not in LOADERS:
            return FileOutcome(key, "skipped", reason=f"unsupported file type {path.suffix or '(none)'!r}")
        try:
            data = path.read_bytes()
        except OSError as exc:
            return FileOutcome(key, "failed", reason=f"{path}: cannot read ({exc.strerror})")
        sha = hashlib.sha256(data).hexdigest()
        doc_id = sha[:20]
        previous = self.ledger.get(key)
        if previous and previous.status == "done" and previous.sha256 == sha and self.store.has_document(doc_id):
            return FileOutcome(key, "unchanged", doc_id, previous.chunks)
        status = "updated" if previous and previous.status == "done" else "added"
        try:
            doc = load_document(path, data)
            chunks = chunk_document(doc, doc_id, self.embedder.count_tokens, max_tokens=self.max_tokens)
            if not chunks:
                raise DocumentError(f"{path}: no text to index")
        except UnsupportedFileError as exc:
            return FileOutcome(key, "skipped", reason=str(exc))
        except BriefingError as exc:
            self.ledger.record(key, sha, doc_id, "failed", 0, str(exc))
            return FileOutcome(key, "failed", doc_id, reason=str(exc))
        except Exception as exc:  # a loader bug or a hostile file must not end the batch
            reason = f"{path}: could not parse ({exc.__class__.__name__}: {str(exc)[:200]})"
            self.ledger.record(key, sha, doc_id, "failed", 0, reason)
            return FileOutcome(key, "failed", doc_id, reason=reason)

        if self.store.has_document(doc_id):  # same bytes already indexed under another path
            self.ledger.record(key, sha, doc_id, "done", len(chunks))
            self._drop_previous(previous, doc_id)
            return FileOutcome(key, "unchanged", doc_id, len(chunks))
        vectors = self.embedder.embed([c.text for c in chunks])
        self.ledger.record(key, sha, doc_id, "pending", len(chunks))
        try:
            self.store.write_document(doc_id, doc, chunks, vectors)
        except Exception as exc:
            self.store.delete_document(doc_id)
            self.ledger.record(key, sha, doc_id, "failed", 0, f"store write failed: {exc}")
            raise StoreError(f"{path}: store write failed ({exc.__class__.__name__}: {exc})") from None
        self._drop_previous(previous, doc_id)
        self.ledger.record(key, sha, doc_id, "done", len(chunks))
        return FileOutcome(key, status, doc_id, len(chunks), len(doc.text))

    def _drop_previous(self, previous: object, doc_id: str) -> None:
        """After a file changed, delete its old document unless another file still holds it."""
        from ingest.ledger import LedgerEntry

        if not isinstance(previous, LedgerEntry) or previous.doc_id == doc_id:
            return
        others = [e for e in self.ledger.for_doc(previous.doc_id) if e.path != previous.path and e.status == "done"]
        if not others:
            self.store.delete_document(previous.doc_id)

    def remove(self, ref: str) -> tuple[str, int]:
        """Remove a document by id (or unique id prefix) or by file path; returns (doc_id, chunks)."""
        doc_id = self.resolve(ref)
        deleted = self.store.delete_document(doc_id)
        for entry in self.ledger.for_doc(doc_id):
            self.ledger.forget(entry.path)
        if self.on_written:
            self.on_written()
        return doc_id, deleted

    def resolve(self, ref: str) -> str:
        as_path = Path(ref)
        if as_path.exists():
            entry = self.ledger.get(str(as_path.resolve()))
            if entry:
                return entry.doc_id
        matches = [d for d in self.store.document_ids() if d.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise BriefingError(f"no document matches {ref!r} (see `briefing sources`)")
        raise BriefingError(f"{ref!r} matches {len(matches)} documents; give more of the id")
