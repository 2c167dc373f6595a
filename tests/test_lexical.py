"""The incremental lexical index: per-document updates, catching up from the store's generation,
filters, and the one-off move from the full-rebuild index of earlier versions."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from assistant.build import build
from assistant.lexical import LexicalIndex
from assistant.settings import Settings
from ingest.embeddings import HashingEmbedder
from ingest.store import ChunkStore

ARTICLE = """{title}

{date}

{body}

Observers in {place} counted the damage after the night. Aid convoys reached {place} by the morning road.
"""


class CountingStore:
    """A store that counts the calls an index makes to catch up (another process's view of it)."""

    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self.calls: dict[str, int] = {}
        self.fetched: list[str] = []

    def __getattr__(self, name: str) -> Any:
        self.calls[name] = self.calls.get(name, 0) + 1
        return getattr(self.store, name)

    def chunks_of(self, doc_ids: list[str]) -> Any:
        self.fetched += doc_ids
        return self.store.chunks_of(doc_ids)


def write_article(folder: Path, name: str, place: str, body: str, date: str = "2020-10-20") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(ARTICLE.format(title=f"News from {place}", date=date, body=body, place=place), encoding="utf-8")
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Any:
    return build(Settings(home=tmp_path / "home"), embedder=HashingEmbedder())  # type: ignore[call-arg]


def lexical_of(workspace: Any) -> LexicalIndex:
    index = workspace.assistant.retriever.lexical
    assert isinstance(index, LexicalIndex)
    return index


def doc_of(workspace: Any, chunk_id: str) -> str:
    return str(workspace.assistant.store.get_chunks([chunk_id])[0].doc_id)


def test_adding_and_removing_a_document_touches_only_that_document(workspace: Any, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    first = write_article(docs, "a", "Hadrut", "Drones struck an ammunition depot near the bridge.")
    second = write_article(docs, "b", "Lachin", "Engineers repaired the corridor road after the landslide.")
    workspace.corpus.ingest([first, second])
    index = lexical_of(workspace)
    db = index._conn()
    before = dict(db.execute("SELECT id, rowid FROM chunks").fetchall())
    assert len(index) == workspace.assistant.store.count() > 0

    third = write_article(docs, "c", "Shusha", "Peacekeepers escorted refugees past the cathedral.")
    report = workspace.corpus.ingest([third])
    assert report.count("added") == 1 and "index" in report.timings
    after = dict(db.execute("SELECT id, rowid FROM chunks").fetchall())
    assert {k: after[k] for k in before} == before  # the other documents' rows were left alone
    assert len(after) == workspace.assistant.store.count()
    hits = index.search("cathedral refugees", 5)
    assert hits and doc_of(workspace, hits[0][0]) == report.outcomes[0].doc_id
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)

    removed, _ = workspace.corpus.remove(str(second))
    assert removed not in {doc_of(workspace, i) for i, _ in index.search("corridor road landslide", 10)}
    assert not db.execute("SELECT count(*) FROM chunks WHERE doc_id = ?", (removed,)).fetchone()[0]
    assert len(index) == workspace.assistant.store.count()
    assert index.generation == workspace.assistant.store.generation()


def test_another_process_catches_up_with_only_what_changed(workspace: Any, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    store = workspace.assistant.store
    workspace.corpus.ingest([write_article(docs, "a", "Hadrut", "Drones struck an ammunition depot."),
                             write_article(docs, "b", "Lachin", "Engineers repaired the corridor road.")])
    other = LexicalIndex(tmp_path / "other-home" / "lexical.sqlite")  # another process, its own home
    watched = CountingStore(store)
    other.sync(watched)  # type: ignore[arg-type]
    assert len(other) == store.count() and len(watched.fetched) == 2

    watched.calls.clear()
    other.sync(watched)  # type: ignore[arg-type]
    assert watched.calls == {"generation": 1}  # nothing changed: one metadata read, no listing

    added = workspace.corpus.ingest([write_article(docs, "c", "Shusha", "Peacekeepers escorted refugees.")])
    new_doc = added.outcomes[0].doc_id
    watched.fetched.clear()
    other.sync(watched)  # type: ignore[arg-type]
    assert watched.fetched == [new_doc]
    assert doc_of(workspace, other.search("peacekeepers refugees", 3)[0][0]) == new_doc

    workspace.corpus.remove(new_doc)
    other.sync(watched)  # type: ignore[arg-type]
    assert new_doc not in {doc_of(workspace, i) for i, _ in other.search("peacekeepers refugees", 10)}
    assert len(other) == store.count()


def test_document_and_date_filters(workspace: Any, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    report = workspace.corpus.ingest([
        write_article(docs, "sep", "Martuni", "Artillery shelled the market.", "2020-09-30"),
        write_article(docs, "oct", "Fuzuli", "Artillery shelled the station.", "2020-10-20"),
        write_article(docs, "nov", "Agdam", "Artillery shelled the hospital.", "2020-11-13"),
    ])
    ids = {Path(o.path).stem: o.doc_id for o in report.outcomes}
    index = lexical_of(workspace)

    def docs_for(**kw: Any) -> set[str]:
        return {doc_of(workspace, i) for i, _ in index.search("artillery shelled", 50, **kw)}

    assert docs_for() == set(ids.values())
    assert docs_for(since=20201001) == {ids["oct"], ids["nov"]}
    assert docs_for(until=20201020) == {ids["sep"], ids["oct"]}
    assert docs_for(doc_ids=[ids["sep"], ids["nov"]], since=20201001) == {ids["nov"]}
    assert index.search("zzzz unknownword", 5) == [] and index.search("the of and", 5) == []


def test_an_index_from_an_earlier_version_is_replaced_on_first_open(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    home = tmp_path / "home"
    settings = Settings(home=home)  # type: ignore[call-arg]
    first = build(settings, embedder=HashingEmbedder())
    first.corpus.ingest([write_article(tmp_path / "docs", "a", "Hadrut", "Drones struck an ammunition depot.")])
    # What an earlier version left: a bm25s folder, and no incremental index yet.
    lexical_of(first).close()
    (home / "lexical" / "default.sqlite").unlink()
    legacy = home / "lexical" / "default"
    (legacy / "bm25").mkdir(parents=True)
    (legacy / "chunks.json").write_text('{"ids": [], "doc_ids": [], "dates": []}')

    again = build(settings, embedder=HashingEmbedder())
    with caplog.at_level(logging.WARNING, logger="assistant.lexical"):
        chunks = again.assistant.retriever.retrieve("ammunition depot", 3)
    assert chunks and "ammunition depot" in chunks[0].text
    assert not legacy.exists() and len(lexical_of(again)) == again.assistant.store.count()
    assert any("incremental index" in r.getMessage() for r in caplog.records)


def test_has_term_knows_the_corpus_vocabulary(workspace: Any, tmp_path: Path) -> None:
    from assistant.lexical import tokenize

    workspace.corpus.ingest([write_article(tmp_path / "docs", "a", "Ankara",
                                           "Erdogan miscalculated Putin's willingness to sacrifice an ally.")])
    index = lexical_of(workspace)
    index.sync(workspace.assistant.store)
    assert index.has_term(tokenize("Erdogan")[0]) and index.has_term(tokenize("sacrifice")[0])
    assert not index.has_term(tokenize("Iran")[0])


def test_words_in_other_scripts_are_indexed_and_found(workspace: Any, tmp_path: Path) -> None:
    """An Armenian, Greek or Arabic word had no terms at all: a source quoted in its own script was never
    found by the lexical index."""
    from assistant.lexical import tokenize

    folder = tmp_path / "docs"
    workspace.corpus.ingest([write_article(folder, "yerevan", "Yerevan", "The ministry in Երևան issued a statement."),
                             write_article(folder, "athens", "Athens", "Talks in Αθήνα ended without a deal.")])
    index = lexical_of(workspace)
    index.sync(workspace.assistant.store)
    assert tokenize("Երևան") and tokenize("Αθήνα") and tokenize("القاهرة")
    for word in ("Երևան", "Αθήνα"):
        hits = index.search(word, 5)
        assert hits, word
        texts = [c.text for c in workspace.assistant.store.get_chunks([chunk_id for chunk_id, _ in hits])]
        assert all(word in text for text in texts), (word, texts)
