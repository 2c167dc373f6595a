"""A real app server in a child process, for the benchmarks and tests that talk to one over HTTP."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


class ServerNotReady(RuntimeError):
    """The server exited, or did not answer in time; the message ends with its log when there is one."""


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path | None = None, seconds: float = 120.0) -> None:
    """Return once ``url`` answers; raise :class:`ServerNotReady` if ``proc`` exits or ``seconds`` pass."""
    tail = (lambda: ":\n" + log.read_text(errors="replace")[-3000:]) if log else (lambda: "")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerNotReady(f"serve exited with {proc.returncode}{tail()}")
        try:
            with OPENER.open(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise ServerNotReady(f"serve did not answer at {url} within {seconds:.0f} s{tail()}")


def stop(proc: subprocess.Popen[bytes], seconds: float = 15.0) -> None:
    """Terminate a server process, killing it if it does not exit within ``seconds``. A server started as
    the leader of its own process group (``start_new_session=True``) is stopped with its whole group: under
    strace, terminating the tracer alone left the traced server running, one orphan per test run."""
    leads_group = _leads_group(proc)

    def send(sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            if leads_group:
                os.killpg(proc.pid, sig)
            else:
                proc.send_signal(sig)

    send(signal.SIGTERM)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        proc.wait()
    if leads_group:
        send(signal.SIGKILL)  # anything of the group still there once the leader is gone


def _leads_group(proc: subprocess.Popen[bytes]) -> bool:
    try:
        return os.getpgid(proc.pid) == proc.pid
    except ProcessLookupError:
        return False
