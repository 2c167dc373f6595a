"""Parse untrusted files in a child process with a memory limit and a time limit.

A zip bomb, a pathological PDF or a parser bug then fails one file with a clear reason; it cannot
exhaust the ingesting process's memory, hang it, or crash it.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ingest.documents import ParsedDocument
from ingest.errors import DocumentError


@dataclass(frozen=True)
class ParseLimits:
    memory_mb: int = 1024  # address-space limit of the parsing process
    seconds: float = 60.0  # wall-clock limit per file
    max_file_mb: float = 100.0


def _limit_memory(memory_mb: int) -> None:
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _worker(conn: Connection, memory_mb: int) -> None:
    import logging
    import signal
    import warnings

    # Ctrl-C reaches the whole process group; the ingest decides when this process ends, and a
    # parse cut short would be recorded as a file that failed.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_memory(memory_mb)
    logging.disable(logging.WARNING)  # parser libraries log recoverable damage; the verdict is what counts
    warnings.simplefilter("ignore")
    from ingest.errors import BriefingError, UnsupportedFileError
    from ingest.loaders import load_document

    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        path, data = request
        try:
            reply: tuple[str, Any] = ("ok", load_document(Path(path), data))
        except UnsupportedFileError as exc:
            reply = ("unsupported", str(exc))
        except BriefingError as exc:
            reply = ("error", str(exc))
        except MemoryError:
            reply = ("error", f"{path}: parsing needed more than the {memory_mb} MB memory limit (zip bomb or huge file?)")
        except RecursionError:
            reply = ("error", f"{path}: too deeply nested to parse (malformed or hostile file)")
        except Exception as exc:
            last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
            where = f" in {Path(last[0].filename).name}" if last else ""
            reply = ("error", f"{path}: could not parse ({exc.__class__.__name__}{where}: {str(exc)[:200]})")
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("error", f"{path}: the parsed text did not fit in the {memory_mb} MB memory limit"))


class SandboxedParser:
    """One long-lived parsing process, restarted after it dies or overruns its time."""

    def __init__(self, limits: ParseLimits | None = None) -> None:
        self.limits = limits or ParseLimits()
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None

    def _start(self) -> None:
        # A fresh interpreter (`python -m ingest.sandbox`), not multiprocessing's fork or spawn: fork
        # after torch has started threads can deadlock, and spawn re-imports the caller's __main__,
        # which breaks scripts and notebooks that ingest at top level.
        ours, theirs = socket.socketpair()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "ingest.sandbox", str(theirs.fileno()), str(self.limits.memory_mb)],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._conn = Connection(ours.detach())

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(5)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None

    def parse(self, path: Path, data: bytes) -> ParsedDocument:
        """Parse one file; raises DocumentError (or UnsupportedFileError) with the reason."""
        from ingest.errors import UnsupportedFileError

        size_mb = len(data) / 1e6
        if size_mb > self.limits.max_file_mb:
            raise DocumentError(f"{path}: the file is {size_mb:.0f} MB, over the {self.limits.max_file_mb:.0f} MB limit")
        if not self._alive():
            self._start()
        assert self._conn is not None
        try:
            self._conn.send((str(path), data))
            if not self._conn.poll(self.limits.seconds):
                self._kill()
                raise DocumentError(f"{path}: parsing took longer than {self.limits.seconds:.0f} s (stopped)")
            status, payload = self._conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
            code = self._process.poll() if self._process is not None else None
            self._kill()
            raise DocumentError(f"{path}: the parser process died (exit code {code}); the file is malformed or hostile") from None
        if status == "ok":
            return payload  # type: ignore[no-any-return]
        if status == "unsupported":
            raise UnsupportedFileError(payload)
        raise DocumentError(payload)

    def close(self) -> None:
        if self._conn is not None and self._alive():
            try:
                self._conn.send(None)
                assert self._process is not None
                self._process.wait(2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()

    def __enter__(self) -> SandboxedParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":  # the parsing process: python -m ingest.sandbox FD MEMORY_MB
    _worker(Connection(int(sys.argv[1])), int(sys.argv[2]))
