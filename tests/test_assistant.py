"""Assistant behaviour on the bundled report: follow-ups, filters, briefings and their export."""

from __future__ import annotations

import io
import re

import pytest

from assistant.followup import is_follow_up, standalone_question
from assistant.retrieval import Filters

pytestmark = pytest.mark.slow


def test_follow_up_carries_previous_subject() -> None:
    history = [("What did the November 9 agreement force Armenia to do?", "Surrender to Azerbaijani demands [1].")]
    rewritten = standalone_question("and who controls its implementation?", history)
    assert "November" in rewritten and "agreement" in rewritten and rewritten.startswith("who controls")
    assert not is_follow_up("How many Russian peacekeepers will deploy?")
    assert standalone_question("How many Russian peacekeepers will deploy?", history) == "How many Russian peacekeepers will deploy?"


def test_follow_up_answer_uses_history(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    history = [("What did the November 9 agreement force Armenia to do?", "")]
    answer = sample_assistant.ask("and who controls its implementation?", history=history)
    assert not answer.abstained and "exclusive Russian control over the implementation" in answer.answer
    assert answer.standalone_question and "agreement" in answer.standalone_question


def test_metadata_questions_cite_the_front_matter(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = sample_assistant.ask("Who wrote the report, and when was it published?")
    assert "Ezgi Yazici" in answer.answer and "November 13, 2020" in answer.answer
    (cite,) = answer.citations
    assert "By Ezgi Yazici" in cite.text and "November 13, 2020" in cite.text


@pytest.mark.parametrize("question", [
    "How many Syrian fighters did Turkey deploy to Azerbaijan?",
    "What position did Iran take on the agreement?",
    "Who won the 2020 Formula One Italian Grand Prix?",
])
def test_unanswerable_questions_abstain_with_a_reason(sample_assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    answer = sample_assistant.ask(question)
    assert answer.abstained and answer.abstain_reason


@pytest.mark.parametrize(("question", "fact"), [
    ("By when must Armenia's military presence end?", "December 1"),
    ("Which Turkish drones proved successful?", "Bayraktar"),
    ("In what year did Pashinyan come to power?", "2018"),
])
def test_answerable_questions_answer(sample_assistant, question: str, fact: str) -> None:  # type: ignore[no-untyped-def]
    answer = sample_assistant.ask(question)
    assert not answer.abstained and fact in answer.answer


def test_date_filter_excludes_the_report(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = sample_assistant.ask("How many Russian peacekeepers will deploy?", filters=Filters(until="2020-10-01"))
    assert answer.abstained
    answer = sample_assistant.ask("How many Russian peacekeepers will deploy?", filters=Filters(since="2020-11-01"))
    assert not answer.abstained


ACTORS = {
    "Russia": r"Russia|Russian|Kremlin|Putin|Moscow",
    "Turkey": r"Turkey|Turkish|Erdogan|Ankara",
    "Azerbaijan": r"Azerbaijan|Aliyev|Baku",
    "Armenia": r"Armenia|Pashinyan|Yerevan",
}


def test_briefing_covers_each_party_with_a_citation(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    result = sample_assistant.brief("The positions of Russia, Turkey, Azerbaijan and Armenia after the ceasefire")
    cited_lines = [ln for ln in result.briefing.splitlines() if re.search(r"\[\d+\]\s*$", ln)]
    for actor, pattern in ACTORS.items():
        assert any(re.search(pattern, ln) for ln in cited_lines), actor
    words = len(re.sub(r"\[\d+\]", "", result.briefing).split())
    assert 120 <= words <= 420
    assert "Bottom line" in result.briefing and "What the reports leave open" in result.briefing


def test_briefing_exports(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    import docx

    from assistant.export import briefing_docx, briefing_markdown

    result = sample_assistant.brief("Turkey's gains and losses")
    markdown = briefing_markdown(result)
    body, _, notes = markdown.partition("\n\n[^1]:")
    assert notes, "the footnote list follows the body"
    assert "[^1]" in body and "[1]" not in body, "every marker in the body is a Markdown footnote"
    for c in result.citations:
        assert f"[^{c.marker}]" in body and c.text[:40] in markdown
    document = docx.Document(io.BytesIO(briefing_docx(result)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Sources" in text and result.citations[0].text[:40] in text
    assert any(run.font.superscript for p in document.paragraphs for run in p.runs)


def test_langchain_retriever(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    from langchain_core.retrievers import BaseRetriever

    from assistant.langchain_retriever import BriefingRetriever

    retriever = BriefingRetriever(retriever=sample_assistant.retriever, k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("How many Russian peacekeepers will deploy?")
    assert len(docs) == 3 and any("1,960 troops" in d.page_content for d in docs)
    meta = docs[0].metadata
    assert meta["title"].startswith("Russian President Putin") and meta["end"] > meta["start"]
    none = BriefingRetriever(retriever=sample_assistant.retriever, filters=Filters(until="2019-01-01")).invoke("Putin")
    assert none == []
