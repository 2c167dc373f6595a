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
from assistant.citations import page_words
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
WILL_ENJOY = ("Aliyev will likely enjoy domestic popularity from his Kremlin-delivered victory, but he now faces new "
              "challenges with the first Russian military presence in Azerbaijan in many years and likely damaged "
              "relations with Turkey.")
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
    assert any("disagreement that cites one document" in f for f in result.flags)


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
                                 f"- **Ankara.** {cite(m, NOT_MENTIONED)}\n- **Peacekeeping.** {cite(m, EXCLUDED)}\n"
                                 f"- **Erdogan.** {cite(m, WILL_CAPITALIZE)}\n")]
    result = assistant.brief(TOPIC, mode="llm", words=90)
    assert "**Ankara.**" in result.briefing and "**Erdogan.**" not in result.briefing
    assert page_words(result.briefing) <= 90  # as the briefing evaluation counts words
    assert any("cut the last" in f and "key point" in f for f in result.flags)
    assert "at most 59 words" in server.requests[-1]["messages"][0]["content"]  # 90, less the title's and the frame's


def test_open_questions_go_too_when_the_key_points_are_not_enough_and_a_long_topic_still_gets_words(briefer) -> None:  # type: ignore[no-untyped-def]
    assistant, server = briefer
    server.replies = [lambda m: (f"**Bottom line.** {cite(m, SHOCKED)} {cite(m, NOT_MENTIONED)}\n\n**Key points**\n\n"
                                 f"- {cite(m, EXCLUDED)}\n\n**What the reports leave open**\n\n- {cite(m, WILL_CAPITALIZE)}\n"
                                 f"- {cite(m, WILL_ENJOY)}\n")]
    result = assistant.brief(TOPIC, mode="llm", words=80)
    assert page_words(result.briefing) <= 80 and WILL_CAPITALIZE[:30] in result.briefing
    assert SHOCKED in result.briefing and NOT_MENTIONED[:30] in result.briefing  # the bottom line goes last
    assert EXCLUDED[:30] not in result.briefing and WILL_ENJOY[:30] not in result.briefing
    assert any("1 key point" in f for f in result.flags) and any("1 open question" in f for f in result.flags)
    assert "flag no open questions" not in result.briefing
    long_topic = "Turkey's position " + " ".join(["after the ceasefire"] * 25)
    assistant.brief(long_topic, mode="llm", words=80)
    assert "at most 40 words" in server.requests[-1]["messages"][0]["content"]  # never "at most -8 words"


def test_a_failing_verifier_is_not_called_a_failing_chat_model(briefer) -> None:  # type: ignore[no-untyped-def]
    import copy

    class Broken:
        def support(self, claim: str, passages: list[str]) -> Any:
            raise KeyError("verifier bug")

    assistant, server = briefer
    server.replies = [lambda m: f"**Bottom line.** {cite(m, SHOCKED)}\n"]
    broken = copy.copy(assistant)
    broken.verifier = Broken()  # type: ignore[assignment]
    with pytest.raises(KeyError, match="verifier bug"):
        broken.brief(TOPIC, mode="llm")


def test_the_briefing_evaluation_says_how_many_pages_the_model_wrote() -> None:
    from eval.briefings import BriefingRecord, BriefingResult, aggregate, result_rows

    def scored(mode: str | None, flags: list[str]) -> BriefingResult:
        record = BriefingRecord(topic="t", briefing="b", passages=[], mode=mode, flags=flags)
        return BriefingResult(record, [], None, [], 10, None)

    pages = [scored("llm", []), scored("extractive", ["no sentence of the model's bottom line … offline briefing"])]
    assert aggregate(pages)["model_written_rate"] == 0.5
    assert "model_written_rate" not in aggregate([scored("extractive", [])])  # offline only: nothing to say
    assert [r["mode"] for r in result_rows(pages)] == ["llm", "extractive"] and result_rows(pages)[1]["flags"]


def test_a_saved_briefings_file_keeps_who_wrote_each_page(tmp_path: Path) -> None:
    from eval.briefings import load_briefings
    from ingest.errors import BriefingError

    saved = tmp_path / "briefings.jsonl"
    row = {"topic": "t", "briefing": "**Bottom line.** Russia gained the most. [1]", "passages": ["Russia gained the most."]}
    saved.write_text(json.dumps({**row, "mode": "llm", "flags": ["cut the last 1 key point(s)"]}) + "\n" + json.dumps(row)
                     + "\n", encoding="utf-8")
    first, second = load_briefings(saved)
    assert (first.mode, first.flags) == ("llm", ["cut the last 1 key point(s)"]) and (second.mode, second.flags) == (None, [])
    saved.write_text(json.dumps({**row, "flags": "cut"}) + "\n", encoding="utf-8")
    with pytest.raises(BriefingError, match=r"briefings.jsonl:1: 'flags' must be a list of strings"):
        load_briefings(saved)


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
    flagged = result.model_copy(update={"flags": ["removed sentence unsupported by its passages: “x”"]})
    assert "*Checks: removed sentence unsupported" in briefing_markdown(flagged)
    assert any(p.startswith("Checks: removed") for p in
               (p.text for p in docx.Document(io.BytesIO(briefing_docx(flagged))).paragraphs))


class Recording:
    """A verifier that supports every claim and records the claims it was asked about."""

    def __init__(self) -> None:
        self.claims: list[str] = []

    def support(self, claim: str, passages: list[str]) -> Any:
        from assistant.verifier import Verdict

        self.claims.append(claim)
        return Verdict(1.0, "supported")


def _chunks() -> list[Any]:
    from ingest.store import StoredChunk

    texts = [("d1", "Russia deploys troops. Russia gained the most.", None),
             ("d2", "Turkey was left out. Turkey may respond.", "2020-09-08"),
             ("d1", "Armenia lost.", None)]
    return [StoredChunk(id=f"c{n}", doc_id=doc, index=n, text=text, start=0, end=len(text), title="T", source="s",
                        date=date, section=None, page=None, footnotes={}) for n, (doc, text, date) in enumerate(texts)]


def _read(raw: str) -> tuple[Any, Recording]:
    verifier = Recording()
    return check_briefing(raw, _chunks(), verifier), verifier  # type: ignore[arg-type]


def _points(page: Any, kind: str = POINTS) -> list[tuple[str | None, str]]:
    return [(line.label, " ".join(s.text for s in line.sentences)) for line in page.sections.get(kind, [])]


def test_the_page_is_read_whatever_markdown_the_model_uses() -> None:
    page, _ = _read("Bottom line: Russia gained the most [1].\n\n## Key points\n\n* **Russia:** Russia deploys troops [1].\n"
                    "1. **Turkey** - Turkey was left out [2].\n\n### Where the reports disagree\n\n"
                    "- Russia deploys troops [1], while Turkey was left out [2].\n\n"
                    "**Open questions**\n\n- Turkey may respond [2].")
    assert [s.text for s in page.bottom] == ["Russia gained the most."]
    assert _points(page) == [("Russia", "Russia deploys troops."), ("Turkey", "Turkey was left out.")]
    assert len(page.sections[DISAGREEMENTS]) == 1 and _points(page, OPEN) == [(None, "Turkey may respond.")]
    plain, _ = _read("**Bottom line.** Russia gained the most [1].\nKey points:\n- Russia deploys troops [1].\n"
                     "Open questions:\n- Turkey may respond [2].\n1. **Where the reports disagree**\n"
                     "- Russia deploys troops [1], while Turkey was left out [2].")
    assert _points(plain) == [(None, "Russia deploys troops.")] and _points(plain, OPEN) == [(None, "Turkey may respond.")]
    assert len(plain.sections[DISAGREEMENTS]) == 1
    assert section_kind("What the reports leave open") == OPEN and section_kind("Key points on the conflict") == POINTS
    assert section_kind("Russia's opening moves") is None and section_kind("Where the reports disagree") == DISAGREEMENTS


def test_a_repeated_title_a_missing_heading_and_subheadings_keep_each_line_in_its_place() -> None:
    page, _ = _read("## Briefing: How the conflict developed\n\nRussia gained the most [1].\n\n"
                    "- **Russia.** Russia deploys troops [1].\n\n**What the reports leave open**\n\n- Turkey may respond [2].")
    assert [s.text for s in page.bottom] == ["Russia gained the most."]  # the title opens no section
    assert _points(page) == [("Russia", "Russia deploys troops.")]  # bullets after the bottom line are key points
    sub, _ = _read("**Bottom line.** Russia gained the most [1].\n\n**Key points**\n\n**Turkey**\n\n"
                   "- Turkey was left out [2].\n- Turkey may respond [2].")
    assert _points(sub) == [("Turkey", "Turkey was left out."), ("Turkey", "Turkey may respond.")]


def test_a_label_is_a_few_words_the_cited_passages_bear_out_and_other_bold_text_is_checked() -> None:
    page, verifier = _read("**Bottom line.** Russia gained the most [1].\n\n**Key points**\n\n"
                           "- **September 8.** Turkey was left out [2].\n"  # the cited passage's date
                           "- **Erdogan resigned.** Russia deploys troops [1].\n"  # a claim dressed as a label
                           "- **Turkey** deploys troops [1].\n"  # a bold subject, no label
                           "- **Turkey annexed Armenia and Erdogan resigned [1].** Russia deploys troops [1].")
    assert _points(page)[:2] == [("September 8", "Turkey was left out."), (None, "Russia deploys troops.")]
    assert any("Erdogan resigned" in f and "label" in f for f in page.flags)
    # what is not a label stays in its sentence, and the verifier is asked about it
    assert "Turkey deploys troops." in verifier.claims and (None, "Turkey deploys troops.") in _points(page)
    assert "Turkey annexed Armenia and Erdogan resigned." in verifier.claims
    assert not any("**" in claim for claim in verifier.claims)


def test_a_label_that_makes_a_claim_goes_and_a_sentence_in_bold_stays() -> None:
    page, verifier = _read("**Bottom line: Russia gained the most.** [1]\n\n**Key points**\n\n"
                           "- **Turkey not left out.** Turkey was left out [2].\n"  # negation: a claim, not a label
                           "### Russia deployed its troops and Turkey was left out\n\n- Russia deploys troops [1].\n"
                           "- **Turkey was left out.** [2]\n")  # a bold sentence with its marker
    assert [s.text for s in page.bottom] == ["Russia gained the most."]
    assert _points(page) == [(None, "Turkey was left out."), (None, "Russia deploys troops."), (None, "Turkey was left out.")]
    long_bold, _ = _read("**Bottom line: Russia gained the most, and Turkey was left out.** [1]")
    assert [s.text for s in long_bold.bottom] == ["Russia gained the most, and Turkey was left out."]
    assert section_kind("Unknown gunmen", strict=True) is None and section_kind("Key points", strict=True) == POINTS
    assert sum("removed the label" in f for f in page.flags) == 2  # the negated label and the ten-word subheading
    assert verifier.claims.count("Turkey was left out.") == 2


def test_headings_are_read_by_the_word_that_names_them_and_line_breaks_of_any_kind_part_lines() -> None:
    page, _ = _read("Summary\n\nRussia gained the most [1].\n\n**Points of disagreement**\n\n"
                    "- Russia deploys troops [1], while Turkey was left out [2].\n\n## Open issues\n\n"
                    "- Turkey may respond [2].\n\n### Where reports differ\n\n- Russia deploys troops [1], while Turkey "
                    "was left out [2].")
    assert [s.text for s in page.bottom] == ["Russia gained the most."]
    assert len(page.sections[DISAGREEMENTS]) == 2 and _points(page, OPEN) == [(None, "Turkey may respond.")]
    assert POINTS not in page.sections
    crlf, _ = _read("**Bottom line.** Russia gained the most [1].\r\n\r\n**Key points**\r- Russia deploys troops [1].")
    assert [s.text for s in crlf.bottom] == ["Russia gained the most."] and _points(crlf) == [(None, "Russia deploys troops.")]
    assert not crlf.flags  # a line break is no markup removed


def test_labelled_paragraphs_after_the_bottom_line_are_key_points_and_a_bottom_line_under_its_heading_keeps_its_bullets() -> None:
    page, _ = _read("**Bottom line.** Russia gained the most [1].\n\n**Russia.** Russia deploys troops [1].\n\n"
                    "**Turkey.** Turkey was left out [2].")
    assert [s.text for s in page.bottom] == ["Russia gained the most."]
    assert _points(page) == [("Russia", "Russia deploys troops."), ("Turkey", "Turkey was left out.")]
    listed, _ = _read("## Bottom line\n\n- Russia gained the most [1].\n- Turkey was left out [2].\n\n## Key points\n\n"
                      "- Russia deploys troops [1].")
    assert [s.text for s in listed.bottom] == ["Russia gained the most.", "Turkey was left out."]
    assert _points(listed) == [(None, "Russia deploys troops.")]


def test_a_disagreement_within_one_document_and_a_line_that_abstains_are_removed() -> None:
    page, _ = _read("**Bottom line.** Russia gained the most [1].\n\n**Where the reports disagree**\n\n"
                    "- Russia deploys troops [1], while Armenia lost [3].\n\n**What the reports leave open**\n\n"
                    "- The reports in the corpus do not answer this.\n- Turkey may respond [2].")
    assert not page.abstained and DISAGREEMENTS not in page.sections
    assert any("cites one document" in f for f in page.flags)
    assert _points(page, OPEN) == [(None, "Turkey may respond.")]
    assert sum("do not answer" in f for f in page.flags) == 1  # said of that line only
    assert _read(f"**{ABSTAIN_MESSAGE}**")[0].abstained


def test_a_reply_in_text_blocks_and_control_characters() -> None:
    from types import SimpleNamespace

    from assistant.llm import strip_unsafe
    from assistant.llm_briefing import reply_text

    reply = SimpleNamespace(content=[{"type": "text", "text": "**Bottom line.** "}, "Russia gained the most [1]."])
    assert reply_text(reply) == "**Bottom line.** Russia gained the most [1]."
    assert strip_unsafe("Bottom\x1b[2J\x1b[H line\x07 [1].") == "Bottom[2J[H line [1]."


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
