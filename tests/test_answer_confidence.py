"""An answer's confidence is read off the answer as composed (assistant/ranker.CONFIDENCE), not off the
answerability alone: two answers the answerability model scores alike can deserve different trust. Sentences and
weights written for these tests, never fitted."""

from __future__ import annotations

import json
import math

import numpy as np

from assistant.answers import WEAK_MATCH
from assistant.compose import extractive_answer
from assistant.extractive import ExtractiveAnswerer, SentenceScorer
from assistant.ranker import CONFIDENCE, LearnedRanker
from ingest.store import StoredChunk
from tests.conftest import lexical_ranker


class Flat:
    def embed(self, texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 3)) / np.sqrt(3)


def _chunk(doc: str, text: str) -> StoredChunk:
    return StoredChunk(id=f"{doc}-0", doc_id=doc, index=0, text=text, start=0, end=len(text), title="Harbour news",
                       source=f"/tmp/{doc}.md", date=None, section=None, page=None, footnotes={})


def _ranker_trusting_direct_answers() -> LearnedRanker:
    """The lexical test ranker (every answer clears its threshold), with a confidence model that trusts an answer
    only when the asked name, number or date was found in its sentence."""
    ranker = lexical_ranker()
    ranker.weights.confidence_coef = [3.0 if name == "direct" else 0.0 for name in CONFIDENCE]
    ranker.weights.confidence_intercept = -1.5
    return ranker


def _ask(question: str, *chunks: StoredChunk):  # type: ignore[no-untyped-def]
    answerer = ExtractiveAnswerer(SentenceScorer(Flat()), ranker=_ranker_trusting_direct_answers(), max_words=60)  # type: ignore[arg-type]
    draft = answerer.draft(question, list(chunks))
    return draft, extractive_answer(question, draft, {}, None)


def test_two_answers_cleared_alike_are_trusted_by_what_they_quote() -> None:
    named = _chunk("a", "The harbour master of Tromso is Kari Nordmann, appointed in May.")
    unnamed = _chunk("b", "The harbour master of Tromso was appointed in May after a long search.")
    sure_draft, sure = _ask("Who is the harbour master of Tromso?", named)
    doubtful_draft, doubtful = _ask("Who is the harbour master of Tromso?", unnamed)
    assert sure_draft.best_score == doubtful_draft.best_score  # the answerability cannot tell them apart
    assert sure.direct_answer == "Kari Nordmann" and doubtful.direct_answer is None
    assert sure.confidence == round(1 / (1 + math.exp(-1.5)), 4) and sure.weak_match is False
    assert doubtful.confidence == round(1 / (1 + math.exp(1.5)), 4) and doubtful.weak_match is True
    assert doubtful.confidence < WEAK_MATCH


def test_the_answer_keeps_what_its_confidence_was_computed_from_out_of_its_json() -> None:
    _, answer = _ask("Who is the harbour master of Tromso?",
                     _chunk("a", "The harbour master of Tromso is Kari Nordmann, appointed in May."))
    assert answer.confidence_signals is not None and set(answer.confidence_signals) == set(CONFIDENCE)
    assert answer.confidence_signals["direct"] == 1.0 and answer.confidence_signals["asks_name"] == 1.0
    assert "confidence_signals" not in json.loads(answer.model_dump_json())  # the answer object stays as it was
