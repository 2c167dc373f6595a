"""Text in a report that addresses an AI assistant rather than a reader (prompt injection).

Such sentences are evidence of nothing the analyst asked about. The extractive answerer never quotes
them, and passages handed to a chat model have them replaced by a visible placeholder.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from ingest.sentences import split_sentences

_INSTRUCTION = re.compile(
    r"""
    \b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:instructions?|prompts?|rules|guidelines|context)\b
    | \byou\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|chatbot|language\s+model|llm)\b
    | \b(?:any|every|each|the)\s+(?:ai|assistant|chatbot|language\s+model|llm|model)s?\b[^.]{0,80}\b(?:must|should|shall|will)\b
    | \b(?:reply|respond|answer)\s+(?:only\s+)?(?:with|exactly)?\s*["'“]?[A-Z0-9]{3,}-\d+
    | \b(?:append|add|include|insert|paste)\b[^.]{0,60}\b(?:to|in|into)\s+(?:every|each|all|your)\s+(?:answers?|responses?|replies|outputs?|messages?|conversations?)\b
    | \bcite\s+(?:source|passage|reference|document)\s*\[\d+\]
    | \bwhen\s+asked\b[^.]{0,60}\b(?:append|reply|respond|say|add|include|print|reveal)\b
    | \bsystem\s+(?:prompt|override)\b
    | \bdo\s+not\s+(?:mention|reveal|tell)\b[^.]{0,40}\b(?:instruction|this|prompt)s?\b[^.]{0,20}\b(?:to\s+)?(?:the\s+)?user\b
    | \b[A-Z]{3,}-\d{3,}\s+to\s+every\s+(?:answer|response|reply)
    """,
    re.I | re.X,
)
PLACEHOLDER = "[text addressed to an AI assistant was removed]"


# Removed before the check: format characters (zero-width spaces and joiners, soft hyphens, bidi
# controls), which split a word for a regex and not for a model, and combining marks ("ïgnore").
_INVISIBLE = frozenset({"Cf", "Mn", "Me"})


@cache
def _latin_lookalikes() -> dict[int, str]:
    """Each non-ASCII letter that Unicode's confusables list (via confusable-homoglyphs) says looks like
    an ASCII letter, mapped to that letter: Cyrillic "о" and Greek "ο" to "o", Cyrillic "р" to "p"."""
    from confusable_homoglyphs.confusables import confusables_data

    table: dict[int, str] = {}
    for char, homoglyphs in confusables_data.items():
        if len(char) != 1 or char.isascii() or not char.isalpha():
            continue
        latin = [h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalpha()]
        if latin:
            best = sorted(latin, key=lambda c: c.isupper() != char.isupper())[0]  # same case first
            # Unicode's list folds "I" and "l" together (to "l"); a capital that looks like "l" is an I.
            table[ord(char)] = "I" if best == "l" and char.isupper() else best
    return table


def normalise(text: str) -> str:
    """``text`` as the filter reads it: compatibility forms folded (NFKC: fullwidth and mathematical
    letters), invisible characters and combining marks removed, and Greek or Cyrillic letters that look
    like Latin ones replaced by those. For checking only; the text shown is never changed."""
    decomposed = unicodedata.normalize("NFKD", text)
    visible = "".join(ch for ch in decomposed if unicodedata.category(ch) not in _INVISIBLE)
    return unicodedata.normalize("NFKC", visible.translate(_latin_lookalikes()))


def is_instruction(sentence: str) -> bool:
    """Does this sentence address an AI assistant (an instruction to the model, not a statement)?
    Checked on :func:`normalise`'d text, so zero-width characters and look-alike letters do not hide it."""
    return bool(_INSTRUCTION.search(sentence) or _INSTRUCTION.search(normalise(sentence)))


def quarantine(text: str) -> tuple[str, int]:
    """``text`` with instruction-like sentences replaced by a placeholder, and how many there were."""
    spans = [(s, e) for line in _lines(text) for s, e in split_sentences(text, *line) if is_instruction(text[s:e])]
    if not spans:
        return text, 0
    out, cursor = [], 0
    for s, e in spans:
        out.append(text[cursor:s])
        out.append(PLACEHOLDER)
        cursor = e
    out.append(text[cursor:])
    return "".join(out), len(spans)


def _lines(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
