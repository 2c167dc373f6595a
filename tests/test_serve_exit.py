"""`briefing serve` stopped the way services are stopped (SIGTERM) removes its scratch folders on the way out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from eval.benchmarks.serving import wait_ready
from tests.servers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.server]


def test_a_server_stopped_with_sigterm_leaves_no_scratch_folders(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = free_port()
    env = {**os.environ, "BRIEFING_HOME": str(tmp_path / "home"), "TMPDIR": str(temp)}
    env.pop("GRADIO_TEMP_DIR", None)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--port", str(port)], env=env,
                                stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1])
    try:
        wait_ready(f"http://127.0.0.1:{port}/", proc, log)
        made = sorted(p.name for p in temp.glob("briefing-*"))
        assert any(n.startswith("briefing-export-") for n in made) and any(n.startswith("briefing-gradio-") for n in made)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not list(temp.glob("briefing-*")), log.read_text(errors="replace")[-2000:]
