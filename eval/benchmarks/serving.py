"""A real app server in a child process, for the benchmarks and tests that talk to one over HTTP."""

from __future__ import annotations

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
    """Terminate a server process, killing it if it does not exit within ``seconds``."""
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
