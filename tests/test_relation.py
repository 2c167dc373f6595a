"""The relation a question asks about (assistant/relation.py) and the ranker's use of it, on a two-sentence
note written for this test (never used to fit the ranker): the sentence that shares the question's topic words
("repaired the water station") is not the one that says who paid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.relation import asked_relation, holds_relation, relation_clauses

ENGINEERS = "Engineers repaired the water station in Stepanakert in October."
GRANT = "The repair was paid for by a grant from the Swiss Red Cross."


@pytest.mark.parametrize(("question", "relation"), [
    ("Who paid for the repair of the water station?", "paid"),
    ("What destroyed the Chateau Boswell winery?", "destroyed"),
    ("Who won the Italian Grand Prix?", "won"),
    ("How many people died in the fire?", "died"),  # the count focus runs up to "in"; "died" is no noun
    ("What was the cost of the new bridge?", "cost"),
    ("When did Russia sign the deal?", "sign"),  # past the auxiliary and the name
    ("Which company bought Twitter?", "bought"),
    ("Who is the president of France?", "president"),
    ("Where is Baku?", None),
])
def test_the_asked_relation(question: str, relation: str | None) -> None:
    assert asked_relation(question) == relation


def test_a_sentence_states_a_relation_by_any_form_of_it() -> None:
    assert holds_relation(GRANT, "paid") and not holds_relation(ENGINEERS, "paid")
    assert holds_relation("The payment came from the ministry.", "paid")  # a WordNet derivation
    assert holds_relation("Four residents lost their lives; two deaths were reported later.", "died")
    assert not holds_relation(GRANT, None)
    assert relation_clauses("The station, rebuilt in May, was paid for by Oxfam.", "paid") == [" was paid for by Oxfam."]


@pytest.mark.slow
def test_the_sentence_that_states_who_paid_leads(tmp_path: Path, embedder: Any) -> None:
    from assistant.build import build
    from assistant.settings import Settings

    note = tmp_path / "notes" / "stepanakert-water.txt"
    note.parent.mkdir()
    note.write_text("Field note: the Stepanakert water station\n\nBy the relief coordination office\n\n"
                    f"October 30, 2021\n\n{ENGINEERS}\n\n{GRANT}\n", encoding="utf-8")
    workspace = build(Settings(home=tmp_path / "home"), embedder=embedder)  # type: ignore[call-arg]
    assert workspace.corpus.ingest([note.parent]).count("added") == 1
    answer = workspace.assistant.ask("Who paid for the repair of the water station?")
    assert not answer.abstained
    assert answer.citations[0].text == GRANT  # main's ranker led with the engineers (0.735 against 0.390)
    assert "Swiss Red Cross" in answer.answer
