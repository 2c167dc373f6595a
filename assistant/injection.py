"""Text in a report that addresses an AI assistant rather than a reader (prompt injection).

Such sentences are evidence of nothing the analyst asked about. The extractive answerer never quotes
them, and passages handed to a chat model have them replaced by a visible placeholder.
"""

from __future__ import annotations

import re

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


def is_instruction(sentence: str) -> bool:
    """Does this sentence address an AI assistant (an instruction to the model, not a statement)?"""
    return bool(_INSTRUCTION.search(sentence))


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
