"""The other verifiers a setting can choose: a CrossEncoder NLI model (a tiny one built here, no download)
and a chat model as judge (the scripted server on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.testing import ScriptedChatServer
from assistant.verifier import LLMJudgeVerifier
from tests.tiny_models import tiny_bert_classifier

PASSAGE = "Russia is deploying a peacekeeping force of 1,960 troops to Nagorno-Karabakh for five years."


def tiny_nli_model(path: Path, favour: str) -> Path:
    """A two-layer BERT with an NLI head whose bias makes ``favour`` the answer, saved like a hub model."""
    labels = {0: "contradiction", 1: "entailment", 2: "neutral"}
    return tiny_bert_classifier(path, ["russia", "troops", "peace", "the", "is", "of", "for"], labels,
                                bias=[8.0 if labels[i] == favour else 0.0 for i in range(3)])


@pytest.mark.slow
@pytest.mark.parametrize(("favour", "label"), [("entailment", "supported"), ("contradiction", "contradicted"),
                                               ("neutral", "unsupported")])
def test_cross_encoder_verifier_reads_the_models_labels(tmp_path: Path, favour: str, label: str) -> None:
    from assistant.build import make_verifier
    from assistant.settings import Settings
    from assistant.verifier import CrossEncoderVerifier

    model = tiny_nli_model(tmp_path / "nli", favour)
    settings = Settings(home=tmp_path / "h", verifier={"kind": "cross-encoder", "model": str(model)})  # type: ignore[call-arg]
    verifier = make_verifier(settings, embedder=None)  # type: ignore[arg-type]
    assert isinstance(verifier, CrossEncoderVerifier)
    verdict = verifier.support("Russia is deploying 1,960 troops.", [PASSAGE])
    assert verdict.label == label and any(favour in r for r in verdict.reasons)


@pytest.mark.slow
def test_cross_encoder_checks_llm_answers_and_eval_calibration(tmp_path: Path) -> None:
    """End to end: the setting picks the tiny model for `briefing eval --calibration`, which reports its agreement."""
    from assistant.llm import check_answer
    from assistant.verifier import CrossEncoderVerifier
    from ingest.store import StoredChunk

    model = tiny_nli_model(tmp_path / "nli", "contradiction")
    chunk = StoredChunk(id="d:0", doc_id="d", index=0, text=PASSAGE, start=0, end=len(PASSAGE), title="T",
                        source="t.txt", date=None, section=None, page=None, footnotes={})
    checked = check_answer("Russia is deploying 1,960 troops for five years [1].", [chunk],
                           CrossEncoderVerifier(str(model)))
    assert checked.abstained and any("contradicted" in f for f in checked.flags)

    env = {**os.environ, "BRIEFING_HOME": str(tmp_path / "h"), "BRIEFING_VERIFIER__KIND": "cross-encoder",
           "BRIEFING_VERIFIER__MODEL": str(model)}
    result = subprocess.run([sys.executable, "-m", "ui.cli", "eval", "--calibration", "--split", "tune", "--json"],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])["verifier"]
    tune = summary["halves"]["tune"]
    from eval.datasets import CLAIMS, load_calibration

    assert summary["name"] == "cross-encoder" and tune["n"] == len(load_calibration(CLAIMS, split="tune"))
    # A model that always says "contradiction" agrees exactly on the contradicted pairs, and accepts nothing.
    assert tune["by_label"]["contradicted"]["recall"] == 1.0 and tune["supported_recall"] == 0.0
    assert tune["kinds"]["number_swap"]["agreement"] == 1.0 and tune["kinds"]["exact"]["accepted"] == 0.0


def judge(messages: list[dict]) -> str:
    """A judge that says supported when the claim's words all appear in the passages."""
    prompt = messages[-1]["content"]
    passages = prompt.split("<passages>")[1].split("</passages>")[0].lower()
    claim = prompt.split("<claim>")[1].split("</claim>")[0].lower().rstrip(".")
    return "Supported." if all(w in passages for w in claim.split()) else "contradicted"


def test_llm_judge_against_the_scripted_server_caches_its_answers(tmp_path: Path) -> None:
    with ScriptedChatServer(judge) as server:
        cache = tmp_path / "judge-cache.json"
        verifier = LLMJudgeVerifier(server.chat_model(), cache_path=cache)
        assert verifier.support("Russia is deploying 1,960 troops", [PASSAGE]).label == "supported"
        assert verifier.support("Turkey is deploying 1,960 troops", [PASSAGE]).label == "contradicted"
        asked = len(server.requests)
        again = LLMJudgeVerifier(server.chat_model(), cache_path=cache)
        assert again.support("Turkey is deploying 1,960 troops", [PASSAGE]).label == "contradicted"
        assert len(server.requests) == asked == 2


def test_llm_judge_is_chosen_by_the_setting(tmp_path: Path) -> None:
    from assistant.build import make_verifier
    from assistant.errors import LLMError
    from assistant.settings import Settings

    settings = Settings(home=tmp_path, verifier={"kind": "llm-judge"})  # type: ignore[call-arg]
    with pytest.raises(LLMError, match="needs a chat model"):
        make_verifier(settings, embedder=None)  # type: ignore[arg-type]
    with ScriptedChatServer(judge) as server:
        verifier = make_verifier(settings, embedder=None, chat_model=server.chat_model())  # type: ignore[arg-type]
        assert isinstance(verifier, LLMJudgeVerifier)
        assert verifier.support("Russia is deploying 1,960 troops", [PASSAGE]).supported
