"""Ingest review fixes: each test reproduces a fault of re-ingest, removal or a failed write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.build import make_ledger, make_store
from assistant.settings import Settings
from ingest.embeddings import HashingEmbedder
from ingest.errors import StoreError
from ingest.pipeline import Ingestor


def make_ingestor(home: Path, batch_chunks: int = 256) -> Ingestor:
    settings = Settings(home=home)
    embedder = HashingEmbedder()
    return Ingestor(make_store(settings, embedder), embedder, make_ledger(settings), batch_chunks=batch_chunks)


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


def write_pdf(path: Path, creation_date: str) -> None:
    """A one-page report (title, byline, paragraph) whose CreationDate is ``creation_date`` as written."""
    import io

    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in ("Ceasefire Monitoring Report", "By Anna Petrosyan",
                 "Russian peacekeepers opened a corridor for civilians leaving Lachin."):
        pdf.multi_cell(0, 8, line)
        pdf.ln(4)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    writer.add_metadata({"/CreationDate": creation_date})
    with path.open("wb") as fh:
        writer.write(fh)


def test_a_pdf_date_that_is_no_calendar_day_leaves_the_document_undated(tmp_path: Path) -> None:
    """CreationDate D:20201399 was stored as the date 2020-13-99 (listed in `briefing sources`, cited,
    kept by --since 2020-12-01); asking when the report was published then raised IndexError."""
    ingestor = make_ingestor(tmp_path / "h")
    bad, good = tmp_path / "bad.pdf", tmp_path / "good.pdf"
    write_pdf(bad, "D:20201399000000Z")
    write_pdf(good, "D:20201113000000Z")
    assert ingestor.ingest([bad, good]).count("added") == 2
    dates = {Path(d.source).name: d.date for d in ingestor.store.list_documents()}
    assert dates == {"bad.pdf": None, "good.pdf": "2020-11-13"}
    assert {c.date for c in ingestor.store.iter_chunks()} == {None, "2020-11-13"}


def test_a_stored_date_that_is_no_calendar_day_is_not_read_as_one() -> None:
    """A store written before ingest refused such dates still holds them: month 13 raised IndexError in
    the metadata answer, month 00 read as December."""
    from assistant.metadata import human_date, metadata_answer
    from ingest.documents import Block
    from ingest.store import DocumentRecord, StoredChunk

    assert human_date("2020-11-13") == "November 13, 2020"
    assert human_date("2020-13-99") is None and human_date("2020-00-05") is None

    class OneDocument:
        def get_document(self, doc_id: str) -> DocumentRecord:
            return DocumentRecord(doc_id=doc_id, title="Ceasefire Monitoring Report", source="r.pdf", format="pdf",
                                  date="2020-13-99", author="Anna Petrosyan", publisher=None, description=None,
                                  chunks=1, chars=60, text="Ceasefire Monitoring Report\n\nBy Anna Petrosyan",
                                  blocks=[Block("title", 0, 27), Block("byline", 29, 45)])

    passage = StoredChunk(id="d:00000", doc_id="d", index=0, text="By Anna Petrosyan", start=29, end=45,
                          title="Ceasefire Monitoring Report", source="r.pdf", date="2020-13-99", section=None,
                          page=None, footnotes={})
    store: Any = OneDocument()
    assert metadata_answer("When was the report published?", [passage], store) is None
    answer = metadata_answer("Who wrote the report, and when was it published?", [passage], store)
    assert answer is not None and answer.sentences == ["“Ceasefire Monitoring Report” was written by Anna Petrosyan."]


def test_a_collection_removed_by_another_process_is_not_served_from_the_cache(tmp_path: Path) -> None:
    """`briefing collections --remove news` beside a running app: the app's cached workspace for 'news'
    answered with Chroma's 'Collection [uuid] does not exist', and making 'news' again in the app failed
    the same way until a restart."""
    from assistant.build import build
    from assistant.collections import Collections, remove_collection
    from ingest.errors import BriefingError

    settings = Settings(home=tmp_path / "h")
    collections = Collections(build(settings, embedder=HashingEmbedder()))
    note = tmp_path / "note.txt"
    note.write_text("Field Note\n\nThe convoy left Goris at dawn.")
    assert collections.create("news").corpus.ingest([note]).count("added") == 1
    remove_collection(settings, "news")
    with pytest.raises(BriefingError, match="no collection named 'news'"):
        collections.get("news")
    again = collections.create("news")
    assert again.corpus.documents() == []
    assert again.corpus.ingest([note]).count("added") == 1
    assert [d.title for d in collections.get("news").corpus.documents()] == ["Field Note"]
    assert collections.get(None).corpus.documents() == []  # the default collection is untouched


class Killed(BaseException):
    """The process dying mid-write: no ``except Exception`` of the pipeline's catches it."""


def test_a_new_version_cut_off_mid_write_leaves_the_old_one_and_is_replaced_next_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed after a changed file's new chunks were written but before its old document was dropped: the
    ledger row named only the new version, so the next run deleted the new chunks, marked the file failed,
    re-added it as new and left the old version answerable beside it for good."""
    home = tmp_path / "h"
    note = tmp_path / "note.txt"
    note.write_text("Report v1\n\nThe convoy left Goris at dawn.")
    first = make_ingestor(home)
    first.ingest([note])
    note.write_text("Report v2\n\nThe convoy left Goris at dusk.")

    def killed(*args: Any) -> None:
        raise Killed

    monkeypatch.setattr(first, "_drop_previous", killed)
    with pytest.raises(Killed):
        first.ingest([note])
    assert {e.status for e in first.ledger.entries()} == {"pending"}
    first.ledger.close()

    again = make_ingestor(home)  # the next run, in a new process
    report = again.ingest([note])
    assert report.count("updated") == 1, report.outcomes
    texts = stored_texts(again)
    assert "dusk" in texts and "dawn" not in texts
    assert len(again.store.document_ids()) == 1
    [entry] = again.ledger.entries()
    assert entry.status == "done" and again.store.has_document(entry.doc_id)
