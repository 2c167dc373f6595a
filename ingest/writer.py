"""A writer thread: the store writes of one batch run while the next batch is embedded.

Jobs go through a bounded queue, so the embedded batches waiting to be written (their documents,
chunks and vectors) are at most ``depth``: memory stays bounded however fast embedding runs ahead.
A job that fails does not stop the thread: the jobs queued behind it are still written (their
files' data is not lost), and the errors are kept for the caller to report.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

J = TypeVar("J")
R = TypeVar("R")
J_contra = TypeVar("J_contra", contravariant=True)


class Writer(Protocol[J_contra, R]):
    errors: list[BaseException]

    def put(self, job: J_contra) -> None: ...

    def close(self) -> list[R]: ...


def make_writer(write: Callable[[J], list[R]], depth: int) -> Writer[J, R]:
    """A writer thread with ``depth`` jobs queued at most, or for ``depth`` 0 writes in the caller's thread."""
    return BackgroundWriter(write, depth=depth) if depth > 0 else InlineWriter(write)


class InlineWriter(Generic[J, R]):
    """Writes each job as it is put, in the caller's thread (no overlap; for comparison and debugging)."""

    def __init__(self, write: Callable[[J], list[R]]) -> None:
        self._write = write
        self._results: list[R] = []
        self.errors: list[BaseException] = []

    def put(self, job: J) -> None:
        try:
            self._results.extend(self._write(job))
        except Exception as exc:
            self.errors.append(exc)

    def close(self) -> list[R]:
        return self._results


class BackgroundWriter(Generic[J, R]):
    """Runs ``write(job)`` for each job put, in order, on one thread; collects what the writes return."""

    def __init__(self, write: Callable[[J], list[R]], *, depth: int = 2, name: str = "store-writer") -> None:
        self._write = write
        self._queue: queue.Queue[J | None] = queue.Queue(maxsize=depth)
        self._results: list[R] = []
        self.errors: list[BaseException] = []
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def depth(self) -> int:
        return self._queue.maxsize

    def put(self, job: J) -> None:
        """Queue a job; blocks while ``depth`` jobs are already waiting."""
        if self._closed:
            raise RuntimeError("the writer is closed")
        self._queue.put(job)

    def close(self) -> list[R]:
        """Write every queued job, stop the thread, and return what the writes returned, in order."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
        return self._results

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self._results.extend(self._write(job))
            except BaseException as exc:  # kept for the caller; the next jobs are still written
                self.errors.append(exc)
