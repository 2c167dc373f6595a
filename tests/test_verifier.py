"""The offline proxy verifier against swaps of supported claims and the calibration labels."""

import pytest

from assistant.verifier import ProxyVerifier

pytestmark = pytest.mark.slow

PASSAGE = (
    "Russia secured a military foothold in another former Soviet state, deploying a peacekeeping force of "
    "1,960 troops along the line of contact in Azerbaijan for five years."
)
DEADLINE = (
    "The Russian-brokered agreement will end Armenia's military presence in Nagorno-Karabakh and its surrounding "
    "regions of Azerbaijan by December 1."
)
EXCLUDES = "The deal excludes Turkish peacekeeping troops even though deploying such troops was being discussed."


@pytest.fixture(scope="module")
def verifier(embedder):  # type: ignore[no-untyped-def]
    return ProxyVerifier(embedder)


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("Russia is deploying a peacekeeping force of 1,960 troops in Azerbaijan for five years.", PASSAGE),
        ("Armenia's military presence in Nagorno-Karabakh will end by December 1.", DEADLINE),
        ("The deal excludes Turkish peacekeeping troops.", EXCLUDES),
    ],
)
def test_supported_claims_are_supported(verifier, claim: str, passage: str) -> None:  # type: ignore[no-untyped-def]
    assert verifier.support(claim, [passage]).label == "supported"


@pytest.mark.parametrize(
    ("kind", "claim", "passage"),
    [
        ("number", "Russia is deploying a peacekeeping force of 2,960 troops in Azerbaijan for five years.", PASSAGE),
        ("number", "Russia is deploying a peacekeeping force of 1,960 troops in Azerbaijan for ten years.", PASSAGE),
        ("entity", "Turkey is deploying a peacekeeping force of 1,960 troops in Azerbaijan for five years.", PASSAGE),
        ("date", "Armenia's military presence in Nagorno-Karabakh will end by January 1.", DEADLINE),
        ("negation", "The deal does not exclude Turkish peacekeeping troops.", EXCLUDES),
    ],
)
def test_swaps_are_caught(verifier, kind: str, claim: str, passage: str) -> None:  # type: ignore[no-untyped-def]
    verdict = verifier.support(claim, [passage])
    assert verdict.label == "contradicted", (kind, verdict)
    assert verdict.reasons and verdict.window


def test_reasons_quote_the_claims_words_not_stems(verifier) -> None:  # type: ignore[no-untyped-def]
    verdict = verifier.support("The Belarusian opposition leader left for Lithuania.",
                               ["Tsikhanouskaya left for Vilnius after the election."])
    assert any("Belarusian" in r for r in verdict.reasons) and not any("belaru" in r for r in verdict.reasons)


def test_a_capital_names_its_country_but_not_another(verifier) -> None:  # type: ignore[no-untyped-def]
    passage = ["Turkey backed Azerbaijan in the war."]
    assert verifier.support("Ankara backed Baku in the war.", passage).label == "supported"
    assert verifier.support("Moscow backed Baku in the war.", passage).label == "contradicted"


def test_a_hedge_governs_what_follows_it(verifier) -> None:  # type: ignore[no-untyped-def]
    passage = ["The success of the drones in the conflict will likely increase the demand for Turkish military exports."]
    assert verifier.support("The drones were a success in the conflict.", passage).label == "supported"
    assert verifier.support("The drones will increase the demand for Turkish military exports.",
                            passage).label == "partial"


def test_unrelated_passage_is_unsupported(verifier) -> None:  # type: ignore[no-untyped-def]
    verdict = verifier.support("Pashinyan came to power in 2018.", [EXCLUDES])
    assert verdict.label in ("unsupported", "contradicted") and not verdict.supported


def test_hedge_in_another_clause_does_not_make_the_claim_partial(verifier) -> None:  # type: ignore[no-untyped-def]
    passage = "The minister will likely resign, but the budget passed on Tuesday."
    assert verifier.support("The budget passed on Tuesday.", [passage]).label == "supported"
    assert verifier.support("The minister will resign.", [passage]).label != "supported"


def test_llm_sentence_supported_beside_a_hedged_clause_is_kept(verifier) -> None:  # type: ignore[no-untyped-def]
    from assistant.llm import check_answer
    from ingest.store import StoredChunk

    text = ("Aliyev will likely enjoy domestic popularity from his Kremlin-delivered victory, but he now faces new "
            "challenges with the first Russian military presence in Azerbaijan in many years.")
    chunk = StoredChunk(id="d:0", doc_id="d", index=0, text=text, start=0, end=len(text), title="T", source="t.txt",
                        date=None, section=None, page=None, footnotes={})
    checked = check_answer("Aliyev now faces new challenges with the first Russian military presence in Azerbaijan "
                           "in many years [1].", [chunk], verifier)
    assert not checked.abstained and len(checked.sentences) == 1, checked.flags


def test_pronoun_refers_to_the_previous_sentences_name(verifier) -> None:  # type: ignore[no-untyped-def]
    passage = ("Pashinyan came to power with the support of Armenia's popular protests in 2018. His embarrassment "
               "creates an opportunity for a much more pro-Russian leader to take power in Yerevan.")
    verdict = verifier.support("Pashinyan's embarrassment creates an opportunity for a pro-Russian leader in Yerevan.",
                               [passage])
    assert verdict.label == "supported" and "His embarrassment" in verdict.window


def test_agreement_with_the_test_half(verifier) -> None:  # type: ignore[no-untyped-def]
    from eval.calibration import agreement
    from eval.datasets import CLAIMS, load_calibration

    # The test pairs of the first two authoring rounds, the ones these floors were measured on; later rounds'
    # test halves are reported once by whoever runs them (their tune halves joined the fit).
    result = agreement(verifier, [p for p in load_calibration(CLAIMS, split="test") if p.id.startswith(("vc1-", "vc2-"))])
    assert result.n == 420
    # Floors a little under the measured test-half figures (README, "The verifier"); the combination
    # was fitted on the tune half only.
    # With this fp32 embedder: accuracy 0.745, kappa 0.625, recall 0.765 (int8: 0.743, 0.622, 0.765).
    assert result.accuracy >= 0.73 and result.kappa >= 0.60 and result.binary_accuracy >= 0.82
    # The floor keeps the 90% upper bound of the tune half's cross-validated false acceptance within 0.10 (0.073
    # cross-validated); the test half accepts more: 0.114 (0.139 when the floor kept only the rate at 0.10).
    assert result.false_acceptance <= 0.12 and result.supported_recall >= 0.75
    assert result.kinds["number_swap"]["agreement"] >= 0.9 and result.kinds["unrelated"]["accepted"] == 0.0


def test_an_added_phrase_is_a_longer_run_of_missing_words_than_a_rewording(verifier) -> None:  # type: ignore[no-untyped-def]
    added = verifier.features("The deal excludes Turkish peacekeeping troops and sets up a new naval base in Baku.",
                              [EXCLUDES])
    reworded = verifier.features("The deal leaves out Turkish peacekeeping troops though sending them was discussed.",
                                 [EXCLUDES])
    assert added["missing_run"] > reworded["missing_run"]


def test_length_ratio_compares_the_claims_words_with_its_windows(verifier) -> None:  # type: ignore[no-untyped-def]
    short = verifier.features("The deal excludes Turkish troops.", [EXCLUDES])
    whole = verifier.features("The agreement leaves out Turkish peacekeepers although sending them had been discussed.",
                              [EXCLUDES])
    assert short["length_ratio"] < whole["length_ratio"] <= 2.0


def test_clause_semantic_is_the_weakest_clauses_best_match(verifier) -> None:  # type: ignore[no-untyped-def]
    both = verifier.features("The deal excludes Turkish peacekeeping troops, although deploying them was discussed.",
                             [EXCLUDES])
    added = verifier.features("The deal excludes Turkish peacekeeping troops, although the harvest in Brazil failed.",
                              [EXCLUDES])
    assert added["clause_semantic"] < both["clause_semantic"] - 0.2


def test_a_form_wordnet_derives_is_found_where_the_vectors_fall_short(verifier) -> None:  # type: ignore[no-untyped-def]
    # "arrival"/"arrived" are 0.57 alike by the word vectors, which counts less than half a word
    f = verifier.features("The arrival of the troops was confirmed.", ["The troops arrived, officials confirmed."])
    assert "arrival" not in f["missing_terms"] and f["coverage"] == 1.0


def test_a_name_in_the_passage_is_no_form_of_a_claim_word(verifier) -> None:  # type: ignore[no-untyped-def]
    # WordNet derives "baker" from "bake"; the name Baker says nothing of baking
    word = verifier.features("The bread was baked on Monday.", ["The baker said the bread arrived on Monday."])
    name = verifier.features("The bread was baked on Monday.", ["The bread arrived on Monday, Baker said."])
    assert word["coverage"] == 1.0 and name["coverage"] < 1.0


def test_an_opposite_only_wordnet_knows_is_a_reason(verifier) -> None:  # type: ignore[no-untyped-def]
    verdict = verifier.support("The warden said most of the released prisoners were old.",
                               ["The warden said most of the released prisoners were young, the oldest being 30."])
    assert not verdict.supported and any("old/young" in r for r in verdict.reasons)
