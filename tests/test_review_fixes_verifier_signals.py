"""Grounding-proxy signal faults a third review found, each reproduced before its fix (signal values before the fix
are in the comments). Claims and passages are written for these tests, never used for tuning. The hashing embedder
stands in for the model: these signals are counted from words, not vectors."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.verifier import (
    SWAP_COVERAGE,
    ProxyVerifier,
    _found_as_written_otherwise,
    _names,
    _negated,
    _opposed,
    _quantities,
    resolve,
)
from ingest.embeddings import HashingEmbedder


@pytest.fixture(scope="module")
def proxy() -> ProxyVerifier:
    return ProxyVerifier(HashingEmbedder())


def signals(proxy: ProxyVerifier, claim: str, passage: str) -> dict[str, Any]:
    return proxy.features(claim, [passage])


def test_not_only_and_not_long_after_negate_nothing(proxy: ProxyVerifier) -> None:
    assert not _negated("Russia not only sent troops to Syria but also built an air base there.")
    assert not _negated("Not long after the vote, parliament approved the budget.")
    assert _negated("Russia did not send troops to Syria.") and _negated("Turkey sent drones, not troops.")
    # was negation_mismatch 1.0 and 0.8 against a claim the passage supports
    assert signals(proxy, "Russia sent troops to Syria.",
                   "Russia not only sent troops to Syria but also built an air base there.")["negation_mismatch"] == 0.0
    assert signals(proxy, "Parliament approved the budget soon after the vote.",
                   "Not long after the vote, parliament approved the budget.")["negation_mismatch"] == 0.0


def test_a_window_writing_the_claims_word_in_another_inflection_opposes_nothing(proxy: ProxyVerifier) -> None:
    whole = "Oil prices were rising in March, but oil prices fell in April."
    # was ["rose/fell"], and opposed 0.5: the window has "rose" as "rising", as the quote tests' windows have theirs
    assert _opposed("Oil prices rose in March", "oil prices fell in April", "Oil prices rose in March.", whole) == []
    assert signals(proxy, "Oil prices rose in March.", whole)["opposed"] == 0.0
    # an opposite the window does not write in any form still counts, and an adjective's degrees are two words
    assert _opposed("Oil prices rose in March.", "Oil prices fell in March.") == ["rose/fell"]
    assert _opposed("Warming made the strongest storms weaker.", "Warming made the strongest storms stronger.") == [
        "weaker/stronger"]


def test_initials_written_with_dots_are_a_name(proxy: ProxyVerifier) -> None:
    assert _names("U.S. troops withdrew from Syria.") == {"syria": "Syria", "us": "US"}  # was Syria only
    assert "un" in _names("Despite calls for reform of the U.N., Putin spoke.")
    # was name_swap 0.0: "U.S." named nobody, so nothing was missing beside "Russian"
    swapped = signals(proxy, "U.S. troops withdrew from northern Syria in October.",
                      "Russian troops withdrew from northern Syria in October.")
    assert swapped["missing_names"] == ["US"] and swapped["name_swap"] == 1.0
    for passage in ("US troops withdrew from northern Syria in October.",
                    "American troops withdrew from northern Syria in October.",
                    "United States troops withdrew from northern Syria in October."):
        assert signals(proxy, "U.S. troops withdrew from northern Syria in October.", passage)["name_missing"] == 0.0


def test_a_figure_in_millions_or_with_a_decimal_comma_is_the_same_figure(proxy: ProxyVerifier) -> None:
    assert _quantities("1.2 million people") == _quantities("1,200,000 people") == {"1200000"}  # was {1.2, million}
    assert _quantities("3,5 million euros") == _quantities("3.5 million euros")  # was {35, million}
    assert _quantities("a million people") == _quantities("1,000,000 people")
    assert _quantities("2.5 thousand troops") == _quantities("2,500 troops")  # was {2.5000}
    assert _quantities("3,500 troops") == {"3500"} and _quantities("millions of people") == {"millions"}
    # were number_swap 1.0
    for claim, passage in (("About 1.2 million people fled the fighting in 2022.",
                            "About 1,200,000 people fled the fighting in 2022."),
                           ("The company earned 3,5 million euros in 2021.", "The company earned 3.5 million euros in 2021.")):
        assert signals(proxy, claim, passage)["number_swap"] == 0.0
    swapped = signals(proxy, "About 1.2 million people fled the fighting in 2022.",
                      "About 1.5 million people fled the fighting in 2022.")
    assert swapped["number_swap"] == 1.0 and swapped["missing_numbers"] == ["1200000"]


def test_he_is_no_day_or_place_and_a_possessive_ends_a_name(proxy: ProxyVerifier) -> None:
    # were "Monday said …", "Moscow said …" and "Turkey Erdogan's aides …"
    assert resolve(["On Monday, Putin met Aliyev.", "He said the troops would stay."])[1] == "Putin said the troops would stay."
    assert resolve(["In Moscow, Putin met Aliyev.", "He said the troops would stay."])[1] == "Putin said the troops would stay."
    assert resolve(["Last week Turkey's Erdogan met Putin.", "His aides praised the talks."])[1] == (
        "Erdogan's aides praised the talks.")
    # "It" may well be a country, and a person's name may hold a place's
    assert resolve(["In Moscow, Putin met Aliyev.", "It hosted the talks."])[1] == "Moscow hosted the talks."
    assert resolve(["Jordan Peterson spoke on Monday.", "He said little."])[1] == "Jordan Peterson said little."
    # was other_names ["Monday"] beside the claim's own words: the window had "Monday said …"
    passage = ("On Monday, Putin hosted Aliyev and Pashinyan for three hours of talks near Sochi. "
               "He said Russian peacekeepers would stay in Karabakh.")
    assert signals(proxy, "Putin said Russian peacekeepers would stay in Karabakh.", passage)["other_names"] == []


def test_a_title_before_a_name_the_passage_has_is_no_missing_name(proxy: ProxyVerifier) -> None:
    # was missing_names ["President"] beside "Ankara": name_swap 0.89, which label_of turns into "contradicted"
    titled = signals(proxy, "On Monday, President Erdogan praised Azerbaijan.",
                     "On Monday, Erdogan praised Azerbaijan in a speech in Ankara.")
    assert titled["missing_names"] == [] and titled["name_swap"] == 0.0
    assert signals(proxy, "On Monday, Armenia's Prime Minister Nikol Pashinyan resigned.",
                   "On Monday, Armenian leader Nikol Pashinyan resigned amid protests.")["missing_names"] == []
    # another title before the same name is still a swap
    swapped = signals(proxy, "On Monday, President Aliyev signed the decree.",
                      "On Monday, Prime Minister Aliyev signed the decree.")
    assert swapped["missing_names"] == ["President"] and swapped["name_swap"] >= SWAP_COVERAGE


@pytest.mark.parametrize(("claim", "passage"), [
    ("About 1.2 million people were displaced by the fighting.", "About 1.2m people were displaced by the fighting."),
    ("Between 1 and 2 million people fled the region.", "Between 1 million and 2 million people fled the region."),
    ("Some 3m doses were delivered in March.", "Some 3 million doses were delivered in March."),
])
def test_a_scale_written_once_or_not_at_all_is_no_number_swap(proxy: ProxyVerifier, claim: str, passage: str) -> None:
    # review of the fix above: read with its scale only, each was a number swap (so "contradicted")
    found = signals(proxy, claim, passage)
    assert found["number_swap"] == 0.0 and found["number_missing"] == 0.0, found["missing_numbers"]
    assert signals(proxy, "About 1.2 million people fled.", "About 1.5 million people fled.")["number_swap"] == 1.0


def test_a_persons_initials_before_the_surname_are_no_name_of_their_own(proxy: ProxyVerifier) -> None:
    # review of the fix above: "J.K." read as the name "JK", missing from a passage saying "Rowling" (name swap 1.0)
    for claim, passage in [("J.K. Rowling praised the film on Monday.",
                            "Rowling praised the film on Monday, her agent Neil Blair said."),
                           ("Author J.R.R. Tolkien wrote the book in Oxford.",
                            "Tolkien wrote the book in Oxford, biographer Humphrey Carpenter said.")]:
        assert signals(proxy, claim, passage)["name_swap"] == 0.0
    assert signals(proxy, "U.S. troops withdrew from northern Syria in October.",
                   "Russian troops withdrew from northern Syria in October.")["name_swap"] > 0.0


def test_a_town_before_a_comma_is_no_first_name_of_the_county_after_it(proxy: ProxyVerifier) -> None:
    # "Leeds, West Yorkshire": "Leeds" had read as the first name of "West", found because the passage says "West
    # Yorkshire", so a town swapped for another was no missing name (name_swap 0.0)
    names = _names("The parade was held in Leeds, West Yorkshire.")
    assert _found_as_written_otherwise("The parade was held in Leeds, West Yorkshire.", names, {"west", "yorkshire"},
                                       "The parade was held in Wakefield, West Yorkshire.") == set()
    f = signals(proxy, "The parade was held in Leeds, West Yorkshire, on Saturday.",
                "The parade was held in Wakefield, West Yorkshire, on Saturday.")
    assert f["missing_names"] == ["Leeds"] and f["name_swap"] >= SWAP_COVERAGE
    # a first name right before the surname the passage has is still the fuller name
    assert _found_as_written_otherwise("Dominic Raab met the envoy.", {"dominic": "Dominic", "raab": "Raab"}, {"raab"},
                                       "Mr Raab met the envoy.") == {"dominic"}


def test_up_to_and_particles_oppose_nothing(proxy: ProxyVerifier) -> None:
    # Session 13's review of a branch that made "up"/"down" opposites of rise/fall: "up to 500", "set up", "broke
    # down" and "Downing Street" then opposed "cut", "drop", "jumped" and "rose", and supported claims read as
    # contradicted. Kept out; these stay unopposed.
    for claim, passage in [
        ("The company plans to shed up to 500 jobs.", "The company plans to cut as many as 500 jobs, it said."),
        ("The government set up a commission on the fall in exports.", "It established a commission on the drop in exports."),
        ("Talks broke down after fuel prices soared.", "Negotiations collapsed after fuel prices jumped."),
        ("The government said wages rose in March.", "Downing Street said wages increased in March."),
    ]:
        assert signals(proxy, claim, passage)["opposed"] == 0.0, claim


def test_a_negation_is_not_excused_by_another_negated_sentence(proxy: ProxyVerifier) -> None:
    # The same review: "X did not comment. She did Y." had cancelled the mismatch of a claim that X did not do Y.
    assert signals(proxy, "The minister did not resign after the vote.",
                   "The minister did not speak to reporters. She resigned after the vote.")["negation_mismatch"] > 0.0
    assert signals(proxy, "The army did not withdraw from the town on Monday.",
                   "Officials did not give a reason. The army withdrew from the town on Monday.")["negation_mismatch"] > 0.0


def test_yet_to_and_its_paraphrases_read_alike(proxy: ProxyVerifier) -> None:
    # Session 14 made "yet to" a negation ("Dates have yet to be announced" against "Dates have been announced");
    # a review of it reproduced supported claims read as contradicted ("the worst is yet to come" against "still to
    # come", "remains to be seen", a conjunction "yet" before "to many voters") and contradicted ones accepted ("No
    # date has yet to be set", where two negations cancelled). It was taken back; these stay as they read.
    for claim, passage in [
        ("Economists warned that the worst is still to come for the airline industry.",
         "Economists warned that the worst is yet to come for the airline industry."),
        ("Dates for the band's new tour remain to be announced.", "Dates for the band's new tour have yet to be announced."),
        ("To many voters the reform felt radical.", "The reform was modest, yet to many voters it felt radical."),
    ]:
        assert signals(proxy, claim, passage)["negation_mismatch"] == 0.0, claim
    assert signals(proxy, "A date for the trial has been set.",
                   "No date for the trial has yet to be set.")["negation_mismatch"] > 0.0
