"""Faults of `briefing ask -`, `briefing eval` and the evaluation loaders a review reproduced (session 12), each
with a test that fails without its fix. Questions, answers and passages are written for these tests."""

from __future__ import annotations

import io
import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import ui.cli as cli
from assistant.errors import LLMError
from eval.briefings import load_topics
from eval.datasets import load_items, read_jsonl
from ingest.errors import BriefingError


class _Answer:
    def __init__(self, question: str) -> None:
        self.question = question

    def model_dump(self) -> dict[str, Any]:
        return {"question": self.question, "answer": "Pashinyan signed [1].", "citations": []}


class _Assistant:
    """Answers every question, except one naming 'timeout', which fails as a chat model's timeout does."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def warm_up(self) -> None:
        pass

    def ask(self, question: str, **_: Any) -> _Answer:
        self.asked.append(question)
        if "timeout" in question:
            raise LLMError("the chat model failed (ReadTimeout: timed out)")
        return _Answer(question)


def _ask_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data: bytes,
               *flags: str) -> tuple[int, list[str], str, _Assistant]:
    assistant = _Assistant()
    monkeypatch.setattr(cli, "_preload_index", lambda settings: None)
    monkeypatch.setattr(cli, "_workspace", lambda *a, **k: types.SimpleNamespace(assistant=assistant))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code = cli.main(["ask", *flags, "-"])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err, assistant


def test_ask_stdin_drops_a_bom_crlf_and_blank_lines(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _, assistant = _ask_stdin(monkeypatch, capsys, b"\xef\xbb\xbfWho signed?\r\n\r\n \r\nWhen?\r\n", "--json")
    assert code == 0
    assert assistant.asked == ["Who signed?", "When?"]  # the first was asked as '\ufeffWho signed?'
    assert [json.loads(line)["question"] for line in lines] == ["Who signed?", "When?"]


def test_ask_stdin_reports_a_failing_question_and_answers_the_rest(monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _, assistant = _ask_stdin(monkeypatch, capsys, b"Who signed?\nA timeout here?\nWhen?\n", "--json")
    objects = [json.loads(line) for line in lines]  # one object per line, the failed question's included
    assert assistant.asked == ["Who signed?", "A timeout here?", "When?"]  # the third was never asked
    assert objects[1] == {"question": "A timeout here?", "line": 2,
                          "error": "the chat model failed (ReadTimeout: timed out)"}
    assert objects[2]["question"] == "When?"
    assert code == 1  # some question failed


def test_ask_stdin_text_mode_names_the_failing_line(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "_print_answer", lambda answer: print(answer.question))
    code, lines, err, assistant = _ask_stdin(monkeypatch, capsys, b"A timeout here?\nWhen?\n")
    assert lines == ["When?"]
    assert assistant.asked == ["A timeout here?", "When?"]
    assert err.strip() == "briefing: error: line 1: the chat model failed (ReadTimeout: timed out)"
    assert code == 1


def test_ask_stdin_a_line_not_utf8_fails_alone(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _, assistant = _ask_stdin(monkeypatch, capsys, b"Who signed?\nQui a sign\xe9?\nWhen?\n", "--json")
    assert assistant.asked == ["Who signed?", "When?"]  # none was asked: the whole read failed
    objects = [json.loads(line) for line in lines]
    assert objects[1]["line"] == 2 and "not UTF-8" in objects[1]["error"]
    assert code == 1


ROW = {"question": "Who signed the deal?", "answer": "Pashinyan signed\u2028the deal [1].",
       "passages": ["Pashinyan signed the deal."]}


def test_a_jsonl_line_holding_u2028_in_a_string_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text(json.dumps(ROW, ensure_ascii=False) + "\n", encoding="utf-8")  # U+2028 written unescaped
    assert [r["answer"] for r in read_jsonl(path)] == [ROW["answer"]]  # was "not valid JSON (Unterminated string…)"


def test_a_jsonl_file_with_a_bom_and_crlf_reads(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (json.dumps(ROW) + "\r\n\r\n" + json.dumps(ROW) + "\r\n").encode())
    assert len(read_jsonl(path)) == 2  # was "answers.jsonl:1: not valid JSON (Unexpected UTF-8 BOM…)"


def test_a_jsonl_line_not_utf8_is_named_by_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_bytes(json.dumps(ROW).encode() + b"\n" + json.dumps(ROW).encode().replace(b"Pash", b"P\xe9sh") + b"\n")
    with pytest.raises(BriefingError, match=r"answers\.jsonl:2: not UTF-8 text"):  # was a bare UnicodeDecodeError
        read_jsonl(path)


def test_a_question_set_with_flat_reference_facts_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps({"question": "Who signed?", "reference_facts": ["Pashinyan"]}) + "\n", encoding="utf-8")
    with pytest.raises(BriefingError, match=r"mine\.jsonl:1: 'reference_facts' must be a list of groups"):
        load_items(str(path))  # was read as the facts "P", "a", "s", …: any answer holding those letters was correct


def test_a_topic_set_with_flat_reference_facts_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "topics.jsonl"
    path.write_text(json.dumps({"topic": "The deal", "reference_facts": ["Pashinyan"]}) + "\n", encoding="utf-8")
    with pytest.raises(BriefingError, match=r"topics\.jsonl:1: 'reference_facts' must be a list of groups"):
        load_topics(path)
