"""A box's question with its answer is no key point (session 14): "Has the UK secured doses?: Yes, 100 million." is
an entry of an article's box on each vaccine in the running, under a heading the page does not quote, and was a key
point of the tune briefing on Russia's Sputnik V vaccine (the 100 million doses are of another vaccine)."""

from __future__ import annotations

import pytest

from assistant import compose
from assistant.briefing_plan import asks, plan
from assistant.extractive import ExtractiveAnswerer, SentenceScorer
from ingest.store import StoredChunk


def chunk(doc: str, text: str, date: str) -> StoredChunk:
    return StoredChunk(id=f"{doc}-0", doc_id=doc, index=0, text=text, start=0, end=len(text), title=doc.title(),
                       source=f"/tmp/{doc}.md", date=date, section=None, page=None, footnotes={})


@pytest.mark.parametrize(("sentence", "asked"), [
    ("Has the UK secured doses?: Yes, 100 million.", True),
    ("Has the UK secured doses?: No.", True),
    ("Is it safe? Yes, the regulator says so.", True),
    ("What is the row about?", True),
    ("'Would you shut up, man?,' a visibly exasperated Biden said about 20 minutes into the debate.", False),
    ("The UK has secured 100 million doses of the Oxford vaccine.", False),
])
def test_a_question_answered_on_its_own_line_asks(sentence: str, asked: bool) -> None:
    assert asks(sentence) is asked


def test_a_box_question_with_its_answer_is_no_key_point(scorer: SentenceScorer) -> None:
    text = ("Russia approved its Sputnik V vaccine for mass use in August after trials on 76 people. "
            "Has the UK secured doses?: Yes, 100 million. "
            "Scientists said the Sputnik V results published in The Lancet were encouraging but small.")
    passages = [chunk("sputnik", text, "2020-09-05")]
    topic = "What is known about Russia's Sputnik V vaccine?"
    chosen = plan(topic, passages, scorer, ExtractiveAnswerer(scorer, min_score=0.0), words=300, retrieved=passages)
    page = compose.briefing(topic, chosen, {}).briefing
    assert "Lancet" in page  # the points are made
    assert "secured doses" not in page
