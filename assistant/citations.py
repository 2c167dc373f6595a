"""Footnote markers in answer text: parsing sentences with their [n] markers."""

from __future__ import annotations

import re

from assistant.text import strip_list_prefix
from ingest.sentences import split_sentences

MARKER = re.compile(r"\[(\d{1,3})\]")


def page_words(text: str) -> int:
    """A briefing's words as its reader counts them: every word of the page, title and headings included, but
    not its footnote markers or Markdown marks."""
    return len(re.sub(r"[#*]+", " ", MARKER.sub("", text)).split())


def statements(answer: str, min_words: int = 3) -> list[tuple[str, list[int]]]:
    """Answer sentences with the markers each carries; a marker group after the period belongs to it."""
    out: list[tuple[str, list[int]]] = []
    lines = [ln.strip() for ln in answer.splitlines()]
    for line in lines:
        line = strip_list_prefix(re.sub(r"^#+\s+", "", line))
        line = re.sub(r"\*\*[^*]+\*\*\s*", lambda m: "" if m.group(0).strip().endswith(".**") else m.group(0), line)
        if not line:
            continue
        # Move "[1][2]" that follow a sentence's period in front of it so the splitter keeps them together.
        line = re.sub(r"([.!?…][\"'”’)]*)((?:\s*\[\d{1,3}\])+)", r"\2\1", line)
        # A clause quote opens with "…" and often a small letter ("… [1]. …and the captain fell …"): the marker
        # group before it ends a statement, which the splitter alone did not see (it checked both as [1, 2]).
        for part in re.split(r"(?<=\][.!?…])\s+(?=…)", line):
            for s, e in split_sentences(part):
                sentence = part[s:e]
                markers = [int(m) for m in MARKER.findall(sentence)]
                claim = re.sub(r"\s+([.!?,;:…])", r"\1", MARKER.sub("", sentence)).strip()
                if len(claim.split()) >= min_words:
                    out.append((claim, markers))
    return out
