"""Read files of each supported format into :class:`ParsedDocument`."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.documents import ParsedDocument
from ingest.errors import DocumentError, UnsupportedFileError
from ingest.structure import RawParagraph, assemble, iso_date, paragraphs_from_text

Loader = Callable[[Path, bytes], ParsedDocument]


def decode_text(data: bytes, path: Path) -> str:
    """Decode bytes with a detected encoding; refuse binary data rather than drop bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data[:8192].count(b"\x00") > 0 and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError(f"{path}: looks like binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise DocumentError(f"{path}: cannot detect the text encoding (binary data?)")
    # cp1250 and cp1252 often tie (same chaos and coherence) on Western text; prefer cp1252, the
    # Windows default, rather than turn "è" into "č".
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best.chaos and match.coherence >= best.coherence:
            best = match
            break
    text = _decode_mixed(data, best.encoding) or str(best)
    if _control_ratio(text) > 0.05:
        raise DocumentError(f"{path}: looks like binary data, not text")
    return text


def _decode_mixed(data: bytes, legacy: str) -> str | None:
    """Files pasted together from sources in different encodings: decode each line as UTF-8 when it
    is valid UTF-8, else in the detected legacy encoding. None when no line is UTF-8 beyond ASCII."""
    lines = data.split(b"\n")
    out: list[str] = []
    utf8_lines = 0
    for line in lines:
        try:
            decoded = line.decode("utf-8")
            utf8_lines += any(b > 0x7F for b in line)
        except UnicodeDecodeError:
            try:
                decoded = line.decode(legacy)
            except (UnicodeDecodeError, LookupError):
                return None
        out.append(decoded)
    return "\n".join(out) if utf8_lines else None


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return bad / len(sample)


MAX_LINE_CHARS = 1_000_000


def _check_lines(text: str, path: Path) -> None:
    """A line of a million characters is not prose: minified data, a dump, or a hostile file."""
    longest = max((len(line) for line in text.split("\n")), default=0)
    if longest > MAX_LINE_CHARS:
        raise DocumentError(f"{path}: a single line of {longest:,} characters; not readable prose")


def load_txt(path: Path, data: bytes) -> ParsedDocument:
    text = decode_text(data, path)
    _check_lines(text, path)
    return assemble(str(path), "txt", paragraphs_from_text(text))


# Blank lines may come first (an exporter's leading newline): the block was read as body text, its "title:"
# line as a title. Whether the block is front matter at all is then decided by what YAML reads in it.
_FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_FRONT_MATTER_KEYS = frozenset(["title", "date", "author", "authors", "source", "url", "link", "tags", "categories",
                                "description", "summary", "layout", "published", "updated", "slug", "lang", "id"])
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")  # a closing "##" only after a space ("Learn C#")
_MD_HEADING_LINE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+\S.*$", re.M)
# A blockquote's "> " (nested: "> > "): quoted with the text, it also hid the capital after each line break,
# so the sentences of a quoted statement ran together as one.
_MD_QUOTE_MARKER = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+")
# A thematic break ("---", "* * *") or a setext heading's underline ("=====" below "Ceasefire Agreed"): a
# paragraph break, not text; both were read as body paragraphs of dashes. The line above a setext underline
# then stands alone and is read as a title or heading like any short header line.
_MD_RULE_LINE = re.compile(r"^[ \t]{0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|=+[ \t]*)$", re.M)
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^)]*)\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
# An HTML entity reference, which Markdown renders as its character: "S&amp;P 500" was quoted with the
# "&amp;". Only the complete form with its semicolon, as CommonMark reads it ("a&para" stays as written).
_MD_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def load_md(path: Path, data: bytes) -> ParsedDocument:
    text = decode_text(data, path)
    _check_lines(text, path)
    meta: dict[str, Any] = {}
    m = _FRONT_MATTER.match(text)
    if m:
        import yaml

        # After blank lines the block may as well be a paragraph between two thematic breaks ("---", "Update:
        # the ceasefire held.", "---"): front matter there only if YAML reads it and it names a field a page's
        # front matter has; otherwise it stays text (review: such a file had been refused, or lost the paragraph).
        after_blank_lines = not text.startswith("---")
        try:
            loaded = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            if not after_blank_lines:
                raise DocumentError(f"{path}: front matter is not valid YAML ({exc.__class__.__name__})") from None
            loaded = ""
        if after_blank_lines and isinstance(loaded, dict) and not {str(k).lower() for k in loaded} & _FRONT_MATTER_KEYS:
            loaded = ""
        # Only a mapping (or nothing) is front matter. A page opening with a thematic break ("---", a
        # paragraph, "---") reads as a YAML string, and that paragraph was dropped with the "front matter".
        if isinstance(loaded, dict) or loaded is None:
            meta = loaded or {}
            text = text[m.end():]
    # An ATX heading is a paragraph of its own even with no blank line after it: it was glued to the
    # paragraph below ("# Ceasefire Agreed\nThe talks …" became one title, or no heading at all).
    text = _MD_HEADING_LINE.sub(lambda h: f"\n\n{h.group(0)}\n\n", text)
    text = _MD_RULE_LINE.sub("\n\n", text)
    paragraphs: list[RawParagraph] = []
    for para in _md_paragraphs(text):
        line = para.text
        heading = _MD_HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            is_title = level == 1 and not meta.get("title") and not paragraphs
            paragraphs.append(RawParagraph(_md_inline(heading.group(2)), kind="title" if is_title else "heading"))
            continue
        line = _md_inline(line)
        if line.strip():
            paragraphs.append(RawParagraph(line, kind=para.kind, page=para.page))
    if not paragraphs:
        # A page with front matter only (a video or gallery page in news feeds): its title and
        # description are all it says, so they are its text rather than a "no text" failure.
        title, description = _meta_str(meta, "title"), _meta_str(meta, "description") or _meta_str(meta, "summary")
        if title:
            paragraphs.append(RawParagraph(title, kind="title"))
        if description:
            paragraphs.append(RawParagraph(description, kind="summary"))
    return assemble(
        str(path), "md", paragraphs,
        title=_meta_str(meta, "title"),
        author=_meta_str(meta, "author") or _meta_str(meta, "authors"),
        date=_meta_date(meta.get("date")),
        publisher=_meta_str(meta, "publisher") or _meta_str(meta, "source"),
        description=_meta_str(meta, "description") or _meta_str(meta, "summary"),
        # A front-matter date that is no calendar day ("2021", "05/03/2021") leaves the date unknown: the
        # first date in the body, taken in its place, was some other day the text mentions.
        find_date=_meta_str(meta, "date") is None,
    )


def _md_paragraphs(text: str) -> list[RawParagraph]:
    """The paragraphs of Markdown text, blockquotes without their markers. A quoted paragraph is body text
    (a quotation, or a line such as "> Aviva pension calculator"), never a heading however short it is."""
    paragraphs: list[RawParagraph] = []
    lines = text.split("\n")
    # A line right after a quoted one, with no blank line between, continues the quote (CommonMark's "lazy"
    # continuation): read apart, "… the general said, adding that the troops" lost the rest of its sentence.
    in_quote: list[bool] = []
    for ln in lines:
        in_quote.append(_MD_QUOTE_MARKER.match(ln) is not None
                        or bool(in_quote and in_quote[-1] and ln.strip() and not _MD_HEADING_LINE.match(ln)))
    for quoted, run in itertools.groupby(zip(lines, in_quote, strict=True), key=lambda pair: pair[1]):
        run_text = "\n".join(_MD_QUOTE_MARKER.sub("", ln) for ln, _ in run)
        paragraphs.extend(
            RawParagraph(p.text, kind="paragraph", page=p.page) if quoted else p for p in paragraphs_from_text(run_text)
        )
    return paragraphs


def _md_inline(text: str) -> str:
    """Markdown's inline markup as the reader sees it: images and links by their text, emphasis without
    its asterisks, entity references as their characters."""
    text = _MD_IMAGE.sub(lambda im: im.group(1), text)
    text = _MD_LINK.sub(lambda lk: lk.group(1), text)
    text = _MD_EMPHASIS.sub(lambda em: em.group(2), text)
    return _MD_ENTITY.sub(lambda en: html.unescape(en.group(0)), text)


def _meta_str(meta: dict[str, Any], key: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value).strip()
    return text or None


def _meta_date(value: Any) -> str | None:
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if value is None:
        return None
    return iso_date(str(value))


_HTML_DROP = "script, style, noscript, nav, header, footer, aside, form, iframe, svg, template, button, [hidden], [aria-hidden=true]"
# Elements that separate paragraphs; every other element (b, a, em, span, sup, …) runs on inside its
# paragraph with no space added ("<b>4</b>.5%" is "4.5%").
_HTML_BLOCKS = frozenset(
    ["address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div",
     "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
     "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary",
     "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"]
)
_HTML_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TO_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def load_html(path: Path, data: bytes) -> ParsedDocument:
    from selectolax.lexbor import LexborHTMLParser  # selectolax >= 1.0 removed the Modest backend

    tree = LexborHTMLParser(decode_text(data, path))
    meta = {
        (node.attributes.get("name") or node.attributes.get("property") or "").lower(): node.attributes.get("content") or ""
        for node in tree.css("meta")
    }
    title_node = tree.css_first("title")
    for node in tree.css(_HTML_DROP):
        node.decompose()
    for node in tree.css("[style]"):
        style = (node.attributes.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or "visibility:hidden" in style or _invisible_style(style):
            node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body
    if root is None:
        raise DocumentError(f"{path}: no HTML body")
    paragraphs = _html_paragraphs(root)
    title = meta.get("og:title") or meta.get("title") or (title_node.text().strip() if title_node else None)
    if paragraphs and paragraphs[0].kind == "title":
        title = None  # the h1 is the title and stays in the text
    return assemble(
        str(path), "html", paragraphs,
        title=title or None,
        author=meta.get("author") or None,
        date=iso_date(meta.get("article:published_time") or meta.get("date") or "") or None,
        publisher=meta.get("og:site_name") or None,
        description=meta.get("description") or meta.get("og:description") or None,
    )


_WHITE = re.compile(r"(?:^|;)color:(?:#fff\b|#ffffff\b|white\b|rgb\(255,255,255\))")
_ZERO = re.compile(r"(?:^|;)(?:font-size:0(?:px|pt|em)?(?:;|$)|opacity:0(?:\.0*)?(?:;|$))")


def _invisible_style(style: str) -> bool:
    """Text a reader cannot see: white on the default white page, zero size, or fully transparent.
    Such text in a report is there for machines, and is the usual vehicle of prompt injection."""
    background = re.search(r"background(?:-color)?:([^;]+)", style)
    dark_background = background is not None and not re.match(r"(?:#fff|#ffffff|white|transparent)\b", background.group(1))
    return bool(_ZERO.search(style)) or (bool(_WHITE.search(style)) and not dark_background)


def _html_paragraphs(root: Any) -> list[RawParagraph]:
    """The paragraphs of ``root``: the text of each block element up to its first inner block, between
    inner blocks and after the last, with inline elements joined as written. ``node.text(separator=" ")``
    put a space at every tag ("4 .5%", "March ,"), dropped text written directly in a <div> and repeated
    a nested list item inside its parent's. Iterative, so deeply nested markup cannot overflow the stack."""
    paragraphs: list[RawParagraph] = []
    parts: list[str] = []

    def flush(tag: str) -> None:
        text = " ".join("".join(parts).split())
        parts.clear()
        if not text:
            return
        if tag in _HTML_HEADINGS:
            kind = "title" if tag == "h1" and not paragraphs else "heading"
            paragraphs.append(RawParagraph(text, kind=kind))  # type: ignore[arg-type]
        elif tag == "li" or "li" in open_blocks:  # "<li><p>…</p></li>" is still an item, not a heading
            paragraphs.append(RawParagraph(text, kind="list_item"))
        else:
            paragraphs.append(RawParagraph(text))

    open_blocks = [root.tag]
    stack: list[tuple[Any, bool]] = [(child, True) for child in reversed(list(root.iter(include_text=True)))]
    while stack:
        node, entering = stack.pop()
        tag = node.tag
        if not entering:  # leaving a block: its own text ends here
            flush(open_blocks.pop())
            continue
        if tag == "-text":
            parts.append(node.text(deep=False))
        elif tag == "br":
            parts.append(" ")
        elif tag.startswith("-"):  # comments, doctype
            continue
        elif tag == "sup" and node.text().strip().isdigit():
            parts.append(node.text().strip().translate(_TO_SUPERSCRIPT))  # a footnote marker: "2019.¹"
        else:
            if tag in _HTML_BLOCKS:
                flush(open_blocks[-1])
                open_blocks.append(tag)
                stack.append((node, False))
            stack.extend((child, True) for child in reversed(list(node.iter(include_text=True))))
    flush(open_blocks[-1])
    return paragraphs


def load_pdf(path: Path, data: bytes) -> ParsedDocument:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        paragraphs: list[RawParagraph] = []
        for number, page in enumerate(reader.pages, start=1):
            paragraphs.extend(paragraphs_from_text(page.extract_text() or "", page=number))
        info: Any = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise DocumentError(f"{path}: malformed PDF ({exc.__class__.__name__}: {str(exc)[:120]})") from None
    if not paragraphs:
        raise DocumentError(f"{path}: the PDF has no extractable text (scanned images?)")
    return assemble(
        str(path), "pdf", paragraphs,
        title=_clean(info.get("/Title")), author=_clean(info.get("/Author")),
        date=_pdf_date(info.get("/CreationDate")),
    )


def _clean(value: Any) -> str | None:
    text = str(value).strip() if value else ""
    return text or None


def _pdf_date(value: Any) -> str | None:
    m = re.match(r"D:(\d{4})(\d{2})(\d{2})", str(value or ""))
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def load_docx(path: Path, data: bytes) -> ParsedDocument:
    import io
    import zipfile

    import docx

    try:
        _check_zip(path, data)
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"{path}: not a valid .docx ({exc.__class__.__name__})") from None
    paragraphs: list[RawParagraph] = []
    for para in document.paragraphs:
        text = _docx_visible_text(para).strip()
        if not text:
            continue
        style = (para.style.name if para.style is not None else "").lower()
        if style == "title":
            paragraphs.append(RawParagraph(text, kind="title"))
        elif style.startswith("heading"):
            paragraphs.append(RawParagraph(text, kind="heading"))
        elif "list" in style:
            paragraphs.append(RawParagraph(text, kind="list_item"))
        else:
            paragraphs.extend(paragraphs_from_text(text))
    props = document.core_properties
    return assemble(
        str(path), "docx", paragraphs,
        title=_clean(props.title), author=_clean(props.author),
        date=props.created.strftime("%Y-%m-%d") if props.created else None,
    )


MAX_INFLATED_MB = 200
MAX_RATIO = 200


def _check_zip(path: Path, data: bytes) -> None:
    """Refuse a zip bomb before inflating it: too large unpacked, or compressed too well to be real."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        inflated = sum(info.file_size for info in archive.infolist())
    if inflated > MAX_INFLATED_MB * 1e6 or (inflated > MAX_RATIO * max(len(data), 1) and inflated > 10e6):
        raise DocumentError(
            f"{path}: refusing to inflate {inflated / 1e6:.0f} MB from a {len(data) / 1e3:.0f} KB file (zip bomb?)"
        )


def _docx_visible_text(para: Any) -> str:
    """A paragraph's text without runs marked hidden (w:vanish): invisible in Word, not the author's text."""
    runs = list(para.runs)
    if not runs:
        return str(para.text)
    if not any(run.font.hidden for run in runs):
        return str(para.text)  # keeps text python-docx finds outside runs (hyperlinks, fields)
    return "".join(run.text for run in runs if not run.font.hidden)



LOADERS: dict[str, Loader] = {
    ".txt": load_txt,
    ".text": load_txt,
    ".md": load_md,
    ".markdown": load_md,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}


def load_document(path: Path, data: bytes | None = None) -> ParsedDocument:
    """Load one file; raises UnsupportedFileError for unknown types, DocumentError for bad files."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnsupportedFileError(f"{path}: unsupported file type {path.suffix or '(none)'!r}")
    if data is None:
        data = path.read_bytes()
    if not data.strip():
        raise DocumentError(f"{path}: the file is empty")
    doc = loader(path, data)
    if not doc.text.strip():
        raise DocumentError(f"{path}: no text found")
    return doc
