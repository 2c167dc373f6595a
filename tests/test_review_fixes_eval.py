"""Scoring and composition faults an independent review found (round 21), each reproduced before its fix.
Answers, passages and questions are written for these tests, never taken from the evaluation sets."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.citations import statements
from assistant.extractive import Evidence, clause_within, display_sentence, near_miss_reason, unstated_miss
from assistant.text import content_terms
from assistant.verifier import Verdict
from eval.datasets import EvalItem
from eval.metrics import facts_present, is_abstention
from eval.runner import AnswerRecord, load_answers, score_one
from ingest.errors import BriefingError
from ingest.store import StoredChunk


class Accepting:
    def support(self, claim: str, passages: list[str]) -> Verdict:
        return Verdict(1.0, "supported", passages[0] if passages else "")


def _evidence(*sentences: str) -> list[Evidence]:
    text = " ".join(sentences)
    chunk = StoredChunk(id="c-0", doc_id="d", index=0, text=text, start=0, end=len(text), title="Front note",
                        source="/tmp/d.md", date=None, section=None, page=None, footnotes={})
    out, start = [], 0
    for s in sentences:
        start = text.index(s, start)
        out.append(Evidence(chunk, start, start + len(s), s, vector=np.zeros(3)))
    return out


def test_a_reference_fact_is_matched_as_words_and_figures() -> None:
    groups = [["95", "ninety-five"], ["11", "eleven"]]
    assert facts_present("At least 195 people have been killed, including 110 soldiers [1].", groups) == (0, 2)
    assert facts_present("At least 95 people have been killed, including 11 soldiers [1].", groups) == (2, 2)
    assert facts_present("The prize was an award for bravery.", [["war"]]) == (0, 1)
    assert facts_present("1960 peacekeepers will deploy.", [["1,960"]]) == (1, 1)
    assert facts_present("He won 1–6, 6–3, 6–3.", [["6-3"]]) == (1, 1)
    assert facts_present("Erdog\u0306an spoke.", [["Erdoğan"]]) == (1, 1)  # a decomposed accent
    assert facts_present("The peacekeepers left in 2011.", [["peacekeeper"], ["2011"]]) == (2, 2)


def test_a_clause_quote_is_a_statement_of_its_own() -> None:
    answer = "…left at dawn. [1] …and the ferry captain fell unconscious on the bridge near Tarbert… [2]"
    assert [m for _, m in statements(answer, min_words=1)] == [[1], [2]]  # was one statement citing [1, 2]


def test_a_short_answer_is_checked_and_counted_as_answered() -> None:
    item = EvalItem(id="q", question="Who signed for Armenia?", answerable=True, reference_facts=[["Pashinyan"]],
                    evidence=["Nikol Pashinyan signed for Armenia."])
    record = AnswerRecord("Who signed for Armenia?", "Nikol Pashinyan [1]", ["Nikol Pashinyan signed for Armenia."],
                          item=item, abstained=False)
    result = score_one(record, Accepting())
    assert len(result.checks) == 1 and result.cited_evidence is True  # no statement was checked before


def test_an_answer_that_cites_is_no_abstention() -> None:
    assert not is_abstention("The ministry does not say who fired first; it reports 16 killed [1].")
    assert is_abstention("I could not find this in the passages.")
    assert is_abstention("The reports in the corpus do not answer this.")


def _answers(tmp_path: Path, **row: object) -> Path:
    path = tmp_path / "answers.jsonl"
    path.write_text(json.dumps({"question": "Who signed?", "answer": "Pashinyan [1]", "passages": ["Pashinyan signed."],
                                **row}) + "\n", encoding="utf-8")
    return path


def test_answer_files_with_malformed_reference_data_get_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BriefingError, match=r"answers.jsonl:1: 'reference_facts' must be a list of groups"):
        load_answers(_answers(tmp_path, reference_facts=["Pashinyan"]))  # was read one character at a time
    with pytest.raises(BriefingError, match=r"'reference_facts' must be"):
        load_answers(_answers(tmp_path, reference_facts=[[1960]]))  # crashed
    with pytest.raises(BriefingError, match=r"answers.jsonl:1: 'abstained' must be true or false"):
        load_answers(_answers(tmp_path, abstained="no"))  # crashed later


def test_an_answerable_row_without_facts_is_not_judged(tmp_path: Path) -> None:
    record = load_answers(_answers(tmp_path, answerable=True))[0]
    assert score_one(record, Accepting()).correct is None  # was scored wrong


def test_a_quote_cut_keeps_a_report_or_denial_that_follows_it() -> None:
    terms = set(content_terms("captain unconscious Tarbert"))
    for tail in (", a passenger claimed, but the harbour board denied it.", ", a claim the harbour board rejected.",
                 ", though this was never confirmed."):
        text = "At dawn the ferry left Oban harbour in thick fog, and the ferry captain fell unconscious near Tarbert" + tail
        quoted = clause_within(text, terms, 30)
        assert quoted is None or quoted.endswith(tail), quoted  # the run alone had dropped the tail
    plain = "At dawn the ferry left Oban in thick fog, and the ferry captain fell unconscious near Tarbert, and the mate took over."
    assert clause_within(plain, terms, 30) == "…and the ferry captain fell unconscious near Tarbert…"


def test_a_displayed_sentence_keeps_units_bracketed_words_and_brand_names() -> None:
    assert display_sentence("The zone covers about 4,000 km² of territory.¹") == "The zone covers about 4,000 km² of territory."
    assert display_sentence("The [civil] servants left.") == "The [civil] servants left."
    assert display_sentence("Its support.[iv] Troops left.[3]") == "Its support. Troops left."
    assert display_sentence("eBay suspended the sales.") == "eBay suspended the sales."


def test_another_party_s_undisclosed_figure_is_no_near_miss() -> None:
    top = _evidence("Armenia says 1,200 of its soldiers were killed; Azerbaijan has not disclosed how many of its "
                    "soldiers were killed.")
    assert unstated_miss("How many Armenian soldiers were killed?", top) is None  # had abstained
    assert unstated_miss("How many Azerbaijani soldiers were killed?", top) is not None


def test_the_near_miss_names_accented_and_hyphenated_names() -> None:
    best = _evidence("The talks were held in Stepanakert in the spring.")[0]
    assert near_miss_reason("How many people met in Şuşa?", best, {"quantity_unanswered": 0.0}) == \
        "the sentence that comes closest speaks of Stepanakert, not Şuşa"


def test_a_fact_opening_with_a_sign_and_a_figure_inside_a_decimal() -> None:
    assert facts_present("The bank agreed a US$1.5bn loan.", [["$1.5bn"]]) == (1, 1)
    assert facts_present("Rates rose to 1.5% in May.", [["5"]]) == (0, 1)
    assert display_sentence("The aircraft¹ landed near Miami².") == "The aircraft landed near Miami."
