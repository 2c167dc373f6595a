"""The direct answer an extractive answer leads with: the name, number, date, duration or yes/no the
question's opening asks for, copied from the quoted sentence; none when the sentence does not single
one out. Sentences and questions are written for these tests (never used for tuning)."""

from __future__ import annotations

import pytest

from assistant.direct import asked, direct_answer
from assistant.text import question_type


def lead(question: str, sentence: str) -> str | None:
    return direct_answer(question, question_type(question), sentence)


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("How many ferries does the new contract cover?",
     "The harbour board signed a contract for 14 ferries with a yard in Gdansk.", "14 ferries"),
    ("How much did the council pay for the bridge?",
     "The council paid £3.2 million for the bridge, which opened within 2 years.", "£3.2 million"),
    ("What percentage of voters backed the plan?", "Some 61 per cent of voters backed the plan.", "61 per cent"),
    ("When did the museum reopen?", "The museum reopened on 4 July 2021 after a long closure.", "4 July 2021"),
    ("For how long was the road closed?", "The road was closed for three weeks while crews worked.", "three weeks"),
    ("Who designed the new library?", "Ingrid Falk and Oslo Studio designed the new library.", None),
    ("Who designed the new library?", "The new library was designed by the architect Ingrid Falk.", "Ingrid Falk"),
    ("Which company won the tender?", "Northwind Rail won the tender against two rivals.", "Northwind Rail"),
    ("Did the union accept the offer?", "The union did not accept the offer on Friday.", "No"),
    ("Did the union accept the offer?", "The union voted to accept the offer on Friday.", "Yes"),
])
def test_the_lead_is_copied_from_the_sentence(question: str, sentence: str, expected: str | None) -> None:
    got = lead(question, sentence)
    assert got == expected
    if got not in (None, "Yes", "No"):
        assert got in sentence  # verbatim, so the sentence's footnote proves it


def test_no_lead_when_the_question_asks_for_no_short_answer() -> None:
    assert lead("Why did the union reject the offer when it was made?", "It was made on 3 May 2021.") is None
    assert lead("What did the minister say about the bridge?", "Ingrid Falk praised the bridge.") is None


def test_a_number_the_question_gives_or_a_year_is_not_the_count() -> None:
    assert lead("How many of the 40 ferries were late in 2020?", "Of the 40 ferries, 2020 saw none late.") is None
    assert lead("How many ferries were late?", "In 2020, 6 ferries were late and 2 crews quit.") == "6 ferries"


def test_a_name_the_question_already_gives_is_not_the_answer() -> None:
    assert lead("Who beat Tomas Berg?", "Elena Marsh finished ahead of Tomas Berg.") == "Elena Marsh"
    assert lead("Who beat Tomas Berg?", "Tomas Berg was beaten on Sunday in June.") is None


def test_what_the_opening_asks() -> None:
    assert asked("And for how long?") == "duration"
    assert asked("According to the ministry, how many ferries sailed?") == "quantity"
    assert asked("In what year did it open?") == "date"
    assert asked("Which key ally was left out?") == "name"
    assert asked("Why did it close when it rained?") is None
