"""Follow-up questions: turn "and who controls its implementation?" into a standalone query."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text import STOPWORDS, question_names, words

_FOLLOW_UP_START = re.compile(r"^\s*(?:and|but|also|so|then|what about|how about|and what|and who|and when|and how|why)\b", re.I)
_PRONOUN = re.compile(r"\b(?:it|its|they|their|them|this|that|these|those|he|she|his|her|there|the same)\b", re.I)


def is_follow_up(question: str) -> bool:
    if _FOLLOW_UP_START.search(question):
        return True
    own_names = question_names(question)
    return (bool(_PRONOUN.search(question)) and not own_names) or len(words(question)) <= 3


def subject_words(text: str) -> list[str]:
    """Names and key nouns of a question, in order, for carrying into the next one."""
    out: list[str] = []
    for w in words(text):
        lw = w.lower()
        if lw in STOPWORDS or len(w) < 3:
            continue
        if w[0].isupper() or len(w) > 5:
            out.append(w)
    return list(dict.fromkeys(out))


def standalone_question(question: str, history: Sequence[tuple[str, str]]) -> str:
    """Deterministic rewrite: a follow-up carries the previous question's subject and entities."""
    if not history or not is_follow_up(question):
        return question
    previous_question, previous_answer = history[-1]
    del previous_answer  # the question carries the subject; the answer's wording would drift the query
    context = " ".join(w for w in subject_words(previous_question) if w.lower() not in question.lower())
    cleaned = _FOLLOW_UP_START.sub("", question).strip() or question
    return f"{cleaned} ({context})" if context else cleaned
