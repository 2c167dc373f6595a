"""Faults a review of the UI and the exports reproduced, each with the test that failed before its fix."""

from __future__ import annotations

from assistant.answers import Answer, Citation

CITE = Citation(marker=1, doc_id="d", title="Report", source="s", start=0, end=60,
                text="Russia will deploy a peacekeeping force of 1,960 troops.")


def _lead_answer(lead: str = "1,960") -> Answer:
    """An extractive answer as the composer writes one with a direct answer: the lead in bold, then the quote."""
    return Answer(question="How many peacekeepers?", answer=f"**{lead}.** {CITE.text} [1]", abstained=False,
                  citations=[CITE], confidence=0.9, weak_match=False, direct_answer=lead)


def test_the_chat_shows_the_direct_answer_in_bold_not_as_asterisks() -> None:
    from ui.render import chat_markdown

    rendered = chat_markdown(_lead_answer(), scope="t1")
    assert rendered.startswith("**1,960.** Russia will deploy"), rendered
    assert "\\*" not in rendered
    hostile = chat_markdown(_lead_answer("<img src=x onerror=alert(1)>"), scope="t1")
    assert "<img" not in hostile and hostile.startswith("**&lt;img"), "the lead's text is still escaped"


def test_an_exported_conversation_keeps_the_direct_answer_bold() -> None:
    from assistant.export import answer_markdown_footnotes

    body, notes, used = answer_markdown_footnotes(_lead_answer().answer, [CITE], offset=2)
    assert body == "**1,960.** Russia will deploy a peacekeeping force of 1,960 troops. [^3]"
    assert used == 1 and notes[0].startswith("[^3]: Report")
