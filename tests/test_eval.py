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
