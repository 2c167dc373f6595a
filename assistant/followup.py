"""Follow-up questions: turn "and who controls its implementation?" into a standalone query."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text import AUXILIARIES, STOPWORDS, count_focus_words, question_names, stem, words

_FOLLOW_UP_START = re.compile(r"^\s*(?:and|but|also|so|then|what about|how about|and what|and who|and when|and how|why)\b", re.I)
# The connectives a follow-up opens with; what is left says whether it asks anything of its own ("Why Turkey?").
# All of a run of them: "And what about Turkey?" had kept "what about" and, with a question word, lost what the
# previous question asked ("How many troops").
_CONNECTIVE = re.compile(r"^\s*(?:(?:and|but|also|so|then|what about|how about)\b(?!-)\s*)+", re.I)  # not "so-called"
_QUESTION_WORD = re.compile(r"\b(?:who|whom|whose|what|which|when|where|why|how)\b", re.I)
# What the previous question asked for: "How many followers", "Which country", "When".
_OPENING = re.compile(rf"^\s*(?:how (?:many|much)(?:\s+(?!{AUXILIARIES}\b)[^?,;]+?)?(?=\s+{AUXILIARIES}\b|[?,;]|$)"
                      rf"|how (?:long|old|big|far|often)|(?:what|which)(?:\s+(?!{AUXILIARIES}\b|of\b)\w+)?"
                      r"|who|whom|whose|when|where|why)\b", re.I)
# A follow-up that opens (after "and") with a preposition is a fragment of the previous question's clause.
_PREPOSITION_START = re.compile(r"(?:across|in|into|on|at|for|from|by|with|within|over|under|to|since|until|after|"
                                r"before|during|between|among|against|through)\b", re.I)
# "One" after a determiner, ending the question, stands for a thing named before ("And the second one?", "that
# one"); not "one-day", nor "the first one to arrive" (a question of its own).
_PRONOUN = re.compile(r"\b(?:it|its|they|their|them|this|that|these|those|he|she|his|her|there|the same)\b"
                      r"|\b(?:the|this|that|these|those|another)\s+(?:[a-z]+\s+)?ones?\b(?!-)(?=\s*[?.!,]|\s*$)", re.I)


_AUXILIARY = re.compile(rf"\b{AUXILIARIES}\b", re.I)
_PERSONAL_PRONOUN = re.compile(r"\b(?:it|its|they|their|them|he|him|his|she|her)\b", re.I)


def is_follow_up(question: str) -> bool:
    if _FOLLOW_UP_START.search(question):
        return True
    own_names = question_names(question)
    if own_names and _QUESTION_WORD.search(question) and _AUXILIARY.search(question):
        return False  # "Who is Macron?" is asked whole; "Why Turkey?" (no verb) leans on the turn before
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
    if _PRONOUN.search(cleaned) and (not question_names(cleaned) or _PERSONAL_PRONOUN.search(cleaned)):
        # A personal pronoun needs the previous turn whatever names the follow-up has: in "And what would it do
        # to Russian gas deliveries to Germany?" (after a question on Nord Stream 2) "it" is the pipeline. A
        # demonstrative beside a name is the follow-up's own ("what did Macron say about the ceasefire this
        # week?": carrying the previous subject there pulled retrieval back to the previous answer).
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
    # A yes/no question ("Were any elected officials among those held?") asks its own thing: prefixed with
    # "How many people," it was answered with the previous turn's count as its lead.
    asks_yes_no = bool(re.match(rf"\s*{AUXILIARIES}\b", cleaned, re.I))
    if (opening and opening.group(0).strip().lower() not in ("what", "which") and not _QUESTION_WORD.search(cleaned)
            and not asks_yes_no):
        # An ellipsis with no question word ("And her brother Rob?") asks what the previous question asked
        # ("How many followers …"): without the opening the kind of answer wanted was lost and the
        # sentence about Rob that holds no number was quoted.
        # After a comma, so that what the opening counts stays its own ("How many followers, her brother Rob?"
        # counts followers, not brothers).
        asked = opening.group(0).strip()
        counted = count_focus_words(previous_question)
        if counted and re.match(r"how (?:many|much)\b", asked, re.I):
            # what is counted, up to its verb: "How many people died in Beirut?" had carried its whole question
            asked = " ".join(asked.split()[:2] + counted)
        first, _, rest = cleaned.partition(" ")
        cleaned = f"{asked}, {first.lower() if first.lower() in STOPWORDS else first} {rest}".strip()
    context = " ".join(w for w in subject_words(previous_question) if w.lower() not in cleaned.lower())
    return f"{cleaned} ({context})" if context else cleaned


# A part of a multi-part question that is only a question word and its verb ("Who gains" of "Who gains and
# who loses from X?") is asked with the other part's object: its words from the first preposition on.
_OBJECT_TAIL = re.compile(r"\s((?:from|for|of|in|over|on|about|after|with|to|at)\s.+)$", re.I)
# The pronouns that stand for a person or a place an earlier part asked for ("Which leader …, and how did he …?").
_PERSON_PRONOUN = re.compile(r"\b(?:he|she|him|her|his|they|them|their)\b", re.I)
_PLACE_PRONOUN = re.compile(r"\bthere\b", re.I)  # not "it": "Where did the attack happen, and how many did it kill?"
_POSSESSIVE = {"his", "their"}
# A part that asks for a person's name ("Who won …", "What is the name of the official …"), unless a name is its
# subject: in "Who is Stefano Domenicali expected to succeed, and which carmaker was he running?" "he" is Domenicali,
# not the answer. "Which <noun>" is left out: telling a person's noun ("official") from a thing's ("carmaker") needs a
# word list, and widening the rule to it changed no tune answer (round 16b).
_ASKS_NAME = re.compile(r"^\s*(?:who|whom|whose|what is the name of)\b", re.I)
_NAMED_SUBJECT = re.compile(rf"^\s*(?i:(?:who|whom|whose|which|what)(?:\s+[\w'’-]+)?\s+{AUXILIARIES}\s+(?:the\s+)?)[A-Z]")


def asks_for_name(part: str) -> bool:
    """Whether a later part's pronoun may stand for the name that answers ``part``."""
    return bool(_ASKS_NAME.match(part)) and not _NAMED_SUBJECT.match(part)


def with_object(part: str, other: str) -> str | None:
    """``part`` as it is when it has words of its own; a bare part ("Who gains") with ``other``'s object
    ("Who gains from X"); None when it is bare and ``other`` has no object to lend."""
    if len(words(part)) > 2:
        return part
    tail = _OBJECT_TAIL.search(other)
    return f"{part} {tail.group(1)}" if tail else None


def standalone_part(part: str, earlier: str, name: str | None = None, *, person: bool = True) -> str:
    """A later part of a multi-part question made a question of its own before it is scored: a bare part
    takes the earlier part's object; a part that leans on the earlier one has its first pronoun replaced by
    ``name``, the name the earlier part's answer gives (a person when ``person``, else a place: "how did he
    come to power" after "Which leader outmaneuvered Erdogan" answered by Putin is "how did Putin come to
    power"), or, with no name, is rewritten as a follow-up of the earlier part (its subject carried)."""
    lent = with_object(part, earlier)
    if lent is not None and lent != part:
        return lent
    if not leans_on_previous(part):
        return part
    if name:
        m = (_PERSON_PRONOUN if person else _PLACE_PRONOUN).search(part)
        if m:
            word = m.group(0).lower()
            after = part[m.end():].split()
            possessive = word in _POSSESSIVE or (word == "her" and bool(after) and after[0].lower() not in STOPWORDS)
            filled = f"in {name}" if word == "there" else f"{name}'s" if possessive else name
            return f"{part[:m.start()]}{filled}{part[m.end():]}"
    return standalone_question(part, [(earlier, "")])


_CARRIED = re.compile(r"^(?P<own>.*?)\s*\((?P<carried>[^()]*)\)\s*$", re.S)


def split_carried(query: str) -> tuple[str, str]:
    """(the follow-up's own words, the words :func:`standalone_question` carried over from the previous
    question in the trailing parentheses, or ""): the carried words name the subject, but what the follow-up
    asks is in its own words."""
    m = _CARRIED.match(query)
    return (m.group("own"), m.group("carried")) if m else (query, "")
