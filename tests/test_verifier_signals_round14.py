"""Grounding-proxy signal faults found reading the tune claims the proxy misjudged (session 14, second verifier
round), each reproduced before its fix (signal values before the fix are in the comments). Claims and passages are
written for these tests, never used for tuning. The hashing embedder stands in for the model: these signals are
counted from words, not vectors."""

from __future__ import annotations

import pytest

from assistant.verifier import ProxyVerifier, _negated
from ingest.embeddings import HashingEmbedder


@pytest.fixture(scope="module")
def proxy() -> ProxyVerifier:
    return ProxyVerifier(HashingEmbedder())


def test_yet_to_negates_what_follows(proxy: ProxyVerifier) -> None:
    # "have yet to be announced" says they have not been: it read as no negation (negation_mismatch 0.0)
    assert _negated("Dates for the new album have yet to be announced.")
    assert signals_of(proxy, "Dates for the band's new album have been announced.",
                      "Dates for the band's new album have yet to be announced.")["negation_mismatch"] >= 0.5
    # "not yet" and "yet to" say the same, and "yet" alone negates nothing
    assert signals_of(proxy, "The clubs have not yet agreed a fee for the striker.",
                      "The clubs have yet to agree a fee for the striker.")["negation_mismatch"] == 0.0
    assert not _negated("The clubs agreed a fee, yet the player stayed.")
    assert _negated("The clubs have not yet to agree anything.")  # one negation, not two


def signals_of(proxy: ProxyVerifier, claim: str, passage: str) -> dict[str, float]:
    return proxy.features(claim, [passage])
