"""Ingest review fixes: each test reproduces a fault of re-ingest, removal or a failed write."""

from __future__ import annotations

from pathlib import Path

from assistant.build import make_ledger, make_store
from assistant.settings import Settings
from ingest.embeddings import HashingEmbedder
from ingest.pipeline import Ingestor


def make_ingestor(home: Path) -> Ingestor:
    settings = Settings(home=home)
    embedder = HashingEmbedder()
    return Ingestor(make_store(settings, embedder), embedder, make_ledger(settings))


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
