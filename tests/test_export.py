"""The .md export holds corpus text inert: rendered by CommonMark (raw HTML allowed), only its own structure is live."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from assistant.answers import Briefing, Citation
from assistant.export import briefing_markdown

# Formatting a corpus line may still produce (a line of a passage that starts with "#" or "1."): harmless.
# What must never appear: raw HTML, images, links other than the report's own http(s) URLs.
ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "strong", "em", "ul", "ol", "li", "a", "br", "hr",
                "blockquote", "pre", "code"}
HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "![x](http://127.0.0.1:9/p.png)",
    "[click](javascript:alert(1))", "<http://127.0.0.1:9/auto>", "<a href='http://127.0.0.1:9/'>x</a>",
    "[ref]\n\n[ref]: javascript:alert(1)", "&lt;script&gt;", "\\<b>bold</b>", "`<i>`", "<!-- c -->",
    "[^1]: javascript:alert(1)", "<svg onload=alert(1)>", "**x** _y_ ![](x)",
]


def _briefing(text: str, title: str = "Report", origin: list[str] | None = None) -> Briefing:
    c = Citation(marker=1, doc_id="d", title=title, source="s.txt", text=text, start=0, end=len(text),
                 origin=origin or [])
    body = f"## Briefing: topic\n\n**Bottom line.** {text} [1]\n\n**Key points**\n\n- {text} [1]"
    return Briefing(topic="topic", briefing=body, citations=[c])


def _tags(html: str) -> set[str]:
    return {t.lower() for t in re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html)}


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_hostile_text_renders_as_text() -> None:
    for payload in HOSTILE:
        exported = briefing_markdown(_briefing(payload, title=payload, origin=["javascript:alert(2)"]))
        html = MarkdownIt("commonmark").render(exported)
        assert _tags(html) <= ALLOWED_TAGS, (payload, html)
        assert _hrefs(html) == [], (payload, html)
        assert "[^1]" in exported.split("\n\n[^1]:")[0], "the export's own footnote references stay"


def test_structure_and_report_urls_stay_live() -> None:
    exported = briefing_markdown(_briefing("Trucks arrived.", origin=["https://example.org/a_b?c=1&d=2"]))
    html = MarkdownIt("commonmark").render(exported)
    assert "<h2>" in html and "<strong>Bottom line.</strong>" in html and "<li>" in html
    assert _hrefs(html) == ["https://example.org/a_b?c=1&amp;d=2"]
    assert "\n[^1]: Report: “Trucks arrived.”" in exported


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>[]()!&*_`\\\"'#:/=- \nabjsx1^")), max_size=60),
       st.text(alphabet=st.sampled_from(list("<>[]()!&:/ ajvsx")), max_size=20))
def test_no_text_becomes_markup(text: str, title: str) -> None:
    html = MarkdownIt("commonmark").render(briefing_markdown(_briefing(text, title=title)))
    assert _tags(html) <= ALLOWED_TAGS, html
    assert _hrefs(html) == [], html
