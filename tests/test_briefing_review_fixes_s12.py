"""Briefing faults found by the round-12 review (session hH), each with a test that fails without its fix.
Sentences are made up for the tests (Ruritania, Borduria, Dorn are no real places)."""

from __future__ import annotations

import pytest

from assistant.briefing_plan import PlanWeights, _disagreements
from assistant.extractive import Evidence, SentenceScorer
from ingest.store import StoredChunk


def chunk(doc: str, text: str, date: str) -> StoredChunk:
    return StoredChunk(id=f"{doc}-0", doc_id=doc, index=0, text=text, start=0, end=len(text), title=doc.title(),
                       source=f"/tmp/{doc}.md", date=date, section=None, page=None, footnotes={})


def ev(text: str, date: str, doc: str = "a") -> Evidence:
    return Evidence(chunk(doc, text, date), 0, len(text), text)


def disagree(scorer: SentenceScorer, first: str, second: str) -> bool:
    """Whether two reports' sentences on one raid are shown as disagreeing."""
    evidence = scorer.candidates([chunk("north", first, "2021-04-12"), chunk("south", second, "2021-04-12")])
    scorer.score("What is known about casualties in the raid on Dorn?", evidence)
    return bool(_disagreements(evidence, PlanWeights()))


@pytest.mark.parametrize(("first", "second"), [
    # different people counted
    ("Northern officials said 16 civilians were killed in the raid on Dorn on Sunday.",
     "Southern officials said 39 soldiers were killed in the raid on Dorn on Sunday."),
    ("Northern officials said 16 Bordurian fighters were killed in the raid on Dorn on Sunday.",
     "Southern officials said 39 Ruritanian fighters were killed in the raid on Dorn on Sunday."),
    # a bound or a range that the other figure meets
    ("Northern officials said at least 16 fighters were killed in the raid on Dorn on Sunday.",
     "Southern officials said 39 fighters were killed in the raid on Dorn on Sunday."),
    ("Northern officials said between 16 and 39 fighters were killed in the raid on Dorn on Sunday.",
     "Southern officials said 20 fighters were killed in the raid on Dorn on Sunday."),
    # a running total against one day's toll
    ("Northern officials said 200 fighters have been killed in the war over Dorn since March.",
     "Southern officials said 16 fighters were killed in the war over Dorn on Sunday."),
    # a count of voters against a sum of money, both in millions
    ("Northern officials said 3 million people voted in the election in Dorn on Sunday.",
     "Southern officials said 5 million dollars were spent on the election in Dorn on Sunday."),
])
def test_figures_that_can_both_be_true_are_no_disagreement(scorer: SentenceScorer, first: str, second: str) -> None:
    assert not disagree(scorer, first, second)


@pytest.mark.parametrize(("first", "second"), [
    # review of the fix: "people" counts anyone, as a bare "39 were killed" does, and "the deadliest day since the
    # war began" compares the day, it counts no running total (both pairs had lost their disagreement)
    ("Northern officials said 16 people were killed in the raid on Dorn on Sunday.",
     "Southern officials said 39 were killed in the raid on Dorn on Sunday."),
    ("Northern officials said 16 soldiers were killed in the raid on Dorn on Sunday.",
     "Southern officials said 39 soldiers were killed in the raid on Dorn on Sunday, the deadliest day since the war began."),
    ("Northern officials said 16 fighters were killed in the raid on Dorn on Sunday.",
     "Southern officials said the raid on Dorn on Sunday killed 39 fighters."),
    ("Northern officials said at least 40 fighters were killed in the raid on Dorn on Sunday.",
     "Southern officials said 16 fighters were killed in the raid on Dorn on Sunday."),
    # the decimals of a figure are part of it: both had been read as "5 million"
    ("Northern officials said 3.5 million people voted in the election in Dorn on Sunday.",
     "Southern officials said 2.5 million people voted in the election in Dorn on Sunday."),
])
def test_figures_that_cannot_both_be_true_are_a_disagreement(scorer: SentenceScorer, first: str, second: str) -> None:
    assert disagree(scorer, first, second)


@pytest.mark.parametrize("sentence", [
    "But for the truce, the fleet of Dorn would have been sunk.",  # "were it not for": dropped, it says the opposite
    "So many people fled Dorn that the camps overflowed.",
    "Still more troops of Borduria arrived in Dorn on Monday.",
    "Yet another shell hit the hospital of Dorn.",
    "Instead of talks, the army of Borduria shelled Dorn.",
    "However many died, the army of Borduria pressed on.",
])
def test_a_leading_word_that_belongs_to_a_phrase_is_kept(sentence: str) -> None:
    from assistant.briefing_plan import clean

    assert clean(sentence, clause_words=38) == sentence


def test_a_long_sentence_is_not_cut_before_what_disputes_or_attributes_its_claim() -> None:
    from assistant.briefing_plan import clean

    disputed = ("Northern officials said 16 fighters of Borduria were killed in the raid on the harbour of Dorn by the "
                "artillery of the southern league on Sunday — a figure the defence ministry of Ruritania disputed and "
                "called a fabrication in its statement to the press on Monday.")
    unverified = ("The army of Borduria killed 16 fighters in the hills around the harbour of Dorn and the villages of "
                  "the valley road on Sunday night; the figure could not be independently verified by reporters or by "
                  "the monitors of the mission.")
    attributed = ("The army of Borduria killed 16 fighters in the hills around the harbour of Dorn and the villages of "
                  "the valley road on Sunday night — according to a statement from the northern league that reporters "
                  "saw on Monday.")
    for sentence in (disputed, unverified, attributed):
        assert len(sentence.split()) > 38
        assert clean(sentence, clause_words=38) == sentence
    # the part after the break that says nothing of the claim is still cut off
    plain = unverified.replace("the figure could not be independently verified by reporters or by",
                               "the fishing boats of the coast stayed in port under the watch of")
    assert clean(plain, clause_words=38).endswith("on Sunday night.")


@pytest.mark.parametrize(("sentence", "day"), [
    ("Envoys of Borduria will meet in Dorn tomorrow to sign the truce.", "2021-03-11"),
    ("The harbour of Dorn closed on 2021-03-03, the port authority's log shows.", "2021-03-03"),
    ("The harbour of Dorn closed on the 3rd of March after the shelling.", "2021-03-03"),
    ("The harbour of Dorn closed on the 3rd of March 2020 after the shelling.", "2020-03-03"),
    # a "will" in another clause says nothing of the weekday's
    ("The army of Borduria, which shelled Dorn on Sunday, will withdraw its guns.", "2021-03-07"),
    ("Borduria shelled Dorn on Sunday and will withdraw its guns by the spring.", "2021-03-07"),
    ("In a statement on Tuesday, Borduria said its army will withdraw from Dorn.", "2021-03-09"),
    # the weekday to come: said before it, or opening the sentence
    ("On Friday, envoys of Borduria will meet in Dorn to sign the truce.", "2021-03-12"),
    ("Envoys of Borduria will meet in Dorn on Friday to sign the truce.", "2021-03-12"),
    # review of the fix above: the future right after the weekday is the day to come
    ("The senate of Borduria on Friday will vote on the truce.", "2021-03-12"),
    ("Talks on Friday will decide whether the truce holds.", "2021-03-12"),
])
def test_a_point_is_dated_by_the_day_it_names(sentence: str, day: str) -> None:
    from assistant.briefing_plan import names_day, point_date

    assert names_day(sentence)
    assert str(point_date(ev(sentence, "2021-03-10"))) == day  # a Wednesday


def test_open_questions_and_disagreements_fit_in_the_words_asked_for(scorer: SentenceScorer) -> None:
    import re

    from tests.test_briefing_plan import brief

    texts = [
        "The raid on Dorn was the deadliest of the war, officials of the northern league said on Sunday.",
        "Northern officials said 16 fighters were killed in the raid on Dorn on Sunday by the artillery of the south.",
        "Southern officials said 39 fighters were killed in the raid on Dorn on Sunday by the artillery of the south.",
        "It is unclear whether the truce in Dorn will hold after the raid, as both armies may resume shelling the "
        "town and its villages within days.",
        "The raid on Dorn may lead the northern league to break off the talks with the southern army on the future "
        "of the harbour and the valley.",
    ]
    passages = [chunk(f"d{i}", t, "2021-04-12") for i, t in enumerate(texts)]
    for asked in (80, 90):  # 80: the fewest a briefing may ask for (engine.MIN_BRIEFING_WORDS)
        _, result = brief("What is known about casualties in the raid on Dorn?", passages, scorer, words=asked)
        words = len(re.sub(r"[#*]+", " ", re.sub(r"\[\d+\]", "", result.briefing)).split())
        assert words <= asked, result.briefing
    _, roomy = brief("What is known about casualties in the raid on Dorn?", passages, scorer, words=300)
    assert "It is unclear whether the truce" in roomy.briefing  # with room, both open questions are shown
    # a disagreement too: both sides are long
    tail = (" by the heavy artillery of the southern army, which shelled the barracks, the harbour and the villages "
            "of the valley for hours.")
    texts = ["Casualties mounted in the raid on Dorn on Sunday as both armies shelled villages along the frontier.",
             "Northern officials said 16 fighters were killed in the raid on Dorn on Sunday" + tail,
             "Southern officials said 39 fighters were killed in the raid on Dorn on Sunday" + tail]
    passages = [chunk(f"d{i}", t, "2021-04-12") for i, t in enumerate(texts)]
    _, result = brief("What is known about casualties in the raid on Dorn?", passages, scorer, words=80)
    assert len(re.sub(r"[#*]+", " ", re.sub(r"\[\d+\]", "", result.briefing)).split()) <= 80, result.briefing
    chosen, _ = brief("What is known about casualties in the raid on Dorn?", passages, scorer, words=300)
    assert chosen.disagreements  # with room, it is shown


def test_what_was_expected_is_no_open_question() -> None:
    from assistant.briefing_plan import is_open

    assert not is_open("The council of Dorn was expected to approve the truce on Monday, and it did.")
    assert not is_open("The vote in Dorn had been expected to take place in March.")
    assert is_open("The council of Dorn is expected to approve the truce on Monday.")


def test_a_point_is_labelled_by_its_subject_not_an_actor_in_its_opening_phrase() -> None:
    from assistant.briefing_plan import Point, _organise, frame_topic

    texts = ["The harbour talks on Dorn ended without a deal.",
             "Borduria closed its consulate in Dorn on Friday.",
             "Ruritania recalled its envoy to Dorn on Saturday.",
             "In a call with Ruritania, Borduria said the harbour talks had failed.",
             "Backed by Borduria, Ruritania reopened the harbour of Dorn."]
    points = [Point(ev(t, "2021-04-12", doc=f"d{i}"), t) for i, t in enumerate(texts)]
    sections = _organise(frame_topic("The harbour talks on Dorn"), points[1:], points)
    labels = {p.text: p.label for _, section in sections for p in section}
    assert labels[texts[3]] == "Borduria"
    assert labels[texts[4]] == "Ruritania"
    assert labels[texts[1]] == "Borduria" and labels[texts[2]] == "Ruritania"


def test_a_page_too_short_for_its_open_questions_does_not_say_there_are_none(scorer: SentenceScorer) -> None:
    """Review: with the word budget enforced, an 80-word briefing skipped its one open question and then said
    "The retrieved reports flag no open questions on this topic."."""
    from tests.test_briefing_plan import brief

    long_open = ("It is unclear whether the truce in Dorn will hold through the winter, as both sides have moved "
                 "heavy weapons back toward the line and neither has said when the observers, the aid convoys and "
                 "the families who fled in the first week of the fighting will be allowed back into the town.")
    passages = [chunk("a", "The raid on Dorn killed 16 fighters on Sunday, officials said.", "2021-03-08"),
                chunk("b", "The raid on Dorn was the deadliest attack on the town this year.", "2021-03-08"),
                chunk("c", long_open, "2021-03-09")]
    chosen, result = brief("What happened in the raid on Dorn?", passages, scorer, words=80)
    assert chosen.open_items == [] and chosen.open_left_out
    assert "flag no open questions" not in result.briefing
    assert "did not fit in the words asked for" in result.briefing
