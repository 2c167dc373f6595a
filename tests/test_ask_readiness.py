"""Before a question: the empty-store check (cheap while nothing changes) and the warm-up of a new process."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from assistant.build import build
from assistant.errors import EmptyStoreError
from assistant.settings import Settings
from ingest.embeddings import HashingEmbedder

ARTICLE = "Convoy reaches Lachin\n\n2020-11-20\n\nA relief convoy reached Lachin on Friday. Engineers repaired the road.\n"


class Recording(HashingEmbedder):
    """The hashing embedder, noting which threads embed."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []

    def embed(self, texts: Any) -> Any:
        self.threads.append(threading.current_thread().name)
        return super().embed(texts)


@pytest.fixture
def workspace(tmp_path: Path) -> Any:
    return build(Settings(home=tmp_path / "home"), embedder=Recording())  # type: ignore[call-arg]


def test_the_empty_store_check_counts_only_after_the_store_changed(workspace: Any, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assistant = workspace.assistant
    with pytest.raises(EmptyStoreError):
        assistant.ask("Who reached Lachin?")
    doc = tmp_path / "convoy.md"
    doc.write_text(ARTICLE, encoding="utf-8")
    workspace.corpus.ingest([doc])
    counts = []
    count = assistant.store.count
    monkeypatch.setattr(assistant.store, "count", lambda: counts.append(1) or count())
    for question in ("Who reached Lachin?", "What did the engineers repair?", "When did the convoy arrive?"):
        assistant.ask(question)
    assert len(counts) == 1  # once, then the unchanged generation answers for it

    workspace.corpus.remove(str(doc))
    with pytest.raises(EmptyStoreError):  # the store changed: counted again, and found empty
        assistant.ask("Who reached Lachin?")
    assert len(counts) == 2


def test_warm_up_loads_the_store_on_another_thread_while_the_model_loads(workspace: Any,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assistant = workspace.assistant
    readers: list[str] = []
    load = assistant.store.load_index
    monkeypatch.setattr(assistant.store, "load_index", lambda: readers.append(threading.current_thread().name) or load())
    assistant.warm_up()
    assert readers == ["warm-store"] and assistant.scorer.embedder.threads == [threading.current_thread().name]


@pytest.mark.parametrize("mode", ["llm", "extractive"])
def test_warm_up_reads_the_verifiers_lexicon_on_another_thread_only_for_llm_answers(workspace: Any, mode: str) -> None:
    class Verifier:
        def __init__(self) -> None:
            self.threads: list[str] = []

        def warm_up(self) -> None:
            self.threads.append(threading.current_thread().name)

        def support(self, claim: str, passages: Any) -> Any:
            raise AssertionError("not asked")

    verifier = Verifier()
    assistant = workspace.assistant
    assistant.verifier = verifier
    assistant.mode = mode
    assistant.llm = object() if mode == "llm" else None  # a chat model is configured
    assistant.warm_up()
    for t in threading.enumerate():
        if t.name == "warm-verifier":
            t.join(5)
    assert verifier.threads == (["warm-verifier"] if mode == "llm" else [])
