"""Export briefings: Markdown with a footnote list, and .docx.

The Markdown holds corpus text, and a briefing file is opened in other people's renderers: every
character that could start a link, an image, an autolink or raw HTML in CommonMark is backslash-
escaped in corpus (and topic) text. Only the structure the composer writes (``## ``, ``- ``,
``**label**``), the footnotes ``[^n]`` and the report's own http(s) source URLs, as ``<autolinks>``,
stay live.
"""

from __future__ import annotations

import io
import re

from assistant.answers import Briefing, Citation

_MARKER = re.compile(r"\[(\d{1,3})\]")
# Link, image, raw HTML, autolink, entity and code syntax, emphasis (so **labels** stay the composer's),
# and the backslash itself.
_ACTIVE = re.compile(r"([\\`*_\[\]()!<>&])")
_ESCAPED_MARKER = re.compile(r"\\\[(\d{1,3})\\\]")
_BOLD_LEAD = re.compile(r"^\*\*([^*]+)\*\*\s*(.*)$")
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`\\\x00-\x1f\x7f]+$", re.I)


def escape_markdown(text: str) -> str:
    """``text`` shown literally by a CommonMark renderer: no link, image, HTML, entity or emphasis."""
    return _ACTIVE.sub(r"\\\1", text)


def _url(url: str) -> str:
    return f"<{url}>" if _SAFE_URL.match(url) else escape_markdown(url)


def _source_line(c: Citation) -> str:
    where = c.where()
    line = f"{c.title}" + (f" ({where})" if where else "") + f": “{c.text}”"
    if c.origin:
        line += " Sources cited by the report: " + ", ".join(c.origin)
    return line


def _markdown_source_line(c: Citation) -> str:
    where = c.where()
    line = escape_markdown(c.title) + (f" ({escape_markdown(where)})" if where else "") + f": “{escape_markdown(c.text)}”"
    if c.origin:
        line += " Sources cited by the report: " + ", ".join(_url(u) for u in c.origin)
    # One line: a footnote's text ends with the closing quote, so no line of it can pass for a
    # CommonMark link definition (which a renderer without footnotes would apply to the [^n] above).
    return " ".join(line.split())


def _body_line(line: str, markers: set[int]) -> str:
    """One line of the composer's briefing: its own prefix and bold label kept, the rest escaped,
    and its ``[n]`` markers (for citations that exist) turned into footnote references."""
    if line.startswith("## "):  # the title holds the analyst's topic, never a footnote: "[2]" in it stays text
        return ("## " + escape_markdown(line[3:])).rstrip()
    prefix = "- " if line.startswith("- ") else ""
    rest = line[len(prefix):]
    bold = _BOLD_LEAD.match(rest)
    if bold:
        label, rest = f"**{escape_markdown(bold.group(1).strip())}** ", bold.group(2)
    else:
        label = ""

    def footnote(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f"[^{n}]" if n in markers else m.group(0)

    return (prefix + label + _ESCAPED_MARKER.sub(footnote, escape_markdown(rest))).rstrip()


def briefing_markdown(briefing: Briefing) -> str:
    """The briefing with Markdown footnotes ``[^n]`` and the footnote list at the end; corpus text escaped."""
    markers = {c.marker for c in briefing.citations}
    body = "\n".join(_body_line(line, markers) for line in briefing.briefing.splitlines())
    notes = [f"[^{c.marker}]: {_markdown_source_line(c)}" for c in briefing.citations]
    checks = f"\n\n*{escape_markdown(checks_line(briefing.flags))}*" if briefing.flags else ""
    return body + checks + "\n\n" + "\n".join(notes) + "\n"


def checks_line(flags: list[str]) -> str:
    """What the checks of a chat model's page removed, as one line under the page."""
    return "Checks: " + "; ".join(flags)


def answer_markdown_footnotes(answer: str, citations: list[Citation], offset: int = 0) -> tuple[str, list[str], int]:
    """An answer as Markdown (corpus text escaped) whose markers ``[n]`` are footnotes ``[^offset+n]``, the
    footnote definitions, and how many numbers it used: answers of one conversation number on from the last."""
    markers = {c.marker for c in citations}

    def footnote(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f"[^{offset + n}]" if n in markers else ""

    bold = _BOLD_LEAD.match(" ".join(answer.split()))
    # The direct answer the composer leads with (``**1,960.** …``) stays bold; the rest is corpus text, escaped.
    lead, rest = (f"**{escape_markdown(bold.group(1).strip())}** ", bold.group(2)) if bold else ("", answer)
    body = " ".join((lead + _ESCAPED_MARKER.sub(footnote, escape_markdown(rest))).split())
    notes = [f"[^{offset + c.marker}]: {_markdown_source_line(c)}" for c in citations]
    return body, notes, max(markers, default=0)


# What XML 1.0, and so a .docx, cannot hold: C0 controls other than tab, newline and carriage return, lone
# surrogates, U+FFFE and U+FFFF. python-docx refuses them with a ValueError, so one stray control character in a
# topic or in a cited report (a vertical tab or form feed pasted from Word) lost the whole export.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _docx_text(text: str) -> str:
    """``text`` as a .docx can hold it: each character XML refuses becomes a space (a form feed parts words)."""
    return _NOT_XML.sub(" ", text)


def briefing_docx(briefing: Briefing) -> bytes:
    """A Word document: headings and bullets as in the Markdown, markers as superscripts, sources at the end."""
    import docx

    document = docx.Document()
    for line in _docx_text(briefing.briefing).splitlines():
        if not line.strip():
            continue
        if line.startswith("## "):
            document.add_heading(line[3:], level=1)
            continue
        bullet = line.startswith("- ")
        text = line[2:] if bullet else line
        para = document.add_paragraph(style="List Bullet" if bullet else None)
        for piece in re.split(r"(\*\*[^*]+\*\*|\[\d{1,3}\])", text):
            if not piece:
                continue
            if piece.startswith("**"):
                para.add_run(piece.strip("*")).bold = True
            elif _MARKER.fullmatch(piece):
                para.add_run(piece).font.superscript = True
            else:
                para.add_run(piece)
    if briefing.flags:
        document.add_paragraph().add_run(_docx_text(checks_line(briefing.flags))).italic = True
    document.add_heading("Sources", level=2)
    for c in briefing.citations:
        document.add_paragraph(_docx_text(f"[{c.marker}] {_source_line(c)}"))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
