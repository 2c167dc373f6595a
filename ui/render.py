"""Safe rendering of answers and passages: corpus and model text is escaped, never trusted as HTML.

Footnote links and passages share a *scope* (``t1``, ``t2``… for chat turns, ``brief`` for a briefing):
the link ``<a href="#cite-N" class="cite-link cite-scope-S">`` opens the passage ``id="cite-S-N"``.
The click handler lives in :data:`CITE_SCRIPT` (loaded in the page head by ``ui.web``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from assistant.answers import Answer, Citation
from ingest.store import DocumentRecord

# ``<``, ``>`` and ``&`` become entities (html.escape runs after the Markdown escapes, so ``#`` in ``&#x27;`` stays)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~-])")
_SCOPE = re.compile(r"^[A-Za-z0-9_]{1,32}$")
FOOTER = "\n\n---\n"


def escape_markdown(text: str) -> str:
    """Text shown literally in Markdown: no HTML, no links, no images, no emphasis."""
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=True)


def _scope(scope: str | None) -> str | None:
    if scope is None:
        return None
    if not _SCOPE.match(scope):
        raise ValueError(f"bad citation scope {scope!r}")
    return scope


def _quote(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "\u2026"


def _links(escaped: str, valid: set[int], scope: str | None) -> str:
    """Turn escaped ``\\[n\\]`` markers into superscript links; markers citing nothing are dropped."""
    css = "cite-link" + (f" cite-scope-{scope}" if scope else "")

    def sup(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n not in valid:
            return ""
        return f'<sup><a href="#cite-{n}" class="{css}" title="Open source {n}">[{n}]</a></sup>'

    return re.sub(r"\\\[(\d{1,3})\\\]", sup, escaped)


def _source_list(citations: Sequence[Citation], quote_chars: int | None) -> list[str]:
    lines = ["", "---", "**Sources**", ""]
    for c in citations:
        meta = c.where()
        line = f"{c.marker}. *{escape_markdown(c.title)}*" + (f" ({escape_markdown(meta)})" if meta else "")
        if quote_chars != 0:
            line += f" \u2014 \u201c{escape_markdown(_quote(c.text, quote_chars))}\u201d"
        lines.append(line)
    return lines


def answer_markdown(answer: str, citations: Sequence[Citation], *, scope: str | None = None,
                    quote_chars: int | None = None) -> str:
    """The answer with footnote markers as superscript links, then the cited sources.

    ``quote_chars`` shortens each source's quote (0 leaves quotes out; None keeps them whole)."""
    scope = _scope(scope)
    body = _links(escape_markdown(answer), {c.marker for c in citations}, scope)
    if not citations:
        return body
    return "\n".join([body, *_source_list(citations, quote_chars)])


_BOLD_LEAD = re.compile(r"^\*\*([^*]+)\*\*\s*(.*)$")


def briefing_display(briefing: str, citations: Sequence[Citation], *, scope: str | None = None,
                      quote_chars: int | None = 140, sources: bool = True) -> str:
    """A briefing's own structure (``## heading``, ``**label**``, ``- bullet``) kept; all its text escaped.
    ``sources=False`` leaves the source list out, for a page that shows the cited passages beside it."""
    scope = _scope(scope)
    valid = {c.marker for c in citations}
    out: list[str] = []
    for line in briefing.splitlines():
        if line.startswith("## "):
            prefix, rest = "## ", line[3:]
        elif line.startswith("- "):
            prefix, rest = "- ", line[2:]
        else:
            prefix, rest = "", line
        bold = _BOLD_LEAD.match(rest)
        if bold:
            label = f"**{escape_markdown(bold.group(1).strip())}**"
            text = _links(escape_markdown(bold.group(2)), valid, scope)
            out.append(prefix + label + (" " + text if text else ""))
        else:
            out.append(prefix + _links(escape_markdown(rest), valid, scope))
    if citations and sources:
        out += _source_list(citations, quote_chars)
    return "\n".join(out)


WEAK_MATCH = 0.6  # below this fitted probability an answer carries a visible caution


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def chat_markdown(answer: Answer, *, scope: str) -> str:
    """A chat reply: the answer with footnote links, then a compact source list (the panel holds the passages).

    A doubtful answer must not look like a sure one: under :data:`WEAK_MATCH` it opens with a caution,
    and parts of the question that no passage answers are named."""
    if answer.abstained:
        text = escape_markdown(answer.answer)
        notes = []
        if answer.abstain_reason:
            notes.append(f"*Why: {escape_markdown(_sentence_case(answer.abstain_reason))}.*")
        if answer.flags:
            notes.append("*Checks: " + "; ".join(escape_markdown(f) for f in answer.flags) + "*")
        return text + (FOOTER + "\n\n".join(notes) if notes else "")
    out = answer_markdown(answer.answer, answer.citations, scope=scope, quote_chars=0)
    if answer.confidence is not None and answer.mode == "extractive" and answer.confidence < WEAK_MATCH:
        out = (f"\u26a0\ufe0f *Weak match (confidence {answer.confidence:.2f}): the quoted passage may not answer "
               "the question; open it before relying on it.*\n\n" + out)
    if answer.missing_parts:
        out += "\n\n*Not found in the reports: " + "; ".join(escape_markdown(p) for p in answer.missing_parts) + ".*"
    if answer.flags:
        out += "\n\n*Checks: " + "; ".join(escape_markdown(f) for f in answer.flags) + "*"
    return out


def streaming_markdown(partial: str) -> str:
    """Text as a chat model writes it, escaped, with a cursor."""
    return escape_markdown(partial) + " \u258c"


def passage_html(citation: Citation, document: DocumentRecord | None, *, scope: str | None = None,
                 collapsed: bool = False) -> str:
    """The cited passage highlighted inside its surrounding paragraph, with the report's sources.

    ``collapsed`` renders a ``<details>`` whose summary names the source; a footnote click opens it.
    """
    scope = _scope(scope)
    n = int(citation.marker)
    element_id = f"cite-{scope}-{n}" if scope else f"cite-{n}"
    title = html.escape(citation.title)
    meta = html.escape(citation.where())
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
    body = (
        f'<p class="passage-context">{before}<mark>{marked}</mark>{after}</p>'
        + (f'<div class="origin">Report\'s own sources:<ul>{origin}</ul></div>' if origin else "")
    )
    scope_attr = f' data-scope="{scope}"' if scope else ""
    if collapsed:
        quote = citation.text if len(citation.text) <= 110 else citation.text[:107].rstrip() + "…"
        return (
            f'<details class="passage" id="{element_id}" data-marker="{n}"{scope_attr}>'
            f'<summary><b>[{n}] {title}</b> <span class="meta">{meta}</span>'
            f'<span class="quote">\u201c{html.escape(quote)}\u201d</span></summary>{body}</details>'
        )
    return (
        f'<div class="passage" id="{element_id}" data-marker="{n}"{scope_attr}>'
        f'<div class="passage-head"><b>[{n}] {title}</b> <span class="meta">{meta}</span></div>'
        + body + "</div>"
    )


EMPTY_PANEL = (
    '<div class="sources-empty">Cited passages appear here. Click a footnote '
    '<sup class="demo">[n]</sup> in an answer to open the passage it came from.</div>'
)


def sources_panel_html(groups: Sequence[dict[str, str]]) -> str:
    """The sources panel: the newest answer's cited passages first, earlier answers folded below.

    Each group is ``{"scope", "question", "html"}`` (``html`` already built by :func:`passage_html`).
    """
    if not groups:
        return EMPTY_PANEL
    parts: list[str] = []
    for i, g in enumerate(groups):
        section = (
            f'<section class="turn-sources" data-scope="{html.escape(g["scope"], quote=True)}">'
            f'<div class="turn-question">Sources for \u201c{html.escape(g["question"])}\u201d</div>'
            f'{g["html"] or "<p class=meta>No passage cited.</p>"}</section>'
        )
        if i == 1:
            parts.append('<details class="earlier"><summary>Earlier answers</summary>')
        parts.append(section)
    if len(groups) > 1:
        parts.append("</details>")
    return "".join(parts)


CITE_SCRIPT = r"""
<script>
(function () {
  if (window.__briefingCites) return;
  window.__briefingCites = true;
  function openCite(link) {
    var m = (link.getAttribute("href") || "").match(/^#cite-(\d{1,3})$/);
    if (!m) return false;
    var scope = null;
    link.classList.forEach(function (c) { if (c.indexOf("cite-scope-") === 0) scope = c.slice(11); });
    var target = (scope && document.getElementById("cite-" + scope + "-" + m[1])) ||
                 document.getElementById("cite-" + m[1]);
    if (!target) return false;
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    document.querySelectorAll(".passage.cite-active").forEach(function (e) { e.classList.remove("cite-active"); });
    target.classList.add("cite-active");
    target.scrollIntoView({block: "nearest", behavior: "smooth"});
    return true;
  }
  document.addEventListener("click", function (ev) {
    var link = ev.target && ev.target.closest ? ev.target.closest("a.cite-link") : null;
    if (!link) return;
    ev.preventDefault();
    ev.stopPropagation();
    openCite(link);
  }, true);
})();
</script>
"""
