"""Retrieval review fixes: each test reproduces a fault the review found, and fails without its fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.build import build
from assistant.lexical import LexicalIndex
from assistant.settings import ChunkingSettings, RetrievalSettings, Settings
from ingest.embeddings import HashingEmbedder


def write(folder: Path, name: str, title: str, date: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(f"{title}\n\n{date}\n\n{body}\n", encoding="utf-8")
    return path


def workspace_at(home: Path, **sections: Any) -> Any:
    return build(Settings(home=home, **sections), embedder=HashingEmbedder())  # type: ignore[call-arg]


def test_a_document_ingested_again_with_other_chunks_is_indexed_again(tmp_path: Path) -> None:
    # A writer that keeps no lexical index (dense mode here; another home on the same Chroma server alike)
    # removes a document and ingests it again with a smaller chunk size: same document id, other chunks.
    body = " ".join(f"Drones struck depot number {j} near the bridge in sector {j}." for j in range(40))
    path = write(tmp_path / "docs", "a", "News from Hadrut", "2020-10-20", body)
    home = tmp_path / "home"
    serving = workspace_at(home)
    serving.corpus.ingest([path])
    writer = workspace_at(home, retrieval=RetrievalSettings(mode="dense"), chunking=ChunkingSettings(max_tokens=40))
    writer.corpus.remove(str(path))
    writer.corpus.ingest([path])

    store = serving.assistant.store
    hits = serving.assistant.retriever.retrieve("sector 33", 3)
    index = serving.assistant.retriever.lexical
    assert isinstance(index, LexicalIndex)
    # Before the fix the index kept the 4 old chunks: its hit for "sector 33" named chunk 2, whose text is now
    # "sector 3 ...", and the 11 new chunks were never searched.
    assert len(index) == store.count()
    assert "sector 33." in hits[0].text
    assert "sector 33." in store.get_chunks([index.search("sector 33", 1)[0][0]])[0].text


def test_no_passages_asked_for_means_none_in_every_retrieval_mode(tmp_path: Path) -> None:
    paths = [write(tmp_path / "docs", f"d{i}", f"News {i}", f"2020-10-1{i}",
                   " ".join(f"Drones struck depot {i} near bridge {j}." for j in range(30))) for i in range(3)]
    hybrid = workspace_at(tmp_path / "hybrid")
    hybrid.corpus.ingest(paths)
    dense = workspace_at(tmp_path / "dense", retrieval=RetrievalSettings(mode="dense"))
    dense.corpus.ingest(paths)
    assert dense.assistant.retriever.retrieve("drones depot", 0) == []
    # The hybrid retriever's per-document cap stopped at exactly k places: with k = 0 it returned all 30
    # candidates its fetch_k let through (the dense one, none).
    assert hybrid.assistant.retriever.retrieve("drones depot", 0) == []
    assert hybrid.assistant.retriever.retrieve("drones depot", -1) == []
    assert len(hybrid.assistant.retriever.retrieve("drones depot", 2)) == 2


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A hybrid and a dense workspace over three reports dated October 10, 11 and 12, 2020."""
    folder = tmp_path_factory.mktemp("dated")
    paths = [write(folder / "docs", f"d{i}", f"News {i}", f"2020-10-1{i}",
                   " ".join(f"Drones struck depot {i} near bridge {j}." for j in range(6))) for i in range(3)]
    spaces = {}
    for mode in ("hybrid", "dense"):
        spaces[mode] = workspace_at(folder / mode, retrieval=RetrievalSettings(mode=mode))
        spaces[mode].corpus.ingest(paths)
    return spaces


@pytest.mark.parametrize("mode", ["hybrid", "dense"])
def test_a_date_filter_written_another_way_is_refused_not_dropped(dated: Any, mode: str) -> None:
    from assistant.langchain_retriever import BriefingRetriever
    from assistant.retrieval import Filters

    retriever = dated[mode].assistant.retriever
    assert {c.date for c in retriever.retrieve("drones depot", 20, Filters(since="2020-10-12"))} == {"2020-10-12"}
    # Before the fix Filters(since="2020/10/12") read as no date: every report's passages came back.
    with pytest.raises(ValueError, match=r"since must be a date as YYYY-MM-DD.*2020/10/12"):
        BriefingRetriever(retriever=retriever, filters=Filters(since="2020/10/12")).invoke("drones depot")
    with pytest.raises(ValueError, match="until must be a date"):
        Filters(until="October 11, 2020")
    with pytest.raises(ValueError, match="since 2020-10-12 is after until 2020-10-10"):
        Filters(since="2020-10-12", until="2020-10-10")


def test_a_filter_takes_dates_and_a_single_document_id_as_meant(dated: Any) -> None:
    import datetime as dt

    from assistant.retrieval import Filters

    retriever = dated["hybrid"].assistant.retriever
    assert {c.date for c in retriever.retrieve("drones depot", 20, Filters(until=dt.date(2020, 10, 10)))} == {
        "2020-10-10"}
    doc_id = retriever.retrieve("drones depot", 20, Filters(since="2020-10-11", until="2020-10-11"))[0].doc_id
    # A lone id as a string had been read as a tuple of its characters, which no document matches.
    assert {c.doc_id for c in retriever.retrieve("drones depot", 20, Filters(doc_ids=doc_id))} == {doc_id}
    assert Filters(since=" ", until="") == Filters()


QUESTION = "Which depot did drones strike?"


@pytest.mark.parametrize("k", [0, -1])
def test_asking_for_no_passages_is_refused_by_name(dated: Any, k: int) -> None:
    assistant = dated["hybrid"].assistant
    # k = 0 had quietly meant the default 6 passages, and k = -1 every candidate (18 here).
    with pytest.raises(ValueError, match=rf"k must be at least 1 passage \(asked for {k}\)"):
        assistant.ask_with_passages(QUESTION, k=k)
    with pytest.raises(ValueError, match="k must be at least 1"):
        assistant.brief("Drone strikes on depots", k=k)
    assert len(assistant.ask_with_passages(QUESTION, k=2)[1]) == 2


def test_an_unknown_answer_mode_is_refused_by_name(dated: Any) -> None:
    # "LLM" (or any typo) had been answered extractively, as if that was what was asked for.
    with pytest.raises(ValueError, match=r"unknown answer mode 'LLM': use 'extractive' or 'llm'"):
        dated["hybrid"].assistant.ask(QUESTION, mode="LLM")
    assert dated["hybrid"].assistant.ask(QUESTION, mode="extractive").mode == "extractive"


@pytest.mark.parametrize("mode", ["hybrid", "dense"])
def test_a_document_filter_takes_a_short_id_and_names_one_it_cannot_find(dated: Any, mode: str) -> None:
    from assistant.errors import BriefingError
    from assistant.retrieval import Filters

    assistant = dated[mode].assistant
    doc_id = assistant.documents()[1].doc_id
    # The README's `briefing ask --doc 4895 …`: a short id matched no passage, and the answer blamed the reports.
    _, passages = assistant.ask_with_passages(QUESTION, filters=Filters(doc_ids=(doc_id[:6],)))
    assert passages and {p.doc_id for p in passages} == {doc_id}
    # A typo, or a document removed since the filter was chosen, is an error that names it (the CLI and the app
    # show it as one line), not an abstention.
    with pytest.raises(BriefingError, match="no stored document matches 'ffff0000'"):
        assistant.ask(QUESTION, filters=Filters(doc_ids=(doc_id, "ffff0000")))
    with pytest.raises(BriefingError, match="no stored document matches 'ffff0000'"):
        assistant.brief("Drone strikes on depots", filters=Filters(doc_ids=("ffff0000",)))
