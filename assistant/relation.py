"""The relation a question asks about, and whether a sentence states it.

"Who paid for the repair of the water station?" asks about paying: a sentence that shares the question's
topic words ("Engineers repaired the water station …") but not the relation is not the answer, while "The
repair was paid for by a grant from the Swiss Red Cross." is. The ranker's other features count shared
terms and meaning, which favour the topic sentence; these say whether the asked relation is stated, and
whether the new name or number an entity or quantity question wants sits in the clause that states it.

The relation is found by a rule over the question's words, no tagger: past the question word, the count
focus of "how many X" (but "died" in "how many people died in …", which the focus reads up to "in"),
auxiliaries and names, the first word lemminflect knows as a verb ("paid", "won",
"died"); failing that, the noun of "what was the COST of" / "who is the PRESIDENT of". A sentence holds it
when one of its words shares a lemma with it or with a WordNet derivation or synonym of it ("died" /
"death", "destroyed" / "destruction", "paid" / "payment"); synonyms only where they are not among the most
common English words ("go", "give", "be" are synonyms of "die", "pay", "cost" in some sense).
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.lexicon import importance, lemmas_as_words, only_a_verb, relations
from assistant.text import STOPWORDS, count_focus, stem, words

_QUESTION_WORD = re.compile(r"^(?:who|whom|whose|what|which|when|where|why|how|many|much|long|often|large|big|and|so|but)$",
                            re.I)
_AUXILIARY = frozenset(["did", "does", "do", "was", "were", "is", "are", "has", "have", "had", "will", "would", "can",
                        "could", "should", "may", "might", "must", "been", "be", "being", "get", "got"])
# "What was the cost of …", "Who is the president of …": a relational noun, when no verb is asked.
_RELATIONAL_NOUN = re.compile(r"^\s*(?:and\s+)?(?:what|who|which)\s+(?:is|was|are|were)\s+(?:the\s+)?([a-z]+)\s+(?:of|for|behind)\b",
                              re.I)
# Clauses of a sentence: the name or number a "who" or "how many" asks for should sit in the clause stating the relation.
_CLAUSE = re.compile(r"[,;:()]|\s[-–—]\s|\bwhile\b|\bwhereas\b|\bbut\b")


def _is_verb(word: str) -> bool:
    from lemminflect import getAllLemmas

    return "VERB" in getAllLemmas(word.lower())


@lru_cache(maxsize=4096)
def asked_relation(question: str) -> str | None:
    """The verb or relational noun the question asks about ("Who paid for …" -> "paid"), or None."""
    noun = _RELATIONAL_NOUN.match(question)
    if noun and noun.group(1).lower() not in STOPWORDS:
        return noun.group(1).lower()
    focus = count_focus(question)
    for i, word in enumerate(words(question)):
        low = word.lower()
        if _QUESTION_WORD.match(word) or low in _AUXILIARY or (stem(word) in focus and not only_a_verb(word)):
            continue
        if i > 0 and word[:1].isupper():  # a name
            continue
        if low in STOPWORDS or word[:1].isdigit():
            continue
        if _is_verb(word):
            return low
    return None


@lru_cache(maxsize=4096)
def relation_forms(word: str) -> frozenset[str]:
    """Stems of the words that state ``word``'s relation: its lemmas, WordNet derivations of them and their
    less common synonyms."""
    forms = set(lemmas_as_words(word))
    for lemma in list(forms):
        found = relations(lemma)
        forms |= found.derived
        forms |= {s for s in found.synonyms if importance(s) >= 2.0}
    out = set()
    for form in forms:
        out |= {stem(x) for x in lemmas_as_words(form)}
    return frozenset(out - {stem(w) for w in STOPWORDS})


def _states(text: str, forms: frozenset[str]) -> bool:
    return any(stem(x) in forms for w in words(text) for x in lemmas_as_words(w))


def holds_relation(sentence: str, relation: str | None) -> bool:
    """Whether ``sentence`` states the asked relation (any form of it)."""
    return relation is not None and _states(sentence, relation_forms(relation))


def relation_clauses(sentence: str, relation: str | None) -> list[str]:
    """The clauses of ``sentence`` that state the relation."""
    if relation is None:
        return []
    forms = relation_forms(relation)
    return [c for c in _CLAUSE.split(sentence) if _states(c, forms)]
