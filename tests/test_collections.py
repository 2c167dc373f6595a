"""Named collections: separate corpora in one store (in process with the hashing embedder, and the CLI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.build import build
from assistant.collections import Collections, collection_names, remove_collection, settings_for, summarize
from assistant.settings import Settings
from ingest.embeddings import HashingEmbedder
from ingest.errors import BriefingError
from tests.conftest import FIXTURES, SAMPLE

CLASHES = FIXTURES / "formats" / "clashes.md"


@pytest.fixture
def two_collections(tmp_path: Path) -> Collections:
    """The bundled report in the default collection, the clashes article (and the report too) in 'news'."""
    default = build(Settings(home=tmp_path / "home"), embedder=HashingEmbedder())  # type: ignore[call-arg]
    default.corpus.ingest([SAMPLE])
    collections = Collections(default)
    news = collections.create("news")
    news.corpus.ingest([CLASHES])
    return collections


def test_each_collection_answers_only_from_its_own_documents(two_collections: Collections) -> None:
    default, news = two_collections.get(None), two_collections.get("news")
    own = {d.doc_id for d in news.corpus.documents()}
    assert [d.title for d in news.corpus.documents()] == ["Clashes erupt along the line of contact"]
    assert own.isdisjoint(d.doc_id for d in default.corpus.documents())
    for question in ("How many Russian peacekeepers will deploy?", "When did the clashes erupt?"):
        answer = news.assistant.ask(question)
        assert {c.doc_id for c in answer.citations} <= own
    answer = default.assistant.ask("How many Russian peacekeepers will deploy?")
    assert answer.citations and not own & {c.doc_id for c in answer.citations}


def test_the_same_file_in_two_collections_is_kept_apart(two_collections: Collections) -> None:
    news = two_collections.get("news")
    report = news.corpus.ingest([SAMPLE])
    assert report.count("added") == 1  # not "unchanged": the default collection's ledger is not this one's
    (doc,) = [d for d in news.corpus.documents() if d.title.startswith("Russian President")]
    news.corpus.remove(doc.doc_id)
    default = two_collections.get(None)
    assert default.corpus.document(doc.doc_id) is not None  # removing it from news left the default one
    assert default.assistant.ask("How many Russian peacekeepers will deploy?").citations


def test_listing_summaries_and_removal(two_collections: Collections) -> None:
    settings = two_collections.settings
    assert collection_names(settings) == ["default", "news"]
    news = summarize(two_collections.get("news"))
    assert (news.documents, news.first_date, news.last_date) == (1, "2020-09-30", "2020-09-30") and news.chunks > 0
    with pytest.raises(BriefingError, match="default collection cannot be removed"):
        remove_collection(settings, "default")
    remove_collection(settings, "news")
    assert collection_names(settings) == ["default"]
    assert not settings_for(settings, "news").lexical_path.exists()
    assert not settings_for(settings, "news").ledger_path.exists()
    with pytest.raises(BriefingError, match="no collection named 'news'; the store holds: default"):
        remove_collection(settings, "news")


def test_bad_and_unknown_names_are_refused(two_collections: Collections) -> None:
    with pytest.raises(BriefingError, match="not a collection name"):
        two_collections.create("News Room")
    with pytest.raises(BriefingError, match="no collection named 'sport'"):
        two_collections.get("sport")


def run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "BRIEFING_HOME": str(home), **env})


@pytest.mark.slow
def test_collection_commands(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run(["ingest", "--sample"], home).returncode == 0
    result = run(["ingest", "--collection", "news", str(CLASHES)], home)
    assert result.returncode == 0 and "1 added" in result.stdout, result.stderr

    listed = json.loads(run(["collections", "--json"], home).stdout)
    assert [(c["name"], c["documents"], c["first_date"], c["last_date"]) for c in listed] == [
        ("default", 1, "2020-11-13", "2020-11-13"), ("news", 1, "2020-09-30", "2020-09-30")]
    table = run(["collections"], home).stdout
    assert "news" in table and "2020-09-30 to 2020-09-30" in table

    sources = json.loads(run(["sources", "--json", "--collection", "news"], home).stdout)
    assert [s["title"] for s in sources] == ["Clashes erupt along the line of contact"]
    answer = json.loads(run(["ask", "--json", "--collection", "news", "When did the fighting continue?"], home).stdout)
    assert {c["title"] for c in answer["citations"]} == {"Clashes erupt along the line of contact"}
    # BRIEFING_COLLECTION chooses the default collection; --collection still wins
    env_sources = json.loads(run(["sources", "--json"], home, BRIEFING_COLLECTION="news").stdout)
    assert [s["title"] for s in env_sources] == ["Clashes erupt along the line of contact"]
    brief = run(["brief", "--json", "--collection", "default", "Russia's peacekeepers"], home,
                BRIEFING_COLLECTION="news")
    assert brief.returncode == 0 and "Clashes erupt" not in brief.stdout and "Putin" in brief.stdout

    for args in (["ask", "--collection", "sport", "Who won?"], ["brief", "--collection", "sport", "x"],
                 ["sources", "--collection", "sport"], ["remove", "--collection", "sport", "abc"],
                 ["collections", "--remove", "sport"]):
        result = run(args, home)
        assert result.returncode == 1 and result.stderr.strip() == (
            "briefing: error: no collection named 'sport'; the store holds: default, news "
            "(`briefing ingest --collection sport PATH` creates it)"), (args, result.stderr)
    bad = run(["ingest", "--collection", "Bad Name", str(CLASHES)], home)
    assert bad.returncode == 1 and "'Bad Name' is not a collection name" in bad.stderr

    doc_id = sources[0]["id"]
    assert run(["remove", "--collection", "news", doc_id], home).returncode == 0
    assert json.loads(run(["sources", "--json", "--collection", "news"], home).stdout) == []
    result = run(["collections", "--remove", "news"], home)
    assert result.returncode == 0 and "removed collection news" in result.stdout
    assert [c["name"] for c in json.loads(run(["collections", "--json"], home).stdout)] == ["default"]
    assert run(["collections", "--remove", "default"], home).returncode == 1
