"""Ingest behaviour against an embedded Chroma, with the hashing embedder so these tests stay fast."""

from pathlib import Path

import pytest

from assistant.build import make_ledger, make_store
from assistant.settings import Settings
from ingest.embeddings import HashingEmbedder
from ingest.errors import ModelMismatchError
from ingest.pipeline import Ingestor
from tests.conftest import SAMPLE


def make_ingestor(home: Path, embedder: HashingEmbedder | None = None) -> Ingestor:
    settings = Settings(home=home)
    embedder = embedder or HashingEmbedder()
    return Ingestor(make_store(settings, embedder), embedder, make_ledger(settings))


def test_ingest_twice_changes_nothing(tmp_path: Path) -> None:
    ingestor = make_ingestor(tmp_path / "h")
    first = ingestor.ingest([SAMPLE])
    assert first.count("added") == 1 and first.chunks > 0
    count = ingestor.store.count()
    second = ingestor.ingest([SAMPLE])
    assert second.count("unchanged") == 1 and second.chunks == 0
    assert ingestor.store.count() == count


def test_changed_file_replaces_its_chunks(tmp_path: Path) -> None:
    ingestor = make_ingestor(tmp_path / "h")
    doc = tmp_path / "note.txt"
    doc.write_text("Field Note\n\nThe convoy left Goris at dawn. It reached Stepanakert by noon.")
    ingestor.ingest([doc])
    old = ingestor.store.document_ids()
    doc.write_text("Field Note\n\nThe convoy left Goris at dusk. It never reached Stepanakert.")
    report = ingestor.ingest([doc])
    assert report.count("updated") == 1
    new = ingestor.store.document_ids()
    assert len(new) == 1 and new != old
    texts = " ".join(c.text for c in ingestor.store.iter_chunks())
    assert "dusk" in texts and "dawn" not in texts


def test_remove_deletes_document_and_ledger_rows(tmp_path: Path) -> None:
    ingestor = make_ingestor(tmp_path / "h")
    ingestor.ingest([SAMPLE])
    doc_id = ingestor.store.document_ids()[0]
    removed, chunks = ingestor.remove(doc_id[:8])
    assert removed == doc_id and chunks > 0
    assert ingestor.store.count() == 0 and not ingestor.ledger.entries()


def test_failing_file_among_good_ones(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.txt").write_text("Good Report\n\nArmenia and Azerbaijan signed a ceasefire.")
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    (folder / "picture.png").write_bytes(b"\x89PNG")
    (folder / "also-good.md").write_text("---\ntitle: Second\ndate: 2020-09-30-18-28-52\n---\nTurkey sent drones.")
    ingestor = make_ingestor(tmp_path / "h")
    report = ingestor.ingest([folder])
    assert report.count("added") == 2
    assert report.count("skipped") == 1
    (failure,) = report.failures
    assert "bad.txt" in (failure.reason or "") and "binary" in (failure.reason or "")
    assert len(ingestor.store.document_ids()) == 2
    assert all(c.source.endswith(("good.txt", "also-good.md")) for c in ingestor.store.iter_chunks())


def test_other_embedding_model_is_refused(tmp_path: Path) -> None:
    make_ingestor(tmp_path / "h").ingest([SAMPLE])
    with pytest.raises(ModelMismatchError, match="hashing-256"):
        make_ingestor(tmp_path / "h", HashingEmbedder(dimension=128))


def test_front_matter_date_and_title(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text("---\ntitle: Clashes erupt\ndescription: Fighting on the line\ndate: 2020-09-30-18-28-52 \n---\nBody text here.")
    ingestor = make_ingestor(tmp_path / "h")
    ingestor.ingest([doc])
    (record,) = ingestor.store.list_documents()
    assert (record.title, record.date, record.description) == ("Clashes erupt", "2020-09-30", "Fighting on the line")


@pytest.mark.slow  # ingests 150 files through the sandboxed parser
def test_written_documents_are_not_kept_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long ingest holds only the documents in flight, not every document it has written."""
    import gc
    import weakref

    for n in range(12):
        (tmp_path / f"doc{n}.txt").write_text(f"Report {n}\n\nThe convoy {n} left Goris at dawn and reached Lachin.")
    settings = Settings(home=tmp_path / "h")
    embedder = HashingEmbedder()
    ingestor = Ingestor(make_store(settings, embedder), embedder, make_ledger(settings), batch_chunks=1)
    written: list[weakref.ref[object]] = []
    alive_at_last_write: list[int] = []
    original = ingestor._write

    def tracking(job):  # type: ignore[no-untyped-def]
        gc.collect()
        alive_at_last_write[:] = [sum(ref() is not None for ref in written)]
        outcomes = original(job)
        written.extend(weakref.ref(item.doc) for item in job.fresh if item.doc is not None)
        return outcomes

    monkeypatch.setattr(ingestor, "_write", tracking)
    report = ingestor.ingest([tmp_path])
    assert report.count("added") == 12 and len(written) == 12
    assert alive_at_last_write == [0]


def test_copies_of_one_file_in_one_batch_are_indexed_once(tmp_path: Path) -> None:
    """News collections hold the same article under several names; a batch may meet them together."""
    folder = tmp_path / "news"
    folder.mkdir()
    body = "Wire Story\n\nThe convoy left Goris at dawn and reached Lachin by noon."
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(body)
    (folder / "other.txt").write_text("Other Story\n\nShelling resumed near Martuni overnight.")
    ingestor = make_ingestor(tmp_path / "h")
    report = ingestor.ingest([folder])
    assert report.count("added") == 2 and report.count("unchanged") == 2 and not report.failures
    assert len(ingestor.store.document_ids()) == 2
    assert {e.status for e in ingestor.ledger.entries()} == {"done"} and len(ingestor.ledger.entries()) == 4
