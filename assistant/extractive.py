"""The default answerer: no generative model; it quotes the sentences that answer and cites each."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.injection import is_instruction
from assistant.text import (
    LIST_PREFIX,
    content_terms,
    count_focus,
    name_stems,
    question_names,
    question_type,
    strip_markers,
    type_match,
)
from ingest.embeddings import Embedder
from ingest.sentences import split_sentences
from ingest.store import StoredChunk

# One superscript per repetition: "+" inside "(...)*" backtracked exponentially on long marker runs.
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]|\[\w{1,6}\])*$")


@dataclass
class Evidence:
    """A sentence of a retrieved chunk, scored against the question; offsets are in its document."""

    chunk: StoredChunk
    start: int
    end: int
    text: str
    semantic: float = 0.0
    lexical: float = 0.0
    kind: float = 0.0
    score: float = 0.0
    vector: np.ndarray | None = None


@dataclass
class Draft:
    """What an answerer chose: sentences in answer order, or nothing (abstain)."""

    evidence: list[Evidence]
    best_score: float
    reason: str | None = None  # why it abstained


class Answerer(Protocol):
    def draft(self, question: str, passages: Sequence[StoredChunk]) -> Draft:
        """Choose the evidence that answers ``question`` from ``passages``; empty to abstain."""
        ...


def sentences_of(chunk: StoredChunk) -> list[tuple[int, int, str]]:
    """Sentences of a chunk as (start, end, text) with offsets in the document."""
    out: list[tuple[int, int, str]] = []
    base = chunk.start
    for para in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", chunk.text):
        for s, e in split_sentences(chunk.text, para.start(), para.end()):
            prefix = LIST_PREFIX.match(chunk.text, s, e)
            if prefix and prefix.end() < e:
                s = prefix.end()  # cite the item, not its bullet
            out.append((base + s, base + e, chunk.text[s:e]))
    return out


class SentenceScorer:
    """Scores sentences against a question by meaning, shared terms and the kind of answer asked."""

    def __init__(self, embedder: Embedder, *, weights: tuple[float, float, float] = (0.5, 0.35, 0.15),
                 cache_size: int = 50_000) -> None:
        self.embedder = embedder
        self.weights = weights
        self._cache: OrderedDict[tuple[str, int, int], np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    def candidates(self, passages: Sequence[StoredChunk]) -> list[Evidence]:
        seen: set[tuple[str, int]] = set()
        out: list[Evidence] = []
        for chunk in passages:
            for start, end, text in sentences_of(chunk):
                if (chunk.doc_id, start) in seen or not _TERMINAL.search(text) or len(text.split()) < 4:
                    continue
                if is_instruction(text):  # addressed to an AI, not evidence for the reader
                    continue
                seen.add((chunk.doc_id, start))
                out.append(Evidence(chunk, start, end, text))
        return out

    def score(self, question: str, evidence: list[Evidence], query_vector: np.ndarray | None = None) -> None:
        if not evidence:
            return
        qvec = self.embedder.embed([question])[0] if query_vector is None else query_vector
        self._attach_vectors(evidence)
        q_terms = content_terms(question)
        sentence_terms = [set(content_terms(e.text)) for e in evidence]
        # Terms that nearly every candidate shares ("Karabakh" here) tell the candidates apart least.
        weights = {
            t: 1.0 - 0.6 * (sum(t in st for st in sentence_terms) / len(sentence_terms)) for t in q_terms
        }
        total = sum(weights.values()) or 1.0
        kind = question_type(question)
        w_sem, w_lex, w_kind = self.weights
        for ev, terms in zip(evidence, sentence_terms, strict=True):
            assert ev.vector is not None
            ev.semantic = float(np.dot(qvec, ev.vector))
            ev.lexical = sum(w for t, w in weights.items() if t in terms) / total if q_terms else 0.0
            ev.kind = type_match(kind, ev.text)
            ev.score = w_sem * ev.semantic + w_lex * ev.lexical + w_kind * ev.kind

    def _attach_vectors(self, evidence: list[Evidence]) -> None:
        missing = [e for e in evidence if (e.chunk.doc_id, e.start, e.end) not in self._cache]
        if missing:
            vectors = self.embedder.embed([e.text for e in missing])
            for e, v in zip(missing, vectors, strict=True):
                self._cache[(e.chunk.doc_id, e.start, e.end)] = v
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        for e in evidence:
            key = (e.chunk.doc_id, e.start, e.end)
            self._cache.move_to_end(key)
            e.vector = self._cache[key]


class ExtractiveAnswerer:
    """Picks a few non-redundant, well-supported sentences; abstains below ``min_score``."""

    def __init__(self, scorer: SentenceScorer, *, min_score: float = 0.5, max_sentences: int = 3,
                 keep_ratio: float = 0.85, redundancy: float = 0.8) -> None:
        self.scorer = scorer
        self.min_score = min_score
        self.max_sentences = max_sentences
        self.keep_ratio = keep_ratio
        self.redundancy = redundancy

    def draft(self, question: str, passages: Sequence[StoredChunk]) -> Draft:
        evidence = self.scorer.candidates(passages)
        if not evidence:
            return Draft([], 0.0, "no passage was retrieved")
        known = set().union(*(name_stems(f"{p.text} {p.title} {Path(p.source).stem}") for p in passages))
        unknown = [n for n in question_names(question) if n not in known]
        if unknown:
            return Draft([], 0.0, f"the retrieved passages never mention {', '.join(unknown)}")
        self.scorer.score(question, evidence)
        if question_type(question).strict:
            focus = count_focus(question)
            evidence = [e for e in evidence if e.kind > 0 and (not focus or focus & set(content_terms(e.text)))]
            if not evidence:
                return Draft([], 0.0, "no passage holds the kind of answer asked for (a number, date or duration)")
        ranked = sorted(evidence, key=lambda e: e.score, reverse=True)
        best = ranked[0]
        if best.score < self.min_score:
            return Draft([], best.score, f"the best sentence scores {best.score:.2f}, under the {self.min_score:.2f} threshold")
        chosen = [best]
        covered = set(content_terms(best.text))
        q_terms = set(content_terms(question))
        for ev in ranked[1:]:
            if len(chosen) >= self.max_sentences or ev.score < max(self.min_score, best.score * self.keep_ratio):
                break
            assert ev.vector is not None
            if any(float(np.dot(ev.vector, c.vector)) > self.redundancy for c in chosen if c.vector is not None):
                continue
            adds = (set(content_terms(ev.text)) & q_terms) - covered
            if not adds and ev.score < best.score * 0.95:
                continue
            chosen.append(ev)
            covered |= set(content_terms(ev.text))
        chosen.sort(key=lambda e: (e.chunk.doc_id != best.chunk.doc_id, e.chunk.doc_id, e.start))
        return Draft(chosen, best.score)


def display_sentence(text: str) -> str:
    """A quoted sentence as it reads in an answer: without list prefixes or the report's markers."""
    cleaned = strip_markers(text)
    if cleaned and cleaned[0].islower():
        cleaned = cleaned[0].upper() + cleaned[1:]
    return cleaned
