"""Safe rendering of answers and passages: corpus and model text is escaped, never trusted as HTML."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from assistant.answers import Citation
from ingest.store import DocumentRecord

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")
_MARKER = re.compile(r"\[(\d{1,3})\]")


def escape_markdown(text: str) -> str:
    """Text shown literally in Markdown: no HTML, no links, no images, no emphasis."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=True))


def answer_markdown(answer: str, citations: Sequence[Citation]) -> str:
    """The answer with footnote markers as superscript links, then the cited sources."""
    valid = {c.marker for c in citations}
    escaped = escape_markdown(answer)

    def sup(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n not in valid:
            return ""
        return f'<sup><a href="#cite-{n}" class="cite-link" title="Open source {n}">[{n}]</a></sup>'

    body = re.sub(r"\\\[(\d{1,3})\\\]", sup, escaped)
    if not citations:
        return body
    lines = [body, "", "---", "**Sources**", ""]
    for c in citations:
        meta = ", ".join(x for x in (c.date, f"p. {c.page}" if c.page else None) if x)
        lines.append(
            f"{c.marker}. *{escape_markdown(c.title)}*" + (f" ({escape_markdown(meta)})" if meta else "")
            + f" — \u201c{escape_markdown(c.text)}\u201d"
        )
    return "\n".join(lines)


def passage_html(citation: Citation, document: DocumentRecord | None) -> str:
    """The cited passage highlighted inside its surrounding paragraph, with the report's sources."""
    title = html.escape(citation.title)
    meta = " · ".join(html.escape(x) for x in (citation.date, citation.section, f"p. {citation.page}" if citation.page else None) if x)
    context_start, context_end = citation.start, citation.end
    text = citation.text
    if document and document.text:
        block = document.block_at(citation.start, citation.end)
        if block:
            context_start, context_end = block.start, block.end
        text = document.text
    before = html.escape(text[context_start:citation.start]) if document else ""
    marked = html.escape(text[citation.start:citation.end]) if document else html.escape(text)
    after = html.escape(text[citation.end:context_end]) if document else ""
    origin = "".join(
        f'<li><a href="{html.escape(u, quote=True)}" rel="noopener noreferrer nofollow" target="_blank">{html.escape(u)}</a></li>'
        for u in citation.origin if u.startswith(("http://", "https://"))
    )
    return (
        f'<div class="passage" id="cite-{citation.marker}" data-marker="{citation.marker}">'
        f'<div class="passage-head"><b>[{citation.marker}] {title}</b> <span class="meta">{meta}</span></div>'
        f'<p class="passage-context">{before}<mark>{marked}</mark>{after}</p>'
        + (f'<div class="origin">Report\'s own sources:<ul>{origin}</ul></div>' if origin else "")
        + "</div>"
    )
