"""`briefing eval --fit-ranker`: which answers the confidence is fitted on, and `--confidence-only` keeping the
shipped ranker. The stores, models and answering are stood in for; the fits are the real ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import assistant.build
import eval.cli as cli
import eval.ranker_fit as ranker_fit
import ui.cli
from assistant.ranker import CONFIDENCE, FEATURES, RankerWeights, confidence_features
from eval.datasets import EvalItem
from eval.runner import AnswerRecord


def _items(name: str, n: int) -> list[EvalItem]:
    return [EvalItem(id=f"{name}-{i}", question="Who signed it?", answerable=True, reference_facts=[["Aliyev"]],
                     evidence=[], documents=[f"{name}-{i}.md"], split="tune" if name.startswith("unseen") else None)
            for i in range(n)]


FITTED_ON = ("unseen_qa (120 questions, tune half); unseen_qa2 (120 questions, tune half); isw_report (120 questions); "
             "news_conflict (120 questions)")


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Each set answers its questions right when its name says so: the blind sets half the time, the regression
    sets always; the answer's signals carry which set answered (in ``semantic``)."""
    seen: dict[str, Any] = {"collected": [], "answered": []}
    rng = np.random.default_rng(0)
    sizes = {"unseen_qa": 120, "unseen_qa2": 120, "unseen_qa3": 120, "isw_report": 120, "news_conflict": 120,
             "unseen_qa4": 40}

    def collect_fit_sets(names: Any, args: Any, settings: Any, embedder: Any) -> dict[str, cli.FitSet]:
        seen["collected"].append(list(names))
        return {n: cli.FitSet(n, _items(n, sizes[n]), n, []) for n in names}  # type: ignore[arg-type]

    def run_assistant(assistant: Any, items: Any, k: Any = None) -> list[AnswerRecord]:
        name = assistant[0]
        seen["answered"].append(name)
        out = []
        for item in items:
            right = name in cli.FIT_ALSO or rng.uniform() < 0.5
            answerability = float(rng.uniform(0.6, 0.9)) if right else float(rng.uniform(0.55, 0.8))
            signals = confidence_features(answerability, 0.9 if name in cli.FIT_ALSO else 0.3, 0.7, 0.3, 20, right,
                                          False, "name")
            out.append(AnswerRecord(item.question, "Aliyev signed it. [1]" if right else "Someone did. [1]", [],
                                    abstained=False, item=item, confidence=answerability, weak_match=False,
                                    confidence_signals=signals))
        return out

    shipped = RankerWeights(coef=[0.5] * len(FEATURES), intercept=-1.0, threshold=0.61, fitted_on=FITTED_ON)
    path = tmp_path / "answer_ranker.json"
    shipped.save(path)
    monkeypatch.setattr("assistant.ranker.DEFAULT_WEIGHTS", path)
    monkeypatch.setattr(assistant.build, "make_embedder", lambda settings: None)
    monkeypatch.setattr(assistant.build, "make_verifier", lambda *a, **k: None)
    monkeypatch.setattr(cli, "collect_fit_sets", collect_fit_sets)
    monkeypatch.setattr(cli, "run_assistant", run_assistant)
    monkeypatch.setattr(cli, "answering_with", lambda assistant, weights: (assistant, weights))
    monkeypatch.setattr(ranker_fit, "fold_models", lambda questions: {g: RankerWeights(
        coef=[0.0] * len(FEATURES), intercept=0.0, threshold=0.5) for g in range(ranker_fit.FOLDS)})
    monkeypatch.setattr(ranker_fit, "fit", lambda questions: (RankerWeights(
        coef=[0.25] * len(FEATURES), intercept=0.0, threshold=0.55), {}))
    seen["path"] = path
    return seen


def test_the_confidence_is_fitted_on_the_blind_sets_answers_and_the_ranker_kept(stubbed: dict[str, Any]) -> None:
    assert ui.cli.main(["eval", "--fit-ranker", "--confidence-only", "--json"]) == 0
    written = json.loads(stubbed["path"].read_text())
    # the ranker as shipped
    assert (written["coef"], written["threshold"], written["fitted_on"]) == ([0.5] * len(FEATURES), 0.61, FITTED_ON)
    # unseen_qa3 collected for the confidence only, and no regression set's answer read
    assert stubbed["collected"] == [["unseen_qa", "unseen_qa2", "isw_report", "news_conflict"], ["unseen_qa3"]]
    assert set(stubbed["answered"]) == {"unseen_qa", "unseen_qa2", "unseen_qa3"}
    assert written["confidence_fitted_on"].startswith("unseen_qa (120 questions")
    assert "unseen_qa3" in written["confidence_fitted_on"] and "isw_report" not in written["confidence_fitted_on"]
    coef = dict(zip(CONFIDENCE, written["confidence_coef"], strict=True))
    assert coef["direct"] > 1.0  # right exactly when a direct answer was found: the fit reads it
    assert coef["semantic"] == 0.0  # 0.3 for every blind answer (0.9 only in the regression sets' answers)


def test_a_set_too_small_for_the_model_keeps_the_calibrated_answerability(
        stubbed: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert ui.cli.main(["eval", "--fit-ranker", "--set", "unseen_qa4", "--json"]) == 0
    written = json.loads(stubbed["path"].read_text())
    assert written["threshold"] == 0.55 and set(stubbed["answered"]) == {"unseen_qa4"}
    assert written["confidence_coef"] == [] and written["confidence_calibration"] != [1.0, 0.0]
    assert "warning: cannot fit the confidence" in capsys.readouterr().err


def test_a_set_whose_answers_are_all_right_fits_no_confidence_and_writes_nothing(
        stubbed: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    before = stubbed["path"].read_text()
    assert ui.cli.main(["eval", "--fit-ranker", "--set", "isw_report", "--json"]) == 1
    assert set(stubbed["answered"]) == {"isw_report"}
    assert "cannot calibrate the confidence: 120 right and 0 wrong" in capsys.readouterr().err
    assert stubbed["path"].read_text() == before


def test_confidence_only_mends_a_file_whose_confidence_was_fitted_on_other_signals(stubbed: dict[str, Any]) -> None:
    data = json.loads(stubbed["path"].read_text())
    data["confidence_features"] = [*CONFIDENCE, "retired_signal"]
    data["confidence_coef"] = [0.1] * (len(CONFIDENCE) + 1)
    stubbed["path"].write_text(json.dumps(data))
    with pytest.raises(ValueError, match="other features"):
        RankerWeights.load(stubbed["path"])  # what answering would meet
    assert ui.cli.main(["eval", "--fit-ranker", "--confidence-only", "--json"]) == 0
    mended = RankerWeights.load(stubbed["path"])
    assert len(mended.confidence_coef) == len(CONFIDENCE) and mended.threshold == 0.61


def test_a_weights_file_with_a_short_list_of_weights_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "answer_ranker.json"
    RankerWeights(coef=[0.0] * len(FEATURES), intercept=0.0, threshold=0.5, confidence_coef=[0.1, 0.2]).save(path)
    with pytest.raises(ValueError, match=r"answer_ranker.json: confidence_coef holds 2 weights for 12 features"):
        RankerWeights.load(path)


def test_the_cross_fit_judges_the_confidence_on_the_sets_the_shipped_one_is_fitted_on() -> None:
    from eval.crossfit import CROSSFIT_SETS

    assert set(cli.CONFIDENCE_SETS) == set(CROSSFIT_SETS)


def test_confidence_only_refuses_a_ranker_fitted_on_other_sets(stubbed: dict[str, Any],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Its fold models are fitted on the default sets: for a ranker fitted on others they would not answer as it does."""
    data = json.loads(stubbed["path"].read_text())
    data["fitted_on"] = "unseen_qa4 (40 questions, tune half); isw_report (120 questions); news_conflict (120 questions)"
    stubbed["path"].write_text(json.dumps(data))
    assert ui.cli.main(["eval", "--fit-ranker", "--confidence-only", "--json"]) == 1
    assert "the shipped ranker was fitted on 'unseen_qa4" in capsys.readouterr().err
    assert stubbed["answered"] == []
