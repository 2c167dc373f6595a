"""Real servers for tests, on 127.0.0.1 only."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eval.benchmarks.serving import stop

SERVER_START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def heartbeat(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(f"{url}/api/v2/heartbeat", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def chroma_server(root: Path, port: int | None = None) -> Iterator[str]:
    """Run the real `chroma run` from the virtual environment; yields its URL."""
    exe = Path(sys.executable).with_name("chroma")
    assert exe.is_file(), f"no chroma executable next to {sys.executable}"
    root.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log_path = root / "server.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [str(exe), "run", "--path", str(root / "data"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not heartbeat(url):
            if proc.poll() is not None:
                raise AssertionError(f"chroma exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"chroma did not answer within {SERVER_START_TIMEOUT} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        stop(proc)
