"""The ingest's writer thread: bounded, in order, and a failed write loses no other file's data."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from assistant.build import make_ledger, make_store
from assistant.settings import Settings
from ingest.embeddings import HashingEmbedder
from ingest.errors import StoreError
from ingest.pipeline import Ingestor
from ingest.writer import BackgroundWriter


def test_the_queue_is_bounded_and_jobs_are_written_in_order() -> None:
    release = threading.Event()
    started = threading.Event()

    def write(job: int) -> list[int]:
        started.set()
        release.wait(10)
        return [job]

    writer: BackgroundWriter[int, int] = BackgroundWriter(write, depth=2)
    writer.put(1)
    assert started.wait(10)  # job 1 is being written; jobs 2 and 3 fill the queue
    writer.put(2)
    writer.put(3)
    fourth = threading.Thread(target=writer.put, args=(4,))
    fourth.start()
    fourth.join(0.3)
    assert fourth.is_alive()  # blocked: no more than `depth` jobs wait
    release.set()
    fourth.join(10)
    assert not fourth.is_alive()
    assert writer.close() == [1, 2, 3, 4] and not writer.errors
    with pytest.raises(RuntimeError):
        writer.put(5)


def test_a_failed_job_does_not_stop_the_jobs_behind_it() -> None:
    def write(job: int) -> list[int]:
        if job == 2:
            raise OSError("disk full")
        return [job]

    writer: BackgroundWriter[int, int] = BackgroundWriter(write, depth=1)
    for job in (1, 2, 3, 4):
        writer.put(job)
    assert writer.close() == [1, 3, 4]
    assert [str(e) for e in writer.errors] == ["disk full"]


def write_files(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"r{i:02d}.txt"
        path.write_text(f"Report {i}\n\nThe convoy {i} left Goris at dawn and reached Lachin by noon.", encoding="utf-8")
        paths.append(path)
    return paths


def test_a_failed_store_write_names_the_file_and_loses_no_other_data(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    files = write_files(tmp_path / "docs", 12)
    settings = Settings(home=tmp_path / "h")  # type: ignore[call-arg]
    embedder = HashingEmbedder()
    store = make_store(settings, embedder)
    ingestor = Ingestor(store, embedder, make_ledger(settings), batch_chunks=1)  # one file per write
    bad = files[5]
    original = store.write_documents

    def failing(items: Any) -> None:
        if any(doc.source.endswith(bad.name) for _, doc, _, _ in items):
            original(items[:1] if len(items) > 1 else items)  # half written, then the server goes away
            raise ConnectionError("server went away")
        original(items)

    monkeypatch.setattr(store, "write_documents", failing)
    with pytest.raises(StoreError, match=r"store write failed for 1 files \(.*r05\.txt\)"):
        ingestor.ingest([tmp_path / "docs"])

    entries = {Path(e.path).name: e for e in ingestor.ledger.entries()}
    assert entries["r05.txt"].status == "failed" and "r05.txt" in (entries["r05.txt"].error or "")
    done = {name for name, e in entries.items() if e.status == "done"}
    assert {f"r{i:02d}.txt" for i in range(5)} <= done  # written before the failure: kept
    assert set(entries) - done == {"r05.txt"}  # nothing left half-done: files after it are done or untouched
    sources = {Path(c.source).name for c in store.iter_chunks()}
    assert sources == done and len(store.document_ids()) == len(done)

    monkeypatch.setattr(store, "write_documents", original)
    report = ingestor.ingest([tmp_path / "docs"])
    assert report.count("added") == 12 - len(done) and not report.failures
    assert {Path(c.source).name for c in store.iter_chunks()} == {f.name for f in files}


@pytest.mark.parametrize("depth", [0, 2])
def test_with_or_without_the_writer_thread_the_store_is_the_same(tmp_path: Path, depth: int) -> None:
    files = write_files(tmp_path / "docs", 6)
    (tmp_path / "docs" / "copy.txt").write_bytes(files[2].read_bytes())  # a copy, in another batch
    settings = Settings(home=tmp_path / f"h{depth}")  # type: ignore[call-arg]
    embedder = HashingEmbedder()
    ingestor = Ingestor(make_store(settings, embedder), embedder, make_ledger(settings), batch_chunks=1,
                        write_depth=depth)
    report = ingestor.ingest([tmp_path / "docs"])
    assert report.count("added") == 6 and report.count("unchanged") == 1 and not report.failures
    assert {"embed", "write"} <= set(report.timings)
    assert len(ingestor.store.document_ids()) == 6
    assert {e.status for e in ingestor.ledger.entries()} == {"done"} and len(ingestor.ledger.entries()) == 7
