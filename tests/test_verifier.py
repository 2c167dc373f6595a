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


def test_unrelated_passage_is_unsupported(verifier) -> None:  # type: ignore[no-untyped-def]
    verdict = verifier.support("Pashinyan came to power in 2018.", [EXCLUDES])
    assert verdict.label in ("unsupported", "contradicted") and not verdict.supported


def test_agreement_with_calibration_labels(verifier) -> None:  # type: ignore[no-untyped-def]
    from eval.calibration import agreement

    result = agreement(verifier)
    assert result.n >= 200
    # Floors a little under the measured 0.771 accuracy / 0.666 kappa of the calibrated thresholds.
    assert result.accuracy >= 0.74 and result.kappa >= 0.62
    assert result.by_kind["number_swap"] >= 0.9 and result.by_kind["date_swap"] >= 0.9
