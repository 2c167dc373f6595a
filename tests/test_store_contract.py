"""One contract for the chunk store, run against both backends: embedded Chroma and a Chroma server.

The server is the real `chroma run` from the virtual environment, started once for this module on a
free port of 127.0.0.1. Every test opens its store under a fresh collection prefix, so tests never
see each other's data even though they share the server (or the embedded directory).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.build import make_ledger, make_store
from assistant.retrieval import Filters
from assistant.settings import Settings
from ingest.chunking import chunk_document
from ingest.documents import Chunk, ParsedDocument
from ingest.embeddings import HashingEmbedder
from ingest.errors import ModelMismatchError
from ingest.loaders import load_document
from ingest.pipeline import Ingestor, document_id
from ingest.store import ChunkStore, make_client, preload_index
from tests.conftest import FIXTURES, SAMPLE
from tests.servers import chroma_server as start_chroma

EMB = HashingEmbedder()


# the server


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server on 127.0.0.1 for this module; its URL."""
    with start_chroma(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


@pytest.fixture(scope="module", params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    if request.param == "embedded":
        return make_client(path=str(tmp_path_factory.mktemp("embedded-chroma")))
    return make_client(url=request.getfixturevalue("chroma_server"))


def fresh_prefix() -> str:
    return f"t{uuid.uuid4().hex[:12]}_"


@pytest.fixture
def prefix() -> str:
    return fresh_prefix()


@pytest.fixture
def store(client: Any, prefix: str) -> ChunkStore:
    return ChunkStore(client, model=EMB.name, dimension=EMB.dimension, prefix=prefix)


# documents


REPORT = """Ceasefire Monitoring Report
By Anna Petrosyan
{date}

Summary of the week in {place}.

Front line

Azerbaijani forces shelled positions near {place} after a night of artillery fire.¹ Armenian units
reinforced the line and reported casualties among the defenders.

Russian peacekeepers opened a corridor for civilians leaving {place}.² Red Cross teams evacuated the
wounded to Goris before dawn, according to the ministry of health.

Diplomacy

The OSCE Minsk Group co-chairs called for an immediate halt to the fighting around {place}. Turkey
and Russia discussed a joint monitoring center without agreeing on its mandate.

Notes

¹ https://example.org/shelling-{slug}
² https://example.org/corridor-{slug}
"""


def make_document(tmp_path: Path, place: str, date: str | None, *, max_tokens: int = 40,
                  extra: str = "") -> tuple[str, ParsedDocument, list[Chunk], np.ndarray]:
    slug = place.lower()
    text = REPORT.format(place=place, slug=slug, date=date or "") + extra
    path = tmp_path / f"{slug}-{date or 'undated'}.txt"
    path.write_text(text, encoding="utf-8")
    data = path.read_bytes()
    doc_id = document_id(data)
    doc = load_document(path, data)
    chunks = chunk_document(doc, doc_id, EMB.count_tokens, max_tokens=max_tokens)
    assert len(chunks) >= 3
    return doc_id, doc, chunks, EMB.embed([c.text for c in chunks])


def write(store: ChunkStore, tmp_path: Path, place: str, date: str | None, **kw: Any) -> tuple[str, ParsedDocument, list[Chunk]]:
    doc_id, doc, chunks, vectors = make_document(tmp_path, place, date, **kw)
    store.write_document(doc_id, doc, chunks, vectors)
    return doc_id, doc, chunks


def query_text(store: ChunkStore, text: str, k: int = 50, filters: Filters | None = None) -> list[Any]:
    return store.query(EMB.embed([text])[0], k, filters.where() if filters else None)


class TestStoreContract:
    """What the rest of the app relies on, identical for the embedded store and the server."""

    def test_roundtrip(self, store: ChunkStore, tmp_path: Path) -> None:
        assert store.count() == 0 and store.document_ids() == [] and not store.has_document("nothing")
        doc_id, doc, chunks = write(store, tmp_path, "Hadrut", "2020-10-20")
        assert doc.date == "2020-10-20" and doc.author == "Anna Petrosyan" and set(doc.footnotes) == {"1", "2"}

        assert store.count() == len(chunks)
        assert store.has_document(doc_id) and store.document_ids() == [doc_id]
        assert sorted(store.chunk_ids(doc_id)) == sorted(c.id for c in chunks)

        record = store.get_document(doc_id)
        assert record is not None
        assert (record.title, record.author, record.date, record.format, record.source) == (
            "Ceasefire Monitoring Report", "Anna Petrosyan", "2020-10-20", "txt", doc.source,
        )
        assert (record.chunks, record.chars, record.text) == (len(chunks), len(doc.text), doc.text)
        assert record.blocks == doc.blocks
        assert record.footnotes == {
            "1": ["https://example.org/shelling-hadrut"], "2": ["https://example.org/corridor-hadrut"],
        }
        assert [(r.doc_id, r.chunks) for r in store.list_documents()] == [(doc_id, len(chunks))]
        assert store.get_document("missing") is None

        wanted = [c.id for c in reversed(chunks)] + ["missing:00000"]
        got = store.get_chunks(wanted)
        assert [c.id for c in got] == wanted[:-1]  # the order asked for; unknown ids left out
        by_id = {c.id: c for c in chunks}
        for stored in got:
            chunk = by_id[stored.id]
            assert (stored.doc_id, stored.index, stored.text) == (doc_id, chunk.index, chunk.text)
            assert (stored.start, stored.end) == (chunk.start, chunk.end)
            assert record.text[stored.start:stored.end] == stored.text
            assert (stored.section, stored.page, stored.date) == (chunk.section, None, "2020-10-20")
            assert stored.title == "Ceasefire Monitoring Report" and stored.source == doc.source
            assert stored.footnotes == {k: list(v) for k, v in chunk.footnotes.items()}

        shelling = next(c for c in got if "shelled positions" in c.text)
        assert shelling.footnotes == {"1": ["https://example.org/shelling-hadrut"]}
        assert shelling.origin_of(shelling.text) == ["https://example.org/shelling-hadrut"]
        assert shelling.section == "Front line"
        assert next(c for c in got if "Minsk Group" in c.text).section == "Diplomacy"

        hits = query_text(store, shelling.text, k=3)
        assert len(hits) == 3
        assert hits[0].id == shelling.id and hits[0].score == pytest.approx(1.0, abs=1e-4)
        assert hits[0].footnotes == shelling.footnotes and hits[0].text == shelling.text
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert store.query(EMB.embed(["x"])[0], 0) == []

    def test_writing_twice_is_an_upsert(self, store: ChunkStore, tmp_path: Path) -> None:
        doc_id, doc, chunks, vectors = make_document(tmp_path, "Lachin", "2020-11-13")
        store.write_document(doc_id, doc, chunks, vectors)
        store.write_document(doc_id, doc, chunks, vectors)
        assert store.count() == len(chunks) and store.document_ids() == [doc_id]

    def test_date_and_document_filters(self, store: ChunkStore, tmp_path: Path) -> None:
        sep, _, _ = write(store, tmp_path, "Martuni", "2020-09-30")
        octo, _, _ = write(store, tmp_path, "Fuzuli", "2020-10-20")
        nov, _, _ = write(store, tmp_path, "Shusha", "2020-11-13")
        undated, doc, _ = write(store, tmp_path, "Agdam", None)
        assert doc.date is None
        question = "Azerbaijani forces shelled positions and peacekeepers opened a corridor"

        def docs(filters: Filters | None) -> set[str]:
            hits = query_text(store, question, k=100, filters=filters)
            if filters is not None:
                assert all(filters.admits(h) for h in hits)
            return {h.doc_id for h in hits}

        assert docs(None) == {sep, octo, nov, undated}
        assert docs(Filters(since="2020-10-01")) == {octo, nov}
        assert docs(Filters(until="2020-10-20")) == {sep, octo}  # inclusive
        assert docs(Filters(since="2020-10-20", until="2020-10-20")) == {octo}
        assert docs(Filters(since="2020-10-21", until="2020-11-12")) == set()
        assert docs(Filters(doc_ids=(undated,))) == {undated}
        assert docs(Filters(doc_ids=(sep, nov))) == {sep, nov}
        assert docs(Filters(doc_ids=(sep, nov), since="2020-10-01")) == {nov}
        hits = query_text(store, question, k=100, filters=Filters(since="2020-11-01"))
        assert hits and all(h.date == "2020-11-13" for h in hits)

    def test_delete_document(self, store: ChunkStore, tmp_path: Path) -> None:
        keep, _, kept = write(store, tmp_path, "Kalbajar", "2020-11-25")
        drop, _, dropped = write(store, tmp_path, "Zangilan", "2020-10-22")
        assert store.count() == len(kept) + len(dropped)

        assert store.delete_document(drop) == len(dropped)
        assert store.count() == len(kept)
        assert store.chunk_ids(drop) == [] and store.get_chunks([c.id for c in dropped]) == []
        assert not store.has_document(drop) and store.get_document(drop) is None
        assert store.document_ids() == [keep]
        assert {h.doc_id for h in query_text(store, "Zangilan corridor", k=100)} == {keep}
        assert store.delete_document(drop) == 0  # deleting again is harmless
        assert store.count() == len(kept)

    def test_existing_documents_takes_repeated_ids(self, store: ChunkStore, tmp_path: Path) -> None:
        """Two files with the same bytes share a document id, and can meet in one ingest batch."""
        doc, _, _ = write(store, tmp_path, "Agdam", "2020-11-20")
        assert store.existing_documents([doc, "0" * 20, doc, "0" * 20]) == {doc}

    def test_other_model_is_refused(self, client: Any, store: ChunkStore, prefix: str, tmp_path: Path) -> None:
        write(store, tmp_path, "Stepanakert", "2020-11-10")
        with pytest.raises(ModelMismatchError, match="hashing-256"):
            ChunkStore(client, model="sentence-transformers/all-MiniLM-L6-v2", dimension=384, prefix=prefix)
        with pytest.raises(ModelMismatchError):
            ChunkStore(client, model=EMB.name, dimension=128, prefix=prefix)
        again = ChunkStore(client, model=EMB.name, dimension=EMB.dimension, prefix=prefix)
        assert again.count() == store.count() > 0
        other = ChunkStore(client, model="another-model", dimension=128, prefix=fresh_prefix())
        assert other.count() == 0  # another prefix is another store

    def test_generation_changes_with_every_write_and_removal(self, client: Any, store: ChunkStore, prefix: str,
                                                             tmp_path: Path) -> None:
        """What other processes' lexical indexes watch: any write or removal, by any ChunkStore on the store."""
        other = ChunkStore(client, model=EMB.name, dimension=EMB.dimension, prefix=prefix)  # another process's view
        seen = [store.generation()]
        assert seen[0] == "0" == other.generation()  # a store that was never written (or written before markers)
        doc_id, doc, chunks, vectors = make_document(tmp_path, "Hadrut", "2020-10-20")
        store.write_document(doc_id, doc, chunks, vectors)
        seen.append(other.generation())
        store.write_document(doc_id, doc, chunks, vectors)  # an upsert of the same document still counts
        seen.append(other.generation())
        assert store.generation() == seen[-1]
        store.write_documents([])  # nothing written, nothing to catch up with
        assert other.generation() == seen[-1]
        store.delete_document(doc_id)
        seen.append(other.generation())
        assert len(set(seen)) == 4 and [g.split("-")[0] for g in seen] == ["0", "1", "2", "3"]
        # The marker lives beside the model's name, which must survive every bump.
        with pytest.raises(ModelMismatchError):
            ChunkStore(client, model=EMB.name, dimension=128, prefix=prefix)
        assert ChunkStore(client, model=EMB.name, dimension=EMB.dimension, prefix=prefix).generation() == seen[-1]

    def test_chunks_of_documents(self, store: ChunkStore, tmp_path: Path) -> None:
        first, _, chunks_a = write(store, tmp_path, "Gubadli", "2020-10-25")
        second, _, chunks_b = write(store, tmp_path, "Jabrayil", "2020-10-04")
        assert {c.id for c in store.chunks_of([first])} == {c.id for c in chunks_a}
        both = store.chunks_of([first, second, "0" * 20])
        assert sorted(c.id for c in both) == sorted(c.id for c in chunks_a + chunks_b)
        assert all(c.text and c.title == "Ceasefire Monitoring Report" for c in both)
        assert store.chunks_of([]) == []

    def test_iter_chunks_pages_past_the_batch_size(self, store: ChunkStore, tmp_path: Path) -> None:
        store._batch = 4  # also make writes and deletes go in several batches
        extra = "\n\n".join(
            f"Observers counted {n} craters near the road to Goris on day {n} of the war." for n in range(1, 25)
        )
        first, _, chunks_a = write(store, tmp_path, "Gubadli", "2020-10-25", max_tokens=20, extra=extra)
        second, _, chunks_b = write(store, tmp_path, "Jabrayil", "2020-10-04", max_tokens=20)
        written = [c.id for c in chunks_a + chunks_b]
        assert len(chunks_a) > 8 and len(written) > 20

        seen = [c.id for c in store.iter_chunks(batch=7)]
        assert len(seen) == len(set(seen)) == len(written) == store.count()
        assert set(seen) == set(written)
        assert [c.id for c in store.iter_chunks()] and {c.id for c in store.iter_chunks(batch=1)} == set(written)

        assert store.delete_document(first) == len(chunks_a)
        assert {c.doc_id for c in store.iter_chunks(batch=3)} == {second}


@pytest.mark.server
def test_ingestor_against_the_server_is_idempotent(chroma_server: str, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", chroma_url=chroma_server, collection_prefix=fresh_prefix())
    ingestor = Ingestor(make_store(settings, EMB), EMB, make_ledger(settings))
    paths = [SAMPLE, FIXTURES / "formats"]

    first = ingestor.ingest(paths)
    assert first.count("added") == 6 and not first.failures, [(o.path, o.reason) for o in first.outcomes]
    count, ids = ingestor.store.count(), set(ingestor.store.document_ids())
    assert count == first.chunks > 0 and len(ids) == 6

    second = ingestor.ingest(paths)
    assert second.count("unchanged") == 6 and second.chunks == 0
    assert ingestor.store.count() == count and set(ingestor.store.document_ids()) == ids
    assert not settings.store_path.exists()  # nothing went to an embedded store

    reopened = Settings(home=tmp_path / "home", chroma_url=chroma_server, collection_prefix=settings.collection_prefix)
    store = make_store(reopened, EMB)
    assert store.count() == count
    ledger = make_ledger(reopened)
    try:
        for entry in ledger.entries():
            assert entry.status == "done" and len(store.chunk_ids(entry.doc_id)) == entry.chunks
    finally:
        ledger.close()


def test_preload_index_creates_nothing_and_leaves_the_store_answering(tmp_path: Path) -> None:
    """The cold-start head start only reads: no collection appears where none was, and a store
    preloaded on another thread while the main thread opens it answers as before."""
    client = make_client(path=str(tmp_path / "embedded"))
    prefix = fresh_prefix()
    thread = preload_index(client, prefix)
    thread.join(30)
    assert not thread.is_alive()
    assert not [c for c in client.list_collections() if getattr(c, "name", c).startswith(prefix)]

    store = ChunkStore(client, model=EMB.name, dimension=EMB.dimension, prefix=prefix)
    _, _, chunks = write(store, tmp_path, "Hadrut", "2020-10-20")
    reopened = make_client(path=str(tmp_path / "embedded"))
    thread = preload_index(reopened, prefix)
    again = ChunkStore(reopened, model=EMB.name, dimension=EMB.dimension, prefix=prefix)  # while it loads
    assert query_text(again, chunks[0].text, k=1)[0].id == chunks[0].id
    thread.join(30)
    assert not thread.is_alive() and again.count() == len(chunks)
    again.load_index()  # the same query the thread ran, on the store: it answers nothing and changes nothing
    assert again.count() == len(chunks)
    empty = ChunkStore(reopened, model=EMB.name, dimension=EMB.dimension, prefix=fresh_prefix())
    empty.load_index()  # an empty collection has no index to load, and is no error
