"""The detail is often in the sentence after the best one: the best restates the question ("The ferry captain fell
ill in Norway") and the next sentence of its document gives what is asked (the city). That sentence scores far
under the best, so the usual choice leaves it out; it is quoted after the best when the best gives nothing of the
kind asked and it does. Sentences and weights written for these tests, never fitted."""

from __future__ import annotations

import numpy as np

from assistant.direct import direct_answer, gives_asked_kind
from assistant.extractive import ExtractiveAnswerer, SentenceScorer
from assistant.text import question_type
from ingest.store import StoredChunk
from tests.conftest import lexical_ranker


class Flat:
    def embed(self, texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 3)) / np.sqrt(3)


def _chunk(text: str, index: int = 0, start: int = 0) -> StoredChunk:
    return StoredChunk(id=f"c-{index}", doc_id="d", index=index, text=text, start=start, end=start + len(text),
                       title="Harbour news", source="/tmp/d.md", date=None, section=None, page=None, footnotes={})


def _answer(question: str, *chunks: StoredChunk) -> list[str]:
    # Shared terms alone, probabilities low for all but the best (as the fitted ranker's are), and an
    # answerability model that always clears the threshold.
    ranker = lexical_ranker()
    draft = ExtractiveAnswerer(SentenceScorer(Flat()), ranker=ranker, max_words=60).draft(  # type: ignore[arg-type]
        question, list(chunks))
    return [e.quoted for e in draft.evidence]


RESTATED = "The veteran ferry captain of the northern harbour line fell gravely ill in Norway last spring."
DETAIL = "The sailor was taken to a clinic in Bergen."


def test_the_next_sentence_gives_the_city_the_best_only_restates() -> None:
    question = "In which city did the veteran ferry captain of the northern harbour line fall ill?"
    text = f"Gulls nest on the old pier. {RESTATED} {DETAIL} The union met on Friday."
    assert _answer(question, _chunk(text)) == [RESTATED, DETAIL]


def test_the_next_sentence_may_open_the_following_chunk() -> None:
    question = "In which city did the veteran ferry captain of the northern harbour line fall ill?"
    first = f"Gulls nest on the old pier. {RESTATED}"
    second = f"{DETAIL} The union met on Friday."
    assert _answer(question, _chunk(first), _chunk(second, index=1, start=len(first) + 2)) == [RESTATED, DETAIL]
    # A chunk further on is not where the best sentence goes on.
    assert _answer(question, _chunk(first), _chunk(second, index=2, start=len(first) + 500)) == [RESTATED]


def test_no_next_sentence_when_the_best_gives_the_kind_asked_or_the_next_does_not() -> None:
    question = "In which city did the veteran ferry captain of the northern harbour line fall ill?"
    answered = "The veteran ferry captain of the northern harbour line fell gravely ill in Oslo last spring."
    assert _answer(question, _chunk(f"{answered} {DETAIL}")) == [answered]
    nothing = "The sailor was taken to a clinic by boat."
    assert _answer(question, _chunk(f"{RESTATED} {nothing}")) == [RESTATED]


def test_a_figure_asked_follows_the_same_way() -> None:
    question = "How many passengers were on the veteran captain's northern harbour ferry when it ran aground?"
    restated = "The veteran captain's northern harbour ferry ran aground near the old pier with passengers on board."
    count = "All 214 passengers were brought ashore."
    assert _answer(question, _chunk(f"{restated} {count}")) == [restated, count]


def test_an_opening_adverb_is_no_name() -> None:
    question = "Who carried out the harbour survey?"
    # "Meanwhile" is capitalised only because it opens the sentence: it names no one, so the sentence gives no
    # name of the kind asked and leads with none.
    said = "Meanwhile, just 21 per cent said their opinion had improved."
    assert gives_asked_kind(question, said) is False
    assert direct_answer(question, question_type(question), "Meanwhile, Anna Falk ran the survey.") == "Anna Falk"


def test_a_score_or_a_level_asked_is_read_for_the_next_sentence() -> None:
    assert gives_asked_kind("By what score did Falk win the harbour final?", "Falk won in three quick sets.") is False
    assert gives_asked_kind("By what score did Falk win the harbour final?", "Falk won 6-1, 6-3, 6-2.") is True
    assert gives_asked_kind("At what level did the board keep the harbour fee?", "The fee stays at 0.1 per cent.") is True
    assert gives_asked_kind("What did the board decide?", "The fee stays at 0.1 per cent.") is None
    question = "By what score did the veteran Falk win the northern harbour rowing final?"
    restated = "The veteran Falk won the northern harbour rowing final in three quick sets on Sunday."
    score = "Falk took it 6-1, 6-3, 6-2."
    assert _answer(question, _chunk(f"{restated} {score}")) == [restated, score]


def test_a_sentence_that_gives_nothing_asked_makes_way_for_the_next_one() -> None:
    question = "At what level did the harbour board of the northern ferry line keep the mooring fee?"
    restated = "The harbour board of the northern ferry line did keep the mooring fee where it was."
    level = "It stays at 0.1 per cent of a boat's value."
    other = "The northern ferry line board discussed the level of dredging."
    ranker = lexical_ranker()
    text = f"{restated} {level} Gulls nest on the old pier. {other}"

    def quoted(max_words: int) -> list[str]:
        # every sentence within reach joins (the flat vectors make every pair look alike: no redundancy check)
        answerer = ExtractiveAnswerer(SentenceScorer(Flat()), ranker=ranker, max_words=max_words,  # type: ignore[arg-type]
                                      keep_ratio=0.1, redundancy=1.1)
        return [e.quoted for e in answerer.draft(question, [_chunk(text)]).evidence]

    assert quoted(60) == [restated, level, other]
    # With no room for all three, the sentence that gives no figure makes way for the one that gives the level.
    assert quoted(28) == [restated, level]


def test_no_next_sentence_for_a_person_asked_nor_a_live_blog_stamp() -> None:
    # Review (session 14): any name passes for a person asked, whatever that person did ("Who replaced the sacked
    # home secretary?" had "David Cameron returned as foreign secretary." added, the replacement named a sentence
    # later); and the next sentence skipped the filter that keeps live-blog stamps from leading.
    sacked = "The harbour board sacked its chief pilot of the northern line on Monday in a reshuffle."
    other = "Former chairman Anna Falk returned as treasurer."
    assert _answer("Who replaced the sacked chief pilot of the northern line?", _chunk(f"{sacked} {other}")) == [sacked]
    stamp = "UPDATE: The sailor was taken to a clinic in Bergen."
    assert _answer("In which city was the ferry captain treated after he fell ill in Norway?",
                   _chunk(f"{RESTATED} {stamp}")) == [RESTATED]
