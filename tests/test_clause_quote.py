"""A runner-up sentence that adds a question term but would take the answer past its word limit is quoted by
the clause that holds what it adds (cited whole), rather than left out. Sentences and weights written for
these tests, never fitted."""

from __future__ import annotations

import zlib

import numpy as np

from assistant.extractive import ExtractiveAnswerer, SentenceScorer, clause_within
from assistant.ranker import ANSWERABILITY, FEATURES, LearnedRanker, RankerWeights
from assistant.text import content_terms
from ingest.store import StoredChunk


class Scattered:
    """Unrelated unit vectors per text, so that no two sentences are redundant."""

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = [np.random.default_rng(zlib.crc32(t.encode())).normal(size=64) for t in texts]
        return np.array([r / np.linalg.norm(r) for r in rows])


BEST = ("The ferry captain was taken ill during the storm on Friday night, the harbour board said in a long "
        "statement that also thanked the crew, the coastguard and the volunteers who had stayed on the quay "
        "until the early hours.")
RUNNER_UP = ("Passengers were kept on board for six hours while the tugs waited for the wind to drop, and the "
             "ferry captain fell unconscious on the bridge near Tarbert, where an ambulance met the ship.")


def _draft(question: str, **kwargs: object) -> list[tuple[str, str]]:
    text = f"{BEST} {RUNNER_UP} Gulls nest on the old pier."
    chunk = StoredChunk(id="c-0", doc_id="d", index=0, text=text, start=0, end=len(text), title="Harbour news",
                        source="/tmp/d.md", date=None, section=None, page=None, footnotes={})
    coef = [2.0 if f == "lexical" else 0.0 for f in FEATURES]
    ranker = LearnedRanker(RankerWeights(coef=coef, intercept=-3.0, threshold=0.5,
                                         answerability_coef=[0.0] * len(ANSWERABILITY), answerability_intercept=5.0))
    answerer = ExtractiveAnswerer(SentenceScorer(Scattered()), ranker=ranker, keep_ratio=0.35,  # type: ignore[arg-type]
                                  max_words=60, **kwargs)  # type: ignore[arg-type]
    return [(e.text, e.quoted) for e in answerer.draft(question, [chunk]).evidence]


def test_a_runner_up_too_long_to_fit_is_quoted_by_its_clause() -> None:
    chosen = _draft("Where did the ferry captain fall unconscious during the storm?")
    assert [t for t, _ in chosen] == [BEST, RUNNER_UP]  # cited whole
    assert chosen[1][1] == "…and the ferry captain fell unconscious on the bridge near Tarbert…"
    assert len(BEST.split()) + len(chosen[1][1].split()) <= 60 < len(BEST.split()) + len(RUNNER_UP.split())


def test_without_clause_quotes_the_runner_up_is_left_out() -> None:
    assert [t for t, _ in _draft("Where did the ferry captain fall unconscious during the storm?", clause_quotes=False)] == [BEST]


def test_clause_within_keeps_every_term_and_the_budget() -> None:
    terms = set(content_terms("unconscious"))
    assert clause_within(RUNNER_UP, terms, 20) == "…and the ferry captain fell unconscious on the bridge near Tarbert…"
    assert clause_within(RUNNER_UP, terms, 5) is None  # no run that short holds it
    assert clause_within(RUNNER_UP, set(), 20) is None  # nothing to hold: no reason to quote a part
    assert clause_within("Short sentence, with no break worth it.", terms, 20) is None  # the term is not there


def test_a_multi_part_question_keeps_its_budget_for_the_parts() -> None:
    # The same runner-up, asked with a second part: no clause of it is quoted by the first choice, so the
    # words are left to the sentence each part gets (news_conflict's "What wages … and who reported it?" lost
    # its second part to a clause).
    chosen = _draft("Where did the ferry captain fall unconscious during the storm, and who thanked the crew?")
    assert all(quoted == text for text, quoted in chosen)


def test_a_clause_is_not_quoted_without_the_denial_hedge_or_report_that_frames_it() -> None:
    # found by review: the shortest run holding "unconscious" dropped what turned it around
    for framed in ("Police denied claims, made on social media, that the ferry captain fell unconscious near Tarbert.",
                   "The captain did not, as some reports claimed on Friday, fall unconscious on the bridge near Tarbert.",
                   "The board said on Friday, after a long meeting, the ferry captain fell unconscious near Tarbert."):
        assert clause_within(framed, set(content_terms("unconscious")), 20) is None, framed
    plain = "The storm eased on Friday, and the ferry captain fell unconscious on the bridge near Tarbert."
    assert clause_within(plain, set(content_terms("unconscious")), 20) == "…and the ferry captain fell unconscious on the bridge near Tarbert."
