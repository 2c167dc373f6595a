"""Safe rendering of answers and passages: corpus and model text is escaped, never trusted as HTML.

Footnote links and passages share a *scope* (``t1``, ``t2``… for chat turns, ``brief`` for a briefing):
the link ``<a href="#cite-N" class="cite-link cite-scope-S">`` opens the passage ``id="cite-S-N"``.
The click handler lives in :data:`CITE_SCRIPT` (loaded in the page head by ``ui.web``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from assistant.answers import Answer, Citation
from assistant.text import LIST_PREFIX, strip_markers
from ingest.documents import FootnoteRef
from ingest.pipeline import IngestReport
from ingest.store import DocumentRecord
from ingest.structure import footnote_refs

# ``<``, ``>`` and ``&`` become entities (html.escape runs after the Markdown escapes, so ``#`` in ``&#x27;`` stays)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~-])")
_SCOPE = re.compile(r"^[A-Za-z0-9_]{1,32}$")


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
_ANSWER_LEAD = re.compile(r"^\*\*([^*\n]+)\*\*\s*(.*)$", re.S)


def _answer_body(answer: str, valid: set[int], scope: str | None) -> str:
    """An answer's text escaped, with footnote links. The bold lead the composer opens an answer with (its
    direct answer, ``**1,960.** …``) stays bold, its text escaped: escaped whole, it read as literal asterisks."""
    bold = _ANSWER_LEAD.match(answer)
    if not bold:
        return _links(escape_markdown(answer), valid, scope)
    rest = _links(escape_markdown(bold.group(2)), valid, scope)
    return f"**{escape_markdown(bold.group(1).strip())}**" + (" " + rest if rest else "")


def briefing_display(briefing: str, citations: Sequence[Citation], *, scope: str | None = None,
                      quote_chars: int | None = 140, sources: bool = True) -> str:
    """A briefing's own structure (``## heading``, ``**label**``, ``- bullet``) kept; all its text escaped.
    ``sources=False`` leaves the source list out, for a page that shows the cited passages beside it."""
    scope = _scope(scope)
    valid = {c.marker for c in citations}
    out: list[str] = []
    for line in briefing.splitlines():
        if line.startswith("## "):  # the title holds the analyst's topic, never a footnote: "[2]" in it stays text
            out.append("## " + escape_markdown(line[3:]))
            continue
        if line.startswith("- "):
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


def _sentence_case(text: str, source: str = "") -> str:
    """``text`` with a capital first letter, and each word that ``source`` (the question) spells with capitals
    spelled that way: "no document mentions iran" reads "No document mentions Iran"."""
    spelled = {w.lower(): w for w in re.findall(r"[^\W\d_][\w'’-]*", source) if w[:1].isupper()}
    if spelled:
        text = re.sub(r"[^\W\d_][\w'’-]*", lambda m: spelled.get(m.group(0), m.group(0)) if m.group(0).islower()
                      else m.group(0), text)
    return text[:1].upper() + text[1:]


def chat_markdown(answer: Answer, *, scope: str) -> str:
    """A chat reply: the answer with footnote links. Its sources are listed once, in the sources panel
    (:func:`citations_html`), grouped by document; the reply does not repeat them.

    A doubtful answer must not look like a sure one: a weak match (``Answer.weak_match``) opens with a caution,
    any other answer with a calibrated confidence ends with it (``Answer.confidence_note``), and parts of the
    question that no passage answers are named."""
    if answer.abstained:
        text = escape_markdown(answer.answer)
        notes = []
        if answer.abstain_reason:
            reason = _sentence_case(answer.abstain_reason.rstrip("."), answer.question)
            notes.append(f"*Why: {escape_markdown(reason)}.*")
        if answer.flags:
            notes.append("*Checks: " + "; ".join(escape_markdown(f) for f in answer.flags) + "*")
        return text + ("\n\n" + "\n\n".join(notes) if notes else "")
    out = _answer_body(answer.answer, {c.marker for c in answer.citations}, _scope(scope))
    if answer.weak_match and answer.confidence is not None:
        out = (f"\u26a0\ufe0f *Weak match (confidence {answer.confidence:.2f}): the quoted passage may not answer "
               "the question; open it before relying on it.*\n\n" + out)
    if answer.missing_parts:
        out += "\n\n*Not found in the reports: " + "; ".join(escape_markdown(p) for p in answer.missing_parts) + ".*"
    if answer.unquoted_parts:
        out += ("\n\n*Not quoted within the word limit (ask on its own): "
                + "; ".join(escape_markdown(p) for p in answer.unquoted_parts) + ".*")
    if (note := answer.confidence_note()) is not None:
        out += f"\n\n*{note}*"
    if answer.flags:
        out += "\n\n*Checks: " + "; ".join(escape_markdown(f) for f in answer.flags) + "*"
    return out


def streaming_markdown(partial: str) -> str:
    """Text as a chat model writes it, escaped, with a cursor."""
    return escape_markdown(partial) + " \u258c"


def _meta(citation: Citation, *, with_date: bool = True) -> str:
    """Date, section and page; a section that only repeats the title (a Markdown file's first heading) is left out."""
    section = citation.section
    if section and section.strip().lower().rstrip(".") == citation.title.strip().lower().rstrip("."):
        section = None
    return ", ".join(x for x in (citation.date if with_date else None, section,
                                 f"p. {citation.page}" if citation.page else None) if x)


def _span_html(text: str, start: int, end: int, refs: Sequence[FootnoteRef], footnotes: dict[str, list[str]]) -> str:
    """``text[start:end]`` escaped, with the report's own footnote markers (³, [3]) as superscripts that link to
    the source the report gives for them."""
    out: list[str] = []
    pos = start
    for ref in refs:
        if ref.start < start or ref.end > end:
            continue
        out.append(html.escape(text[pos:ref.start]))
        urls = [u for u in footnotes.get(ref.marker, []) if u.startswith(("http://", "https://"))]
        label = html.escape(ref.marker)
        if urls:
            out.append(f'<sup class="fn"><a href="{html.escape(urls[0], quote=True)}" rel="noopener noreferrer nofollow" '
                       f'target="_blank" title="{html.escape(urls[0], quote=True)}">{label}</a></sup>')
        else:
            out.append(f'<sup class="fn">{label}</sup>')
        pos = ref.end
    out.append(html.escape(text[pos:end]))
    return "".join(out)


_ITEM_NUMBER = re.compile(r"\(?(\d{1,3})[.)]")


def passage_html(citation: Citation, document: DocumentRecord | None, *, scope: str | None = None,
                 collapsed: bool = False, grouped: bool = False) -> str:
    """The cited passage highlighted inside its surrounding paragraph, with the report's sources.

    A list item shows as a list item (its bullet and number are not text), and the report's footnote
    markers as superscripts linking to the report's source. ``collapsed`` renders a ``<details>`` whose
    summary names the source; a footnote click opens it. ``grouped`` leaves the title and date out of the
    summary, for a list that shows them once above all of a document's passages.
    """
    scope = _scope(scope)
    n = int(citation.marker)
    element_id = f"cite-{scope}-{n}" if scope else f"cite-{n}"
    title = html.escape(citation.title)
    meta = html.escape(_meta(citation, with_date=not grouped))
    if document and document.text:
        text, footnotes = document.text, document.footnotes
        start, end = citation.start, citation.end
        block = document.block_at(start, end)
        context_start, context_end = (block.start, block.end) if block else (start, end)
    else:  # the document is gone (a saved conversation outlives it): the quote alone
        text, footnotes = citation.text, {}
        start, end = context_start, context_end = 0, len(text)
    item = LIST_PREFIX.match(text, context_start, start)
    number = None
    if item and item.end() > context_start:
        found = _ITEM_NUMBER.search(item.group(0))
        number = int(found.group(1)) if found else None
        context_start = item.end()
    refs = footnote_refs(text[context_start:context_end], footnotes) if footnotes else []
    refs = [FootnoteRef(r.marker, r.start + context_start, r.end + context_start) for r in refs]
    inner = (_span_html(text, context_start, start, refs, footnotes)
             + f"<mark>{_span_html(text, start, end, refs, footnotes)}</mark>"
             + _span_html(text, end, context_end, refs, footnotes))
    if item and item.end() > item.start():
        value = f' value="{number}"' if number is not None else ""
        tag = "ol" if number is not None else "ul"
        context = f'<{tag} class="passage-context passage-item"><li{value}>{inner}</li></{tag}>'
    else:
        context = f'<p class="passage-context">{inner}</p>'
    origin = "".join(
        f'<li><a href="{html.escape(u, quote=True)}" rel="noopener noreferrer nofollow" target="_blank">{html.escape(u)}</a></li>'
        for u in citation.origin if u.startswith(("http://", "https://"))
    )
    body = context + (f'<div class="origin">Report\'s own sources:<ul>{origin}</ul></div>' if origin else "")
    scope_attr = f' data-scope="{scope}"' if scope else ""
    if collapsed:
        shown = strip_markers(citation.text) or citation.text
        quote = shown if len(shown) <= 110 else shown[:107].rstrip() + "…"
        head = f"<b>[{n}]</b>" if grouped else f"<b>[{n}] {title}</b>"
        meta_html = f' <span class="meta">{meta}</span>' if meta else ""
        return (
            f'<details class="passage" id="{element_id}" data-marker="{n}"{scope_attr}>'
            f'<summary>{head}{"" if grouped else meta_html} <span class="quote">\u201c{html.escape(quote)}\u201d'
            f'</span>{meta_html if grouped else ""}</summary>{body}</details>'
        )
    return (
        f'<div class="passage" id="{element_id}" data-marker="{n}"{scope_attr}>'
        f'<div class="passage-head"><b>[{n}] {title}</b> <span class="meta">{meta}</span></div>'
        + body + "</div>"
    )


def citations_html(citations: Sequence[Citation], document: Callable[[str], DocumentRecord | None], *,
                   scope: str | None = None) -> str:
    """An answer's sources, once: each cited document's title and date, then its cited passages (folded,
    a footnote click opens one), in the order the answer first cites them."""
    by_doc: dict[str, list[Citation]] = {}
    for c in citations:
        by_doc.setdefault(c.doc_id, []).append(c)
    parts = []
    for doc_id, cites in by_doc.items():
        record = document(doc_id)
        first = cites[0]
        meta = ", ".join(x for x in (first.date, record.author if record else None) if x)
        passages = "".join(passage_html(c, record, scope=scope, collapsed=True, grouped=True) for c in cites)
        parts.append(
            f'<div class="doc-sources" data-doc="{html.escape(doc_id, quote=True)}"><div class="doc-head">'
            f'<b>{html.escape(first.title)}</b>' + (f' <span class="meta">{html.escape(meta)}</span>' if meta else "")
            + f"</div>{passages}</div>"
        )
    return "".join(parts)


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def ingest_summary(report: IngestReport) -> str:
    """What an upload did, in words (Markdown, file names and reasons escaped):
    "Added 2 documents (14 passages). 1 file could not be read: bad.pdf, malformed PDF." """
    sentences = []
    for status, verb in (("added", "Added"), ("updated", "Updated")):
        done = [o for o in report.outcomes if o.status == status]
        if done:
            passages = sum(o.chunks for o in done)
            sentences.append(f"{verb} {_count(len(done), 'document', 'documents')} "
                             f"({_count(passages, 'passage', 'passages')}).")
    unchanged = report.count("unchanged")
    if unchanged:
        sentences.append(f"{_count(unchanged, 'file was', 'files were')} already in the collection, unchanged.")
    bad = [o for o in report.outcomes if o.status in ("failed", "skipped")]
    if bad:
        named = "; ".join(f"{escape_markdown(_file_name(o.path))}, {escape_markdown(_reason(o.path, o.reason))}"
                          for o in bad)
        sentences.append(f"{_count(len(bad), 'file', 'files')} could not be read: {named}.")
    return " ".join(sentences) or "No files were added."


def _file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _reason(path: str, reason: str | None) -> str:
    """A failure reason without the (temporary) path it starts with, and without a closing full stop."""
    return (reason or "failed").replace(f"{path}: ", "").replace(path, _file_name(path)).strip().rstrip(".")


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
