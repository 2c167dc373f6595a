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
def test_the_reranker_chooses_which_kept_sentence_is_quoted_first(notes: Any) -> None:
    plain = notes.ask(WHO_PAID)
    assert "grant" in plain.citations[0].text
    # The ranker keeps the engineers' sentence too (it may join the answer): a reranker preferring it quotes it first.
    assistant, reranker = reranked(notes, ["engineers"])
    answer = assistant.ask(WHO_PAID)
    _, sentences = reranker.calls[-1]
    assert any("grant" in s for s in sentences) and any("Engineers" in s for s in sentences)
    assert "Engineers" in answer.citations[0].text
    # Abstention and confidence are the ranker's, whatever the reranker prefers.
    assert answer.confidence == plain.confidence and answer.abstained == plain.abstained


@pytest.mark.slow
def test_the_reranker_never_turns_an_abstention_into_an_answer(notes: Any) -> None:
    question = "Who won the Alpine Rally in 2021?"
    plain = notes.ask(question)
    assert plain.abstained
    assistant, reranker = reranked(notes, ["rally", "won", "2021"])
    answer = assistant.ask(question)
    assert answer.abstained and answer.abstain_reason == plain.abstain_reason
    assert reranker.calls == []  # the near miss was named before any sentence was chosen


def test_ties_keep_the_rankers_order_and_the_tail_is_untouched() -> None:
    from assistant.extractive import Evidence, ExtractiveAnswerer

    def ev(text: str, score: float) -> Evidence:
        return Evidence(chunk=None, start=0, end=len(text), text=text, score=score)  # type: ignore[arg-type]

    ranked = [ev("Alpha rose.", 0.9), ev("Beta fell.", 0.8), ev("Gamma held.", 0.7), ev("Delta split.", 0.1)]
    answerer = ExtractiveAnswerer(scorer=None, reranker=PhraseReranker([]), rerank_top=8)  # type: ignore[arg-type]
    assert [e.text for e in answerer._reranked("q", ranked)] == [e.text for e in ranked]
    answerer.reranker = PhraseReranker(["gamma"])
    # Gamma leads; the others keep the ranker's order.
    assert [e.text for e in answerer._reranked("q", ranked)] == ["Gamma held.", "Alpha rose.", "Beta fell.", "Delta split."]
    assert answerer.reranker.calls[-1][1] == ["Alpha rose.", "Beta fell.", "Gamma held.", "Delta split."]
    answerer.rerank_top = 2  # only the ranker's best two are offered: Gamma, third, stays third
    assert [e.text for e in answerer._reranked("q", ranked)] == [e.text for e in ranked]
    assert answerer.reranker.calls[-1][1] == ["Alpha rose.", "Beta fell."]


def tiny_cross_encoder(path: Path) -> Path:
    """A two-layer BERT with one output (a passage-ranking head), saved like a hub model."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "who", "paid", "grant", "water", "station", "the"]
    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab.txt").write_text("\n".join(words) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(path / "vocab.txt"))
    config = BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=128, num_labels=1)
    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.mark.slow
def test_a_cross_encoder_named_in_the_settings_reranks_answers(tmp_path: Path, embedder: Any) -> None:
    from assistant.build import build
    from assistant.rerank import CrossEncoderReranker
    from assistant.settings import Settings

    model = tiny_cross_encoder(tmp_path / "tiny-ce")
    settings = Settings(home=tmp_path / "h", answer={"reranker": str(model), "rerank_top": 5})  # type: ignore[call-arg]
    workspace = build(settings, embedder=embedder)
    workspace.corpus.ingest([FIXTURES / "answers"])
    answerer = workspace.assistant.answerer
    assert isinstance(answerer.reranker, CrossEncoderReranker) and answerer.rerank_top == 5
    scores = answerer.reranker.scores(WHO_PAID, ["The grant paid for the station.", "Engineers restored pumping."])
    assert len(scores) == 2 and all(isinstance(s, float) for s in scores)
    answer = workspace.assistant.ask(WHO_PAID)
    assert not answer.abstained and answer.citations  # a real model's order, quoted and cited
