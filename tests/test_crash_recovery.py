"""A real `briefing ingest` killed with SIGKILL mid-way, then run again: the store must match the ledger.

The CLI runs as a subprocess with the real MiniLM model (the first embed loads torch, several
seconds). The test kills it once the ledger shows a finished file, preferably while another file is
being written (a 'pending' ledger row), then ingests again and compares the store with the ledger
and with a clean ingest of the same folder into another BRIEFING_HOME.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from assistant.build import make_embedder, make_ledger, make_store
from assistant.settings import Settings
from tests.conftest import REPO

pytestmark = pytest.mark.slow

FILES = 40
START_TIMEOUT = 180.0  # model load and the first file, on a slow machine
PENDING_WINDOW = 3.0  # after the first 'done' row, how long to wait for a 'pending' one to kill on

_PLACES = ["Stepanakert", "Shusha", "Hadrut", "Fuzuli", "Jabrayil", "Lachin", "Kalbajar", "Agdam",
           "Martuni", "Ganja", "Tartar", "Goris", "Zangilan", "Gubadli"]
_ACTORS = ["Azerbaijani forces", "Armenian units", "Russian peacekeepers", "Turkish advisers",
           "OSCE observers", "local officials", "Red Cross teams", "Syrian mercenaries"]
_ACTS = ["shelled positions near", "withdrew from", "reinforced the line at", "reported casualties in",
         "evacuated civilians from", "opened a corridor to", "denied losses around", "captured heights above"]
_TAILS = ["after a night of artillery fire", "despite the announced ceasefire", "according to the defense ministry",
          "as refugees crowded the roads", "before dawn", "under heavy drone surveillance"]


def write_corpus(folder: Path, files: int = FILES) -> list[Path]:
    """``files`` distinct plain-text reports, each a few chunks long."""
    rng = random.Random(20201110)
    folder.mkdir(parents=True)
    paths = []
    for n in range(files):
        paragraphs = [f"Situation Report {n + 1:03d} on Nagorno-Karabakh", f"October {1 + n % 28}, 2020"]
        for p in range(3):
            sentences = [
                f"{rng.choice(_ACTORS).capitalize()} {rng.choice(_ACTS)} {rng.choice(_PLACES)} "
                f"{rng.choice(_TAILS)} (report {n + 1}, item {p + 1}.{s + 1})."
                for s in range(3)
            ]
            paragraphs.append(" ".join(sentences))
        path = folder / f"sitrep-{n + 1:03d}.txt"
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def cli_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["BRIEFING_HOME"] = str(home)
    env.pop("BRIEFING_CHROMA_URL", None)
    env["HF_HUB_OFFLINE"] = "1"
    env["TRANSFORMERS_OFFLINE"] = "1"
    # Small embedding batches, so the ingest writes the store many times and a kill can land between.
    env["BRIEFING_INGEST__BATCH_CHUNKS"] = "4"
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def start_ingest(home: Path, folder: Path, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "ingest", "--json", str(folder)],
            cwd=REPO, env=cli_env(home), stdout=out, stderr=subprocess.STDOUT,
        )
    finally:
        out.close()  # the child holds its own descriptor


def run_ingest(home: Path, folder: Path, log: Path, timeout: float = 300.0) -> dict[str, object]:
    proc = start_ingest(home, folder, log)
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"ingest did not finish in {timeout} s:\n{log.read_text()[-3000:]}") from None
    output = log.read_text()
    assert rc == 0, f"ingest exited {rc}:\n{output[-3000:]}"
    summary = [line for line in output.splitlines() if line.startswith("{")]
    assert summary, output[-3000:]
    return json.loads(summary[-1])


def ledger_statuses(home: Path) -> Counter[str]:
    """Status counts of the ledger, read without disturbing the writer (WAL readers never block it)."""
    db = home / "ledger.sqlite"
    if not db.exists():
        return Counter()
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return Counter(dict(conn.execute("SELECT status, count(*) FROM files GROUP BY status").fetchall()))
        finally:
            conn.close()
    except sqlite3.OperationalError:  # the table does not exist yet, or the file is mid-creation
        return Counter()


def pending_rows(home: Path) -> list[tuple[str, str]]:
    """(path, doc_id) of the ledger rows whose store write is under way."""
    try:
        conn = sqlite3.connect(f"file:{home / 'ledger.sqlite'}?mode=ro", uri=True, timeout=1)
        try:
            return list(conn.execute("SELECT path, doc_id FROM files WHERE status = 'pending'"))
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return []


def chunks_logged(home: Path, doc_id: str) -> bool:
    """Whether Chroma has committed chunks of ``doc_id`` (its embedded log), read-only and best effort.

    This peeks at Chroma's private SQLite schema only to time the kill; if the schema changes the
    test still kills, just less precisely.
    """
    db = home / "chroma" / "chroma.sqlite3"
    if not db.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
        try:
            row = conn.execute("SELECT 1 FROM embeddings_queue WHERE id LIKE ? LIMIT 1", (f"{doc_id}:%",)).fetchone()
            return row is not None
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def kill_mid_ingest(proc: subprocess.Popen[bytes], home: Path, log: Path) -> str:
    """SIGKILL the ingest once a file is done; best of all just after another file's chunks were
    written but before its ledger row is done. Returns where the kill landed."""
    deadline = time.monotonic() + START_TIMEOUT
    while ledger_statuses(home)["done"] < 1:
        if proc.poll() is not None:
            raise AssertionError(f"ingest ended (rc {proc.returncode}) before it could be killed:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise AssertionError(f"no file finished within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)
    moment = "between files"
    window = time.monotonic() + PENDING_WINDOW
    while time.monotonic() < window and proc.poll() is None and moment != "after a pending file's chunks were written":
        pending = pending_rows(home)
        moment = "while a file was pending" if pending else "between files"
        for spin in range(2000):  # watch the store closely while the file is pending
            if not pending or time.monotonic() > window:
                break
            if any(chunks_logged(home, doc_id) for _, doc_id in pending):
                moment = "after a pending file's chunks were written"
                break
            if spin % 20 == 19:
                pending = pending_rows(home)
        time.sleep(0.002)
    assert proc.poll() is None, "the ingest finished before it could be killed; make the corpus larger"
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    return moment


def check_store_matches_ledger(home: Path, files: int, interrupted: int = 0) -> tuple[int, set[str]]:
    """Every done row's chunks are in the store and nothing else is; returns (chunk count, chunk ids)."""
    settings = Settings(home=home)
    ledger = make_ledger(settings)
    try:
        store = make_store(settings, make_embedder(settings))
        entries = ledger.entries()
        done = {e.doc_id: e.chunks for e in entries if e.status == "done"}
        assert len(done) == files, Counter(e.status for e in entries)
        others = [e for e in entries if e.status != "done"]
        assert len(others) == interrupted and all(
            e.status == "failed" and "interrupted" in (e.error or "") for e in others
        ), others

        for doc_id, chunks in done.items():
            ids = store.chunk_ids(doc_id)
            assert len(ids) == chunks, (doc_id, len(ids), chunks)
            assert sorted(ids) == [f"{doc_id}:{i:05d}" for i in range(chunks)]
            record = store.get_document(doc_id)
            assert record is not None and record.chunks == chunks

        all_chunks = list(store.iter_chunks(batch=97))
        ids = [c.id for c in all_chunks]
        assert len(ids) == len(set(ids)), "duplicate chunks in the store"
        strays = {c.doc_id for c in all_chunks} - set(done)
        assert not strays, f"chunks of documents the ledger does not hold as done: {strays}"
        assert set(store.document_ids()) == set(done)
        assert store.count() == len(ids) == sum(done.values())
        return store.count(), set(ids)
    finally:
        ledger.close()


def test_sigkill_mid_ingest_then_resume_matches_clean_ingest(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    write_corpus(folder)
    crashed, clean = tmp_path / "crashed-home", tmp_path / "clean-home"

    proc = start_ingest(crashed, folder, tmp_path / "killed.log")
    at_kill = kill_mid_ingest(proc, crashed, tmp_path / "killed.log")
    after_kill = ledger_statuses(crashed)
    assert 1 <= after_kill["done"] < FILES, after_kill
    # The file whose write was under way disappears before the next run, so nothing re-ingests it:
    # only the ingest's recovery can remove what the killed process wrote to the store for it.
    interrupted = pending_rows(crashed)
    for path, _ in interrupted:
        Path(path).unlink()
    files = FILES - len(interrupted)
    print(f"kill aimed {at_kill}; ledger after it {dict(after_kill)}; removed {[Path(p).name for p, _ in interrupted]}")

    resumed = run_ingest(crashed, folder, tmp_path / "resumed.log")
    print(f"resumed: {resumed}")
    assert resumed["failed"] == 0 and resumed["skipped"] == 0, resumed
    # Files done before the kill are unchanged; the rest are added.
    assert resumed["unchanged"] == after_kill["done"], (resumed, after_kill, at_kill)
    assert resumed["added"] == files - after_kill["done"], (resumed, after_kill)
    count, ids = check_store_matches_ledger(crashed, files, interrupted=len(interrupted))

    again = run_ingest(crashed, folder, tmp_path / "again.log")
    assert (again["unchanged"], again["added"], again["chunks"]) == (files, 0, 0), again

    fresh = run_ingest(clean, folder, tmp_path / "clean.log")
    assert fresh["added"] == files and fresh["failed"] == 0, fresh
    clean_count, clean_ids = check_store_matches_ledger(clean, files)
    assert count == clean_count
    assert ids == clean_ids


def test_ctrl_c_stops_cleanly_and_the_next_run_resumes(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) ends the ingest within
    seconds, without a traceback or a failed file, and the next run only ingests what is left."""
    files = 150  # more than the parsed-ahead queue holds, so the parser process is still at work
    folder = tmp_path / "reports"
    write_corpus(folder, files)
    home = tmp_path / "home"
    log = tmp_path / "interrupted.log"
    out = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "ingest", "--json", str(folder)],
        cwd=REPO, env=cli_env(home), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        # A shell's background job (nohup …&, some CI runners) starts with SIGINT ignored, which
        # exec passes on and Python then respects; a terminal's foreground job has it at default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    out.close()
    deadline = time.monotonic() + START_TIMEOUT
    while ledger_statuses(home)["done"] < 1:
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "no file finished in time"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    started = time.monotonic()
    assert proc.wait(timeout=60) == 130, log.read_text()[-3000:]
    stopped_in = time.monotonic() - started
    output = log.read_text()
    assert "interrupted" in output and "Traceback" not in output, output[-3000:]
    after = ledger_statuses(home)
    assert after["done"] < files and after["failed"] == 0, after
    print(f"stopped {stopped_in:.1f} s after Ctrl-C with {dict(after)}")

    resumed = run_ingest(home, folder, tmp_path / "resumed.log")
    assert resumed["unchanged"] == after["done"], (resumed, after)
    assert resumed["added"] + resumed["unchanged"] == files and resumed["failed"] == 0, resumed
    check_store_matches_ledger(home, files, interrupted=0)
