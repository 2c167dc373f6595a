"""Short cited briefings: bottom line up front, key points, and what the reports leave open."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from assistant.extractive import Evidence, SentenceScorer
from assistant.text import MONTHS, OPEN_QUESTION, STOPWORDS, WEEKDAYS, stem
from ingest.store import StoredChunk

_ACTOR = re.compile(r"\b[A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?\b")
# Capitalised words that name no actor: function words (capitalised after a colon or in a heading),
# months and weekdays.
_NOT_ACTORS = frozenset(stem(w) for w in STOPWORDS | MONTHS | WEEKDAYS)


def actors(text: str) -> set[str]:
    """Stems of the capitalised names a sentence mentions (not at its start)."""
    found = set()
    for m in _ACTOR.finditer(text):
        if m.start() == 0:
            continue
        s = stem(m.group(0))
        if s not in _NOT_ACTORS:
            found.add(s)
    return found


def plan_briefing(topic: str, passages: Sequence[StoredChunk], scorer: SentenceScorer, *, words: int = 300,
                  min_score: float = 0.35) -> tuple[Evidence | None, list[Evidence], list[Evidence]]:
    """Choose the bottom line, three to five key points that cover the main actors and documents,
    and the open questions (hedged statements), all within about ``words`` words."""
    evidence = scorer.candidates(passages)
    scorer.score(topic, evidence)
    ranked = [e for e in sorted(evidence, key=lambda e: e.score, reverse=True) if e.score >= min_score]
    if not ranked:
        return None, [], []
    bluf = ranked[0]
    used = [bluf]
    budget = words - len(bluf.text.split())
    counts: Counter[str] = Counter(a for e in ranked for a in actors(e.text))
    main_actors = [a for a, n in counts.most_common(6) if n >= 2]
    covered = actors(bluf.text)
    docs = {bluf.chunk.doc_id}

    def redundant(e: Evidence) -> bool:
        return any(float(np.dot(e.vector, u.vector)) > 0.75 for u in used if e.vector is not None and u.vector is not None)

    points: list[Evidence] = []
    pool = [e for e in ranked[1:] if not OPEN_QUESTION.search(e.text) or e.score > bluf.score * 0.95]
    while len(points) < 5 and pool:
        pool.sort(key=lambda e: _gain(e, covered, docs, main_actors), reverse=True)
        candidate = pool.pop(0)
        cost = len(candidate.text.split())
        if redundant(candidate) or (cost > budget and len(points) >= 3):
            continue
        points.append(candidate)
        used.append(candidate)
        covered |= actors(candidate.text)
        docs.add(candidate.chunk.doc_id)
        budget -= cost
    open_items = [e for e in ranked if e not in used and OPEN_QUESTION.search(e.text) and not redundant(e)][:2]
    open_items = [e for e in open_items if len(e.text.split()) <= max(budget, 45)]
    return bluf, points, open_items


def _gain(e: Evidence, covered: set[str], docs: set[str], main_actors: list[str]) -> float:
    """A point's worth: its score, plus a bonus for actors and documents not yet covered."""
    new_actors = len((actors(e.text) & set(main_actors)) - covered)
    return e.score + 0.15 * new_actors + 0.1 * (e.chunk.doc_id not in docs)
