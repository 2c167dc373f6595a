"""The command line as scripts use it: real subprocesses, real store, real model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

pytestmark = pytest.mark.slow

CITATION_SCHEMA = {
    "type": "object",
    "required": ["marker", "doc_id", "title", "source", "date", "section", "text", "start", "end"],
    "properties": {
        "marker": {"type": "integer", "minimum": 1},
        "doc_id": {"type": "string", "minLength": 1},
        "title": {"type": "string"},
        "source": {"type": "string"},
        "date": {"type": ["string", "null"]},
        "section": {"type": ["string", "null"]},
        "text": {"type": "string", "minLength": 1},
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
    },
}
ANSWER_SCHEMA = {
    "type": "object",
    "required": ["question", "answer", "abstained", "citations", "timings_ms"],
    "properties": {
        "question": {"type": "string"},
        "answer": {"type": "string"},
        "abstained": {"type": "boolean"},
        "citations": {"type": "array", "items": CITATION_SCHEMA},
        "timings_ms": {"type": "object", "additionalProperties": {"type": "number"}},
    },
}


def run(args: list[str], home: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRIEFING_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args], input=stdin, capture_output=True, text=True, env=env, timeout=300,
    )


@pytest.fixture(scope="module")
def ingested_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli-home")
    result = run(["ingest", "--sample"], home)
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout and "chunks" in result.stdout
    assert "ingest: 1/1 files" in result.stderr  # a log (not a terminal) still shows progress
    return home


def test_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    result = run(["ingest", str(tmp_path / "nope")], tmp_path / "h")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "nope: no such file or directory" in result.stderr and "Traceback" not in result.stderr


def test_empty_store_is_a_one_line_error(tmp_path: Path) -> None:
    result = run(["ask", "Who brokered the deal?"], tmp_path / "h")
    assert result.returncode != 0
    assert "holds no documents" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_ask_json_matches_contract(ingested_home: Path) -> None:
    result = run(["ask", "--json", "How many Russian peacekeepers will deploy, and for how long?"], ingested_home)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    jsonschema.validate(answer, ANSWER_SCHEMA)
    assert "1,960" in answer["answer"] and "five years" in answer["answer"]
    assert any("1,960 troops" in c["text"] for c in answer["citations"])


def test_ask_text_says_how_sure_the_answer_is(ingested_home: Path) -> None:
    question = "How many Russian peacekeepers will deploy, and for how long?"
    answer = json.loads(run(["ask", "--json", question], ingested_home).stdout)
    text = run(["ask", question], ingested_home)
    assert text.returncode == 0, text.stderr
    assert answer["weak_match"] is False and answer["confidence"] is not None
    assert f"\nConfidence {answer['confidence']:.2f}.\n" in text.stdout
    assert text.stdout.index("1,960") < text.stdout.index("Confidence") < text.stdout.index("[1] ")


def test_ask_json_stdin_answers_one_object_per_line(ingested_home: Path) -> None:
    questions = ["Who wins from the agreement?", "", "What is the capital of France?", "When must Armenia withdraw?"]
    result = run(["ask", "--json", "-"], ingested_home, stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3
    answers = [json.loads(line) for line in lines]
    for answer in answers:
        jsonschema.validate(answer, ANSWER_SCHEMA)
    assert [a["question"] for a in answers] == [q for q in questions if q]
    assert answers[1]["abstained"] is True
    assert "December 1" in answers[2]["answer"]


def test_sources_lists_the_report(ingested_home: Path) -> None:
    result = run(["sources", "--json"], ingested_home)
    assert result.returncode == 0, result.stderr
    (doc,) = json.loads(result.stdout)
    assert doc["date"] == "2020-11-13" and doc["chunks"] > 0 and "Nagorno-Karabakh" in doc["title"]


def test_brief_json(ingested_home: Path) -> None:
    result = run(["brief", "--json", "Turkey's position after the ceasefire"], ingested_home)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) >= {"briefing", "citations", "timings_ms"}
    assert "[1]" in out["briefing"] and out["citations"][0]["marker"] == 1


def test_serve_auth_file_errors_name_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ui.cli import main

    missing = tmp_path / "nope"
    assert main(["serve", "--auth-file", str(missing)]) == 1
    assert f"{missing}: cannot read the auth file" in capsys.readouterr().err
    bad = tmp_path / "auth"
    bad.write_text("no-colon\n")
    assert main(["serve", "--auth-file", str(bad)]) == 1
    assert f"{bad}: each line must be user:password" in capsys.readouterr().err


def test_brief_out_is_whole_after_the_quick_exit(ingested_home: Path, tmp_path: Path) -> None:
    """`brief` ends with os._exit (no interpreter teardown): the files it writes must be complete."""
    from docx import Document

    for name in ("brief.md", "brief.docx"):
        out = tmp_path / name
        result = run(["brief", "--out", str(out), "Turkey's position after the ceasefire"], ingested_home)
        assert result.returncode == 0, result.stderr
        assert "[1]" in result.stdout
        if name.endswith(".md"):
            written = out.read_text(encoding="utf-8")
            last_quote = result.stdout.strip().splitlines()[-1].split("\u201c", 1)[1]
            assert written.startswith("## Briefing") and written.rstrip().endswith(last_quote)  # whole, to the end
        else:
            assert any("[1]" in p.text for p in Document(str(out)).paragraphs)


@pytest.mark.parametrize("value", ["March 5, 2021", "5 March 2021", "since 2021-03-05", "2021-02-30"])
def test_a_date_filter_not_written_yyyy_mm_dd_is_a_one_line_error(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The store compares dates as YYYY-MM-DD: "March 5, 2021" was accepted and the filter silently dropped."""
    from ui.cli import main

    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path))
    assert main(["ask", "what happened?", "--since", value]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--since" in err and "YYYY-MM-DD" in err


def test_a_yyyy_mm_dd_date_filter_reaches_the_store() -> None:
    import argparse

    from ingest.store import date_int
    from ui.cli import _filters

    filters = _filters(argparse.Namespace(doc=[], since=" 2021-03-05", until=None))
    assert filters is not None and date_int(filters.since) == 20210305
