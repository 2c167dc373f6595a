"""Each supported format, read from the committed fixtures in tests/fixtures/formats/.

Regenerate the fixtures with ``.venv/bin/python tests/fixtures/make_fixtures.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.build import make_ledger, make_store
from assistant.settings import Settings
from ingest.chunking import chunk_document
from ingest.documents import ParsedDocument
from ingest.embeddings import HashingEmbedder
from ingest.errors import DocumentError, UnsupportedFileError
from ingest.loaders import load_document
from ingest.pipeline import Ingestor
from tests.conftest import FIXTURES

FORMATS = FIXTURES / "formats"


def load(name: str) -> ParsedDocument:
    return load_document(FORMATS / name)


def flat(text: str) -> str:
    """Whitespace-insensitive view of text (PDF extraction wraps lines where the layout did)."""
    return " ".join(text.split())


def section_of(doc: ParsedDocument, needle: str) -> str | None:
    at = doc.text.index(needle)
    (block,) = [b for b in doc.blocks if b.start <= at < b.end]
    return block.section


def test_fixtures_are_small_and_all_present() -> None:
    names = sorted(p.name for p in FORMATS.iterdir())
    assert names == ["clashes.md", "drones.docx", "economy-cp1252.txt", "ganja-ceasefire.pdf", "shusha.html"]
    assert all((FORMATS / n).stat().st_size < 32_000 for n in names)


def test_blocks_index_the_extracted_text() -> None:
    for path in sorted(FORMATS.iterdir()):
        doc = load_document(path)
        assert doc.blocks, path.name
        for block in doc.blocks:
            piece = doc.text[block.start:block.end]
            assert piece and piece == piece.strip(), (path.name, block)


# PDF


def test_pdf_text_and_metadata() -> None:
    doc = load("ganja-ceasefire.pdf")
    assert doc.format == "pdf"
    assert (doc.title, doc.author, doc.date) == (
        "Shelling of Ganja and the Humanitarian Ceasefire", "Caucasus Desk", "2020-10-12",
    )
    text = flat(doc.text)
    assert "Armenian forces struck the Azerbaijani city of Ganja with rockets on October 11, 2020." in text
    assert "Azerbaijani units continued their advance along the Araxes River toward Hadrut." in text


def test_pdf_blocks_and_chunks_carry_their_page() -> None:
    doc = load("ganja-ceasefire.pdf")
    assert {b.page for b in doc.blocks} == {1, 2}
    first_page_2 = min(b.start for b in doc.blocks if b.page == 2)
    assert "Ganja with rockets" in doc.text[:first_page_2]
    assert "Araxes River" in doc.text[first_page_2:]

    chunks = chunk_document(doc, "pdfdoc", HashingEmbedder().count_tokens, max_tokens=200)
    assert {c.page for c in chunks} == {1, 2}
    page2 = [c for c in chunks if c.page == 2]
    assert page2 and all(c.start >= first_page_2 for c in page2)
    assert any("Araxes River" in c.text for c in page2)
    assert any("second ceasefire" in c.text for c in page2)
    assert all("Ganja with rockets" not in c.text for c in page2)
    assert any("Ganja with rockets" in c.text and c.page == 1 for c in chunks)
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text


def test_pdf_small_chunks_never_span_pages() -> None:
    doc = load("ganja-ceasefire.pdf")
    chunks = chunk_document(doc, "pdfdoc", HashingEmbedder().count_tokens, max_tokens=20)
    assert len(chunks) > 4
    page_of = {b.page: (b.start, b.end) for b in doc.blocks}
    for c in chunks:
        lo = min(b.start for b in doc.blocks if b.page == c.page)
        hi = max(b.end for b in doc.blocks if b.page == c.page)
        assert lo <= c.start and c.end <= hi, (c, page_of)


# DOCX


def test_docx_title_author_date_and_text() -> None:
    doc = load("drones.docx")
    assert doc.format == "docx"
    assert (doc.title, doc.author, doc.date) == ("Drones over Nagorno-Karabakh", "Field Analysis Unit", "2020-10-12")
    assert "Azerbaijan used Turkish Bayraktar TB2 drones to destroy Armenian air defenses" in doc.text
    assert doc.blocks[0].kind == "title" and doc.text[: doc.blocks[0].end] == "Drones over Nagorno-Karabakh"


def test_docx_headings_become_sections() -> None:
    doc = load("drones.docx")
    headings = [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "heading"]
    assert headings == ["Turkish Bayraktar drones", "Israeli loitering munitions", "Armenian response"]
    assert section_of(doc, "Bayraktar TB2") == "Turkish Bayraktar drones"
    assert section_of(doc, "Video of the strikes") == "Turkish Bayraktar drones"
    assert section_of(doc, "Harop loitering munitions") == "Israeli loitering munitions"  # Heading 2
    assert section_of(doc, "redeployed") == "Armenian response"
    chunks = chunk_document(doc, "docx", HashingEmbedder().count_tokens)
    by_text = {c.section for c in chunks if "Harop" in c.text}
    assert by_text == {"Israeli loitering munitions"}


# HTML


def test_html_article_text_and_metadata() -> None:
    doc = load("shusha.html")
    assert doc.format == "html"
    assert doc.title == "Shusha Falls to Azerbaijani Forces"  # the article's h1
    assert doc.author == "Lena Avetisyan"
    assert doc.date == "2020-11-08"  # from article:published_time 2020-11-08T14:05:00Z
    assert doc.description == "Azerbaijani forces take the fortress town of Shusha."
    assert doc.text.startswith("Shusha Falls to Azerbaijani Forces\n\n")
    assert "captured Shusha, the fortress town that overlooks Stepanakert." in doc.text
    assert "Armenian officials denied the loss" in doc.text


def test_html_drops_nav_header_footer_and_scripts() -> None:
    text = load("shusha.html").text
    for junk in ("NAV-MENU-REGION-LINK", "Home", "HEADER-BANNER", "FOOTER-COPYRIGHT", "All rights reserved",
                 "SCRIPT-TEXT", "SECOND-SCRIPT-TEXT", "trackingNavId", "console.log", "font-family",
                 "Caucasus Monitor"):
        assert junk not in text, junk


def test_html_headings_and_list_items() -> None:
    doc = load("shusha.html")
    kinds = {doc.text[b.start:b.end]: b.kind for b in doc.blocks}
    assert kinds["Shusha Falls to Azerbaijani Forces"] == "title"
    assert kinds["Why Shusha matters"] == "heading"
    assert kinds["It controls the Lachin road."] == "list_item"
    assert kinds["It overlooks the regional capital from the heights."] == "list_item"
    assert section_of(doc, "Lachin corridor") == "Why Shusha matters"
    assert section_of(doc, "It controls the Lachin road.") == "Why Shusha matters"
    assert section_of(doc, "Azerbaijani President Ilham Aliyev") is None


# Markdown


def test_markdown_front_matter() -> None:
    doc = load("clashes.md")
    assert doc.format == "md"
    assert doc.title == "Clashes erupt along the line of contact"
    assert doc.description == "Heavy fighting between Armenia and Azerbaijan enters its fourth day."
    assert doc.date == "2020-09-30"  # news style 2020-09-30-18-28-52
    assert doc.author == "Newsroom Staff"
    assert "---" not in doc.text and "title:" not in doc.text and "18-28-52" not in doc.text


def test_markdown_with_front_matter_only_is_indexed_by_its_title_and_description(tmp_path: Path) -> None:
    page = tmp_path / "video.md"
    page.write_text("---\ntitle: US election 2020 How to become president \ndescription: How is the president "
                    "actually elected? \ndate: 2020-09-14-00-18-58 \n--- \n")
    doc = load_document(page)
    assert doc.text == "US election 2020 How to become president\n\nHow is the president actually elected?"
    assert [b.kind for b in doc.blocks] == ["title", "summary"]
    assert doc.title == "US election 2020 How to become president" and doc.date == "2020-09-14"
    empty = tmp_path / "empty.md"
    empty.write_text("---\ndate: 2020-09-14\n---\n")
    with pytest.raises(DocumentError, match=r"empty\.md: no text found"):
        load_document(empty)


def test_markdown_headings_and_inline_markup() -> None:
    doc = load("clashes.md")
    headings = [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "heading"]
    assert headings == ["Casualties", "International reaction"]  # "# Casualties" is a heading: the title is in the front matter
    assert "#" not in doc.text
    assert section_of(doc, "dozens of military deaths") == "Casualties"
    assert section_of(doc, "Minsk Group") == "International reaction"
    assert "in the Martuni and Fuzuli districts." in flat(doc.text)  # **bold** unwrapped
    assert "The OSCE Minsk Group co-chairs called" in doc.text  # [link](url) keeps its text
    assert "osce.org" not in doc.text and "**" not in doc.text


# cp1252 text


def test_cp1252_text_is_decoded() -> None:
    raw = (FORMATS / "economy-cp1252.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    doc = load("economy-cp1252.txt")
    assert "\ufffd" not in doc.text
    assert "€1.2 billion — roughly one percent" in doc.text
    assert "called the figure “manageable”" in doc.text
    assert "Azerbaijan’s finance ministry" in doc.text
    assert "The café owners" in doc.text and "résumé" in doc.text
    assert doc.author == "Régis Lefèvre"
    assert (doc.title, doc.date) == ("Economic Cost of the Karabakh War", "2020-10-20")
    assert flat(doc.text) == flat(raw.decode("cp1252"))  # every character, none lost or replaced


# unknown types


def test_unknown_extension_is_unsupported(tmp_path: Path) -> None:
    odd = tmp_path / "briefing.xyz"
    odd.write_text("Armenia and Azerbaijan agreed to a ceasefire.")
    with pytest.raises(UnsupportedFileError, match=r"unsupported file type '\.xyz'"):
        load_document(odd)
    bare = tmp_path / "README"
    bare.write_text("no extension")
    with pytest.raises(UnsupportedFileError, match=r"\(none\)"):
        load_document(bare)


def test_ingest_all_formats_and_skip_unknown(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in FORMATS.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "map.xyz").write_bytes(b"not a report")
    settings = Settings(home=tmp_path / "home")
    embedder = HashingEmbedder()
    ingestor = Ingestor(make_store(settings, embedder), embedder, make_ledger(settings))
    report = ingestor.ingest([folder])
    assert report.count("added") == 5, [(o.path, o.status, o.reason) for o in report.outcomes]
    (skipped,) = [o for o in report.outcomes if o.status == "skipped"]
    assert skipped.path.endswith("map.xyz") and "unsupported file type '.xyz'" in (skipped.reason or "")
    assert not report.failures
    records = {r.format: r for r in ingestor.store.list_documents()}
    assert set(records) == {"pdf", "docx", "html", "md", "txt"}
    assert records["html"].date == "2020-11-08" and records["md"].date == "2020-09-30"
    pages = {c.page for c in ingestor.store.iter_chunks() if c.doc_id == records["pdf"].doc_id}
    assert pages == {1, 2}


def test_markdown_heading_directly_above_its_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "truce.md"
    path.write_text("# Truce Signed\nTalks ended.\n\n## Learn C#\nThe dispute started in 2018 and lasted four years.\n")
    doc = load_document(path)
    assert doc.title == "Truce Signed"
    assert [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks] == [
        ("title", "Truce Signed"),
        ("paragraph", "Talks ended."),
        ("heading", "Learn C#"),
        ("paragraph", "The dispute started in 2018 and lasted four years."),
    ]


@pytest.mark.parametrize("value", ["2019", "04/05/2019", "spring 2019"])
def test_markdown_front_matter_date_that_is_no_day_is_not_replaced_by_a_body_date(tmp_path: Path, value: str) -> None:
    path = tmp_path / "notes.md"
    path.write_text(f"---\ntitle: Harbour Notes\ndate: {value}\n---\nJune 2, 2017\n\nThe pier was rebuilt after 2016-08-30.\n")
    assert load_document(path).date is None


def test_markdown_without_a_front_matter_date_still_takes_the_dateline(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("---\ntitle: Harbour Notes\n---\nJune 2, 2017\n\nThe pier was rebuilt after 2016-08-30.\n")
    assert load_document(path).date == "2017-06-02"


def test_html_inline_elements_join_without_a_space_and_blocks_separate(tmp_path: Path) -> None:
    path = tmp_path / "grain.html"
    path.write_text(
        "<html><body><article><h1>Grain Outlook</h1>"
        "<p>Shipments grew <strong>7</strong>.2% in <a href='/a'>April</a>, the <i>quickest</i> rise since 2018."
        "<sup><a href='#fn1'>1</a></sup> Fuel imports slowed.</p>"
        "<div>Text written straight into a div names the 12 ports.<p>A paragraph inside it.</p>And text after it.</div>"
        "<ul><li>Outer point<ul><li>Inner point</li></ul></li></ul>"
        "<p>First line<br>second line.</p>"
        "</article></body></html>"
    )
    doc = load_document(path)
    assert [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks] == [
        ("title", "Grain Outlook"),
        ("paragraph", "Shipments grew 7.2% in April, the quickest rise since 2018.¹ Fuel imports slowed."),
        ("paragraph", "Text written straight into a div names the 12 ports."),
        ("paragraph", "A paragraph inside it."),
        ("paragraph", "And text after it."),
        ("list_item", "Outer point"),
        ("list_item", "Inner point"),
        ("paragraph", "First line second line."),
    ]


def test_html_list_items_written_as_paragraphs_stay_items(tmp_path: Path) -> None:
    path = tmp_path / "terms.html"
    path.write_text("<html><body><article><h1>Terms</h1><ul><li><p>Peacekeepers deploy</p></li>"
                    "<li><p>Troops withdraw from the district</p></li></ul><p>Officials said the terms were final.</p>"
                    "</article></body></html>")
    doc = load_document(path)
    assert [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks][1:] == [
        ("list_item", "Peacekeepers deploy"), ("list_item", "Troops withdraw from the district"),
        ("paragraph", "Officials said the terms were final.")]
