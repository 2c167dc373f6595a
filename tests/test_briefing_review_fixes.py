"""Briefing-plan faults found by an independent review (briefings round 17), each with a test that fails without
its fix. Sentences are made up for the tests (Ruritania, Borduria, Dorn are no real places)."""

from __future__ import annotations

from assistant.briefing_plan import fact_clause
from assistant.extractive import Evidence, SentenceScorer
from ingest.store import StoredChunk
from tests.test_briefing_plan import brief


def chunk(doc: str, text: str, date: str) -> StoredChunk:
    return StoredChunk(id=f"{doc}-0", doc_id=doc, index=0, text=text, start=0, end=len(text), title=doc.title(),
                       source=f"/tmp/{doc}.md", date=date, section=None, page=None, footnotes={})


def figures(text: str) -> dict[str, str]:
    """What a sentence counts and its figures, as written."""
    from assistant.briefing_plan import _counts

    return {key: figure.value for key, figure in _counts(text).items()}


def ev(text: str, date: str, doc: str = "a") -> Evidence:
    return Evidence(chunk(doc, text, date), 0, len(text), text)


def test_a_clause_taking_back_or_hedging_the_claim_is_never_dropped() -> None:
    negated = ("Militia leaders in Borduria said 27 fighters drowned crossing the river near Dorn, but the border "
               "guards of Ruritania have not confirmed the account.")
    assert fact_clause(negated, set(), min_words=8) == negated
    hedged = ("Rescue teams in Dorn pulled 42 people from the collapsed market hall on Friday; the final toll could "
              "rise as the search goes on.")
    assert fact_clause(hedged, set(), min_words=8) == hedged
    # a clause that neither negates nor hedges is still dropped when the facts sit in the other
    plain = ("Rescue teams in Dorn pulled 42 people from the collapsed market hall on Friday; the search went on "
             "through the night.")
    assert fact_clause(plain, set(), min_words=8) == "Rescue teams in Dorn pulled 42 people from the collapsed market hall on Friday."


def test_a_timeline_point_is_dated_by_the_clause_it_quotes(scorer: SentenceScorer) -> None:
    passages = [
        chunk("a", "The siege of Dorn began when Borduria moved its artillery to the hills around Dorn on March 3.",
              "2021-03-03"),
        chunk("b", "Borduria moved its artillery to the hills around Dorn on March 3 after a week of talks, while "
                   "Ruritania said on Saturday that 120 shells and 14 rockets had struck the town centre.", "2021-03-08"),
    ]
    chosen, _ = brief("How did the siege of Dorn develop?", passages, scorer)
    points = [p for _, section in chosen.sections for p in section]
    quoted = [p for p in points if p.text.startswith("Ruritania said on Saturday")]
    assert quoted, [p.text for p in points]
    assert str(quoted[0].date) == "2021-03-06" and quoted[0].label == "March 6"


def test_the_modal_may_after_a_figure_names_no_day() -> None:
    from assistant.briefing_plan import facts, names_day, point_date

    hedged = "As many as 30 may have drowned when the ferry to Dorn capsized, officials said."
    assert not names_day(hedged)
    assert not any(f.startswith("@") for f in facts(hedged))
    assert str(point_date(ev(hedged, "2021-10-05"))) == "2021-10-05"  # the article's day, not May 30
    dated = "The ferry to Dorn capsized on 30 May with 30 people aboard."
    assert names_day(dated) and "@may 30" in facts(dated)  # keyed as its day, however written
    assert str(point_date(ev(dated, "2021-06-02"))) == "2021-05-30"


def test_a_day_without_a_year_months_after_its_article_is_in_the_year_before() -> None:
    from assistant.briefing_plan import point_date

    recalled = "Borduria first shelled the bridges of Dorn on December 28 with heavy guns."
    assert str(point_date(ev(recalled, "2022-01-04"))) == "2021-12-28"
    # a day set a few weeks ahead stays in the article's year
    ahead = "Borduria must hand the bridges of Dorn back by December 1 under the deal."
    assert str(point_date(ev(ahead, "2021-11-10"))) == "2021-12-01"


def test_a_year_the_topic_states_is_the_year_of_its_day() -> None:
    from assistant.briefing_plan import written_before

    topic = "What are the terms of the December 28, 2021 truce in Dorn?"
    assert not written_before(topic, "2022-01-04")  # written after the truce
    assert written_before(topic, "2021-12-20")
    assert written_before("What are the terms of the December 28 truce in Dorn?", "2021-12-20")


def test_a_weekday_in_a_sentence_about_the_future_is_the_one_to_come() -> None:
    from assistant.briefing_plan import point_date

    # 2021-03-10 is a Wednesday
    assert str(point_date(ev("Envoys of Borduria will meet in Dorn on Friday to discuss the truce.", "2021-03-10"))) == "2021-03-12"
    assert str(point_date(ev("The council of Dorn is due to vote on the truce on Monday.", "2021-03-10"))) == "2021-03-15"
    assert str(point_date(ev("Envoys of Borduria met in Dorn on Friday to discuss the truce.", "2021-03-10"))) == "2021-03-05"


def test_killed_and_wounded_are_different_counts(scorer: SentenceScorer) -> None:
    assert figures("Officials said 16 fighters were killed in the raid.") == {"kill": "16"}
    assert figures("Officials said 39 fighters were wounded in the raid.") == {"wound": "39"}
    assert figures("Officials said 12 fighters died in the raid.") == {"kill": "12"}
    passages = [
        chunk("north", "Northern officials said 16 fighters were killed in the raid on Dorn on Sunday.", "2021-04-12"),
        chunk("south", "Southern officials said 39 fighters were wounded in the raid on Dorn on Sunday.", "2021-04-12"),
        chunk("other", "The raid on Dorn drew calls for restraint from the neighbours of Ruritania.", "2021-04-12"),
    ]
    chosen, result = brief("What is known about casualties in the raid on Dorn?", passages, scorer)
    assert not chosen.disagreements
    assert "disagree" not in result.briefing


def test_a_day_of_a_month_is_no_count() -> None:
    from assistant.briefing_plan import _counts

    assert _counts("Borduria closed the border crossing at Dorn on March 1, officials said.") == {}
    assert _counts("Borduria closed the border crossing at Dorn on March 30 officials said.") == {}
    assert figures("Borduria sent 1,200 troops to the border crossing at Dorn, officials said.") == {"troop": "1200"}


def test_a_disagreement_repeats_no_sentence_already_on_the_page(scorer: SentenceScorer) -> None:
    passages = [
        chunk("north", "Northern officials said 16 fighters were killed in the raid on Dorn on Sunday.", "2021-04-12"),
        chunk("south", "Southern officials said 39 fighters were killed in the raid on Dorn on Sunday.", "2021-04-12"),
        chunk("other", "The raid on Dorn drew calls for restraint from the neighbours of Ruritania.", "2021-04-12"),
    ]
    chosen, result = brief("What is known about casualties in the raid on Dorn?", passages, scorer)
    assert chosen.bottom is not None
    on_page = {id(chosen.bottom.evidence)} | {id(p.evidence) for p in chosen.open_items}
    assert all(id(a.evidence) not in on_page and id(b.evidence) not in on_page for a, b in chosen.disagreements)
    assert result.briefing.count("16 fighters were killed") == 1
    # an open question is no side of one either
    passages = [
        chunk("north", "Northern officials said 16 fighters were killed in the raid on Dorn, and the toll could rise.",
              "2021-04-12"),
        chunk("south", "Southern officials said 39 fighters were killed in the raid on Dorn on Sunday.", "2021-04-12"),
        chunk("lead", "The raid on Dorn on Sunday was the deadliest since the truce, its neighbours said.", "2021-04-12"),
    ]
    chosen, result = brief("What is known about casualties in the raid on Dorn?", passages, scorer)
    assert any("16 fighters" in p.text for p in chosen.open_items)
    assert result.briefing.count("16 fighters") == 1


def test_the_month_may_is_no_open_question() -> None:
    from assistant.briefing_plan import is_open

    assert not is_open("In May, the council of Dorn approved the harbour law by 41 votes.")
    assert not is_open("Ruritania's envoy Clara May signed the harbour law in Dorn.")
    assert is_open("The council of Dorn may approve the harbour law next year.")


def test_a_sentence_is_open_only_if_what_the_page_quotes_is(scorer: SentenceScorer) -> None:
    long = ("Borduria moved 2,400 soldiers and 70 armoured trucks into the hills around Dorn and the valley road to the "
            "coast under the truce signed by the three envoys in the harbour of Dorn on Sunday night; it is unclear "
            "whether the truce will last beyond the spring.")
    assert len(long.split()) > 38
    passages = [chunk("r", "The truce ended the siege of Dorn in Ruritania. " + long, "2021-04-12")]
    chosen, result = brief("The truce ending the siege of Dorn", passages, scorer)
    assert not any("2,400" in p.text for p in chosen.open_items)
    assert "2,400 soldiers" in result.briefing  # shown as what happened, up to its semicolon


def test_clean_cuts_no_range_no_aside_between_dashes_and_keeps_so_far() -> None:
    from assistant.briefing_plan import clean

    ranged = ("The long dispute over the harbour of Dorn between the two kingdoms and their many allies, fought in "
              "the courts from 1961–1974 and settled by a treaty, cost both treasuries millions and kept the fishing "
              "fleets of the whole coast in port for years.")
    assert len(ranged.split()) > 38
    assert clean(ranged, clause_words=38) == ranged
    aside = ("The treaty signed by the envoys of Borduria, Ruritania and Dorn in the harbour on Sunday night — which "
             "the northern league did not sign — hands the fishing grounds back to Dorn by June 1 and opens the "
             "harbour to every fleet of the coast for ten years.")
    assert len(aside.split()) > 38
    assert clean(aside, clause_words=38) == aside
    # one dash, or a semicolon after a closed aside, still ends the main clause
    assert clean(aside[:-1] + " — a deal hailed in every port of the coast.", clause_words=38) == aside
    assert clean("So far, no court has ruled on the harbour treaty of Dorn.", clause_words=38) == (
        "So far, no court has ruled on the harbour treaty of Dorn.")
    assert clean("So the court in Dorn ruled on the harbour treaty.", clause_words=38) == (
        "The court in Dorn ruled on the harbour treaty.")


def test_dotted_initialisms_and_a_surname_that_is_a_month_label_their_actor() -> None:
    from assistant.briefing_plan import Point, _names_in, _organise, frame_topic

    assert _names_in("U.S. President Donald Trump praised the harbour deal.") == {"trump": "Donald Trump"}
    assert _names_in("On Friday the U.K. recalled its envoy.", initial=False) == {"uk": "UK"}
    assert _names_in("Former Prime Minister Theresa May criticised the harbour deal.") == {"may": "Theresa May"}
    assert _names_in("In May, the council voted on the harbour deal.") == {}
    texts = ["The harbour talks on Dorn ended without a deal.",
             "On Friday the U.S. closed its consulate in Dorn.",
             "On Saturday the U.S. recalled its envoy to Dorn.",
             "The envoy Theresa May praised the harbour talks.",
             "On Sunday, Theresa May said the harbour talks had failed."]
    points = [Point(ev(t, "2021-04-12", doc=f"d{i}"), t) for i, t in enumerate(texts)]
    sections = _organise(frame_topic("The harbour talks on Dorn"), points[1:], points)
    labels = {p.label for _, section in sections for p in section}
    assert labels == {"US", "Theresa May"}


def test_a_name_with_letters_beyond_ascii_finds_its_documents() -> None:
    from assistant.briefing_plan import constraint_share, focus_passages, frame_topic

    topic = "What is Çelebiğlu's position on the harbour truce?"
    names = frame_topic(topic).names
    first = chunk("d", "Harbour master Ayşe Çelebiğlu said Dorn backs the truce.", "2021-04-12")
    rest = StoredChunk(id="d-1", doc_id="d", index=1, text="The harbour of Dorn reopened to fishing boats.", start=60,
                       end=106, title="D", source="/tmp/d.md", date="2021-04-12", section=None, page=None, footnotes={})
    found = focus_passages([first], lambda doc_id: [first, rest], names=names, max_docs=8)
    assert [c.id for c in found] == ["d-0", "d-1"]  # the document is read whole
    assert constraint_share(topic, [first, rest]) == {"d": 1.0}


def test_ap_style_abbreviated_months_name_a_day() -> None:
    from assistant.briefing_plan import constraint_share, names_day, point_date, written_before

    sentence = "Borduria closed the harbour of Dorn on Sept. 27, officials said."
    assert names_day(sentence)
    assert str(point_date(ev(sentence, "2021-10-05"))) == "2021-09-27"
    assert str(point_date(ev("The truce of Dec. 30, 2020 held in Dorn.", "2021-03-01"))) == "2020-12-30"
    assert written_before("Borduria's position after the Nov. 9 truce in Dorn", "2021-09-30")
    assert not written_before("Borduria's position after the Nov. 9 truce in Dorn", "2021-11-12")
    # the same day, abbreviated or not, meets a topic's date
    topic = "What are the terms of the November 9 truce in Dorn?"
    assert constraint_share(topic, [chunk("d", "The Nov. 9 truce in Dorn holds.", "2021-11-12")]) == {"d": 1.0}


def test_what_the_second_review_found_the_first_fixes_broke() -> None:
    from assistant.briefing_plan import _counts, facts, point_date, topic_constraints, written_before

    said = ev("The minister said on Monday that Ruritanian peacekeepers will stay for five years.", "2020-11-12")
    assert str(point_date(said)) == "2020-11-09"  # said on the Monday before, not a Monday to come
    assert written_before("what changed after the november 9 ceasefire in dorn?", "2020-11-01")  # typed in lower case
    assert topic_constraints("the november 9 agreement") == {"november 9"}
    assert {f for f in facts("Talks began on Nov. 9 in Dorn.") if f.startswith("@")} == \
        {f for f in facts("Talks began on November 9 in Dorn.") if f.startswith("@")}
    assert _counts("In 2016 Ruritanian and Bordurian troops clashed near Dorn.") == {}
