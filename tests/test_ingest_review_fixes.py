"""Ingest review fixes: each test reproduces a fault of re-ingest, removal or a failed write."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.build import make_ledger, make_store
from assistant.settings import Settings
from ingest.embeddings import HashingEmbedder
from ingest.errors import StoreError
from ingest.pipeline import Ingestor


def make_ingestor(home: Path, **options: int) -> Ingestor:
    settings = Settings(home=home)
    embedder = HashingEmbedder()
    return Ingestor(make_store(settings, embedder), embedder, make_ledger(settings), **options)


def stored_texts(ingestor: Ingestor) -> str:
    return " ".join(c.text for c in ingestor.store.iter_chunks())


def test_a_deleted_file_is_removed_by_the_path_it_was_ingested_from(tmp_path: Path) -> None:
    """`briefing remove PATH` of a file deleted since said 'no document matches' and left its document."""
    ingestor = make_ingestor(tmp_path / "h")
    note = tmp_path / "note.txt"
    note.write_text("Field Note\n\nThe convoy left Goris at dawn.")
    ingestor.ingest([note])
    doc_id = ingestor.store.document_ids()[0]
    note.unlink()
    removed, chunks = ingestor.remove(str(note))
    assert removed == doc_id and chunks > 0
    assert ingestor.store.document_ids() == [] and ingestor.ledger.entries() == []


@pytest.mark.parametrize("batch_chunks", [256, 1], ids=["one-batch", "a-batch-per-file"])
def test_a_version_copied_over_another_file_keeps_its_document(tmp_path: Path, batch_chunks: int) -> None:
    """new.txt's text copied over old.txt and new.txt rewritten, then one ingest: dropping new.txt's
    old document deleted what old.txt now holds (its row was written later), and old.txt was reported
    'unchanged' with its document gone from the store."""
    ingestor = make_ingestor(tmp_path / "h", batch_chunks=batch_chunks)
    folder = tmp_path / "reports"
    folder.mkdir()
    new, old = folder / "new.txt", folder / "old.txt"
    new.write_text("Report X\n\nThe convoy left Goris at dawn.")
    old.write_text("Report Z\n\nThe talks in Moscow ended late.")
    ingestor.ingest([folder])
    old.write_bytes(new.read_bytes())
    new.write_text("Report Y\n\nThe ceasefire held through the night.")
    report = ingestor.ingest([folder])
    assert sorted((Path(o.path).name, o.status) for o in report.outcomes) == [("new.txt", "updated"),
                                                                             ("old.txt", "unchanged")]
    texts = stored_texts(ingestor)
    assert "Goris at dawn" in texts and "held through the night" in texts and "Moscow" not in texts
    for entry in ingestor.ledger.entries():
        assert entry.status == "done" and ingestor.store.has_document(entry.doc_id), entry
    assert len(ingestor.store.document_ids()) == 2


def test_a_failed_write_of_a_new_version_keeps_the_old_one_in_the_ledger(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The store write of a changed file's new version fails: the file's row said 'failed' for the new
    version and forgot the old document, which stayed in the store; the retry then reported the file
    'added' and left the old version answerable beside the new one."""
    ingestor = make_ingestor(tmp_path / "h")
    note = tmp_path / "note.txt"
    note.write_text("Report v1\n\nThe convoy left Goris at dawn.")
    ingestor.ingest([note])
    note.write_text("Report v2\n\nThe convoy left Goris at dusk.")
    write = ingestor.store.write_documents

    def write_then_fail(items):  # type: ignore[no-untyped-def]
        write(items)
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingestor.store, "write_documents", write_then_fail)
    with pytest.raises(StoreError, match=r"note\.txt.*disk full"):
        ingestor.ingest([note])
    assert "dawn" in stored_texts(ingestor) and "dusk" not in stored_texts(ingestor)
    [entry] = ingestor.ledger.entries()
    assert entry.status == "done" and ingestor.store.has_document(entry.doc_id)

    monkeypatch.setattr(ingestor.store, "write_documents", write)
    report = ingestor.ingest([note])
    assert report.count("updated") == 1
    texts = stored_texts(ingestor)
    assert "dusk" in texts and "dawn" not in texts
    assert len(ingestor.store.document_ids()) == 1


def test_an_escape_in_front_matter_that_utf8_cannot_encode_fails_no_file(tmp_path: Path) -> None:
    """A YAML escape for a lone surrogate ("\\udcff") in one file's front matter made Chroma refuse the
    whole batch: every file of it failed with 'Cannot convert Python object to UpdateMetadataValue',
    naming none as the cause. The code point is now replaced (U+FFFD) and every file is indexed."""
    ingestor = make_ingestor(tmp_path / "h")
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text("Report A\n\nThe convoy left Goris at dawn.")
    (folder / "b.md").write_text('---\ntitle: "Talks \\udcff in Moscow"\n---\n\nThe talks in Moscow ended late.\n')
    (folder / "c.md").write_text('---\ntitle: Video\ndescription: "Shelling \\ud83d near Ganja."\n---\n')
    report = ingestor.ingest([folder])
    assert report.count("added") == 3 and not report.failures, report.outcomes
    titles = sorted(d.title for d in ingestor.store.list_documents())
    assert titles == ["Report A", "Talks \ufffd in Moscow", "Video"]
    for doc_id in ingestor.store.document_ids():
        record = ingestor.store.get_document(doc_id)
        assert record is not None
        for chunk in ingestor.store.chunks_of([doc_id]):
            assert record.text[chunk.start:chunk.end] == chunk.text
    assert "Shelling \ufffd near Ganja." in stored_texts(ingestor)
