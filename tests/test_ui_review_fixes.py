"""Faults a review of the UI and the exports reproduced, each with the test that failed before its fix."""

from __future__ import annotations

import collections
import io
import types
from pathlib import Path
from typing import Any

import pytest

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


def _last(events: Any) -> Any:
    return collections.deque(events, maxlen=1)[0]


@pytest.fixture
def writable_app(tmp_path: Path) -> Any:
    from assistant.build import build
    from assistant.settings import Settings
    from ingest.embeddings import HashingEmbedder
    from tests.conftest import SAMPLE
    from ui.web import BriefingApp

    workspace = build(Settings(home=tmp_path / "home"), embedder=HashingEmbedder())  # type: ignore[call-arg]
    workspace.corpus.ingest([SAMPLE])
    return BriefingApp(workspace, export_root=tmp_path / "exports")


def _handler(blocks: Any, elem_id: str, event: str) -> Any:
    """The function the Blocks run when component ``elem_id`` fires ``event``."""
    target = next(b for b in blocks.blocks.values() if getattr(b, "elem_id", None) == elem_id)._id
    return next(fn for fn in blocks.fns.values() if (target, event) in [tuple(t) for t in fn.targets])


def _ask_saved(app: Any, question: str, history: Any, turns: Any, groups: Any, conversation_id: Any) -> Any:
    """One question through the chat's handler: (history, turns, groups, conversation id)."""
    out = _last(app.ask_saved(question, history, turns, groups, 6, "", "", [], None, None, conversation_id))
    return out[0], out[2], out[4], out[5]


def test_a_chat_cleared_in_the_chatbot_starts_a_new_conversation_and_keeps_the_old(writable_app: Any) -> None:
    app = writable_app
    history, turns, groups, first = _ask_saved(app, "How many Russian peacekeepers will deploy?", [], [], [], None)
    history, turns, groups, first = _ask_saved(app, "Who brokered the agreement?", history, turns, groups, first)
    # The chatbot's own clear button empties the history the client sends; the session's state stays.
    history, turns, groups, second = _ask_saved(app, "What did Turkey gain?", [], turns, groups, first)
    assert [g["scope"] for g in groups] == ["t1"], "the cleared answers' passages left the panel"
    assert second and second != first, "the new chat is saved as a conversation of its own"
    _ask_saved(app, "What will Armenia do?", history, turns, groups, second)
    old = app.conversations.load(None, first)
    assert [t.question for t in old.turns] == ["How many Russian peacekeepers will deploy?",
                                               "Who brokered the agreement?"], "the old conversation is intact"
    assert [t.question for t in app.conversations.load(None, second).turns] == [
        "What did Turkey gain?", "What will Armenia do?"]


def test_the_chatbots_clear_button_resets_what_new_chat_resets(tmp_path: Path) -> None:
    from assistant.build import build
    from assistant.settings import Settings
    from ingest.embeddings import HashingEmbedder
    from ui.web import BriefingApp

    workspace = build(Settings(home=tmp_path / "home"), embedder=HashingEmbedder())  # type: ignore[call-arg]
    blocks = BriefingApp(workspace, export_root=tmp_path / "exports").blocks()
    new_chat, cleared = _handler(blocks, "new-chat", "click"), _handler(blocks, "chat", "clear")
    chatbot = next(b for b in blocks.blocks.values() if getattr(b, "elem_id", None) == "chat")
    expected = {o._id: v for o, v in zip(new_chat.outputs, new_chat.fn(), strict=True) if o is not chatbot}
    got = {o._id: v for o, v in zip(cleared.outputs, cleared.fn(), strict=True)}
    assert got == expected, "turns, sources panel, panel groups, open conversation and its selection all reset"


def _docx_paragraphs(data: bytes) -> list[str]:
    import docx

    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_a_control_character_in_the_topic_does_not_lose_the_briefing_export(writable_app: Any) -> None:
    markdown, _panel, md, docx_path = writable_app.write_briefing("Russia\x01s role in ending the war")
    assert "Bottom line" in markdown
    assert md is not None and docx_path is not None, "both exports are written"
    paragraphs = _docx_paragraphs(Path(docx_path).read_bytes())
    assert paragraphs[0] == "Briefing: Russia s role in ending the war"
    assert "Sources" in paragraphs


def test_a_control_character_in_a_cited_passage_does_not_break_the_docx() -> None:
    from assistant.answers import Briefing
    from assistant.export import briefing_docx

    cite = CITE.model_copy(update={"text": "Russia will deploy\x0b1,960 troops.\x0c"})
    briefing = Briefing(topic="Peacekeepers", citations=[cite],
                        briefing="## Briefing: Peacekeepers\n\n**Bottom line.** Russia will deploy\x0b1,960 troops. [1]")
    paragraphs = _docx_paragraphs(briefing_docx(briefing))
    assert paragraphs[1] == "Bottom line. Russia will deploy 1,960 troops. [1]"
    assert paragraphs[-1] == "[1] Report: \u201cRussia will deploy 1,960 troops. \u201d"


def test_an_exported_conversation_keeps_the_cues_the_chat_showed() -> None:
    from ui.conversations import Conversation, Turn, conversation_markdown

    doubtful = _lead_answer().model_copy(update={"confidence": 0.31, "weak_match": True,
                                                 "missing_parts": ["for how long"]})
    sure = _lead_answer().model_copy(update={"confidence": 0.87})
    declined = Answer(question="Did Iran mediate?", answer="The reports in the corpus do not answer this.",
                      abstained=True, abstain_reason="no document in the corpus mentions Iran")
    conversation = Conversation("0" * 32, "Peacekeepers", "default", 1.0, 1.0, [
        Turn("How many, and for how long?", doubtful, "t1"), Turn("How many?", sure, "t2"),
        Turn("Did Iran mediate?", declined, "t3")])
    markdown = conversation_markdown(conversation)
    first, second, third = markdown.split("\n## ")[1:]
    assert "*Weak match (confidence 0.31)" in first and first.index("Weak match") < first.index("**1,960.**")
    assert "*Not found in the reports: for how long.*" in first and "Confidence 0.31" not in first
    assert "*Confidence 0.87.*" in second and "Weak match" not in second
    assert "*Why: No document in the corpus mentions Iran.*" in third


def test_a_footnote_number_in_the_topic_stays_text_in_the_briefing_title() -> None:
    from assistant.answers import Briefing
    from assistant.export import briefing_markdown
    from ui.render import briefing_display

    briefing = Briefing(topic="Resolution [1] of the ceasefire", citations=[CITE],
                        briefing=f"## Briefing: Resolution [1] of the ceasefire\n\n**Bottom line.** {CITE.text} [1]")
    shown = briefing_display(briefing.briefing, briefing.citations, scope="brief").splitlines()
    assert shown[0] == "## Briefing: Resolution \\[1\\] of the ceasefire", "the topic cites nothing"
    assert shown[2].endswith('title="Open source 1">[1]</a></sup>'), "the sentence still links its footnote"
    exported = briefing_markdown(briefing).splitlines()
    assert exported[0] == "## Briefing: Resolution \\[1\\] of the ceasefire"
    assert exported[2].endswith("[^1]")


def test_an_uploaded_answers_file_that_is_not_utf8_is_refused_by_name(tmp_path: Path) -> None:
    from assistant.build import build
    from assistant.settings import Settings
    from ingest.embeddings import HashingEmbedder
    from ui.web import BriefingApp

    workspace = build(Settings(home=tmp_path / "home"), embedder=HashingEmbedder())  # type: ignore[call-arg]
    answers = tmp_path / "answers-latin1.jsonl"
    answers.write_bytes('{"question": "Qui a négocié ?", "answer": "La Russie. [1]", "passages": ["p"]}\n'.encode("latin-1"))
    summary, metrics, *_ = BriefingApp(workspace, export_root=tmp_path / "exports").run_evaluation(
        "uploaded", "isw_report", False, str(answers))
    assert summary.startswith("**Error:** answers\\-latin1.jsonl:1: not UTF\\-8 text"), summary
    assert "save the answers file as UTF\\-8" in summary
    assert metrics == []


def test_exporting_a_conversation_deleted_elsewhere_says_so(tmp_path: Path) -> None:
    import gradio as gr

    from assistant.build import build
    from assistant.settings import Settings
    from ingest.embeddings import HashingEmbedder
    from ui.web import BriefingApp

    workspace = build(Settings(home=tmp_path / "home"), embedder=HashingEmbedder())  # type: ignore[call-arg]
    export = _handler(BriefingApp(workspace, export_root=tmp_path / "exports").blocks(), "export-conversation", "click")
    with pytest.raises(gr.Error, match=r"no conversation '0{32}'"):  # shown to the user, unlike any other exception
        export.fn("0" * 32, types.SimpleNamespace(username=None))


def test_opening_a_conversation_of_another_collection_switches_its_documents_too(writable_app: Any) -> None:
    from tests.conftest import FIXTURES

    app = writable_app
    _, _, _, conversation_id = _ask_saved(app, "How many Russian peacekeepers will deploy?", [], [], [], None)
    app.create_collection("news")
    app.add_files([str(FIXTURES / "formats" / "clashes.md")], collection="news")
    news_doc = app.document_choices("news")[0][1]
    opened = _handler(app.blocks(), "conversations", "input")

    def open_from(selected: str) -> dict[str, Any]:
        """The outputs, by element id, of clicking the conversation while ``selected`` is the collection shown."""
        shown = {"conversations": conversation_id, "collection": selected}
        out = opened.fn(*(shown[i.elem_id] for i in opened.inputs), types.SimpleNamespace(username=None))
        return dict(zip([o.elem_id for o in opened.outputs], out, strict=True))

    by_id = open_from("news")
    assert by_id["collection"]["value"] == "default"
    assert "setting-docs" in by_id, "the document filter follows the collection"
    default_docs = {value for _label, value in app.document_choices("default")}
    assert {value for _label, value in by_id["setting-docs"]["choices"]} == default_docs
    assert news_doc not in default_docs and by_id["setting-docs"]["value"] == [], "no filter left on news' documents"
    assert "Putin" in by_id["overview"] and "Clashes erupt" not in by_id["overview"]
    assert open_from("default")["setting-docs"] == {"__type__": "update"}, "a filter set in the same collection stays"
