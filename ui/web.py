"""The Gradio app. ``create_app`` builds the Blocks without launching; every handler calls the assistant.

Gradio 6 takes the theme, CSS and head scripts as ``launch()`` arguments: launch the Blocks with
``**launch_options(workspace)`` (``launch`` below does) so footnote clicks work and no font or script
is fetched from another host.
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answers import Answer
from assistant.collections import Collections
from ingest.errors import BriefingError
from ui import conversations as saved
from ui.overview import collection_overview
from ui.render import (
    CITE_SCRIPT,
    EMPTY_PANEL,
    briefing_display,
    chat_markdown,
    citations_html,
    escape_markdown,
    ingest_summary,
    sources_panel_html,
    streaming_markdown,
)
from ui.scratch import private_temp

if TYPE_CHECKING:
    import gradio as gr

    from assistant.build import Workspace
    from assistant.engine import Assistant
    from assistant.retrieval import Filters

CSS = """
.passage { border-left: 3px solid #999; padding: 0.4em 0.8em; margin: 0.6em 0; }
.passage mark { background: #ffe58a; color: #111; padding: 0 2px; }
.passage .meta { color: #666; font-size: 0.9em; }
details.passage > summary { cursor: pointer; }
details.passage > summary .quote { display: block; color: #555; font-size: 0.9em; margin-top: 0.15em; }
.passage.cite-active { border-left-color: #d08a00; background: rgba(255, 229, 138, 0.18); }
.passage .origin { font-size: 0.85em; margin-top: 0.3em; }
.passage .origin ul { margin: 0.2em 0 0 1.2em; }
.passage .origin a { word-break: break-all; }
.turn-question { font-weight: 600; margin: 0.4em 0; }
details.earlier > summary { cursor: pointer; color: #666; margin-top: 0.8em; }
.sources-empty { color: #777; }
a.cite-link { text-decoration: none; font-weight: 600; cursor: pointer; }
.doc-sources { margin: 0.5em 0 0.9em; }
.doc-sources .doc-head { margin-bottom: 0.2em; }
.doc-sources details.passage { margin: 0.3em 0; }
.doc-sources details.passage > summary .quote { display: inline; margin: 0; }
.passage-item { margin: 0.3em 0 0.3em 1.2em; padding: 0; }
.passage sup.fn a { text-decoration: none; }
#sources-panel, #briefing-sources { max-height: 640px; overflow-y: auto; }
"""

SYSTEM_FONTS = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial",
                "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"]
_USER_ERRORS = (BriefingError, ValueError)


def launch_options(workspace: Workspace) -> dict[str, Any]:
    """Arguments for ``Blocks.launch`` that the app needs: theme with system fonts (no remote font host),
    CSS, the footnote click handler, a block on the data directory for the file route, and the guards
    of ``ui.guards`` and limits of ``ui.limits`` (per-client queue; login backoff when auth is set) in
    front of every route."""
    import gradio as gr
    from starlette.middleware import Middleware

    from ui.guards import CapUploadRequests, RefuseRemoteFiles
    from ui.limits import LimitLogins, LimitQueuePerClient, LoginLimiter

    server = workspace.settings.server
    limits = [Middleware(LimitQueuePerClient, per_client=server.per_client_queue)]
    if server.auth:
        limits.append(Middleware(LimitLogins, limiter=LoginLimiter(
            free=server.login_free_attempts, max_s=server.login_backoff_max_s, forget_s=server.login_forget_s)))
    return {
        "theme": gr.themes.Default(font=SYSTEM_FONTS, font_mono=MONO_FONTS),
        "css": CSS,
        "head": CITE_SCRIPT,
        "blocked_paths": [str(workspace.settings.home)],
        "share": False,
        "show_error": False,
        "ssr_mode": False,
        # Gradio keeps a copy of every component's config per session (~0.13 MB of RSS each) for 10,000
        # sessions by default, and API sessions never close: 1,000 API questions grew the server by 230 MB, still rising.
        "state_session_capacity": server.sessions,
        # Gradio's login page says "Incorrect Credentials" for any refusal, a 429 too: say why here.
        "auth_message": (f"After {server.login_free_attempts} failed logins each further attempt waits longer "
                         f"(1 s, 2 s, 4 s… up to {server.login_backoff_max_s:.0f} s).") if server.auth else None,
        "app_kwargs": {"middleware": [
            Middleware(RefuseRemoteFiles),
            Middleware(CapUploadRequests, max_bytes=workspace.settings.server.max_upload_mb * 1_000_000),
            *limits,
        ]},
    }


def parse_filters(doc_ids: list[str] | None, since: str | None, until: str | None) -> Filters | None:
    """The sidebar's filters, with the dates checked (ISO YYYY-MM-DD)."""
    from assistant.retrieval import Filters, iso_day

    dates = []
    for label, value in (("since", since), ("until", until)):
        try:
            dates.append(iso_day(value))
        except ValueError:
            raise ValueError(f"{label} must be a date like 2020-11-13, not {(value or '').strip()!r}") from None
    ids = tuple(d for d in (doc_ids or []) if d)
    if not ids and not dates[0] and not dates[1]:
        return None
    return Filters(doc_ids=ids, since=dates[0], until=dates[1])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "briefing"


def check_text(label: str, text: str, limit: int) -> str:
    """``text`` stripped, or a ValueError that says what is wrong with it: too long (a 1 MB question
    cost about 2 s of CPU and its share of memory), or not valid text (a lone surrogate, which no
    encoder accepts)."""
    text = (text or "").strip()
    if len(text) > limit:
        raise ValueError(f"the {label} is {len(text):,} characters long; the limit is {limit:,}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"the {label} holds a character that is not valid text (a lone surrogate); "
                         "retype or paste it again") from None
    return text


def error_markdown(exc: Exception) -> str:
    """How every handler shows a user error: one escaped line."""
    return f"**Error:** {escape_markdown(str(exc))}"


@dataclass(frozen=True)
class Turn:
    """One completed chat turn, kept as data (the chat history holds only its rendering)."""

    question: str
    answer: str  # with [n] markers, as the assistant wrote it
    scope: str  # the footnote scope of its citations (t1, t2, …)
    result: Answer | None = field(default=None, compare=False)  # the whole answer, for saving the conversation


Turns = list[Turn]
ChatOutputs = tuple[list[dict[str, Any]], str, Turns, list[dict[str, str]]]


def _assistant_messages(history: list[dict[str, Any]] | None) -> int:
    return sum(1 for m in history or [] if isinstance(m, dict) and m.get("role") == "assistant")


def _shown_turns(history: list[dict[str, Any]] | None, turns: Turns | None) -> Turns:
    """The turns behind the history shown: a client that sends a shorter history (the chatbot's own clear
    button empties it and nothing else) starts over there."""
    return list(turns or [])[:_assistant_messages(history)]


class BriefingApp:
    """The web app's handlers, as methods over one workspace; :meth:`blocks` wires them into Gradio.

    Each handler takes and returns plain values (and ``gr.update`` for component properties), so
    tests call them directly, without a server or a browser."""

    def __init__(self, workspace: Workspace, *, export_root: Path | None = None) -> None:
        self.workspace = workspace
        self.assistant = workspace.assistant
        self.corpus = workspace.corpus
        self.limit = workspace.settings.server.max_question_chars
        self.export_root = export_root or private_temp("briefing-export-", owner=self)
        self.export_root.mkdir(parents=True, exist_ok=True)
        self.export_root.chmod(0o700)
        self._eval_assistants: dict[str, Assistant] = {}
        self.collections = Collections(workspace)
        self.conversations = saved.ConversationStore(workspace.settings.home / "conversations")

    # collections

    def _assistant(self, collection: str | None) -> Assistant:
        if not collection or collection == self.collections.default:
            return self.assistant
        return self.collections.get(collection).assistant

    def _corpus(self, collection: str | None) -> Any:
        if not collection or collection == self.collections.default:
            return self.corpus
        return self.collections.get(collection).corpus

    def collection_names(self) -> list[str]:
        return self.collections.names()

    # chat

    def chat_events(self, question: str, history: list[dict[str, Any]] | None, turns: Turns | None,
                    groups: list[dict[str, str]] | None, *, k: int | None = None, filters: Filters | None = None,
                    mode: str | None = None, collection: str | None = None) -> Iterator[ChatOutputs]:
        """Yield (history, cleared question box, turns, panel groups) as the answer streams in."""
        history = list(history or [])
        kept = _shown_turns(history, turns)
        groups = list(groups or [])
        if len(kept) < len(turns or []):  # started over: the dropped turns' passages leave the panel too
            groups = [g for g in groups if g.get("scope") in {t.scope for t in kept}]
        turns = kept
        try:
            question = check_text("question", question, self.limit)
        except ValueError as exc:
            shown = escape_markdown((question or "")[:200].encode("utf-8", "replace").decode("utf-8"))
            yield [*history, {"role": "user", "content": shown + ("\u2026" if len(question or "") > 200 else "")},
                   {"role": "assistant", "content": error_markdown(exc)}], "", turns, groups
            return
        if not question:
            yield history, "", turns, groups
            return
        scope = f"t{len(turns) + 1}"
        history += [{"role": "user", "content": escape_markdown(question)},
                    {"role": "assistant", "content": "\u2026"}]
        yield history, "", turns, groups
        answer: Answer | None = None
        partial = ""
        pairs = [(t.question, t.answer) for t in turns]
        try:
            assistant = self._assistant(collection)
            for event in assistant.ask_stream(question, history=pairs or None, mode=mode, k=k, filters=filters):
                if isinstance(event, Answer):
                    answer = event
                else:
                    partial += event
                    history[-1] = {"role": "assistant", "content": streaming_markdown(partial)}
                    yield history, "", turns, groups
        except _USER_ERRORS as exc:
            history[-1] = {"role": "assistant", "content": error_markdown(exc)}
            yield history, "", turns, groups
            return
        assert answer is not None
        history[-1] = {"role": "assistant", "content": chat_markdown(answer, scope=scope)}
        turns = [*turns, Turn(question, answer.answer, scope, answer)]
        passages = citations_html(answer.citations, assistant.document, scope=scope)
        yield history, "", turns, [{"scope": scope, "question": question, "html": passages}, *groups]

    def ask(self, question: str, history: list[dict[str, Any]] | None,
            turns: Turns | None) -> Iterator[tuple[list[dict[str, Any]], str, str, Turns]]:
        """API /ask: (question, history) -> (history, "", sources panel HTML), with the default settings;
        the turns behind the history live in the session's state."""
        for hist, cleared, new_turns, groups in self.chat_events(question, history, turns, []):
            yield hist, cleared, sources_panel_html(groups) if groups else "", new_turns

    def ask_ui(self, question: str, history: list[dict[str, Any]] | None, turns: Turns | None,
               groups: list[dict[str, str]] | None, k: float | None, since: str, until: str,
               doc_ids: list[str] | None, mode: str | None, collection: str | None = None) -> Iterator[tuple[Any, ...]]:
        try:
            filters = parse_filters(doc_ids, since, until)
        except ValueError as exc:
            history = [*(history or []), {"role": "user", "content": escape_markdown(question or "")},
                       {"role": "assistant", "content": error_markdown(exc)}]
            yield history, question, list(turns or []), sources_panel_html(groups or []), list(groups or [])
            return
        for hist, cleared, new_turns, new_groups in self.chat_events(
                question, history, turns, groups, k=int(k) if k else None, filters=filters, mode=mode or None,
                collection=collection):
            yield hist, cleared, new_turns, sources_panel_html(new_groups), new_groups

    @staticmethod
    def new_chat() -> tuple[Any, ...]:
        return [], "", [], EMPTY_PANEL, []

    # conversations (``user`` is the login name, None without a login)

    def ask_saved(self, question: str, history: list[dict[str, Any]] | None, turns: Turns | None,
                  groups: list[dict[str, str]] | None, k: float | None, since: str, until: str,
                  doc_ids: list[str] | None, mode: str | None, collection: str | None, conversation_id: str | None,
                  user: str | None = None) -> Iterator[tuple[Any, ...]]:
        """:meth:`ask_ui`, then the conversation saved under the user's name: (…ask_ui's outputs, conversation id,
        the conversation list)."""
        import gradio as gr

        before = len(_shown_turns(history, turns))
        if before < len(turns or []):
            # The chat shown was cleared (the chatbot's own clear button): what follows is a new conversation.
            # Kept, its first answer went unsaved and its second overwrote the old conversation's turns.
            conversation_id = None
        out: tuple[Any, ...] = ()
        for out in self.ask_ui(question, history, turns, groups, k, since, until, doc_ids, mode, collection):
            yield (*out, conversation_id, gr.update())
        new_turns = out[2] if out else []
        if len(new_turns) <= before or new_turns[-1].result is None:
            return
        conversation_id = self.save_turns(new_turns, collection, conversation_id, user)
        yield (*out, conversation_id, self.conversation_choices(user, conversation_id))

    def save_turns(self, turns: Turns, collection: str | None, conversation_id: str | None, user: str | None) -> str:
        """Save the chat shown (its turns) as the conversation ``conversation_id``, or a new one; returns its id."""
        collection = collection or self.collections.default
        conversation = None
        if conversation_id:
            try:
                conversation = self.conversations.load(user, conversation_id)
            except BriefingError:
                conversation = None
        if conversation is None:
            conversation = self.conversations.new(turns[0].question, collection)
        conversation.turns = [saved.Turn(t.question, t.result, t.scope) for t in turns if t.result is not None]
        self.conversations.save(user, conversation)
        return conversation.id

    def conversation_choices(self, user: str | None, value: str | None = None) -> Any:
        import gradio as gr

        choices = [(f"{c.title} \u00b7 {c.summary()['updated']}", c.id) for c in self.conversations.list(user)]
        return gr.update(choices=choices, value=value if value in {c[1] for c in choices} else None)

    def list_conversations(self, user: str | None) -> list[dict[str, Any]]:
        """API /conversations: the user's own conversations (id, title, collection, turns, updated)."""
        return [c.summary() for c in self.conversations.list(user)]

    def conversation_export(self, conversation_id: str, user: str | None) -> str:
        """API /conversation: one of the user's conversations as Markdown with footnotes."""
        return saved.conversation_markdown(self.conversations.load(user, conversation_id))

    def open_conversation(self, conversation_id: str | None, user: str | None) -> tuple[Any, ...]:
        """(history, question box, turns, panel, groups, conversation id, collection): the saved chat as it was
        shown, its footnotes opening passages read again from the conversation's collection."""
        import gradio as gr

        if not conversation_id:
            return (*self.new_chat(), None, gr.update())
        try:
            conversation = self.conversations.load(user, conversation_id)
        except BriefingError as exc:
            return ([{"role": "assistant", "content": error_markdown(exc)}], "", [], EMPTY_PANEL, [], None, gr.update())
        try:
            document = self._assistant(conversation.collection).document
        except BriefingError:  # the collection was removed: the passages fall back to the saved quotes
            def document(doc_id: str) -> Any:
                return None
        history: list[dict[str, Any]] = []
        turns: Turns = []
        groups: list[dict[str, str]] = []
        for t in conversation.turns:
            history += [{"role": "user", "content": escape_markdown(t.question)},
                        {"role": "assistant", "content": chat_markdown(t.answer, scope=t.scope)}]
            turns.append(Turn(t.question, t.answer.answer, t.scope, t.answer))
            groups.insert(0, {"scope": t.scope, "question": t.question,
                              "html": citations_html(t.answer.citations, document, scope=t.scope)})
        names = self.collection_names()
        collection = gr.update(value=conversation.collection) if conversation.collection in names else gr.update()
        return history, "", turns, sources_panel_html(groups), groups, conversation.id, collection

    def open_conversation_ui(self, conversation_id: str | None, current: str | None, user: str | None) -> tuple[Any, ...]:
        """:meth:`open_conversation`, then (corpus outputs, overview) of the conversation's collection when opening it
        switched the selector away from ``current``: the selector's own change event does not fire on an update, so
        the document filter, the Corpus tab and the overview stayed on the collection left behind, and a follow-up
        was filtered by that collection's documents."""
        import gradio as gr

        opened = self.open_conversation(conversation_id, user)
        switched = opened[-1].get("value")
        if switched is None or switched == (current or self.collections.default):
            return (*opened, *(gr.update() for _ in range(8)))
        return (*opened, *self.refresh_corpus(switched), *self.overview(switched))

    def rename_conversation(self, conversation_id: str | None, title: str, user: str | None) -> tuple[Any, ...]:
        """(conversation list, status, cleared name box)."""
        import gradio as gr

        if not conversation_id:
            return gr.update(), "Open a conversation first.", gr.update()
        try:
            self.conversations.rename(user, conversation_id, title)
        except BriefingError as exc:
            return gr.update(), error_markdown(exc), gr.update()
        return self.conversation_choices(user, conversation_id), "", ""

    def delete_conversation(self, conversation_id: str | None, user: str | None) -> tuple[Any, ...]:
        """(conversation list, status, …new_chat's outputs, conversation id)."""
        import gradio as gr

        if not conversation_id:
            return (gr.update(), "Open a conversation first.", *(gr.update() for _ in range(5)), gr.update())
        try:
            self.conversations.delete(user, conversation_id)
        except BriefingError as exc:
            return (gr.update(), error_markdown(exc), *(gr.update() for _ in range(5)), gr.update())
        return (self.conversation_choices(user), "Conversation deleted.", *self.new_chat(), None)

    def export_conversation(self, conversation_id: str | None, user: str | None) -> str | None:
        """The conversation as a .md file (footnotes quote the cited passages), for download."""
        if not conversation_id:
            return None
        conversation = self.conversations.load(user, conversation_id)
        out = Path(tempfile.mkdtemp(prefix="chat-", dir=self.export_root))
        path = out / f"conversation-{_slug(conversation.title)}.md"
        path.write_text(saved.conversation_markdown(conversation), encoding="utf-8")
        path.chmod(0o600)
        return str(path)

    # the landing overview

    def overview(self, collection: str | None) -> tuple[Any, ...]:
        """(overview Markdown, three example question buttons) for the selected collection."""
        import gradio as gr

        text, questions = collection_overview(collection or self.collections.default, self._corpus(collection))
        buttons = [gr.update(value=q, visible=True) for q in questions]
        buttons += [gr.update(value="", visible=False)] * (3 - len(buttons))
        return (text, *buttons)

    # briefing

    def write_briefing(self, topic: str, filters: Filters | None = None, *, sources_in_text: bool = False,
                       collection: str | None = None, mode: str | None = None) -> tuple[str, str, str | None, str | None]:
        """(rendered markdown, sources panel, .md path, .docx path). The page shows the sources once, in
        the panel; ``sources_in_text`` adds their list to the markdown for callers without the panel."""
        from assistant.export import briefing_docx, briefing_markdown, checks_line

        try:
            topic = check_text("topic", topic, self.limit)
            if not topic:
                return "", "", None, None
            assistant = self._assistant(collection)
            result = assistant.brief(topic, filters=filters, mode=mode or None)
        except _USER_ERRORS as exc:
            return error_markdown(exc), "", None, None
        markdown = briefing_display(result.briefing, result.citations, scope="brief", sources=sources_in_text)
        if result.flags:
            markdown += f"\n\n*{escape_markdown(checks_line(result.flags))}*"
        panel = citations_html(result.citations, assistant.document, scope="brief")
        if result.abstained:
            return markdown, panel, None, None
        out = Path(tempfile.mkdtemp(prefix="brief-", dir=self.export_root))
        md = out / f"briefing-{_slug(topic)}.md"
        md.write_text(briefing_markdown(result), encoding="utf-8")
        docx = out / f"briefing-{_slug(topic)}.docx"
        docx.write_bytes(briefing_docx(result))
        for path in (md, docx):
            path.chmod(0o600)
        return markdown, panel, str(md), str(docx)

    def brief(self, topic: str) -> tuple[str, str | None]:
        """API /brief: (topic) -> (briefing markdown, the .md export)."""
        markdown, _, md, _ = self.write_briefing(topic, sources_in_text=True)
        return markdown, md

    def brief_ui(self, topic: str, since: str, until: str, doc_ids: list[str] | None,
                 collection: str | None = None, mode: str | None = None) -> tuple[Any, ...]:
        import gradio as gr

        try:
            filters = parse_filters(doc_ids, since, until)
        except ValueError as exc:
            return (error_markdown(exc), "", gr.update(value=None, interactive=False),
                    gr.update(value=None, interactive=False))
        markdown, panel, md, docx = self.write_briefing(topic, filters, collection=collection, mode=mode)
        return (markdown, panel, gr.update(value=md, interactive=md is not None),
                gr.update(value=docx, interactive=docx is not None))

    # corpus

    def documents_table(self, collection: str | None = None) -> list[list[Any]]:
        return [[d.title, d.date or "", d.chunks, d.doc_id] for d in self._corpus(collection).documents()]

    def document_choices(self, collection: str | None = None) -> list[tuple[str, str]]:
        return [(f"{d.title} ({d.date})" if d.date else d.title, d.doc_id) for d in self._corpus(collection).documents()]

    def corpus_outputs(self, status: str, collection: str | None = None) -> tuple[Any, ...]:
        import gradio as gr

        choices = self.document_choices(collection)
        return (self.documents_table(collection), status, gr.update(choices=choices, value=None),
                gr.update(choices=choices, value=[]))

    def add_files(self, files: list[str] | None, progress: Any = None, collection: str | None = None) -> tuple[Any, ...]:
        """Ingest the uploaded files: (table, summary in words, remove choices, sidebar documents, drop zone),
        the drop zone cleared once its files are in."""
        import gradio as gr

        if not files:
            return (*self.corpus_outputs("Choose one or more files first.", collection), gr.update())
        paths = [Path(f) for f in files]
        if progress is not None:
            progress((0, len(paths)), desc="Ingesting", unit="files")

        def step(done: int, total: int, current: str, chunks: int) -> None:
            if progress is not None:
                progress((done, total), desc=f"Ingesting {Path(current).name} ({chunks} passages so far)", unit="files")

        try:
            report = self._corpus(collection).ingest(paths, progress=step)
        except _USER_ERRORS as exc:
            return (*self.corpus_outputs(error_markdown(exc), collection), gr.update())
        return (*self.corpus_outputs(ingest_summary(report), collection), gr.update(value=None))

    def remove_document(self, doc_id: str | None, collection: str | None = None) -> tuple[Any, ...]:
        if not doc_id:
            return self.corpus_outputs("Choose a document to remove.", collection)
        corpus = self._corpus(collection)
        title = next((d.title for d in corpus.documents() if d.doc_id == doc_id), doc_id)
        try:
            _, chunks = corpus.remove(doc_id)
        except _USER_ERRORS as exc:
            return self.corpus_outputs(error_markdown(exc), collection)
        return self.corpus_outputs(f"Removed *{escape_markdown(title)}* ({chunks} passages).", collection)

    def refresh_corpus(self, collection: str | None = None) -> tuple[Any, ...]:
        return self.corpus_outputs("", collection)

    def create_collection(self, name: str) -> tuple[Any, ...]:
        """(collection selector, status, name box): a new empty collection, selected."""
        import gradio as gr

        name = (name or "").strip()
        try:
            self.collections.create(name)
        except _USER_ERRORS as exc:
            return gr.update(), error_markdown(exc), gr.update()
        return (gr.update(choices=self.collection_names(), value=name),
                f"Collection *{escape_markdown(name)}* is ready: add reports to it below.", "")

    def select_collection(self, collection: str | None) -> tuple[Any, ...]:
        """Everything a collection change resets: a new chat, no open conversation, its documents, its overview."""
        return (*self.new_chat(), None, *self.refresh_corpus(collection), *self.overview(collection))

    # evaluation

    def run_evaluation(self, source: str, name: str, own_corpus: bool, answers_file: str | None,
                       progress: Any = None) -> tuple[Any, ...]:
        from eval.cli import verifier_name
        from ui import evaluation

        def step(label: str) -> Any:
            if progress is None:
                return None
            return lambda i, n, current: progress((i, n), desc=f"{label}: {current[:60]}", unit="questions")

        try:
            if source == "uploaded":
                if not answers_file:
                    return ("Upload a JSONL file of answers first.", [], [], None, None)
                records = evaluation.read_answers(Path(answers_file))
                title = f"Grounding of {escape_markdown(Path(answers_file).name)}"
            else:
                target = self.assistant
                if own_corpus:
                    if progress is not None:
                        progress(0, desc=f"Preparing the {name} corpus")
                    target = evaluation.assistant_for_set(self.workspace, name, self._eval_assistants)
                records = evaluation.answer_set(target, name, step("Answering"))
                where = "its own corpus" if own_corpus else "your corpus"
                title = f"The assistant on {escape_markdown(name)}, over {where}"
            result = evaluation.score_records(records, self.assistant.verifier, step("Verifying"))
        except _USER_ERRORS as exc:
            return (error_markdown(exc), [], [], None, None)
        m = result.metrics
        checker = {"proxy": "the offline proxy verifier (a proxy for entailment, not an NLI model)",
                   "cross-encoder": "the configured NLI model", "llm-judge": "the configured language model as judge",
                   }.get(verifier_name(self.assistant.verifier), "the configured verifier")
        summary = (f"### {title}\n{m['n_questions']} questions, {m['n_answered']} answered, "
                   f"{m['n_statements']} sentences checked by {checker}.")
        support, scores = evaluation.plots(result)
        return (summary, evaluation.metrics_rows(m), evaluation.question_rows(result), support, scores)

    # wiring

    def mode_choices(self) -> list[tuple[str, str]]:
        """Answer modes named for what they do; the language model by its configured name."""
        llm = self.workspace.settings.llm
        names = {"extractive": "Quotes only (no model)",
                 "llm": f"Language model ({llm.model or llm.provider or 'configured'})"}
        return [(names.get(m, m), m) for m in self.assistant.modes]

    def blocks(self) -> gr.Blocks:
        """The Gradio Blocks, not launched."""
        import gradio as gr

        from ingest.loaders import LOADERS
        from ui import evaluation

        assistant = self.assistant

        def user_of(request: Any) -> str | None:
            return getattr(request, "username", None) or None

        def needs_request(fn: Any) -> Any:
            # Gradio passes the request to a parameter annotated gr.Request; this module's annotations are
            # strings it cannot resolve, so the one it needs is set as an object.
            fn.__annotations__ = {"request": gr.Request}
            return fn

        # Gradio tracks progress through a gr.Progress default argument.
        def add_files(files: list[str] | None, collection: str | None,
                      progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
            return self.add_files(files, progress, collection)

        def run_evaluation(source: str, name: str, own_corpus: bool, answers_file: str | None,
                           progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
            return self.run_evaluation(source, name, own_corpus, answers_file, progress)

        @needs_request
        def ask_saved(question: str, history: Any, turns: Any, groups: Any, k: Any, since: str, until: str,
                      doc_ids: Any, mode: Any, collection: Any, conversation_id: Any, request: Any) -> Iterator[Any]:
            yield from self.ask_saved(question, history, turns, groups, k, since, until, doc_ids, mode, collection,
                                      conversation_id, user_of(request))

        @needs_request
        def open_conversation(conversation_id: Any, current: Any, request: Any) -> tuple[Any, ...]:
            return self.open_conversation_ui(conversation_id, current, user_of(request))

        @needs_request
        def rename_conversation(conversation_id: Any, title: str, request: Any) -> tuple[Any, ...]:
            return self.rename_conversation(conversation_id, title, user_of(request))

        @needs_request
        def delete_conversation(conversation_id: Any, request: Any) -> tuple[Any, ...]:
            return self.delete_conversation(conversation_id, user_of(request))

        @needs_request
        def export_conversation(conversation_id: Any, request: Any) -> Any:
            try:
                path = self.export_conversation(conversation_id, user_of(request))
            except BriefingError as exc:  # deleted in another tab: say so (show_error=False hides other errors)
                raise gr.Error(str(exc)) from None
            return gr.update(value=path, visible=path is not None)

        @needs_request
        def list_conversations(request: Any) -> list[dict[str, Any]]:
            return self.list_conversations(user_of(request))

        @needs_request
        def conversation_api(conversation_id: str, request: Any) -> str:
            try:
                return self.conversation_export(conversation_id, user_of(request))
            except BriefingError as exc:
                raise gr.Error(str(exc)) from None

        @needs_request
        def on_load(collection: Any, request: Any) -> tuple[Any, ...]:
            names = self.collection_names()
            chosen = collection if collection in names else self.collections.default
            return (gr.update(choices=names, value=chosen), self.conversation_choices(user_of(request)),
                    *self.refresh_corpus(chosen), *self.overview(chosen))

        llm_hint = ("A language model is configured: choose it above to have it write the answer from the passages."
                    if "llm" in assistant.modes else
                    "To have a language model write answers, start the app with `BRIEFING_LLM__PROVIDER` "
                    "(`openai` or `ollama`) and `BRIEFING_LLM__MODEL` set; see the README.")
        # Gradio's temp files (uploads, the exports it serves) older than a day go, checked hourly.
        max_age = self.workspace.settings.server.temp_max_age_s
        with gr.Blocks(title="Briefing", delete_cache=(min(3600, max_age), max_age)) as app:
            groups_state = gr.State([])
            turns_state = gr.State([])
            conversation_state = gr.State(None)
            with gr.Sidebar(label="Settings", open=True, position="left"):
                collection_box = gr.Dropdown(choices=self.collection_names(), value=self.collections.default,
                                             label="Collection", info="The set of reports you are asking.",
                                             elem_id="collection")
                gr.Markdown("### Conversations")
                conversation_list = gr.Radio(choices=[], label="Saved conversations", show_label=False,
                                             elem_id="conversations")
                with gr.Row():
                    rename_box = gr.Textbox(placeholder="New name", show_label=False, scale=3,
                                            elem_id="conversation-name", max_length=200)
                    rename = gr.Button("Rename", size="sm", scale=1, elem_id="rename-conversation")
                with gr.Row():
                    export = gr.Button("Export .md", size="sm", elem_id="export-conversation")
                    delete = gr.Button("Delete", size="sm", variant="stop", elem_id="delete-conversation")
                export_file = gr.File(visible=False, show_label=False, elem_id="conversation-file")
                conversation_status = gr.Markdown(elem_id="conversation-status")
                gr.Markdown("### Answers")
                mode_box = gr.Radio(self.mode_choices(), value=assistant.default_mode, label="Answer mode",
                                    elem_id="setting-mode", info="Who writes answers and briefings: quotes chosen "
                                    "offline, or a language model whose every sentence is checked.")
                gr.Markdown(llm_hint, elem_classes=["meta"], elem_id="llm-hint")
                k_box = gr.Slider(1, 20, value=assistant.k, step=1, label="Passages to read", elem_id="setting-k",
                                  info="How many of the best-matching passages the answer is drawn from. More can "
                                       "find more; fewer keeps answers focused.")
                gr.Markdown("### Filters")
                since_box = gr.Textbox(label="Since (YYYY-MM-DD)", placeholder="2020-09-01", elem_id="setting-since")
                until_box = gr.Textbox(label="Until (YYYY-MM-DD)", placeholder="2020-11-30", elem_id="setting-until")
                docs_box = gr.Dropdown(choices=self.document_choices(), value=[], multiselect=True, label="Documents",
                                       info="Empty means every document.", elem_id="setting-docs")
                gr.Markdown("Dates and documents also apply to briefings.", elem_classes=["meta"])
            gr.Markdown("# Briefing\nAsk the reports. Every claim carries a footnote; click it to open the passage.")
            with gr.Tab("Chat", id="chat"):
                overview_md = gr.Markdown(elem_id="overview")
                with gr.Row():
                    examples = [gr.Button(visible=False, size="sm", elem_id=f"example-{i + 1}", elem_classes=["example"])
                                for i in range(3)]
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(label="Chat", height=520, sanitize_html=True, elem_id="chat",
                                             buttons=["copy"])
                        question = gr.Textbox(label="Question", placeholder="How many Russian peacekeepers will deploy?",
                                              elem_id="question", submit_btn=False, max_length=self.limit)
                        with gr.Row():
                            send = gr.Button("Ask", variant="primary", elem_id="ask")
                            clear = gr.Button("New chat", elem_id="new-chat")
                    with gr.Column(scale=2):
                        sources = gr.HTML(EMPTY_PANEL, label="Cited passages", elem_id="sources-panel")
                ui_inputs = [question, chatbot, turns_state, groups_state, k_box, since_box, until_box, docs_box, mode_box,
                             collection_box, conversation_state]
                ui_outputs = [chatbot, question, turns_state, sources, groups_state]
                saved_outputs = [*ui_outputs, conversation_state, conversation_list]
                send.click(ask_saved, ui_inputs, saved_outputs, api_visibility="private")
                question.submit(ask_saved, ui_inputs, saved_outputs, api_visibility="private")
                for button in examples:
                    button.click(lambda text: text, button, question, api_visibility="private").then(
                        ask_saved, ui_inputs, saved_outputs, api_visibility="private")
                clear.click(lambda: (*self.new_chat(), None, gr.update(value=None)), None,
                            [*ui_outputs, conversation_state, conversation_list], api_visibility="private")
                # The chatbot's own clear button empties the history only: the rest of the chat goes with it.
                chatbot.clear(lambda: (*self.new_chat()[1:], None, gr.update(value=None)), None,
                              [*ui_outputs[1:], conversation_state, conversation_list], api_visibility="private")
                api_ask = gr.Button("ask", visible=False)
                api_ask.click(self.ask, [question, chatbot, turns_state], [chatbot, question, sources, turns_state],
                              api_name="ask")
                rename.click(rename_conversation, [conversation_state, rename_box],
                             [conversation_list, conversation_status, rename_box], api_visibility="private")
                delete.click(delete_conversation, [conversation_state],
                             [conversation_list, conversation_status, *ui_outputs, conversation_state],
                             api_visibility="private")
                export.click(export_conversation, [conversation_state], [export_file], api_visibility="private")
                api_list = gr.Button("conversations", visible=False)
                api_json = gr.JSON(visible=False)
                api_list.click(list_conversations, None, [api_json], api_name="conversations")
                api_open = gr.Button("conversation", visible=False)
                api_id = gr.Textbox(visible=False)
                api_md = gr.Markdown(visible=False)
                api_open.click(conversation_api, [api_id], [api_md], api_name="conversation")
            with gr.Tab("Briefing", id="briefing"):
                with gr.Row():
                    with gr.Column(scale=3):
                        with gr.Row():
                            topic = gr.Textbox(label="Topic", placeholder="Russia's role in ending the war", scale=4,
                                               elem_id="topic", max_length=self.limit)
                            make = gr.Button("Write briefing", variant="primary", scale=1, elem_id="write-briefing")
                        briefing_md = gr.Markdown(elem_id="briefing-md", sanitize_html=True)
                        with gr.Row():
                            md_download = gr.DownloadButton("Download .md", interactive=False, elem_id="download-md")
                            docx_download = gr.DownloadButton("Download .docx", interactive=False, elem_id="download-docx")
                    with gr.Column(scale=2):
                        brief_sources = gr.HTML("", label="Cited passages", elem_id="briefing-sources")
                brief_inputs = [topic, since_box, until_box, docs_box, collection_box, mode_box]
                brief_outputs = [briefing_md, brief_sources, md_download, docx_download]
                make.click(self.brief_ui, brief_inputs, brief_outputs, api_visibility="private")
                topic.submit(self.brief_ui, brief_inputs, brief_outputs, api_visibility="private")
                api_file = gr.File(visible=False)
                api_brief = gr.Button("brief", visible=False)
                api_brief.click(self.brief, [topic], [briefing_md, api_file], api_name="brief")
            with gr.Tab("Corpus", id="corpus"):
                table = gr.Dataframe(headers=["title", "date", "passages", "id"], value=self.documents_table(),
                                     interactive=False, elem_id="documents", wrap=True)
                with gr.Row():
                    with gr.Column():
                        files = gr.File(label="Add reports (txt, md, html, pdf, docx)", file_count="multiple",
                                        file_types=sorted(LOADERS), elem_id="upload")
                        add = gr.Button("Add to collection", variant="primary", elem_id="add-files")
                    with gr.Column():
                        to_remove = gr.Dropdown(choices=self.document_choices(), label="Remove a document",
                                                elem_id="remove-choice")
                        remove = gr.Button("Remove", variant="stop", elem_id="remove")
                        with gr.Row():
                            new_name = gr.Textbox(label="New collection", placeholder="news-2020", scale=3,
                                                  elem_id="new-collection", max_length=32)
                            create = gr.Button("Create", scale=1, elem_id="create-collection")
                status = gr.Markdown(elem_id="corpus-status")
                corpus_out = [table, status, to_remove, docs_box]
                add.click(add_files, [files, collection_box], [*corpus_out, files], api_visibility="private").then(
                    self.overview, [collection_box], [overview_md, *examples], api_visibility="private")
                remove.click(self.remove_document, [to_remove, collection_box], corpus_out,
                             api_visibility="private").then(
                    self.overview, [collection_box], [overview_md, *examples], api_visibility="private")
                create.click(self.create_collection, [new_name], [collection_box, status, new_name],
                             api_visibility="private").then(
                    self.select_collection, [collection_box],
                    [*ui_outputs, conversation_state, *corpus_out, overview_md, *examples], api_visibility="private")
            with gr.Tab("Evaluation", id="evaluation"):
                gr.Markdown("How far can the answers be trusted? Each answer sentence is checked against the "
                            "passages its footnotes point at, and answers to a question set are compared with "
                            "the facts they should contain.")
                with gr.Row():
                    source = gr.Radio([("Built-in question set", "builtin"), ("Uploaded answers (JSONL)", "uploaded")],
                                      value="builtin", label="Evaluate")
                    set_name = gr.Dropdown(evaluation.set_names(), value=evaluation.set_names()[0], label="Question set")
                    own = gr.Checkbox(True, label="Answer over the set's own documents (a separate store)")
                    answers_file = gr.File(label="Answers (JSONL: question, answer with [n], passages)",
                                           file_types=[".jsonl"], elem_id="eval-answers", visible=False)
                source.change(lambda s: (gr.update(visible=s == "builtin"), gr.update(visible=s == "builtin"),
                                         gr.update(visible=s == "uploaded")),
                              [source], [set_name, own, answers_file], api_visibility="private")
                run = gr.Button("Run evaluation", variant="primary", elem_id="run-eval")
                eval_summary = gr.Markdown(elem_id="eval-summary")
                metrics = gr.Dataframe(headers=["Measure", "Value", "95% range", "What it means"], interactive=False,
                                       wrap=True, elem_id="eval-metrics", max_height=900,
                                       column_widths=["24%", "9%", "13%", "54%"])
                with gr.Row():
                    support_plot = gr.Image(label="Sentences backed per answer", type="filepath", interactive=False,
                                            show_label=False, elem_id="eval-support")
                    score_plot = gr.Image(label="How well sentences are backed", type="filepath", interactive=False,
                                          show_label=False, elem_id="eval-scores")
                gr.Markdown("Questions with problems come first.")
                per_question = gr.Dataframe(headers=["Question", "Outcome", "Correct", "Backed", "Problems found"],
                                            interactive=False, wrap=True, elem_id="eval-questions", max_height=900,
                                            column_widths=["34%", "10%", "9%", "9%", "38%"])
                run.click(run_evaluation, [source, set_name, own, answers_file],
                          [eval_summary, metrics, per_question, support_plot, score_plot], api_visibility="private")
            conversation_list.input(open_conversation, [conversation_list, collection_box],
                                    [*ui_outputs, conversation_state, collection_box, *corpus_out, overview_md, *examples],
                                    api_visibility="private")
            collection_box.input(self.select_collection, [collection_box],
                                 [*ui_outputs, conversation_state, *corpus_out, overview_md, *examples],
                                 api_visibility="private")
            app.load(on_load, [collection_box], [collection_box, conversation_list, *corpus_out, overview_md, *examples],
                     api_visibility="private")
        return app


def create_app(workspace: Workspace) -> gr.Blocks:
    """Build the Blocks for ``workspace``; the caller launches (or tests) it. Telemetry is already off:
    importing this module imported ``ingest``, which switches it off (ingest/offline.py). Gradio's own
    temp files (uploads, served exports) go to a private temp folder unless GRADIO_TEMP_DIR is set:
    its default, /tmp/gradio, is readable by every local user."""
    if not os.environ.get("GRADIO_TEMP_DIR"):
        os.environ["GRADIO_TEMP_DIR"] = str(private_temp("briefing-gradio-"))
    return BriefingApp(workspace).blocks()


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # Gradio's serving loop closes the server on it, as on Ctrl-C


def launch(workspace: Workspace) -> None:
    """Serve the app with the settings' safe defaults (loopback, bounded queue, upload limit). A server stopped
    with SIGTERM (kill, systemd, docker) ends as Ctrl-C ends it, so the exit handlers remove its scratch folders
    (exports, uploads): with the default handler the process died at once and left them in the temp directory."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    server = workspace.settings.server
    app = create_app(workspace)
    auth = None
    if server.auth:  # one user:password per line
        auth = [(user, password) for user, _, password in
                (line.strip().partition(":") for line in server.auth.splitlines() if line.strip())]
    app.queue(max_size=server.queue_size, default_concurrency_limit=server.concurrency)
    app.launch(
        server_name=server.host, server_port=server.port, auth=auth, max_file_size=f"{server.max_upload_mb}mb",
        **launch_options(workspace),
    )
