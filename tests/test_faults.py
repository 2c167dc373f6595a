"""Faults: a second writer is refused at once; a Chroma server that is down is named, and recovered from."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.pipeline import write_lock
from tests.conftest import SAMPLE
from tests.servers import chroma_server, free_port

pytestmark = pytest.mark.slow


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=300)


def test_second_writer_is_refused_at_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with write_lock(home):  # another process is writing
        started = time.perf_counter()
        result = cli(["ingest", str(SAMPLE)], {"BRIEFING_HOME": str(home)})
        elapsed = time.perf_counter() - started
    assert result.returncode == 1
    assert "another briefing process is writing" in result.stderr and "Traceback" not in result.stderr
    assert elapsed < 30  # refused, not left waiting on the store
    result = cli(["ingest", str(SAMPLE)], {"BRIEFING_HOME": str(home)})
    assert result.returncode == 0, result.stderr


@pytest.mark.server
def test_chroma_server_down_then_back(tmp_path: Path) -> None:
    port = free_port()
    env = {"BRIEFING_HOME": str(tmp_path / "home"), "BRIEFING_CHROMA_URL": f"http://127.0.0.1:{port}"}
    result = cli(["sources"], env)
    assert result.returncode == 1
    assert f"cannot reach the Chroma server at http://127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0
    with chroma_server(tmp_path / "chroma", port):
        result = cli(["ingest", str(SAMPLE)], env)
        assert result.returncode == 0, result.stderr
        result = cli(["ask", "--json", "How many Russian peacekeepers will deploy?"], env)
        assert result.returncode == 0 and "1,960" in result.stdout


@pytest.mark.server
def test_long_running_process_survives_a_server_restart(tmp_path: Path) -> None:
    """A serving process whose Chroma server goes away says so, and works again once it is back."""
    from assistant.build import make_store
    from assistant.settings import Settings
    from ingest.embeddings import HashingEmbedder
    from ingest.errors import StoreError

    port = free_port()
    embedder = HashingEmbedder()
    with chroma_server(tmp_path / "chroma", port) as url:
        store = make_store(Settings(home=tmp_path / "home", chroma_url=url), embedder)
        assert store.count() == 0
    with pytest.raises(StoreError, match=f"lost the Chroma server at http://127.0.0.1:{port}"):
        store.count()
    with chroma_server(tmp_path / "chroma", port):
        assert store.count() == 0 and store.document_ids() == []
