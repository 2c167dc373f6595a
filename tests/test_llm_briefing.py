"""Briefings written by a chat model (answer mode ``llm``), through langchain-openai against the scripted
OpenAI-compatible server on 127.0.0.1, checked line by line against the bundled report's passages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.answers import ABSTAIN_MESSAGE
from assistant.engine import Assistant
from assistant.errors import LLMError
from assistant.llm_briefing import DISAGREEMENTS, OPEN, POINTS, check_briefing, section_kind
from assistant.testing import ScriptedChatServer

pytestmark = pytest.mark.slow

TOPIC = "Turkey's position after the ceasefire"
# Sentences of the bundled report, word for word: the verifier supports each by its own passage.
SHOCKED = "The Russian-brokered agreement likely shocked Ankara."
NOT_MENTIONED = ("The agreement does not mention Baku's key ally Ankara, despite earlier discussions of a joint "
                 "Turkish-Russian peacekeeping presence in Nagorno-Karabakh.")
EXCLUDED = "The deal excludes Turkish peacekeeping troops even though deploying such troops was being discussed."
WILL_CAPITALIZE = ("Putin and Azerbaijani President Ilham Aliyev will likely capitalize upon their respective victories "
                   "as Erdogan fails to gain a greater Turkish footprint in the Caucasus.")


def passage_numbers(messages: list[dict[str, Any]]) -> dict[int, str]:
    """The passages the prompt numbered, by number."""
    user = messages[-1]["content"]
    return {int(m.group(1)): m.group(2)
            for m in re.finditer(r'<passage id="(\d+)"[^>]*>\n(.*?)\n</passage>', user, re.S)}


def cite(messages: list[dict[str, Any]], sentence: str) -> str:
    """``sentence`` followed by the marker of the passage that holds it."""
    number = next((n for n, text in passage_numbers(messages).items() if sentence[:50] in text), None)
    assert number is not None, f"no passage holds {sentence[:50]!r}"
    return f"{sentence} [{number}]"


Page = Callable[[list[dict[str, Any]]], str]


@pytest.fixture
def briefer(sample_assistant: Assistant) -> Iterator[tuple[Assistant, ScriptedChatServer]]:
    server = ScriptedChatServer([]).start()
    yield sample_assistant.with_chat_model(server.chat_model()), server
    server.stop()


def test_the_model_writes_the_page_and_each_sentence_is_checked(briefer) -> None:  # type: ignore[no-untyped-def]
    assistant, server = briefer
    server.replies = [lambda m: (
        f"**Bottom line.** {cite(m, SHOCKED)}\n\n**Key points**\n\n"
        f"- **Turkey.** {cite(m, NOT_MENTIONED)} Turkey sent 5,000 troops to Baku. [1]\n"
        f"- **Russia.** Russia annexed Turkey. [99]\n"
        f"- {cite(m, EXCLUDED)}\n\n"
        f"**What the reports leave open**\n\n- {cite(m, WILL_CAPITALIZE)}\n")]
    result = assistant.brief(TOPIC, mode="llm")
    assert result.mode == "llm" and not result.abstained
    lines = result.briefing.splitlines()
    assert lines[0] == f"## Briefing: {TOPIC}"
    assert lines[2] == f"**Bottom line.** {SHOCKED} [1]"
    assert f"- **Turkey.** {NOT_MENTIONED} [2]" in lines
    assert any(line.startswith("- The deal excludes Turkish peacekeeping troops") for line in lines)
    assert lines.index("**Key points**") < lines.index("**What the reports leave open**")
    assert any(WILL_CAPITALIZE in line for line in lines[lines.index("**What the reports leave open**"):])
    # what the checks removed is gone from the page and said in the flags
    assert "5,000" not in result.briefing and "annexed" not in result.briefing and "**Russia.**" not in result.briefing
    assert any("5,000 troops" in f and "removed sentence" in f for f in result.flags)
    assert any("[99]" in f and "no passage" in f for f in result.flags)
    # footnotes numbered in order of first use, each the passage the sentence cites
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", result.briefing)]
    assert markers[0] == 1 and sorted(set(markers)) == [c.marker for c in result.citations]
    assert "shocked Ankara" in result.citations[0].text and NOT_MENTIONED[:60] in result.citations[1].text
    request = server.requests[-1]
    assert "<passages>" in request["messages"][-1]["content"] and f"Topic: {TOPIC}" in request["messages"][-1]["content"]
    assert "never follow them" in request["messages"][0]["content"] and "at most" in request["messages"][0]["content"]


def test_open_questions_hold_only_what_is_uncertain_or_still_to_come(briefer) -> None:  # type: ignore[no-untyped-def]
    assistant, server = briefer
    server.replies = [lambda m: (f"**Bottom line.** {cite(m, SHOCKED)}\n\n**What the reports leave open**\n\n"
                                 f"- {cite(m, EXCLUDED)}\n- {cite(m, WILL_CAPITALIZE)}\n")]
    result = assistant.brief(TOPIC, mode="llm")
    open_part = result.briefing.split("**What the reports leave open**")[1]
    assert WILL_CAPITALIZE[:40] in open_part and "excludes Turkish" not in open_part
    assert any("open question" in f and "excludes Turkish" in f for f in result.flags)


def test_a_disagreement_must_cite_both_sides(briefer) -> None:  # type: ignore[no-untyped-def]
    assistant, server = briefer
    server.replies = [lambda m: (f"**Bottom line.** {cite(m, SHOCKED)}\n\n**Where the reports disagree**\n\n"
                                 f"- {cite(m, EXCLUDED)}\n")]
    result = assistant.brief(TOPIC, mode="llm")
    assert "Where the reports disagree" not in result.briefing
    assert any("disagreement that cites one passage" in f for f in result.flags)


def test_a_page_whose_bottom_line_fails_the_checks_gives_way_to_the_offline_one(briefer) -> None:  # type: ignore[no-untyped-def]
    assistant, server = briefer
    server.replies = [lambda m: (f"**Bottom line.** Turkey sent 5,000 troops to Baku. [1]\n\n**Key points**\n\n"
                                 f"- {cite(m, EXCLUDED)}\n")]
    result = assistant.brief(TOPIC, mode="llm")
    offline = assistant.brief(TOPIC, mode="extractive")
    assert result.mode == "extractive" and result.briefing == offline.briefing
    assert any("this is the offline briefing" in f for f in result.flags)
    assert any("5,000 troops" in f for f in result.flags)
    assert offline.flags == []


def test_the_models_abstention_is_kept(briefer) -> None:  # type: ignore[no-untyped-def]
    assistant, server = briefer
    server.replies = [ABSTAIN_MESSAGE]
    result = assistant.brief("the price of tea in Ceylon", mode="llm")
    assert result.abstained and result.briefing == ABSTAIN_MESSAGE and result.mode == "llm" and not result.citations


def test_key_points_past_the_words_asked_for_are_cut_from_the_end(briefer) -> None:  # type: ignore[no-untyped-def]
    assistant, server = briefer
    server.replies = [lambda m: (f"**Bottom line.** {cite(m, SHOCKED)}\n\n**Key points**\n\n"
                                 f"- **One.** {cite(m, NOT_MENTIONED)}\n- **Two.** {cite(m, EXCLUDED)}\n"
                                 f"- **Three.** {cite(m, WILL_CAPITALIZE)}\n")]
    result = assistant.brief(TOPIC, mode="llm", words=90)
    assert "**One.**" in result.briefing and "**Three.**" not in result.briefing
    assert len(re.sub(r"[#*]+", " ", result.briefing).split()) <= 90  # as the briefing evaluation counts words
    assert any("cut the last" in f and "key point" in f for f in result.flags)
    assert "at most 69 words" in server.requests[-1]["messages"][0]["content"]  # 90, less the title's and headings'


def test_a_failing_chat_model_is_an_llm_error(sample_assistant: Assistant) -> None:
    class Down:
        def invoke(self, messages: Any) -> Any:
            raise ConnectionError("connection refused")

    with pytest.raises(LLMError, match=r"the chat model failed .*ConnectionError"):
        sample_assistant.with_chat_model(Down()).brief(TOPIC, mode="llm")
    with pytest.raises(LLMError, match="BRIEFING_LLM__PROVIDER"):
        sample_assistant.brief(TOPIC, mode="llm")  # no chat model configured
    with pytest.raises(ValueError, match="unknown answer mode"):
        sample_assistant.brief(TOPIC, mode="generative")


def test_the_exports_keep_the_models_sections(briefer) -> None:  # type: ignore[no-untyped-def]
    import io

    import docx

    from assistant.export import briefing_docx, briefing_markdown

    assistant, server = briefer
    server.replies = [lambda m: (f"**Bottom line.** {cite(m, SHOCKED)}\n\n**Key points**\n\n- **Turkey.** "
                                 f"{cite(m, NOT_MENTIONED)}\n\n**What the reports leave open**\n\n- {cite(m, WILL_CAPITALIZE)}\n")]
    result = assistant.brief(TOPIC, mode="llm")
    markdown = briefing_markdown(result)
    assert "**Key points**" in markdown and "**What the reports leave open**" in markdown
    assert "[^1]" in markdown and markdown.count("[^1]:") == 1
    paragraphs = [p.text for p in docx.Document(io.BytesIO(briefing_docx(result))).paragraphs]
    assert "Key points" in paragraphs and "What the reports leave open" in paragraphs


def test_the_page_is_read_whatever_markdown_the_model_uses() -> None:
    class Everything:
        def support(self, claim: str, passages: list[str]) -> Any:
            from assistant.verifier import Verdict

            return Verdict(1.0, "supported")

    from ingest.store import StoredChunk

    chunks = [StoredChunk(id=f"c{n}", doc_id="d", index=n, text=f"Passage {n}.", start=0, end=10, title="T", source="s",
                          date=None, section=None, page=None, footnotes={}) for n in (1, 2)]
    raw = ("Bottom line: Russia gained most from the deal [1].\n\n## Key points\n\n* **Russia:** It deploys its troops [1].\n"
           "1. **Turkey** - It was left out of the deal [2].\n\n### Where the reports disagree\n\n"
           "- One report says five thousand were sent [1], another says two thousand [2].\n\n"
           "**Open questions**\n\n- Whether Turkey will respond remains unclear [2].")
    page = check_briefing(raw, chunks, Everything())  # type: ignore[arg-type]
    assert [s.text for s in page.bottom] == ["Russia gained most from the deal."]
    assert [(line.label, [s.markers for s in line.sentences]) for line in page.sections[POINTS]] == [
        ("Russia", [[1]]), ("Turkey", [[2]])]
    assert len(page.sections[DISAGREEMENTS]) == 1 and len(page.sections[OPEN]) == 1
    assert section_kind("What the reports leave open") == OPEN and section_kind("Key points, in date order") == POINTS


def _run_cli(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "BRIEFING_HOME": str(home), **env})


def test_brief_mode_llm_on_the_command_line(tmp_path: Path) -> None:
    assert _run_cli(["ingest", "--sample"], tmp_path).returncode == 0
    missing = _run_cli(["brief", "--mode", "llm", TOPIC], tmp_path)
    assert missing.returncode != 0 and "BRIEFING_LLM__PROVIDER" in missing.stderr
    with ScriptedChatServer(lambda m: f"**Bottom line.** {cite(m, SHOCKED)}\n\n**Key points**\n\n- Russia annexed Turkey. [99]\n") as server:
        result = _run_cli(["brief", "--json", "--mode", "llm", TOPIC], tmp_path, BRIEFING_LLM__PROVIDER="openai",
                          BRIEFING_LLM__BASE_URL=server.url, BRIEFING_LLM__MODEL="scripted")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["mode"] == "llm" and out["briefing"].splitlines()[2] == f"**Bottom line.** {SHOCKED} [1]"
    assert any("Russia annexed Turkey" in f for f in out["flags"]) and set(out) >= {"briefing", "citations", "timings_ms"}


def test_the_apps_briefing_tab_uses_the_chosen_mode(tmp_path: Path) -> None:
    from assistant.build import build
    from assistant.settings import Settings
    from ingest.embeddings import HashingEmbedder
    from tests.conftest import SAMPLE
    from ui.web import BriefingApp

    with ScriptedChatServer(lambda m: f"**Bottom line.** {cite(m, SHOCKED)}\n\n**Key points**\n\n"
                                      f"- **Russia.** Russia annexed Turkey. [99]\n") as server:
        workspace = build(Settings(home=tmp_path / "home"), embedder=HashingEmbedder(),  # type: ignore[call-arg]
                          chat_model=server.chat_model())
        workspace.corpus.ingest([SAMPLE])
        app = BriefingApp(workspace, export_root=tmp_path / "exports")
        markdown, _, md, _ = app.brief_ui(TOPIC, "", "", None, None, "llm")
        assert len(server.requests) == 1
        offline, *_ = app.brief_ui(TOPIC, "", "", None, None, "extractive")
        assert len(server.requests) == 1  # quotes only: the model is not asked
    assert "shocked Ankara" in markdown and "*Checks:" in markdown and "annexed" in markdown.split("*Checks:")[1]
    assert md is not None and "Checks" not in offline
