"""Sentence boundaries with character offsets, tuned for English report prose."""

from __future__ import annotations

import re
from collections.abc import Iterator

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"

_ABBREVIATIONS = frozenset(
    ["mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "cmdr", "st", "sen", "rep", "gov", "pres", "amb", "jr", "sr", "inc", "ltd", "co", "corp", "ed", "eds", "est", "approx", "dept", "univ", "mt", "ft", "vs", "v", "etc", "al", "e.g", "i.e", "u.s", "u.k", "u.n", "e.u", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"]
)
# Abbreviations only before a number ("No. 10", "vol. 3", "Fig. 2", "p. 5"): "he said no. The …" ends there.
_NUMBER_ABBREVIATIONS = frozenset(["no", "nos", "vol", "fig", "p", "pp"])
_NUMBER_NEXT = re.compile(r"\s+[(\[]?(?:\d|[IVXLC]+\b)")

# Invisible format characters (zero-width space and joiners, direction marks and isolates, BOM) that web
# text carries around words: "myself. \u200bJust 30 minutes" was one sentence, since neither the end nor
# the next sentence's capital was found past them. At a boundary they count as space.
_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_INVISIBLE_CHARS = re.compile(f"[{_INVISIBLE}]")

# A candidate end: terminal punctuation, then closing quotes/brackets, then footnote markers. The
# quantifiers are possessive and the tail is optional so that every run of punctuation is read once:
# a backtracking version took exponential time on ".¹¹¹…x" and quadratic time on long runs of dots.
# ``tail`` is None when the run is not followed by whitespace or the end (not a sentence end).
_END = re.compile(
    r"[.!?…]++(?P<tail>[\"'”’)\]]*+(?:[" + SUPERSCRIPT_DIGITS + r"]|\[(?:\d{1,3}|[ivxlc]{1,6})\])*+"
    r"(?=[\s" + _INVISIBLE + r"]|$))?"
)
_NEXT_START = re.compile(
    r"[\s" + _INVISIBLE + r"]++[\"'“‘(\[]?[" + _INVISIBLE + r"]*+[A-Z0-9\u00C0-\u024F\u0400-\u04FF]"
)
# A numbered item's number, all a sentence would hold if cut after it: "1. Russian forces advanced." gave
# the sentence "1." and an item without its number.
_ITEM_NUMBER = re.compile(r"\s*(?:[-*•]\s+)?\d{1,3}\.")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_WORD_WINDOW = 32  # characters before a period searched for the word it ends (longer than any abbreviation)
_HARD_LIMIT = 2000  # characters: a "sentence" longer than this is cut at a space (hostile input)


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the sentences in ``text[start:end]``, whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _END.finditer(text, start, end):
        if match.group("tail") is None:
            continue
        stop = match.end()
        if _ITEM_NUMBER.fullmatch(text, cursor, stop) or not _is_boundary(text, match.start(), stop, end):
            continue
        spans.extend(_trimmed(text, cursor, stop))
        cursor = stop
    spans.extend(_trimmed(text, cursor, end))
    return [piece for span in spans for piece in _cap_length(text, span)]


def _is_boundary(text: str, punct_start: int, stop: int, end: int) -> bool:
    if stop >= end:
        return True
    if not _NEXT_START.match(text, stop, end):
        return False
    if text[punct_start] != ".":
        return True
    # Only the last few characters can decide (abbreviations are short); searching from 0 was quadratic.
    word = _WORD_BEFORE.search(text, max(0, punct_start - _WORD_WINDOW), punct_start)
    if word is None:
        return True
    token = word.group(1).lower().rstrip(".")
    if len(token) == 1 and token.isalpha() and text[punct_start - 1].isupper():
        return False  # a capital initial ("Samuel P. Huntington", "No. 10" aside)
    if token in _NUMBER_ABBREVIATIONS:
        return not _NUMBER_NEXT.match(text, stop, end)
    if token in _ABBREVIATIONS:
        return False
    # A single capital initial such as "J." in "J. Smith".
    return not (len(token) == 1 and token.isalpha() and text[punct_start - 1].isupper())


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and _blank(text[start]):
        start += 1
    while end > start and _blank(text[end - 1]):
        end -= 1
    if start < end:
        yield (start, end)


def _blank(char: str) -> bool:
    """Whitespace or an invisible format character: neither begins nor ends a quoted sentence."""
    return char.isspace() or _INVISIBLE_CHARS.match(char) is not None


def _cap_length(text: str, span: tuple[int, int]) -> Iterator[tuple[int, int]]:
    start, end = span
    while end - start > _HARD_LIMIT:
        cut = text.rfind(" ", start + _HARD_LIMIT // 2, start + _HARD_LIMIT)
        cut = cut if cut > start else start + _HARD_LIMIT
        yield from _trimmed(text, start, cut)
        start = cut
    yield from _trimmed(text, start, end)
