"""Ingest files into the store: each file all-or-nothing, idempotent, resumable after a crash."""

from __future__ import annotations

import collections
import hashlib
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.chunking import chunk_document
from ingest.documents import Chunk, ParsedDocument
from ingest.embeddings import Embedder
from ingest.errors import BriefingError, DocumentError, StoreError, StoreLockedError, UnsupportedFileError
from ingest.ledger import Ledger, LedgerEntry
from ingest.loaders import LOADERS
from ingest.sandbox import ParseLimits, SandboxedParser
from ingest.store import ChunkStore
from ingest.writer import Writer, make_writer

# progress(files_done, files_total, current_file, chunks_written)
Progress = Callable[[int, int, str, int], None]


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
    # Seconds per stage: parse and chunk (which counts tokens) run in the parser thread, tokenise and
    # embed (the embedding model's tokeniser, then the model) in the main thread, write in the writer
    # thread, all overlapped; index is the derived indexes' update (set by the Corpus).
    timings: dict[str, float] = field(default_factory=dict)

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
            + self.stages()
        )

    def stages(self) -> str:
        """Where the time went, per stage (parse and chunk overlap embed and write, so they need not add up)."""
        if not self.timings:
            return ""
        names = [n for n in ("parse", "chunk", "tokenise", "embed", "write", "index") if n in self.timings]
        return "; stages: " + ", ".join(f"{n} {self.timings[n]:.1f} s" for n in names)


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


@dataclass
class _Work:
    """A file that needs (re)indexing, as it moves from parsing to embedding to the store."""

    path: Path
    key: str
    sha: str
    previous: LedgerEntry | None
    doc: ParsedDocument | None = None
    chunks: list[Chunk] = field(default_factory=list)

    @property
    def doc_id(self) -> str:
        return self.sha[:20]


@dataclass
class _Job:
    """An embedded batch for the writer thread: the files to write with their vectors, and the copies
    (same bytes as a document already stored, or written by an earlier job) to record once it is."""

    fresh: list[_Work]
    vectors: np.ndarray
    copies: list[_Work]


class Ingestor:
    """Loads, chunks, embeds and writes files, recording each in the ledger.

    Files are parsed in a sandboxed child process by a background thread while the main thread
    embeds and a writer thread writes: chunks of many files are embedded together in large batches
    (identical chunk texts once), and each file is written to the store only when all its chunks are
    embedded. The ledger and the store are written only by the writer thread.
    """

    def __init__(self, store: ChunkStore, embedder: Embedder, ledger: Ledger, *, max_tokens: int = 200,
                 on_written: Callable[[], None] | None = None, limits: ParseLimits | None = None,
                 batch_chunks: int = 256, write_depth: int = 2) -> None:
        self.store = store
        self.embedder = embedder
        self.ledger = ledger
        self.max_tokens = min(max_tokens, embedder.max_tokens - 2)
        self.on_written = on_written
        self.limits = limits or ParseLimits()
        self.batch_chunks = batch_chunks
        self.write_depth = write_depth  # embedded batches waiting for the writer thread, at most; 0: no thread
        self._submitted: set[str] = set()  # document ids handed to the writer in this run
        self._failed_docs: set[str] = set()  # document ids whose write failed in this run
        self._claimed: set[str] = set()  # document ids of the files this run (re)indexes
        self._deferred_drops: set[str] = set()  # old documents to delete once this run's ledger rows are in
        self._chunks_written = 0  # for progress
        self._vector_cache: dict[str, np.ndarray] = {}
        self._timings: collections.defaultdict[str, float] = collections.defaultdict(float)

    def recover(self) -> int:
        """Undo the store writes of files whose ingest was interrupted; returns how many."""
        pending = self.ledger.entries("pending")
        for entry in pending:
            if not any(e.status == "done" for e in self.ledger.for_doc(entry.doc_id)):
                self.store.delete_document(entry.doc_id)
            previous = self.ledger.replaced(entry.path)
            if previous is not None and previous.doc_id != entry.doc_id and self.store.has_document(previous.doc_id):
                # the new version was cut off: the old one is still stored and answerable, so the row goes
                # back to it and the next ingest replaces it ("updated"), as after a failed write
                self.ledger.record(previous.path, previous.sha256, previous.doc_id, "done", previous.chunks)
            else:
                self.ledger.record(entry.path, entry.sha256, entry.doc_id, "failed", 0, "interrupted; ingest it again")
            self.ledger.end_replacing([entry.path])
        return len(pending)

    def ingest(self, paths: Iterable[Path], progress: Progress | None = None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        self._timings = collections.defaultdict(float)
        self.recover()
        files = list(discover(paths))
        work: collections.deque[_Work] = collections.deque()
        for path in files:
            outcome_or_work = self._triage(path)
            if isinstance(outcome_or_work, FileOutcome):
                report.outcomes.append(outcome_or_work)
            else:
                work.append(outcome_or_work)
        self._claimed, self._deferred_drops = {w.doc_id for w in work}, set()
        done = len(report.outcomes)
        if progress:
            progress(done, len(files), "", 0)
        prepared: queue.Queue[_Work | FileOutcome | None] = queue.Queue(maxsize=64)
        stop = threading.Event()
        parser = threading.Thread(target=self._parse_all, args=(work, prepared, stop), daemon=True)
        parser.start()
        self._submitted, self._failed_docs, self._chunks_written = set(), set(), 0
        # Writing a batch (Chroma upserts, the ledger) overlaps embedding the next one.
        writer: Writer[_Job, FileOutcome] = make_writer(self._write, self.write_depth)
        batch: list[_Work] = []
        try:
            while not writer.errors:  # after a failed write, embed nothing more; what is queued is written
                item = prepared.get()
                if item is None:
                    break
                if isinstance(item, FileOutcome):
                    report.outcomes.append(item)
                    done += 1
                    if progress:
                        progress(done, len(files), item.path, self._chunks_written)
                    continue
                batch.append(item)
                if sum(len(w.chunks) for w in batch) >= self.batch_chunks:
                    self._embed_and_submit(batch, writer)
                    done += len(batch)
                    if progress:
                        progress(done, len(files), str(batch[-1].path), self._chunks_written)
                    batch = []
            if batch and not writer.errors:
                self._embed_and_submit(batch, writer)
        finally:
            stop.set()
            while parser.is_alive():  # unblock the parser thread if we stopped early
                try:
                    prepared.get_nowait()
                except queue.Empty:
                    parser.join(0.1)
            report.outcomes.extend(writer.close())
        self._drop_deferred()
        if writer.errors:
            raise writer.errors[0]
        if progress:
            progress(len(files), len(files), "", report.chunks)
        if any(o.status in ("added", "updated") for o in report.outcomes) and self.on_written:
            self.on_written()
        report.seconds = time.perf_counter() - started
        report.timings = {k: round(v, 3) for k, v in self._timings.items()}
        return report

    def _triage(self, path: Path) -> FileOutcome | _Work:
        """Skip unsupported and unchanged files without parsing them."""
        key = str(path.resolve())
        if path.suffix.lower() not in LOADERS:
            return FileOutcome(key, "skipped", reason=f"{path}: unsupported file type {path.suffix or '(none)'!r}")
        try:
            sha = _file_sha256(path)
        except OSError as exc:
            return FileOutcome(key, "failed", reason=f"{path}: cannot read ({exc.strerror})")
        previous = self.ledger.get(key)
        doc_id = sha[:20]
        if previous and previous.status == "done" and previous.sha256 == sha and self.store.has_document(doc_id):
            return FileOutcome(key, "unchanged", doc_id, previous.chunks)
        return _Work(path, key, sha, previous)

    def _parse_all(self, work: collections.deque[_Work], out: queue.Queue[_Work | FileOutcome | None],
                   stop: threading.Event) -> None:
        # Items are taken off the queue, so a written document's text and chunks can be freed:
        # holding every parsed document until the end cost ~95 MB per 1,000 news articles.
        with SandboxedParser(self.limits) as parser:
            while work and not stop.is_set():
                out.put(self._parse_one(parser, work.popleft()))
        out.put(None)

    def _parse_one(self, parser: SandboxedParser, item: _Work) -> _Work | FileOutcome:
        path = item.path
        try:
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != item.sha:
                raise DocumentError(f"{path}: changed while being ingested; run the ingest again")
            t0 = time.perf_counter()
            item.doc = parser.parse(path, data).with_encodable_text().with_calendar_date()
            t1 = time.perf_counter()
            item.chunks = chunk_document(item.doc, item.doc_id, self.embedder.count_tokens, max_tokens=self.max_tokens)
            self._timings["parse"] += t1 - t0
            self._timings["chunk"] += time.perf_counter() - t1
            if not item.chunks:
                raise DocumentError(f"{path}: no text to index")
            return item
        except UnsupportedFileError as exc:
            return FileOutcome(item.key, "skipped", reason=str(exc))
        except OSError as exc:
            return self._failed(item, f"{path}: cannot read ({exc.strerror})")
        except BriefingError as exc:
            return self._failed(item, str(exc))
        except Exception as exc:  # a chunker bug on a hostile file must not end the batch
            return self._failed(item, f"{path}: could not index ({exc.__class__.__name__}: {str(exc)[:200]})")

    def _failed(self, item: _Work, reason: str) -> FileOutcome:
        return FileOutcome(item.key, "failed", item.doc_id, reason=reason)

    def _embed_and_submit(self, batch: list[_Work], writer: Writer[_Job, FileOutcome]) -> None:
        """Embed the files of ``batch`` not already stored or on their way, and queue them for the writer."""
        ids = [item.doc_id for item in batch]
        known = self.store.existing_documents(ids) | (self._submitted & set(ids))
        fresh: list[_Work] = []
        copies: list[_Work] = []
        for item in batch:
            if item.doc_id in known or item.doc_id in {f.doc_id for f in fresh}:
                copies.append(item)  # the same bytes under another path: indexed once
            else:
                fresh.append(item)
        t0 = time.perf_counter()
        split = getattr(self.embedder, "timings", None)  # the ONNX embedder times its tokeniser apart
        tokenised = split["tokenise"] if split else 0.0
        vectors = self._embed([c.text for item in fresh for c in item.chunks])
        tokenising = split["tokenise"] - tokenised if split else 0.0
        if split:
            self._timings["tokenise"] += tokenising
        self._timings["embed"] += time.perf_counter() - t0 - tokenising
        self._submitted.update(item.doc_id for item in fresh)
        writer.put(_Job(fresh, vectors, copies))

    def _write(self, job: _Job) -> list[FileOutcome]:
        """Write a job's files to the store and the ledger (the writer thread); each file all or nothing."""
        t0 = time.perf_counter()
        outcomes: list[FileOutcome] = []
        error: StoreError | None = None
        if job.fresh:
            writes = []
            offset = 0
            for item in job.fresh:
                assert item.doc is not None
                writes.append((item.doc_id, item.doc, item.chunks, job.vectors[offset:offset + len(item.chunks)]))
                offset += len(item.chunks)
            # Pending first: after a crash during the write, recover() removes whatever these files left.
            self.ledger.begin_replacing([i.previous for i in job.fresh if i.previous and i.previous.status == "done"
                                         and i.previous.doc_id != i.doc_id])
            self.ledger.record_many([(i.key, i.sha, i.doc_id, "pending", len(i.chunks)) for i in job.fresh])
            try:
                self.store.write_documents(writes)
            except Exception as exc:
                for item in job.fresh:
                    try:
                        self.store.delete_document(item.doc_id)
                    except Exception:  # left "pending": the next run's recover() removes what it wrote
                        continue
                    self._record_failed_write(item, f"{item.path}: store write failed ({exc.__class__.__name__}: {exc})")
                    self.ledger.end_replacing([item.key])
                self._failed_docs.update(item.doc_id for item in job.fresh)
                names = ", ".join(str(item.path) for item in job.fresh[:5]) + (", ..." if len(job.fresh) > 5 else "")
                error = StoreError(f"store write failed for {len(job.fresh)} files ({names}): "
                                   f"{exc.__class__.__name__}: {exc}")
            else:
                for item in job.fresh:
                    self._drop_previous(item.previous, item.doc_id)
                self.ledger.record_many([(i.key, i.sha, i.doc_id, "done", len(i.chunks)) for i in job.fresh])
                self.ledger.end_replacing([i.key for i in job.fresh])
                self._chunks_written += sum(len(i.chunks) for i in job.fresh)
                for item in job.fresh:
                    assert item.doc is not None
                    status = "updated" if item.previous and item.previous.status == "done" else "added"
                    outcomes.append(FileOutcome(item.key, status, item.doc_id, len(item.chunks), len(item.doc.text)))
        for item in job.copies:  # their document is in the store now, unless its write failed
            if item.doc_id in self._failed_docs:
                self.ledger.record(item.key, item.sha, item.doc_id, "failed", 0,
                                   f"{item.path}: a copy of a file whose store write failed")
                continue
            self.ledger.record(item.key, item.sha, item.doc_id, "done", len(item.chunks))
            self._drop_previous(item.previous, item.doc_id)
            outcomes.append(FileOutcome(item.key, "unchanged", item.doc_id, len(item.chunks)))
        self._timings["write"] += time.perf_counter() - t0
        if error is not None:
            raise error
        return outcomes

    def _record_failed_write(self, item: _Work, reason: str) -> None:
        """Record a file whose new version could not be written. Its previous version is still in the
        store, so the file's row goes back to it: a 'failed' row for the new version forgot the old
        document, and the next successful ingest left it in the store beside the new one."""
        previous = item.previous
        if previous and previous.status == "done" and previous.doc_id != item.doc_id and \
                self.store.has_document(previous.doc_id):
            self.ledger.record(previous.path, previous.sha256, previous.doc_id, "done", previous.chunks)
        else:
            self.ledger.record(item.key, item.sha, item.doc_id, "failed", 0, reason)

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Embed, each distinct text once (boilerplate repeats across and within files)."""
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        keys = [hashlib.blake2b(t.encode(), digest_size=16).hexdigest() for t in texts]
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vector_cache}
        if todo:
            for key, vector in zip(todo, self.embedder.embed(list(todo.values())), strict=True):
                self._vector_cache[key] = vector
        vectors = np.stack([self._vector_cache[k] for k in keys])
        if len(self._vector_cache) > 50_000:
            self._vector_cache.clear()
        return vectors

    def _drop_previous(self, previous: LedgerEntry | None, doc_id: str) -> None:
        """After a file changed, delete its old document unless another file still holds it."""
        if previous is None or previous.doc_id == doc_id:
            return
        if previous.doc_id in self._claimed:
            # Another file of this run has those bytes now (a version copied over another file), and its
            # ledger row may not be written yet: decided once every row of the run is in.
            self._deferred_drops.add(previous.doc_id)
            return
        self._drop_unless_held(previous.doc_id, previous.path)

    def _drop_unless_held(self, doc_id: str, dropped_by: str | None = None) -> None:
        """Delete a document from the store unless a file other than ``dropped_by`` is recorded as holding it."""
        if not any(e.path != dropped_by and e.status == "done" for e in self.ledger.for_doc(doc_id)):
            self.store.delete_document(doc_id)

    def _drop_deferred(self) -> None:
        for doc_id in sorted(self._deferred_drops):
            self._drop_unless_held(doc_id)
        self._deferred_drops = set()

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
        entry = self._ledger_entry_for_path(ref)
        if entry:
            return entry.doc_id
        matches = [d for d in self.store.document_ids() if d.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise BriefingError(f"no document matches {ref!r} (see `briefing sources`)")
        raise BriefingError(f"{ref!r} matches {len(matches)} documents; give more of the id")

    def _ledger_entry_for_path(self, ref: str) -> LedgerEntry | None:
        """The ledger row of the file at path ``ref``, whether or not the file still exists: a file
        deleted from disk is the usual reason to remove its document, by the path it was ingested from."""
        try:
            return self.ledger.get(str(Path(ref).resolve()))
        except (OSError, ValueError):  # not a path this system can hold (a NUL byte, a name too long)
            return None


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
