"""The Gradio app. ``create_app`` builds the Blocks without launching; every handler calls the assistant."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.errors import BriefingError
from ui.render import answer_markdown, escape_markdown, passage_html

if TYPE_CHECKING:
    import gradio as gr

    from assistant.engine import Assistant

CSS = """
.passage { border-left: 3px solid #999; padding: 0.4em 0.8em; margin: 0.6em 0; }
.passage mark { background: #ffe58a; padding: 0 2px; }
.passage .meta { color: #666; font-size: 0.9em; }
"""


def create_app(assistant: Assistant) -> gr.Blocks:
    """Build the Blocks for ``assistant``; the caller launches (or tests) it."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    def ask(question: str, history: list[dict[str, Any]] | None) -> tuple[list[dict[str, Any]], str, str]:
        history = list(history or [])
        question = (question or "").strip()
        if not question:
            return history, "", ""
        try:
            answer = assistant.ask(question)
        except BriefingError as exc:
            history += [{"role": "user", "content": escape_markdown(question)},
                        {"role": "assistant", "content": f"**Error:** {escape_markdown(str(exc))}"}]
            return history, "", ""
        history += [
            {"role": "user", "content": escape_markdown(question)},
            {"role": "assistant", "content": answer_markdown(answer.answer, answer.citations)},
        ]
        panel = "".join(passage_html(c, assistant.document(c.doc_id)) for c in answer.citations)
        return history, "", panel

    def brief(topic: str) -> tuple[str, str | None]:
        topic = (topic or "").strip()
        if not topic:
            return "", None
        try:
            result = assistant.brief(topic)
        except BriefingError as exc:
            return f"**Error:** {escape_markdown(str(exc))}", None
        markdown = answer_markdown(result.briefing, result.citations)
        out = Path(tempfile.mkdtemp(prefix="briefing-")) / "briefing.md"
        out.write_text(markdown, encoding="utf-8")
        return markdown, str(out)

    def documents_table() -> list[list[Any]]:
        return [[d.doc_id, d.title, d.date or "", d.chunks] for d in assistant.documents()]

    def upload(files: list[str] | None) -> tuple[list[list[Any]], str]:
        if not files:
            return documents_table(), ""
        report = assistant.ingest([Path(f) for f in files])
        lines = [escape_markdown(report.summary())]
        lines += [f"- failed: {escape_markdown(f.reason or '')}" for f in report.failures]
        return documents_table(), "\n".join(lines)

    with gr.Blocks(title="Briefing") as app:
        gr.Markdown("# Briefing\nAsk the reports. Every claim carries a footnote to the passage it came from.")
        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="Chat", height=480, sanitize_html=True)
                    question = gr.Textbox(label="Question", placeholder="How many Russian peacekeepers will deploy?")
                    with gr.Row():
                        send = gr.Button("Ask", variant="primary")
                        clear = gr.Button("New chat")
                with gr.Column(scale=2):
                    sources = gr.HTML(label="Cited passages", elem_id="sources-panel")
            send.click(ask, [question, chatbot], [chatbot, question, sources], api_name="ask")
            question.submit(ask, [question, chatbot], [chatbot, question, sources], api_visibility="private")
            clear.click(lambda: ([], "", ""), None, [chatbot, question, sources], api_visibility="private")
        with gr.Tab("Briefing"):
            topic = gr.Textbox(label="Topic", placeholder="Russia's role in ending the war")
            make = gr.Button("Write briefing", variant="primary")
            briefing_md = gr.Markdown()
            download = gr.File(label="Download (.md)")
            make.click(brief, [topic], [briefing_md, download], api_name="brief")
        with gr.Tab("Corpus"):
            table = gr.Dataframe(headers=["id", "title", "date", "chunks"], value=documents_table, interactive=False)
            files = gr.File(label="Add reports", file_count="multiple")
            status = gr.Markdown()
            files.upload(upload, [files], [table, status], api_visibility="private")
    return app


def launch(assistant: Assistant) -> None:
    """Serve the app with the settings' safe defaults (loopback, bounded queue, upload limit)."""
    server = assistant.settings.server
    app = create_app(assistant)
    auth = None
    if server.auth:
        user, _, password = server.auth.partition(":")
        auth = (user, password)
    app.queue(max_size=server.queue_size, default_concurrency_limit=server.concurrency)
    app.launch(
        server_name=server.host, server_port=server.port, auth=auth, max_file_size=f"{server.max_upload_mb}mb",
        share=False, show_error=False, css=CSS, ssr_mode=False,
    )
