"""A cross-encoder configured in ``answer.reranker`` re-orders the sentences the ranker keeps; abstention and
confidence stay the ranker's. Deterministic stand-in (``assistant.testing.PhraseReranker``) for the
behaviour, and a tiny CrossEncoder built here (no download) for the settings path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from assistant.testing import PhraseReranker
from tests.conftest import FIXTURES
from tests.tiny_models import tiny_bert_classifier

WHO_PAID = "Who paid for the repair of the water station?"


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Any:
    from assistant.build import build
    from assistant.settings import Settings

    workspace = build(Settings(home=tmp_path_factory.mktemp("rerank-home")), embedder=embedder)  # type: ignore[call-arg]
    workspace.corpus.ingest([FIXTURES / "answers"])
    return workspace.assistant


def reranked(assistant: Any, phrases: list[str]) -> tuple[Any, PhraseReranker]:
    answerer = copy.copy(assistant.answerer)
    answerer.reranker = PhraseReranker(phrases)
    return assistant.with_answerer(answerer), answerer.reranker


@pytest.mark.slow
def test_the_reranker_chooses_the_lead_and_the_rankers_best_still_follows(notes: Any) -> None:
    plain = notes.ask(WHO_PAID)
    assert "grant" in plain.citations[0].text
    # The ranker's best eight hold the engineers' sentence too: a reranker preferring it puts it first, and
    # the ranker's best (the grant) still joins the answer after it.
    assistant, reranker = reranked(notes, ["engineers"])
    answer = assistant.ask(WHO_PAID)
    _, sentences = reranker.calls[-1]
    assert any("grant" in s for s in sentences) and any("Engineers" in s for s in sentences)
    assert "Engineers" in answer.citations[0].text
    assert any("grant" in c.text for c in answer.citations[1:]) and "Swiss Red Cross" in answer.answer
    # Abstention is the ranker's, whatever the reranker prefers; the confidence reads the answer as composed: led
    # by a sentence that names no payer (no direct answer), it is less sure than the plain answer led by the grant's.
    assert answer.answerability == plain.answerability and not answer.abstained
    assert answer.direct_answer is None and plain.direct_answer == "Swiss Red Cross"
    assert answer.confidence is not None and plain.confidence is not None and answer.confidence < plain.confidence


@pytest.mark.slow
def test_the_reranker_never_turns_an_abstention_into_an_answer(notes: Any) -> None:
    question = "Who won the Alpine Rally in 2021?"
    plain = notes.ask(question)
    assert plain.abstained
    assistant, reranker = reranked(notes, ["rally", "won", "2021"])
    answer = assistant.ask(question)
    assert answer.abstained and answer.abstain_reason == plain.abstain_reason
    assert reranker.calls == []  # the near miss was named before any sentence was chosen
    # Nor an answerability under the threshold: the reranker is asked only once the ranker answers.
    assistant.answerer._min_score = 0.999
    answer = assistant.ask(WHO_PAID)
    assert answer.abstained and "under 1.00" in (answer.abstain_reason or "") and reranker.calls == []


def test_a_reranker_that_miscounts_is_refused() -> None:
    from assistant.errors import ModelError
    from assistant.extractive import Evidence, ExtractiveAnswerer

    class Short(PhraseReranker):
        def scores(self, question: str, sentences: Any) -> list[float]:
            return super().scores(question, sentences)[:-1]

    ranked = [Evidence(chunk=None, start=0, end=1, text=t, score=p)  # type: ignore[arg-type]
              for t, p in (("Alpha rose.", 0.9), ("Beta fell.", 0.8))]
    answerer = ExtractiveAnswerer(scorer=None, reranker=Short([]))  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="1 scores for 2 sentences"):
        answerer._reranked("q", ranked)


def test_only_the_lead_moves_and_ties_keep_the_rankers_order() -> None:
    from assistant.extractive import Evidence, ExtractiveAnswerer

    def ev(text: str, score: float) -> Evidence:
        return Evidence(chunk=None, start=0, end=len(text), text=text, score=score)  # type: ignore[arg-type]

    ranked = [ev("Alpha rose.", 0.9), ev("Beta fell.", 0.8), ev("Gamma held.", 0.7), ev("Delta split.", 0.1)]
    answerer = ExtractiveAnswerer(scorer=None, reranker=PhraseReranker([]), rerank_top=8)  # type: ignore[arg-type]
    assert [e.text for e in answerer._reranked("q", ranked)] == [e.text for e in ranked]
    answerer.reranker = PhraseReranker(["gamma"])
    assert [e.text for e in answerer._reranked("q", ranked)] == ["Gamma held.", "Alpha rose.", "Beta fell.", "Delta split."]
    assert answerer.reranker.calls[-1][1] == ["Alpha rose.", "Beta fell.", "Gamma held.", "Delta split."]
    answerer.reranker = PhraseReranker(["delta", "beta"])  # a tie: the ranker's better one leads
    assert answerer._reranked("q", ranked)[0].text == "Beta fell."
    answerer.rerank_top = 2  # only the ranker's best two are offered: Delta, fourth, cannot lead
    answerer.reranker = PhraseReranker(["delta"])
    assert [e.text for e in answerer._reranked("q", ranked)] == [e.text for e in ranked]
    assert answerer.reranker.calls[-1][1] == ["Alpha rose.", "Beta fell."]


@pytest.mark.slow
def test_a_cross_encoder_named_in_the_settings_reranks_answers(tmp_path: Path, embedder: Any) -> None:
    from assistant.build import build
    from assistant.rerank import CrossEncoderReranker
    from assistant.settings import Settings

    model = tiny_bert_classifier(tmp_path / "tiny-ce", ["who", "paid", "grant", "water", "station", "the"])
    settings = Settings(home=tmp_path / "h", answer={"reranker": str(model), "rerank_top": 5})  # type: ignore[call-arg]
    workspace = build(settings, embedder=embedder)
    workspace.corpus.ingest([FIXTURES / "answers"])
    answerer = workspace.assistant.answerer
    assert isinstance(answerer.reranker, CrossEncoderReranker) and answerer.rerank_top == 5
    scores = answerer.reranker.scores(WHO_PAID, ["The grant paid for the station.", "Engineers restored pumping."])
    assert len(scores) == 2 and all(isinstance(s, float) for s in scores) and scores[0] != scores[1]
    seen: list[list[str]] = []
    model_scores = answerer.reranker.scores
    answerer.reranker.scores = lambda q, s: seen.append(list(s)) or model_scores(q, s)  # type: ignore[method-assign]
    answer = workspace.assistant.ask(WHO_PAID)
    assert not answer.abstained and len(seen) == 1 and len(seen[0]) == 5
    # The model's favourite of the five leads the answer.
    best = max(range(5), key=lambda i: model_scores(WHO_PAID, seen[0])[i])
    assert answer.citations[0].text.split()[:4] == seen[0][best].split()[:4]


@pytest.mark.slow
def test_an_nli_model_is_refused_as_reranker(tmp_path: Path) -> None:
    from assistant.errors import ModelError
    from assistant.rerank import CrossEncoderReranker
    from tests.test_verifier_kinds import tiny_nli_model

    model = tiny_nli_model(tmp_path / "nli", "entailment")
    with pytest.raises(ModelError, match="3 outputs"):
        CrossEncoderReranker(str(model))
