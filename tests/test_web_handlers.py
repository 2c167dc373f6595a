"""The web app's handlers, called as methods: no server, no browser, the hashing embedder."""

from __future__ import annotations

import collections
import gc
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.build import build
from assistant.settings import Settings
from ingest.embeddings import HashingEmbedder
from ingest.errors import BriefingError
from tests.conftest import SAMPLE
from ui.web import BriefingApp, Turn, error_markdown

QUESTION = "How many Russian peacekeepers will deploy, and for how long?"


@pytest.fixture
def app(hashing_workspace: Any, tmp_path: Path) -> BriefingApp:
    return BriefingApp(hashing_workspace, export_root=tmp_path / "exports")


@pytest.fixture
def writable_app(tmp_path: Path) -> BriefingApp:
    workspace = build(Settings(home=tmp_path / "home"), embedder=HashingEmbedder())  # type: ignore[call-arg]
    workspace.corpus.ingest([SAMPLE])
    return BriefingApp(workspace, export_root=tmp_path / "exports")


class RecordingAssistant:
    """Passes calls through to the real assistant and records the history each question was asked with."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.histories: list[Any] = []

    def ask_stream(self, question: str, **kwargs: Any) -> Iterator[Any]:
        self.histories.append(kwargs.get("history"))
        return self.inner.ask_stream(question, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _last(events: Iterator[Any]) -> Any:
    return collections.deque(events, maxlen=1)[0]


def test_chat_keeps_structured_turns_and_passes_them_as_history(app: BriefingApp) -> None:
    recorder = RecordingAssistant(app.assistant)
    app.assistant = recorder  # type: ignore[assignment]
    history, cleared, turns, groups = _last(app.chat_events(QUESTION, [], [], []))
    assert cleared == "" and [m["role"] for m in history] == ["user", "assistant"]
    (turn,) = turns
    assert turn.question == QUESTION and turn.scope == "t1"
    assert turn.answer and "<" not in turn.answer  # the answer text with [n] markers, not its rendering
    assert groups[0]["scope"] == "t1"

    history, _, turns, groups = _last(app.chat_events("And who controls its implementation?", history, turns, groups))
    assert [t.scope for t in turns] == ["t1", "t2"] and len(history) == 4 and len(groups) == 2
    assert recorder.histories == [None, [(QUESTION, turn.answer)]]


def test_a_shorter_history_from_a_client_starts_over(app: BriefingApp) -> None:
    stale = [Turn("Who brokered the deal?", "Russia [1].", "t1")]
    history, _, turns, _ = _last(app.chat_events(QUESTION, [], stale, []))
    assert [t.scope for t in turns] == ["t1"] and turns[0].question == QUESTION and len(history) == 2


def test_empty_question_changes_nothing(app: BriefingApp) -> None:
    assert list(app.chat_events("   ", [], [], [])) == [([], "", [], [])]


def test_questions_and_errors_are_escaped(app: BriefingApp) -> None:
    history, question_box, *_ = _last(app.ask_ui("<b>hi</b> [x](http://a)", [], [], [], 6, "2020-13-01", "", [], None))
    assert question_box == "<b>hi</b> [x](http://a)"  # kept for the user to correct
    assert "<b>" not in history[0]["content"] and history[1]["content"].startswith("**Error:**")
    assert "since must be a date" in history[1]["content"]
    assert error_markdown(ValueError("a *b* <i>")) == "**Error:** a \\*b\\* &lt;i&gt;"


def test_api_ask_returns_the_sources_panel(app: BriefingApp) -> None:
    history, cleared, panel, turns = _last(app.ask(QUESTION, [], None))
    assert cleared == "" and len(history) == 2 and len(turns) == 1
    if turns[0].answer.startswith("The reports in the corpus do not answer"):
        assert "No passage cited" in panel
    else:
        assert 'id="cite-t1-1"' in panel and "<mark>" in panel


def test_briefing_writes_both_exports_with_their_sections(app: BriefingApp) -> None:
    import docx

    markdown, panel, md, docx_path = app.write_briefing("Russia's role in ending the war")
    assert md is not None and docx_path is not None
    assert Path(md).parent.parent == app.export_root
    exported = Path(md).read_text(encoding="utf-8")
    for section in ("Bottom line", "Key points", "What the reports leave open"):
        assert section in markdown and section in exported
    assert "[^1]:" in exported and 'id="cite-brief-1"' in panel
    document = docx.Document(io.BytesIO(Path(docx_path).read_bytes()))
    assert any("Sources" in p.text for p in document.paragraphs)


def test_brief_api_and_empty_topic(app: BriefingApp) -> None:
    assert app.write_briefing("  ") == ("", "", None, None)
    markdown, md = app.brief("Turkey's position")
    assert "Bottom line" in markdown and md and md.endswith(".md")


def test_upload_adds_good_files_and_names_the_bad_one(writable_app: BriefingApp, tmp_path: Path) -> None:
    good = tmp_path / "note.txt"
    good.write_text("Field note\n\nThe water station in Martuni was repaired with a grant from the Swiss Red Cross.\n")
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not a pdf")
    before = len(writable_app.documents_table())
    table, status, *_ = writable_app.add_files([str(good), str(bad)])
    assert len(table) == before + 1 and any(row[0] == "Field note" for row in table)
    assert re.match(r"Added 1 document \(\d+ passages?\)\. 1 file could not be read: broken\.pdf, malformed PDF", status)
    assert str(tmp_path) not in status  # the upload's temporary folder is not shown
    assert writable_app.add_files([str(good)])[1] == "1 file was already in the collection, unchanged."
    new_id = next(row[3] for row in table if row[0] == "Field note")
    table, status, *_ = writable_app.remove_document(new_id)
    assert len(table) == before and status.startswith("Removed *Field note*")


def test_upload_and_remove_need_a_choice(writable_app: BriefingApp) -> None:
    assert writable_app.add_files([])[1] == "Choose one or more files first."
    assert writable_app.remove_document(None)[1] == "Choose a document to remove."


def test_evaluation_of_uploaded_answers(app: BriefingApp, tmp_path: Path) -> None:
    answers = tmp_path / "answers.jsonl"
    passage = "Russia will deploy 1,960 peacekeepers for five years."
    answers.write_text(json.dumps({"question": "How many?", "answer": "Russia will deploy 1,960 peacekeepers [1].",
                                   "passages": [passage]}) + "\n")
    summary, metrics, questions, *_ = app.run_evaluation("uploaded", "isw_report", False, str(answers))
    assert "1 questions, 1 answered" in summary
    assert dict((row[0], row[1]) for row in metrics)["Sentences backed by their footnotes"] == "1.000"
    assert all(row[0] and "_" not in row[0] for row in metrics), "plain names, not metric keys"
    assert questions[0][0] == "How many?"
    assert app.run_evaluation("uploaded", "isw_report", False, None)[0] == "Upload a JSONL file of answers first."


def test_a_doubtful_answer_carries_a_caution_and_names_missing_parts() -> None:
    from assistant.answers import WEAK_MATCH, Answer, Citation
    from ui.render import chat_markdown

    cite = Citation(marker=1, doc_id="d", title="T", source="s", text="Russia brokered the deal.", start=0, end=25)
    sure = Answer(question="q", answer="Russia brokered the deal. [1]", abstained=False, citations=[cite],
                  confidence=WEAK_MATCH + 0.2)
    doubtful = sure.model_copy(update={"confidence": WEAK_MATCH - 0.2, "weak_match": True,
                                       "missing_parts": ["when was it signed"]})
    assert "Weak match" not in chat_markdown(sure, scope="t1")
    sure = sure.model_copy(update={"weak_match": False})
    assert chat_markdown(sure, scope="t1").endswith(f"*Confidence {WEAK_MATCH + 0.2:.2f}.*"), "a sure answer says how sure"
    rendered = chat_markdown(doubtful, scope="t1")
    assert rendered.index("Weak match") < rendered.index("Russia brokered")
    assert "Confidence" not in rendered.replace("Weak match (confidence", ""), "the caution states it once"
    uncalibrated = sure.model_copy(update={"weak_match": None})  # a language model's answer: no calibrated number
    assert "onfidence" not in chat_markdown(uncalibrated, scope="t1")
    assert "Not found in the reports: when was it signed" in rendered
    abstained = Answer(question="q", answer="The reports in the corpus do not answer this.", abstained=True,
                       abstain_reason="no document in the corpus mentions iran")
    assert "*Why: No document in the corpus mentions iran.*" in chat_markdown(abstained, scope="t1")
    asked = abstained.model_copy(update={"question": "What did Iran say?"})
    assert "*Why: No document in the corpus mentions Iran.*" in chat_markdown(asked, scope="t1")


def test_oversized_question_and_topic_get_a_clear_error(app: BriefingApp) -> None:
    limit = app.limit
    *_, (history, cleared, turns, _) = list(app.chat_events("peacekeepers " * (limit // 10), [], [], []))
    assert "the question is" in history[-1]["content"] and f"{limit:,}" in history[-1]["content"]
    assert turns == [] and cleared == ""
    markdown, _, md, docx = app.write_briefing("x" * (limit + 1))
    assert "the topic is" in markdown and md is None and docx is None
    *_, (history, *_rest) = list(app.chat_events("p" * (limit - 20) + " peacekeepers?", [], [], []))
    assert "limit" not in history[-1]["content"]  # at the limit: answered as usual


def test_lone_surrogate_is_answered_with_a_message(app: BriefingApp) -> None:
    *_, (history, *_rest) = list(app.chat_events("How many peacekeepers\udc80?", [], [], []))
    assert "not valid text" in history[-1]["content"]
    history[-1]["content"].encode("utf-8")  # what the browser receives is valid text
    history[-2]["content"].encode("utf-8")
    markdown, *_ = app.write_briefing("Turkey\ud800")
    assert "not valid text" in markdown


def test_exports_are_private(app: BriefingApp) -> None:
    _, _, md, docx = app.write_briefing("Turkey's gains")
    assert md and docx
    for path in (Path(md), Path(docx)):
        assert path.stat().st_mode & 0o077 == 0, oct(path.stat().st_mode)
        assert path.parent.stat().st_mode & 0o077 == 0
    assert app.export_root.stat().st_mode & 0o077 == 0


def test_default_exports_are_private(hashing_workspace: Any) -> None:
    app = BriefingApp(hashing_workspace)
    assert app.export_root.stat().st_mode & 0o777 == 0o700
    assert not app.export_root.is_relative_to(Path(hashing_workspace.settings.home))  # the file route blocks home
    app.export_root.rmdir()


def test_an_app_removes_the_export_folder_it_made(hashing_workspace: Any, tmp_path: Path) -> None:
    """Exports hold the analyst's briefings: the folder an app made for them goes when the app does
    (and at exit); a folder the caller chose is the caller's to keep."""
    app = BriefingApp(hashing_workspace)
    _, _, md, _ = app.write_briefing("Turkey's gains")
    made = app.export_root
    assert md and Path(md).is_relative_to(made)
    chosen = BriefingApp(hashing_workspace, export_root=tmp_path / "mine")
    chosen.write_briefing("Turkey's gains")
    del app, chosen
    gc.collect()
    assert not made.exists()
    assert any((tmp_path / "mine").rglob("*.md"))


def test_a_temp_folder_without_an_owner_goes_at_exit(tmp_path: Path) -> None:
    code = "from ui.scratch import private_temp; p = private_temp('briefing-test-'); (p / 'x').write_text('x'); print(p)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    made = Path(done.stdout.strip().splitlines()[-1])
    assert made.name.startswith("briefing-test-") and not made.exists()


def test_briefing_page_shows_its_sources_once(app: BriefingApp) -> None:
    markdown, panel, _, _ = app.write_briefing("Russia's role in ending the war")
    assert "**Sources**" not in markdown, "the panel beside the briefing holds the sources"
    assert 'id="cite-brief-1"' in panel
    api_markdown, _ = app.brief("Russia's role in ending the war")
    assert "**Sources**" in api_markdown, "the API has no panel, so its markdown lists them"


def test_sources_are_listed_once_grouped_under_their_document(app: BriefingApp) -> None:
    history, _, _, groups = _last(app.chat_events(QUESTION, [], [], []))
    reply = history[-1]["content"]
    assert "cite-link" in reply and "Sources" not in reply and "---" not in reply  # no list under the answer
    panel = groups[0]["html"]
    doc_ids = {c for c in re.findall(r'data-doc="([^"]+)"', panel)}
    assert panel.count('class="doc-sources"') == len(doc_ids) >= 1  # one heading per document
    title = "Russian President Putin Wins Upset Victory in Nagorno-Karabakh"
    assert panel.count(title) == 1
    assert re.findall(r'id="cite-t1-(\d+)"', panel) == [str(n) for n in range(1, len(re.findall("cite-t1-", panel)) + 1)]


def test_a_passage_shows_list_items_and_the_reports_footnotes_as_markup(app: BriefingApp) -> None:
    _, _, _, groups = _last(app.chat_events(QUESTION, [], [], []))
    panel = groups[0]["html"]
    assert "1,960 troops" in panel
    assert "- (3)" not in panel and "\u00b3" not in panel  # no raw bullet or superscript character
    assert '<li value="3"><mark>Russia secured' in panel
    assert '<sup class="fn"><a href="https://function.mil.ru/' in panel  # the footnote links to the report's source


def test_a_section_that_repeats_the_title_is_not_shown_again() -> None:
    from assistant.answers import Citation
    from ui.render import passage_html

    cite = Citation(marker=1, doc_id="d", title="Clashes erupt", source="s", date="2020-09-30", section="Clashes erupt",
                    text="Shelling resumed.", start=0, end=17)
    html = passage_html(cite, None, scope="t1", collapsed=True)
    assert html.count("Clashes erupt") == 1 and "2020-09-30" in html
    other = cite.model_copy(update={"section": "Casualties"})
    assert "2020-09-30, Casualties" in passage_html(other, None, scope="t1", collapsed=True)


def _ask_saved(app: BriefingApp, question: str, user: str | None, conversation_id: str | None = None,
               history: Any = None, turns: Any = None, groups: Any = None, collection: str | None = None) -> Any:
    return _last(app.ask_saved(question, history or [], turns or [], groups or [], 6, "", "", [], None, collection,
                               conversation_id, user))


def test_conversations_are_saved_per_user_and_reopen_with_their_footnotes(writable_app: BriefingApp,
                                                                          tmp_path: Path) -> None:
    history, _, turns, _panel, groups, conversation_id, _ = _ask_saved(writable_app, QUESTION, "ana")
    assert conversation_id and [c["title"] for c in writable_app.list_conversations("ana")] == [QUESTION]
    follow = _ask_saved(writable_app, "And who controls its implementation?", "ana", conversation_id, history, turns, groups)
    assert follow[5] == conversation_id  # the same conversation, now two turns
    assert writable_app.list_conversations("ana")[0]["turns"] == 2

    # another user sees none of it, and cannot open it by id
    assert writable_app.list_conversations("ben") == [] and writable_app.list_conversations(None) == []
    with pytest.raises(BriefingError, match="no conversation"):
        writable_app.conversation_export(conversation_id, "ben")
    opened = writable_app.open_conversation(conversation_id, "ben")
    assert "no conversation" in opened[0][0]["content"] and opened[2] == []
    with pytest.raises(BriefingError, match="no conversation"):
        writable_app.conversation_export("../" + conversation_id, "ana")

    # a new app over the same home (a restart) reopens it as it was shown
    restarted = BriefingApp(writable_app.workspace, export_root=tmp_path / "exports2")
    history2, _, turns2, panel2, groups2, opened_id, _ = restarted.open_conversation(conversation_id, "ana")
    assert opened_id == conversation_id and [t.scope for t in turns2] == ["t1", "t2"]
    assert history2[1]["content"] == history[1]["content"]  # the same footnote links
    assert 'id="cite-t1-1"' in panel2 and "1,960 troops" in panel2
    assert [g["scope"] for g in groups2] == ["t2", "t1"]

    restarted.rename_conversation(conversation_id, "Peacekeepers", "ana")
    assert restarted.list_conversations("ana")[0]["title"] == "Peacekeepers"
    markdown = Path(restarted.export_conversation(conversation_id, "ana") or "").read_text(encoding="utf-8")
    assert markdown.startswith("# Peacekeepers\n") and "## How many Russian peacekeepers" in markdown
    assert "[^1]" in markdown and "[^1]: Russian President Putin Wins" in markdown and "1,960 troops" in markdown
    assert restarted.delete_conversation(conversation_id, "ben")[1].startswith("**Error:** no conversation")
    restarted.delete_conversation(conversation_id, "ana")
    assert restarted.list_conversations("ana") == []


def test_collections_in_the_app_answer_from_their_own_documents(writable_app: BriefingApp) -> None:
    from tests.conftest import FIXTURES

    selector, _status, _ = writable_app.create_collection("news")
    assert selector["value"] == "news" and "news" in selector["choices"]
    table, _summary, *_ = writable_app.add_files([str(FIXTURES / "formats" / "clashes.md")], collection="news")
    assert [row[0] for row in table] == ["Clashes erupt along the line of contact"]
    assert "Putin" not in str(writable_app.documents_table("news"))
    assert any("Putin" in row[0] for row in writable_app.documents_table(None))
    for question in (QUESTION, "When did the fighting continue?"):
        _, _, turns, _, _ = _last(writable_app.ask_ui(question, [], [], [], 6, "", "", [], None, "news"))
        cited = {c.title for t in turns for c in (t.result.citations if t.result else [])}
        assert cited <= {"Clashes erupt along the line of contact"}, cited
    assert cited  # the second question is answered from the news collection's article
    overview, *buttons = writable_app.overview("news")
    assert "1 document" in overview and "2020-09-30" in overview and "Clashes erupt" in overview
    assert [b["value"] for b in buttons if b.get("visible")] and all("?" in b["value"] for b in buttons if b.get("visible"))
    assert "**Error:**" in writable_app.create_collection("Bad Name")[1]


def test_the_sidebar_names_answer_modes(app: BriefingApp) -> None:
    assert app.mode_choices() == [("Quotes only (no model)", "extractive")]
