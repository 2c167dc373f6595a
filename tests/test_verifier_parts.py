"""The proxy's parts that need no model: clauses, coreference, windows and the weights file."""

from pathlib import Path

import pytest

from assistant.lexicon import lemmas, prefix_antonyms
from assistant.verifier import FEATURES, Combination, clauses, resolve, windows


def test_clauses_split_at_conjunctions_and_dashes() -> None:
    assert clauses("The minister will likely resign, but the budget passed on Tuesday.") == [
        "The minister will likely resign", "but the budget passed on Tuesday."]
    assert len(clauses("The deal ends the war by December 1—making Aliyev the leader to reclaim the lands.")) == 2


def test_pronouns_take_the_previous_sentences_first_name() -> None:
    out = resolve(["Erdogan is unlikely to reverse this setback.", "He may push for a diplomatic role.",
                   "His embarrassment is plain.", "The deal underscores the asymmetry."])
    assert out[1] == "Erdogan may push for a diplomatic role."
    assert out[2].startswith("Erdogan's embarrassment")
    assert out[3] == "The deal underscores the asymmetry. (Erdogan)"
    assert resolve(["Putin met Aliyev.", "The deal was signed."])[1] == "The deal was signed. (Putin)"


def test_windows_hold_up_to_three_adjacent_sentences_of_one_passage() -> None:
    wins = windows(["One. Two is here. Three is here. Four is here.", "Other passage here."])
    assert max(w.size for w in wins) == 3
    assert all("Other" not in w.text or w.size == 1 for w in wins)
    assert len(wins) == 4 + 3 + 2 + 1


def test_lemmas_and_prefix_antonyms() -> None:
    assert lemmas("funded") & lemmas("fund") and lemmas("rebuilt") & lemmas("rebuild")
    assert prefix_antonyms("smiling", "unsmiling") and prefix_antonyms("illegal", "legal")
    assert not prefix_antonyms("union", "ion")


def test_shipped_weights_cover_every_signal() -> None:
    combination = Combination.load()
    assert combination.features == FEATURES and set(combination.labels) == {"supported", "partial", "unsupported",
                                                                           "contradicted"}
    probs = combination.probabilities(dict.fromkeys(FEATURES, 0.5))
    assert abs(sum(probs.values()) - 1) < 1e-9


def test_broken_weights_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "w.json"
    bad.write_text('{"features": ["semantic"]}')
    with pytest.raises(ValueError, match=r"w\.json: not a verifier weights file"):
        Combination.load(bad)
