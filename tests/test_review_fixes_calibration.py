"""Faults a review reproduced in how the verifier's agreement is measured."""

from __future__ import annotations

import pytest

from assistant.verifier import Verdict
from eval.calibration import agreement
from eval.datasets import load_calibration


class Refuses:
    def support(self, claim: str, passages: list[str]) -> Verdict:
        return Verdict(0.0, "unsupported")


def test_agreement_over_no_pairs_is_an_error_not_another_sets_figures() -> None:
    with pytest.raises(ValueError, match="no labelled pairs"):
        agreement(Refuses(), [])


def test_agreement_without_pairs_given_is_calibration_jsonls() -> None:
    assert agreement(Refuses()).n == len(load_calibration())
