"""Report structure from paragraphs: title, byline, date, headings, lists, summaries and footnotes.

Loaders hand over raw paragraphs; :func:`assemble` joins them into the document's extracted text
(paragraphs separated by a blank line) and records every block's offsets in that text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ingest.documents import Block, BlockKind, Footnote, FootnoteRef, ParsedDocument
from ingest.sentences import SUPERSCRIPT_DIGITS

_SUPER_TO_DIGIT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"  # "March 3rd, 2021", "21st May 2021"
_DATE_MDY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}}){_ORDINAL},?\s+(\d{{4}})\b", re.I)
_DATE_DMY = re.compile(rf"\b(\d{{1,2}}){_ORDINAL}\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I)
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:\b|(?=T\d))")  # also 2020-11-08T14:05:00Z
_BYLINE = re.compile(r"^(?:by|written by|author[s]?:)\s+(.{2,120})$", re.I)
_NAME_LINKS = frozenset(["and", "&", "de", "del", "der", "den", "van", "von", "da", "di", "du", "dos", "la", "le", "al", "el", "bin", "ibn", "y", "in", "ter", "ul"])
_LIST_ITEM = re.compile(r"^(?:[-*•▪◦]\s+|\(?\d{1,3}[.)]\s+|\([a-z]\)\s+)")
_SUMMARY = re.compile(r"^(?:key takeaways?|summary|executive summary|bottom line(?: up front)?|bluf)\b", re.I)
_BROKEN_WORD = re.compile(r"[^\W_][-\u00ad–—]$")  # a line ending inside a word: "Nagorno-", "Azer\u00ad"
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
# "1. Smith …", "1) …", "[1] …", "¹ …"; "1.5 percent …" (a decimal) starts no entry.
_FOOTNOTE_ENTRY = re.compile(
    r"^(?:([" + SUPERSCRIPT_DIGITS + r"]+)|\[(\d{1,3}|[ivxlc]{1,6})\]|(\d{1,3})(?:\.(?!\d)|\)))\s*(.*)$", re.S
)
_NOTES_HEADING = re.compile(r"^(?:notes|endnotes|footnotes|references|sources)\s*:?$", re.I)
# A unit's power ("4,000 km²", "50 m³") is no footnote marker: read as one it gave the sentence that
# source (the same units assistant.text leaves out of its markers).
_UNIT_POWER = r"(?<!\bkm)(?<!\bcm)(?<!\bmm)(?<!\bft)(?<!\bmi)(?<!\dm)(?<!\bm)"
_BODY_MARKER = re.compile(_UNIT_POWER + r"[" + SUPERSCRIPT_DIGITS + r"]+|\[(\d{1,3}|[ivxlc]{1,6})\]")
_TRAILING_MARKERS = re.compile(r"(?:[" + SUPERSCRIPT_DIGITS + r"]|\[(?:\d{1,3}|[ivxlc]{1,6})\])+$")


@dataclass(frozen=True)
class RawParagraph:
    """A paragraph as a loader found it, with what the format already says about it."""

    text: str
    kind: BlockKind | None = None
    page: int | None = None


def iso_date(text: str) -> str | None:
    """The first date written in ``text`` as ISO ``YYYY-MM-DD``, or None."""
    # The earliest by position whichever way it is written: each form used to be tried across the whole
    # text in turn, so "Published March 3, 2021; updated 2022-01-10" gave the ISO date, written second.
    found: list[tuple[int, str]] = []
    for pattern, order in ((_DATE_ISO, "ymd"), (_DATE_MDY, "mdy"), (_DATE_DMY, "dmy")):
        for m in pattern.finditer(text):
            parts = dict(zip(order, m.groups(), strict=True))
            month = parts["m"]
            month_no = int(month) if month.isdigit() else _MONTHS[month.lower().rstrip(".")]
            year, day = int(parts["y"]), int(parts["d"])
            if 1 <= month_no <= 12 and 1 <= day <= 31 and 1000 <= year <= 2999:
                found.append((m.start(), f"{year:04d}-{month_no:02d}-{day:02d}"))
                break
    return min(found)[1] if found else None


def paragraphs_from_text(text: str, page: int | None = None) -> list[RawParagraph]:
    """Split plain text into paragraphs at blank lines; list items and short header lines apart."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    out: list[RawParagraph] = []
    for para in re.split(r"\n[ \t]*\n", text):
        lines = [ln.strip() for ln in para.split("\n") if ln.strip()]
        for group in _split_at_header_lines(lines):
            if len(group) > 1 and (_splits_by_line(group)):
                out.extend(RawParagraph(ln, page=page) for ln in _merge_continuations(group))
            else:
                out.append(RawParagraph(_join_wrapped(group) if _is_wrapped(group) else "\n".join(group), page=page))
    return out


def _join_wrapped(lines: list[str]) -> str:
    """Wrapped lines as one line: a space at each break, none after a word broken at a hyphen or dash."""
    parts = lines[:1]
    for previous, line in itertools.pairwise(lines):
        joint = _line_break(previous, line)
        if not joint and parts[-1].endswith("\u00ad"):
            # the soft hyphen only marked where the word could break: kept, "Azer\u00adbaijani" was still two
            # words to the lexical index and to every word count (review)
            parts[-1] = parts[-1][:-1]
        parts.extend((joint, line))
    return "".join(parts)


def _line_break(previous: str, line: str) -> str:
    """What a line break inside wrapped prose stands for. After a word broken at its hyphen, soft hyphen or
    dash ("Nagorno-", "Azer\u00ad", "support—") the next line carries on the same word: a space there
    made "Nagorno- Karabakh" of a compound and split a soft-hyphenated word in two in every quote."""
    return "" if _BROKEN_WORD.search(previous) and line[:1].isalnum() else " "


def _split_at_header_lines(lines: list[str]) -> list[list[str]]:
    """Cut the lines before and after each short header line ("Background") written directly above
    its paragraph with no blank line between, which the wrapped prose would otherwise swallow."""
    if len(lines) < 2:
        return [lines] if lines else []
    width = max(len(ln) for ln in lines)
    groups: list[list[str]] = [[]]
    after_end = True  # the line before ends a sentence or is itself a header line (or there is none)
    for i, ln in enumerate(lines):
        header = after_end and i + 1 < len(lines) and _is_header_line(ln, lines[i + 1], width)
        if header:
            groups.extend(([ln], []))
        else:
            groups[-1].append(ln)
        after_end = header or ln.endswith((".", "!", "?", ":", "”", '"'))
    return [g for g in groups if g]


def _is_header_line(line: str, following: str, width: int) -> bool:
    """A header line: short (under half the widest line: a hard-wrapped line fills its width but for one
    word), read as a heading, opening with a capital or digit, and followed by a line that opens a
    sentence or an item. The first line of wrapped prose is never that short."""
    return (
        2 * len(line) < width
        and (line[:1].isupper() or line[:1].isdigit())
        and _looks_like_heading(line)
        and not _LIST_ITEM.match(line)
        and not _FOOTNOTE_ENTRY.match(line)
        and bool(re.match(r"[\"'“‘(\[]?[A-Z0-9]", following) or _LIST_ITEM.match(following))
    )


def _splits_by_line(lines: list[str]) -> bool:
    """Lines that are list items, footnote entries or short header lines stand on their own."""
    return any(_LIST_ITEM.match(ln) or _FOOTNOTE_ENTRY.match(ln) for ln in lines) or _header_block(lines)


def _header_block(lines: list[str]) -> bool:
    """Short lines none of which ends a sentence or clause: a block of header lines, not wrapped prose."""
    return all(len(ln) < 80 and not ln.endswith((".", ",", ";")) for ln in lines)


def _merge_continuations(lines: list[str]) -> list[str]:
    """Join a line that starts neither an item nor an entry to the line before it."""
    # Parts are collected and joined once, and the header block is decided once: both were per line
    # (quadratic: a 2 MB paragraph of continuation lines took seconds to minutes).
    # Only header lines stand apart; "all lines under 80 characters" kept wrapped prose and wrapped
    # items (72 columns) in pieces whenever the paragraph held one list item or footnote entry.
    merged: list[list[str]] = []
    header_block = _header_block(lines)
    for ln in lines:
        starts_new = _LIST_ITEM.match(ln) or _FOOTNOTE_ENTRY.match(ln) or not merged
        if starts_new or (header_block and not ln[:1].islower()):
            merged.append([ln])
        else:
            merged[-1].extend(("\n" if _URL.match(ln) else _line_break(merged[-1][-1], ln), ln))
    return ["".join(parts) for parts in merged]


def _is_wrapped(lines: list[str]) -> bool:
    """Hard-wrapped prose (most lines long) reads as one paragraph joined with spaces."""
    return sum(len(ln) > 50 for ln in lines) >= len(lines) - 1


def assemble(
    source: str,
    fmt: str,
    paragraphs: list[RawParagraph],
    *,
    title: str | None = None,
    author: str | None = None,
    date: str | None = None,
    publisher: str | None = None,
    description: str | None = None,
    find_date: bool = True,
) -> ParsedDocument:
    """Join paragraphs into a parsed document, finding its structure and footnotes.

    With ``date`` None the date is looked for in the text (a dateline, else the first date near the top)
    unless ``find_date`` is False: the metadata gave a date that means no calendar day ("2021", "soon").
    """
    paragraphs = [p for p in paragraphs if p.text.strip()]
    body, notes_text = _split_footnote_list(paragraphs)
    footnotes = _parse_footnotes(notes_text)

    kinds = _classify(body, title_known=title is not None)
    text_parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    section: str | None = None
    for para, kind in zip(body, kinds, strict=True):
        piece = para.text.strip()
        if text_parts:
            offset += 2
        start, end = offset, offset + len(piece)
        if kind == "heading":
            section = piece
        if kind == "title" and title is None:
            title = piece
        elif kind == "byline" and author is None:
            author = _byline(piece) or piece
        elif kind == "dateline" and date is None and find_date:
            date = iso_date(piece)
        blocks.append(Block(kind=kind, start=start, end=end, section=section, page=para.page))
        text_parts.append(piece)
        offset = end
    text = "\n\n".join(text_parts)
    if date is None and find_date:
        head = text[:400]
        date = iso_date(head)
    refs = _find_refs(text, footnotes) if footnotes else []
    return ParsedDocument(
        source=source, format=fmt, text=text, blocks=blocks, title=title, author=author, date=date,
        publisher=publisher, description=description, footnotes=footnotes, footnote_refs=refs,
    )


def _classify(body: list[RawParagraph], *, title_known: bool) -> list[BlockKind]:
    kinds: list[BlockKind] = []
    have_title = title_known
    for i, para in enumerate(body):
        text = para.text.strip()
        kind: BlockKind
        if para.kind is not None:
            kind = para.kind
            have_title = have_title or kind == "title"
        elif i < 6 and _byline(text):
            kind = "byline"
        elif i < 6 and len(text) < 40 and iso_date(text) and not text.endswith("."):
            kind = "dateline"
        elif _SUMMARY.match(text):
            kind = "summary"
        elif _LIST_ITEM.match(text):
            kind = "list_item"
        elif _looks_like_heading(text):
            kind = "heading" if have_title else "title"
            have_title = True
        else:
            kind = "paragraph"
        kinds.append(kind)
    return kinds


def _byline(text: str) -> str | None:
    """The author a byline names ("By Jane Smith", "By JANE SMITH and TOM LEE, Reuters"), or None.

    The name (up to a comma) opens with a letter, and the line ends no sentence: "By 2030, the country
    will need …" names nobody. A name not in capitals and particles ("van", "and") is a whole short
    line ("By the district coordination office"), not a phrase opening a clause ("By the end of May, …").
    """
    m = _BYLINE.match(text)
    if not m:
        return None
    author = m.group(1).strip()
    head = re.split(r"[,;|—–(]", author, maxsplit=1)[0]
    name = head.split()
    if not name or not name[0][:1].isalpha():
        return None
    last = author.split()[-1]
    capitalised = all(any(p[:1].isupper() for p in w.split("-")) or w.lower() in _NAME_LINKS for w in name)
    if author.endswith(("!", "?")) or (author.endswith(".") and not (len(last) <= 5 and last[:1].isupper())
                                       and not (capitalised and head == author and len(name) <= 4)):
        return None  # a sentence; a byline may end in "Jr." or "Ph.D.", or be a short name with a full stop
    if not capitalised and (head != author or len(name) > 6):
        return None
    return author


def _looks_like_heading(text: str) -> bool:
    # A sentence's footnote markers follow its full stop ("… on November 10.¹", "… peacekeepers.[2]"): a
    # short paragraph of one such sentence was read as a heading and named the sections after it.
    ending = _TRAILING_MARKERS.sub("", text.rstrip())
    return (
        "\n" not in text
        and len(text) <= 150
        and len(text.split()) <= 20
        and not ending.endswith((".", "?", "!", ":", ",", ";", "”", '"'))
        and text[:1].isalnum()
    )


def _split_footnote_list(paragraphs: list[RawParagraph]) -> tuple[list[RawParagraph], list[str]]:
    """Separate the trailing run of footnote entries (and a "Notes" heading) from the body."""
    cut = len(paragraphs)
    while cut > 0 and _FOOTNOTE_ENTRY.match(paragraphs[cut - 1].text.strip()):
        cut -= 1
    entries = [p.text.strip() for p in paragraphs[cut:]]
    if not entries or (not any(_URL.search(e) for e in entries) and len(entries) < 2):
        return paragraphs, []
    # A numbered list at the end of the body is not a footnote list unless it cites something.
    if not any(_URL.search(e) for e in entries) and not any(
        _FOOTNOTE_ENTRY.match(e) and _FOOTNOTE_ENTRY.match(e).group(1) for e in entries  # type: ignore[union-attr]
    ):
        return paragraphs, []
    if cut > 0 and _NOTES_HEADING.match(paragraphs[cut - 1].text.strip()):
        cut -= 1
    return paragraphs[:cut], entries


def _parse_footnotes(entries: list[str]) -> dict[str, Footnote]:
    notes: dict[str, Footnote] = {}
    for entry in entries:
        m = _FOOTNOTE_ENTRY.match(entry)
        if not m:
            continue
        sup, bracket, plain, rest = m.groups()
        marker = sup.translate(_SUPER_TO_DIGIT) if sup else (bracket or plain)
        urls = tuple(dict.fromkeys(u.rstrip(".,;>") for u in _URL.findall(rest)))
        notes[marker.lower()] = Footnote(marker=marker.lower(), text=rest.strip(), urls=urls)
    return notes


def markers_in(text: str, footnotes: Mapping[str, object]) -> list[str]:
    """The footnote markers (keys of ``footnotes``) that ``text`` carries, in order."""
    return list(dict.fromkeys(ref.marker for ref in _find_refs(text, footnotes)))


def footnote_refs(text: str, footnotes: Mapping[str, object]) -> list[FootnoteRef]:
    """Where ``text`` carries the footnote markers of ``footnotes`` (superscripts or ``[n]``), in order."""
    return _find_refs(text, footnotes)


def _find_refs(text: str, footnotes: Mapping[str, object]) -> list[FootnoteRef]:
    refs: list[FootnoteRef] = []
    for m in _BODY_MARKER.finditer(text):
        if m.group(1):
            marker = m.group(1).lower()
            if marker in footnotes:
                refs.append(FootnoteRef(marker, m.start(), m.end()))
            continue
        run = m.group(0).translate(_SUPER_TO_DIGIT)
        if run in footnotes:
            refs.append(FootnoteRef(run, m.start(), m.end()))
        else:  # "¹²" written for notes 1 and 2
            refs.extend(
                FootnoteRef(d, m.start() + i, m.start() + i + 1)
                for i, d in enumerate(run)
                if d in footnotes
            )
    return refs
