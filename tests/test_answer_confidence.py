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
from ingest.embeddings import HashingEmbedder
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


def _draft(question: str, *chunks: StoredChunk, max_words: int = 60):  # type: ignore[no-untyped-def]
    # the hashing stand-in embeds texts apart by their words, so that a sentence restating another is told by meaning
    answerer = ExtractiveAnswerer(SentenceScorer(HashingEmbedder()), ranker=lexical_ranker(), max_words=max_words)
    return answerer.draft(question, list(chunks))


NAMED = "The harbour master of Tromso is Kari Nordmann, appointed in May."
WEAKER = "Tromso welcomed a new ferry and its crew this year."


def test_each_signal_is_read_off_the_answer_as_given() -> None:
    question = "Who is the harbour master of Tromso?"
    signals = _draft(question, _chunk("a", NAMED), _chunk("c", WEAKER)).confidence_signals
    assert signals is not None
    assert 0.0 < signals["semantic"] < 1.0
    assert 0.0 < signals["runner_up"] < 0.5  # the weaker sentence, well under the best
    assert signals["quoted_words"] == len(NAMED.split()) and signals["next_sentence"] == 0.0
    assert signals["asks_name"] == 1.0 and sum(signals[f"asks_{k}"] for k in ("date", "quantity", "yes_no")) == 0
    # a wire copy of the best in another document is no runner-up: alone with it, there is none
    copy = _draft(question, _chunk("a", NAMED), _chunk("b", NAMED), _chunk("c", WEAKER)).confidence_signals
    assert copy is not None and copy["runner_up"] < 0.5  # the weaker sentence again (the copy would give 1.0)
    alone = _draft(question, _chunk("a", NAMED), _chunk("b", NAMED)).confidence_signals
    assert alone is not None and alone["runner_up"] == 0.0
    # nor is a copy with a word changed, which the answer would not quote beside the best either
    edited = NAMED.replace("appointed in May", "appointed last May")
    near = _draft(question, _chunk("a", NAMED), _chunk("b", edited)).confidence_signals
    assert near is not None and near["runner_up"] == 0.0


def test_the_detail_in_the_next_sentence_and_a_name_too_long_to_lead_with_still_count() -> None:
    restated = "The veteran ferry captain of the northern harbour line fell gravely ill in Norway last spring."
    detail = "The sailor was taken to a clinic in Bergen."
    draft = _draft("In which city did the veteran ferry captain of the northern harbour line fall ill?",
                   _chunk("a", f"Gulls nest on the old pier. {restated} {detail}"))
    assert [e.quoted for e in draft.evidence] == [restated, detail]
    assert draft.confidence_signals is not None and draft.confidence_signals["next_sentence"] == 1.0
    assert draft.confidence_signals["quoted_words"] == len(f"{restated} {detail}".split())
    # 12 words leave no room to repeat the name in bold, but the quoted sentence still holds it
    tight = _draft("Who is the harbour master of Tromso?", _chunk("a", NAMED), max_words=12)
    assert tight.direct is None and tight.confidence_signals is not None
    assert tight.confidence_signals["direct"] == 1.0


def test_a_weak_match_quotes_without_a_bold_headline_and_keeps_the_phrase_in_its_field() -> None:
    from assistant.extractive import Draft, Evidence

    chunk = _chunk("a", NAMED)
    ev = Evidence(chunk, 0, len(NAMED), NAMED)
    sure = extractive_answer("Who is the harbour master of Tromso?",
                             Draft([ev], 0.7, direct="Kari Nordmann", confidence=WEAK_MATCH + 0.1), {}, None)
    weak = extractive_answer("Who is the harbour master of Tromso?",
                             Draft([ev], 0.7, direct="Kari Nordmann", confidence=WEAK_MATCH - 0.1), {}, None)
    assert sure.answer.startswith("**Kari Nordmann.** The harbour master")
    # under the caution that the passage may not answer, a headline in bold would still read as the answer
    assert weak.weak_match is True and weak.answer == f"{NAMED} [1]"
    assert weak.direct_answer == "Kari Nordmann"
