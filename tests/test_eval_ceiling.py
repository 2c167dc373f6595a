"""The ceiling measurement (``python -m eval.ceiling``): a reranker that knows each question's evidence, and a
threshold that knows whether it is answerable, answering the bundled report's regression questions."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from assistant.extractive import ExtractiveAnswerer
from eval.ceiling import VARIANTS, EvidenceReranker, measure, stand_in
from eval.datasets import EvalItem, load_items
from eval.runner import run_assistant
from ingest.errors import BriefingError


def test_the_evidence_reranker_scores_a_sentence_by_whether_it_holds_the_evidence() -> None:
    reranker = EvidenceReranker(["Russia will deploy 1,960 peacekeepers."])
    scores = reranker.scores("How many peacekeepers?", [
        "Under the deal, Russia will deploy 1,960 peacekeepers.",  # holds it
        "Russia will deploy peacekeepers.",  # the topic, not the sentence
        "Turkey was left out.",
    ])
    assert scores == [1.0, 0.0, 0.0]
    assert EvidenceReranker([]).scores("Q?", ["Anything at all."]) == [0.0]


def test_each_variant_answers_with_the_items_own_stand_ins(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    answerable = EvalItem(id="a", question="Q?", answerable=True, reference_facts=[["x"]], evidence=["An answer."])
    near_miss = EvalItem(id="n", question="Q?", answerable=False, reference_facts=[], evidence=[])
    assert stand_in(sample_assistant, "shipped") is None
    leads = stand_in(sample_assistant, "evidence leads")
    knows = stand_in(sample_assistant, "answer iff answerable")
    assert leads is not None and knows is not None
    shipped = sample_assistant.answerer
    led = leads(answerable).answerer
    assert isinstance(led, ExtractiveAnswerer) and led.reranker == EvidenceReranker(["An answer."])
    assert led.min_score == shipped.min_score  # whether to answer stays the ranker's
    assert knows(answerable).answerer.min_score == 0.0
    assert knows(near_miss).answerer.min_score == math.inf
    # the assistant itself is untouched: each item gets a copy
    assert sample_assistant.answerer is shipped and shipped.reranker is None
    with pytest.raises(ValueError, match="unknown variant"):
        stand_in(sample_assistant, "oracle")


def test_the_evidence_sentence_leads_when_the_ranker_has_it_among_its_best(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    question = "How many troops will Russia deploy as peacekeepers?"
    evidence = ("The agreement does not mention Baku's key ally Ankara, despite earlier discussions of a joint "
                "Turkish-Russian peacekeeping presence in Nagorno-Karabakh.")
    item = EvalItem(id="p", question=question, answerable=True, reference_facts=[["Ankara"]], evidence=[evidence])
    leads = stand_in(sample_assistant, "evidence leads")
    assert leads is not None
    assert not sample_assistant.ask(question).answer.startswith(evidence)  # the ranker leads with the 1,960 troops
    assert leads(item).ask(question).answer.startswith(evidence)


def test_an_answerer_without_the_learned_ranker_or_in_llm_mode_is_refused(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    import copy

    with pytest.raises(BriefingError, match="learned ranker"):
        stand_in(SimpleNamespace(answerer=object(), mode="extractive"), "evidence leads")  # type: ignore[arg-type]
    llm = copy.copy(sample_assistant)
    llm.mode = "llm"  # a chat model would answer: the stand-ins would change nothing
    for variant in VARIANTS:
        with pytest.raises(BriefingError, match="extractive"):
            stand_in(llm, variant)


def test_a_test_item_is_refused(sample_assistant, embedder) -> None:  # type: ignore[no-untyped-def]
    from assistant.verifier import ProxyVerifier

    item = EvalItem(id="t", question="Q?", answerable=True, reference_facts=[["x"]], split="test")
    with pytest.raises(ValueError, match="test"):
        measure(sample_assistant, [item], ProxyVerifier(embedder), "set")


def test_run_assistant_asks_each_item_of_the_assistant_given_for_it(sample_assistant) -> None:  # type: ignore[no-untyped-def]
    items = load_items("isw_report")[:3]
    asked: list[str] = []

    def assistant_for(item: EvalItem):  # type: ignore[no-untyped-def]
        asked.append(item.id)
        return sample_assistant

    records = run_assistant(sample_assistant, items, assistant_for=assistant_for)
    assert asked == [i.id for i in items] and [r.item for r in records] == items


def test_knowing_the_evidence_and_the_label_answers_the_report_no_worse(sample_assistant, embedder) -> None:  # type: ignore[no-untyped-def]
    from assistant.verifier import ProxyVerifier

    items = load_items("isw_report")
    chosen = [i for i in items if i.answerable][:10] + [i for i in items if not i.answerable][:5]
    shipped, leads, knows = measure(sample_assistant, chosen, ProxyVerifier(embedder), "isw")
    assert [r.name for r in (shipped, leads, knows)] == [f"isw: {v}" for v in VARIANTS]
    assert shipped.answerable == leads.answerable == knows.answerable == 10
    assert leads.answerable_abstained == shipped.answerable_abstained  # the decision is still the ranker's
    assert knows.answerable_abstained <= shipped.answerable_abstained
    assert knows.near_misses_abstained == knows.near_misses == 5
