"""A figure that belongs to another place, or counts something else, is the near miss: a country other than the
asked one doing what is counted, though both sentences name the country of what is counted ("Russian diplomats");
what else befell the people counted (rescued, asked how many died); and a best sentence that gives
no figure at all does not stand in for the asked place. Sentences written for these tests, never used to fit the
ranker."""

from __future__ import annotations

import numpy as np

from assistant.extractive import Evidence, befell_clash, constraint_miss, place_clash
from ingest.store import StoredChunk


def _evidence(*sentences: str) -> list[Evidence]:
    text = " ".join(sentences)
    chunk = StoredChunk(id="c-0", doc_id="d", index=0, text=text, start=0, end=len(text), title="Harbour note",
                        source="/tmp/d.md", date=None, section=None, page=None, footnotes={})
    return [Evidence(chunk, text.index(s), text.index(s) + len(s), s, vector=np.zeros(3)) for s in sentences]


def test_the_country_of_what_is_counted_is_not_whose_figure_it_is() -> None:
    asked = "How many Danish trawlers did Norway seize last winter?"
    other = "Sweden and Finland seized over 40 Danish trawlers in a joint operation against Copenhagen's fleet."
    assert place_clash(asked, other) == ("Norway", "Sweden, Finland")
    # The asked country's own figure, or one whose owner is not named, is no clash; nor is a question that names
    # only the country of what is counted (the modifier check judges that one).
    assert place_clash(asked, "Norway seized 12 Danish trawlers.") is None
    assert place_clash(asked, "Coastguards seized 12 Danish trawlers.") is None
    assert place_clash("How many Danish trawlers were seized?", "Sweden seized 12 Danish trawlers.") is None


def test_a_best_sentence_without_a_figure_does_not_stand_in_for_the_asked_country() -> None:
    asked = "How many Danish trawlers did Norway seize last winter?"
    top = _evidence("Sweden and Finland seized over 40 Danish trawlers in a joint operation against Copenhagen's fleet.",
                    "As well as summoning the Norwegian envoy, the Danish ministry issued a statement.")
    assert constraint_miss(asked, top) == "the passages that come closest speak of Sweden, Finland, not Norway"
    # A sentence with a figure for the asked country still answers.
    assert constraint_miss(asked, _evidence(top[0].text, "Norwegian coastguards seized 9 more trawlers.")) is None


def test_a_figure_of_what_else_befell_the_people_counted_is_the_near_miss() -> None:
    from assistant.extractive import befell_clash

    died = "How many people died when the harbour ferry capsized?"
    rescued = "More than 200 people were rescued by lifeboats after the harbour ferry capsized."
    assert befell_clash(died, rescued) == ("death", "rescue")
    assert constraint_miss(died, _evidence(rescued)) == "the passages that come closest give figures for rescue, not death"
    # The figure of what was asked, or one that says nothing of what befell them, may answer.
    assert befell_clash(died, "Twelve people were killed and 200 rescued when the ferry capsized.") is None
    assert befell_clash(died, "The ferry carried 240 people when it capsized.") is None
    # Counting people without asking what befell them: a figure of people killed answers no such question.
    joined = "How many people joined the harbour protests last week?"
    assert befell_clash(joined, "Although a truce was agreed in 1994, after thousands of people were killed, the "
                                "harbour dispute went on.") == ("people", "death")
    assert befell_clash(joined, "Some 5,000 people marched on the harbour.") is None
    # Not for what is not people, and not where the question asks two things at once.
    assert befell_clash("How many boats did the storm sink?", "Twelve people were killed in the storm.") is None
    assert befell_clash("How many people were killed or injured in the storm?", "Twelve people were rescued.") is None


def test_what_befell_them_is_read_before_the_figure_and_up_to_the_next() -> None:
    # Review (session 14): read from the figure to the next comma only, "killed eight people and left 40 injured"
    # gave the eight as injured, so "How many people died?" abstained on a sentence that answers it.
    for question, sentence in [
        ("How many people died in the train crash?", "The crash killed eight people and left 40 injured, the operator said."),
        ("How many people died in the floods?", "The floods killed 25 people and left 14 missing, the agency said."),
        ("How many people were arrested in the clashes?", "Police arrested 40 people after 12 officers were hurt."),
        ("How many protesters were arrested?", "Police detained 200 protesters and 30 were hurt in the clashes."),
    ]:
        assert befell_clash(question, sentence) is None, sentence
    # what else befell them, before or after the figure, is still the near miss
    assert befell_clash("How many people died in the fire?", "More than 200 people were rescued by helicopters.") == (
        "death", "rescue")
    assert befell_clash("How many people died in the fire?", "Crews rescued more than 200 people overnight.") == (
        "death", "rescue")
