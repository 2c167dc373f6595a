"""The load script at a small size against `briefing serve` backed by a real Chroma server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eval.benchmarks.serving import wait_ready
from tests.conftest import SAMPLE
from tests.servers import chroma_server, free_port, stop

pytestmark = [pytest.mark.slow, pytest.mark.server]


def test_load_small_and_busy_beyond_queue(tmp_path: Path) -> None:
    with chroma_server(tmp_path / "chroma") as chroma_url:
        port = free_port()
        env = {**os.environ, "BRIEFING_HOME": str(tmp_path / "home"), "BRIEFING_CHROMA_URL": chroma_url,
               "BRIEFING_SERVER__QUEUE_SIZE": "3", "BRIEFING_SERVER__CONCURRENCY": "1"}
        ingest = subprocess.run([sys.executable, "-m", "ui.cli", "ingest", str(SAMPLE)], env=env,
                                capture_output=True, text=True, timeout=300)
        assert ingest.returncode == 0, ingest.stderr
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--port", str(port)], env=env,
                                    stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_ready(url, proc, log)
            result = subprocess.run(
                [sys.executable, "-m", "eval.benchmarks.load", "--url", url, "--clients", "1", "2", "12",
                 "--requests", "2", "--timeout", "60", "--json"],
                capture_output=True, text=True, timeout=600,
            )
            assert result.returncode == 0, result.stderr
            one, two, many = json.loads(result.stdout)
            assert one["ok"] == 2 and one["error"] == one["hang"] == 0
            assert two["ok"] == 4 and two["error"] == two["hang"] == 0
            # Beyond the queue limit (3 waiting, 1 running) clients get a clean "busy", never a hang.
            assert many["hang"] == 0 and many["error"] == 0, many
            assert many["ok"] + many["busy"] == many["requests"] and many["ok"] >= 1
        finally:
            stop(proc)
