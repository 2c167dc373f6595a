"""`briefing eval`: scoring other systems' answers, the metrics contract, and the regression gate."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.citations import statements
from eval.metrics import bootstrap_ci, cohen_kappa, facts_present
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow


def test_statements_keep_markers_with_their_sentence() -> None:
    parsed = statements("Russia deploys 1,960 troops [1]. Turkey is excluded.[2][3] Ends here")
    assert parsed == [("Russia deploys 1,960 troops.", [1]), ("Turkey is excluded.", [2, 3])]
    quoted = statements("'We call for peace,' the presidents said. [1] 'We also call on the leaders to talk.' [2]")
    assert quoted == [("'We call for peace,' the presidents said.", [1]), ("'We also call on the leaders to talk.'", [2])]


def test_fact_groups_and_statistics() -> None:
    assert facts_present("It is 1,960 troops for five years", [["1,960", "1960"], ["five years"]]) == (2, 2)
    assert facts_present("It is 1,960 troops", [["1,960"], ["five years", "5 years"]]) == (1, 2)
    assert cohen_kappa(["a", "b", "a", "b"], ["a", "b", "a", "b"]) == 1.0
    lo, hi = bootstrap_ci([0.0, 1.0] * 20) or (0, 0)
    assert 0.3 < lo < 0.5 < hi < 0.7


def test_flawed_answers_are_each_flagged(embedder) -> None:  # type: ignore[no-untyped-def]
    from assistant.verifier import ProxyVerifier
    from eval.runner import load_answers, score

    result = score(load_answers(FIXTURES / "flawed_answers.jsonl"), ProxyVerifier(embedder))
    flags = {q.record.question + "|" + str(i): " ".join(q.flags) for i, q in enumerate(result.questions)}
    by_row = list(flags.values())
    assert "contradicted" in by_row[0] and "2500" in by_row[0]
    assert "[3] points at no passage" in by_row[1]
    assert "uncited claim" in by_row[2] and "Caspian" in by_row[2]
    assert "wrong citation" in by_row[3]
    assert by_row[4] == ""
    m = result.metrics
    assert m["invalid_marker_rate"] > 0 and m["uncited_claim_rate"] > 0
    assert m["citation_recall"] < m["groundedness"] < 1


def test_eval_answers_cli_json_last_line(tmp_path: Path) -> None:
    env = {**os.environ, "BRIEFING_HOME": str(tmp_path / "h")}
    rows = [json.loads(line) for line in (FIXTURES / "flawed_answers.jsonl").read_text().splitlines()]
    rows[0].update({"answerable": True, "reference_facts": [["1,960"], ["five years"]]})
    rows.append({"question": "What did Iran say?", "answer": "The reports do not say.", "passages": [],
                 "answerable": False})
    answers = tmp_path / "answers.jsonl"
    answers.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = subprocess.run([sys.executable, "-m", "ui.cli", "eval", "--answers", str(answers), "--json"],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("citation_recall", "citation_precision", "answer_correctness", "abstention_recall",
                "groundedness", "invalid_marker_rate", "uncited_claim_rate"):
        assert isinstance(metrics[key], int | float), key
    assert metrics["answer_correctness"] == 0.0 and metrics["abstention_recall"] == 1.0
    assert metrics["verifier"]["name"] == "proxy" and 0 < metrics["verifier"]["kappa"] <= 1


def test_bad_answers_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q", "answer": "a", "passages": []}\n{not json}\n')
    env = {**os.environ, "BRIEFING_HOME": str(tmp_path / "h")}
    result = subprocess.run([sys.executable, "-m", "ui.cli", "eval", "--answers", str(bad), "--json"],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 1 and "bad.jsonl:2: not valid JSON" in result.stderr


# Floors recorded from the extractive answerer on the bundled report (see the closing note of the
# evaluation issue); a change that drops a metric below its floor fails here.
# Measured 2026-11-25: correctness 0.954, abstention recall 0.583 (7 of 12), evidence recall@6 1.0, MRR 0.880.
FLOORS = {
    "citation_recall": 0.95,
    "groundedness": 0.95,
    "answer_correctness": 0.90,
    "abstention_recall": 0.50,
    "abstention_precision": 0.85,
    "evidence_recall_at_k": 0.95,
    "mrr": 0.80,
}
CEILINGS = {"uncited_claim_rate": 0.0, "invalid_marker_rate": 0.0, "false_abstention_rate": 0.05}


def test_regression_gate_on_bundled_report(sample_assistant, embedder) -> None:  # type: ignore[no-untyped-def]
    from assistant.verifier import ProxyVerifier
    from eval.datasets import load_items
    from eval.runner import run_assistant, score

    result = score(run_assistant(sample_assistant, load_items("isw_report")), ProxyVerifier(embedder))
    m = result.metrics
    low = {k: m[k] for k, floor in FLOORS.items() if m[k] is None or m[k] < floor}
    high = {k: m[k] for k, ceiling in CEILINGS.items() if m[k] is None or m[k] > ceiling}
    assert not low and not high, (low, high)


def test_confidence_metrics_say_whether_a_doubtful_answer_looked_doubtful() -> None:
    """Four answers: two sure and right, one sure and wrong, one shown as a weak match and wrong."""
    from assistant.verifier import Verdict
    from eval.datasets import EvalItem
    from eval.metrics import StatementCheck
    from eval.runner import AnswerRecord, QuestionResult, confidence_metrics

    def result(confidence: float, right: bool, weak: bool | None) -> QuestionResult:
        item = EvalItem(id="q", question="q?", answerable=True, reference_facts=[["x"]], evidence=[], documents=[])
        record = AnswerRecord("q?", "x. [1]", ["x."], item=item, confidence=confidence, weak_match=weak)
        check = StatementCheck("x.", [1], [], 1, 1, Verdict(1.0, "supported", "x.", []), True)
        return QuestionResult(record, False, [check], right, (int(right), 1), None, None, words=1)

    rows = [result(0.9, True, False), result(0.9, True, False), result(0.9, False, False), result(0.3, False, True)]
    got = confidence_metrics(rows)
    # bins: 0.9 holds three answers, two right (|0.9 - 0.667| = 0.233, weight 3/4); 0.3 one wrong (0.3, 1/4)
    assert got["confidence_ece"] == pytest.approx(0.75 * (0.9 - 2 / 3) + 0.25 * 0.3, abs=1e-4)
    assert got["confidence_brier"] == pytest.approx((0.01 + 0.01 + 0.81 + 0.09) / 4, abs=1e-4)
    assert got["wrong_answers_flagged"] == 0.5 and got["right_answers_flagged"] == 0.0
    no_confidence = [result(0.9, True, False)]
    no_confidence[0].record.confidence = None
    assert confidence_metrics(no_confidence)["confidence_ece"] is None
    # a report's metadata answer (confidence 1.0, not calibrated) is left out
    assert confidence_metrics([*rows, result(1.0, True, None)]) == got


def test_an_answer_under_the_weak_match_level_says_so() -> None:
    from assistant.answers import WEAK_MATCH
    from assistant.compose import extractive_answer
    from assistant.extractive import Draft, Evidence
    from ingest.store import StoredChunk

    text = "Russia brokered the deal."
    chunk = StoredChunk(id="c", doc_id="d", index=0, text=text, start=0, end=len(text), title="T", source="s.md",
                        date=None, section=None, page=None, footnotes={})
    ev = Evidence(chunk, 0, len(text), text)
    doubtful = extractive_answer("Who brokered it?", Draft([ev], 0.6, confidence=WEAK_MATCH - 0.05), {}, None)
    sure = extractive_answer("Who brokered it?", Draft([ev], 0.6, confidence=WEAK_MATCH + 0.05), {}, None)
    heuristic = extractive_answer("Who brokered it?", Draft([ev], 0.2), {}, None)  # a score, not a probability
    assert doubtful.weak_match is True and doubtful.confidence == round(WEAK_MATCH - 0.05, 4)
    assert doubtful.answerability == 0.6  # the raw probability the abstention threshold is compared with
    assert sure.weak_match is False and heuristic.weak_match is None
