"""Export briefings: Markdown with a footnote list, and .docx."""

from __future__ import annotations

import io
import re

from assistant.answers import Briefing, Citation

_MARKER = re.compile(r"\[(\d{1,3})\]")


def _source_line(c: Citation) -> str:
    where = c.where()
    line = f"{c.title}" + (f" ({where})" if where else "") + f": “{c.text}”"
    if c.origin:
        line += " Sources cited by the report: " + ", ".join(c.origin)
    return line


def briefing_markdown(briefing: Briefing) -> str:
    """The briefing with Markdown footnotes ``[^n]`` and the footnote list at the end."""
    body = _MARKER.sub(lambda m: f"[^{m.group(1)}]", briefing.briefing)
    notes = [f"[^{c.marker}]: {_source_line(c)}" for c in briefing.citations]
    return body + "\n\n" + "\n".join(notes) + "\n"


def briefing_docx(briefing: Briefing) -> bytes:
    """A Word document: headings and bullets as in the Markdown, markers as superscripts, sources at the end."""
    import docx

    document = docx.Document()
    for line in briefing.briefing.splitlines():
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
    document.add_heading("Sources", level=2)
    for c in briefing.citations:
        document.add_paragraph(f"[{c.marker}] {_source_line(c)}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
