"""Follow-up questions: turn "and who controls its implementation?" into a standalone query."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text import AUXILIARIES, STOPWORDS, question_names, stem, words

_FOLLOW_UP_START = re.compile(r"^\s*(?:and|but|also|so|then|what about|how about|and what|and who|and when|and how|why)\b", re.I)
# The connectives a follow-up opens with; what is left says whether it asks anything of its own ("Why Turkey?").
_CONNECTIVE = re.compile(r"^\s*(?:and|but|also|so|then|what about|how about)\b\s*", re.I)
_QUESTION_WORD = re.compile(r"\b(?:who|whom|whose|what|which|when|where|why|how)\b", re.I)
# What the previous question asked for: "How many followers", "Which country", "When".
_OPENING = re.compile(rf"^\s*(?:how (?:many|much)(?:\s+(?!{AUXILIARIES}\b)[^?,;]+?)?(?=\s+{AUXILIARIES}\b|[?,;]|$)"
                      rf"|how (?:long|old|big|far|often)|(?:what|which)(?:\s+(?!{AUXILIARIES}\b|of\b)\w+)?"
                      r"|who|whom|whose|when|where|why)\b", re.I)
# A follow-up that opens (after "and") with a preposition is a fragment of the previous question's clause.
_PREPOSITION_START = re.compile(r"(?:across|in|into|on|at|for|from|by|with|within|over|under|to|since|until|after|"
                                r"before|during|between|among|against|through)\b", re.I)
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


def own_words(question: str) -> list[str]:
    """The follow-up's own content words (not stop words, not its names)."""
    cleaned = _FOLLOW_UP_START.sub("", question).strip()
    names = set(question_names(cleaned))
    return [w for w in words(cleaned) if w.lower() not in STOPWORDS and stem(w) not in names]


def leans_on_previous(question: str) -> bool:
    """A pronoun with no name of its own ("who controls its implementation?") or an ellipsis ("And for how
    long?", "And her brother Rob?"): the question cannot be searched without the previous turn."""
    cleaned = _FOLLOW_UP_START.sub("", question).strip()
    if _PRONOUN.search(cleaned) and not question_names(cleaned):
        return True
    if cleaned != question.strip() and _PREPOSITION_START.match(cleaned):
        return True  # "And across how many US states?" continues the previous question's clause
    return len(own_words(question)) <= 1


def standalone_question(question: str, history: Sequence[tuple[str, str]]) -> str:
    """Deterministic rewrite. The follow-up's own words lead; the previous question's subject is added
    only when the follow-up leans on it (a pronoun, an ellipsis). Carrying it always pulled retrieval
    back to the previous answer ("And who was left out of the peacekeeping?" repeated the troop count)."""
    if not history or not is_follow_up(question):
        return question
    previous_question, previous_answer = history[-1]
    del previous_answer  # the question carries the subject; the answer's wording would drift the query
    cleaned = _CONNECTIVE.sub("", question).strip() or question  # "Why Turkey?" keeps its "Why"
    if not leans_on_previous(question):
        return cleaned
    opening = _OPENING.match(previous_question)
    if opening and opening.group(0).strip().lower() not in ("what", "which") and not _QUESTION_WORD.search(cleaned):
        # An ellipsis with no question word ("And her brother Rob?") asks what the previous question asked
        # ("How many followers …"): without the opening the kind of answer wanted was lost and the
        # sentence about Rob that holds no number was quoted.
        # After a comma, so that what the opening counts stays its own ("How many followers, her brother Rob?"
        # counts followers, not brothers).
        first, _, rest = cleaned.partition(" ")
        cleaned = f"{opening.group(0).strip()}, {first.lower() if first.lower() in STOPWORDS else first} {rest}".strip()
    context = " ".join(w for w in subject_words(previous_question) if w.lower() not in cleaned.lower())
    return f"{cleaned} ({context})" if context else cleaned


_CARRIED = re.compile(r"^(?P<own>.*?)\s*\((?P<carried>[^()]*)\)\s*$", re.S)


def split_carried(query: str) -> tuple[str, str]:
    """(the follow-up's own words, the words :func:`standalone_question` carried over from the previous
    question in the trailing parentheses, or ""): the carried words name the subject, but what the follow-up
    asks is in its own words."""
    m = _CARRIED.match(query)
    return (m.group("own"), m.group("carried")) if m else (query, "")
