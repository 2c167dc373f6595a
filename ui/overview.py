"""The landing overview: what the selected collection holds, and three questions to start with.

The example questions are drawn from the collection itself: a section heading of a recent document
("What do the reports say about Turkish Bayraktar drones?"), or, for a document without headings, its
title. They are suggestions to click, not claims, so no answer is computed for them up front.
"""

from __future__ import annotations

from typing import Any

from ui.render import escape_markdown

TITLES_SHOWN = 4
EXAMPLES = 3


def _escape(text: str) -> str:
    return escape_markdown(text)


def collection_overview(name: str, corpus: Any) -> tuple[str, list[str]]:
    """(Markdown describing collection ``name``, up to three example questions)."""
    docs = corpus.documents()
    if not docs:
        return (f"**Collection {_escape(name)}** is empty. Add reports in the **Corpus** tab "
                "(txt, md, html, pdf, docx), then ask about them here.", [])
    dates = sorted(d.date for d in docs if d.date)
    span = ""
    if dates:
        span = f", dated {dates[0]}" if dates[0] == dates[-1] else f", dated {dates[0]} to {dates[-1]}"
    newest = sorted(docs, key=lambda d: d.date or "", reverse=True)
    titles = "; ".join(f"*{_escape(d.title)}*" for d in newest[:TITLES_SHOWN])
    more = f" and {len(docs) - TITLES_SHOWN:,} more" if len(docs) > TITLES_SHOWN else ""
    noun = "document" if len(docs) == 1 else "documents"
    text = (f"**Collection {_escape(name)}**: {len(docs):,} {noun} ({sum(d.chunks for d in docs):,} passages){span}. "
            f"{titles}{more}.")
    questions = example_questions(corpus, newest)
    if questions:
        text += "\n\nTry one of these, or ask your own:"
    return text, questions


def example_questions(corpus: Any, docs: list[Any]) -> list[str]:
    """Up to three questions, each from a different document while there are enough: its headings first."""
    per_doc: list[list[str]] = []
    for d in docs[:EXAMPLES * 2]:
        record = corpus.document(d.doc_id)
        candidates = []
        if record is not None and record.text:
            for block in record.blocks:
                if block.kind == "heading":
                    heading = " ".join(record.text[block.start:block.end].split()).strip("#: ")
                    if 3 <= len(heading) <= 60 and heading.lower() != d.title.lower():
                        candidates.append(f"What do the reports say about {_lower_first(heading)}?")
        candidates.append(f"What are the key points of \u201c{d.title}\u201d?")
        per_doc.append(list(dict.fromkeys(candidates)))
    questions: list[str] = []
    for depth in range(EXAMPLES):
        for options in per_doc:
            if depth < len(options) and len(questions) < EXAMPLES and options[depth] not in questions:
                questions.append(options[depth])
    return questions


def _lower_first(text: str) -> str:
    """"Casualties" reads "casualties" mid-sentence; "Turkish drones" or "ISW" keep their capitals."""
    first = text.split(" ", 1)[0]
    common = first[:1].isupper() and first[1:].islower() and first.lower() in _COMMON_LEADS
    return text[:1].lower() + text[1:] if common else text


# Heading words that are ordinary nouns or verbs at the start of a heading (kept short on purpose: a word not
# here keeps its capital, which is the safe error for names).
_COMMON_LEADS = frozenset(
    ["casualties", "international", "why", "what", "how", "the", "a", "an", "background", "outlook", "reaction", "response", "assessment", "key", "economic", "military", "political", "humanitarian", "timeline", "analysis", "implications", "context", "summary"]
)
