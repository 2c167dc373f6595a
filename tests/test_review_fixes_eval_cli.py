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
from assistant.verifier import Verdict
from eval.briefings import load_briefings, load_topics, score_briefings
from eval.datasets import load_items, read_jsonl
from eval.runner import load_answers, score
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


class _Accepting:
    def support(self, claim: str, passages: list[str]) -> Verdict:
        return Verdict(1.0, "supported", passages[0] if passages else "")


def _jsonl(path: Path, *rows: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_footnote_and_grouped_markers_are_citations(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "answers.jsonl",
                  {"question": "Who fired first, and how many died?",
                   "answer": "The ministry does not say who fired first; it reports 16 killed [^1].",
                   "passages": ["The ministry reported 16 killed."]},
                  {"question": "Who signed for Russia?", "answer": "Putin signed for Russia [1, 2].",
                   "passages": ["Putin signed.", "He signed for Russia."]})
    result = score(load_answers(path), _Accepting())
    assert [q.abstained for q in result.questions] == [False, False]  # the first was taken for an abstention
    assert [c.markers for q in result.questions for c in q.checks] == [[1], [1, 2]]  # "[1, 2]" was uncited
    assert result.metrics["uncited_claim_rate"] == 0.0 and result.metrics["citation_recall"] == 1.0


def test_a_marker_pointing_at_no_passage_counts_against_precision(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "answers.jsonl",
                  {"question": "Who signed for Armenia?", "answer": "Pashinyan signed for Armenia [1].",
                   "passages": ["Pashinyan signed for Armenia."]},
                  {"question": "Who signed for Azerbaijan?", "answer": "Aliyev signed for Azerbaijan [4].",
                   "passages": ["Aliyev signed for Azerbaijan."]})
    metrics = score(load_answers(path), _Accepting()).metrics
    assert metrics["citation_precision"] == 0.5  # was 1.0: the answer citing only [4] was left out
    briefings = _jsonl(tmp_path / "briefings.jsonl", {"topic": "The deal", "briefing": "Aliyev signed for Azerbaijan [4].",
                                                      "passages": ["Aliyev signed for Azerbaijan."]})
    assert score_briefings(load_briefings(briefings), _Accepting())[1]["citation_precision"] == 0.0  # was None


def test_briefing_citations_are_placed_by_their_marker(tmp_path: Path) -> None:
    cites = [{"marker": 2, "text": "Aliyev signed."}, {"marker": 1, "text": "Pashinyan signed."}]
    path = _jsonl(tmp_path / "briefings.jsonl", {"topic": "The deal", "briefing": "Aliyev signed it [2].",
                                                 "citations": cites})
    assert load_briefings(path)[0].passages == ["Pashinyan signed.", "Aliyev signed."]
    _jsonl(path, {"topic": "The deal", "briefing": "Aliyev signed it [3].",
                  "citations": [cites[1], {"marker": 3, "text": "Aliyev signed."}]})
    with pytest.raises(BriefingError, match=r"briefings\.jsonl:1: citation markers must number 1 to 2"):
        load_briefings(path)  # [3]'s passage had been read as [2]'s, and "[3]" scored as pointing at nothing
    _jsonl(path, {"topic": "The deal", "briefing": "Aliyev signed it [1].", "citations": [{"marker": "one", "text": "A."}]})
    with pytest.raises(BriefingError, match=r"briefings\.jsonl:1: every citation needs a whole-number 'marker'"):
        load_briefings(path)  # was a bare ValueError: invalid literal for int()


def test_a_latency_that_is_no_number_is_named(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "answers.jsonl", {**ROW, "latency_ms": "12 ms"})
    with pytest.raises(BriefingError, match=r"answers\.jsonl:1: 'latency_ms' must be a number"):
        load_answers(path)  # scoring had crashed with a TypeError in the percentile
    path.write_text(json.dumps(ROW)[:-1] + ', "latency_ms": NaN}\n', encoding="utf-8")
    with pytest.raises(BriefingError, match=r"'latency_ms' must be a number"):
        load_answers(path)  # the metrics line had said "latency_p50_ms": NaN, which is not JSON
    briefings = _jsonl(tmp_path / "briefings.jsonl", {"topic": "T", "briefing": "B.", "passages": [], "latency_ms": "x"})
    with pytest.raises(BriefingError, match=r"briefings\.jsonl:1: 'latency_ms' must be a number"):
        load_briefings(briefings)


@pytest.fixture
def offline_eval(monkeypatch: pytest.MonkeyPatch) -> None:
    """`briefing eval` without a model: an accepting verifier, and its agreement figures made up."""
    import assistant.build
    import eval.cli

    monkeypatch.setattr(assistant.build, "make_embedder", lambda settings: None)
    monkeypatch.setattr(assistant.build, "make_verifier", lambda *a: _Accepting())
    monkeypatch.setattr(eval.cli, "verifier_summary", lambda *a, **k: {
        "name": "accepting", "accuracy": 1.0, "kappa": 1.0, "binary_accuracy": 1.0, "n": 1})


def test_eval_answers_keeps_only_the_split_asked_for(tmp_path: Path, offline_eval: None,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = _jsonl(tmp_path / "answers.jsonl",
                  {**ROW, "split": "tune", "answerable": True, "reference_facts": [["Pashinyan"]]},
                  {**ROW, "question": "Who signed it?", "answer": "Aliyev [1].", "split": "test", "answerable": True,
                   "reference_facts": [["Pashinyan"]]})
    assert cli.main(["eval", "--answers", str(path), "--split", "test", "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert metrics["n_questions"] == 1 and metrics["answer_correctness"] == 0.0  # was 2 questions, 0.5: both halves


def test_a_split_that_keeps_nothing_is_an_error(tmp_path: Path, offline_eval: None,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = _jsonl(tmp_path / "answers.jsonl", ROW)
    assert cli.main(["eval", "--answers", str(path), "--split", "test", "--json"]) == 1  # printed no-question metrics, 0
    assert "answers.jsonl has nothing in the test half" in capsys.readouterr().err
    briefings = _jsonl(tmp_path / "briefings.jsonl", {"topic": "The deal", "briefing": "Aliyev signed it [1].",
                                                      "passages": ["Aliyev signed it."]})
    assert cli.main(["eval", "--briefings", str(briefings), "--split", "tune", "--json"]) == 1
    assert "briefings.jsonl has nothing in the tune half" in capsys.readouterr().err
    assert cli.main(["eval", "--set", "isw_report", "--split", "test", "--json"]) == 1  # isw_report has no halves
    assert "isw_report has nothing in the test half" in capsys.readouterr().err


@pytest.mark.parametrize("argv, problem", [
    (["--briefings", "b.jsonl", "--report", "r.md"], "--briefings does not use --report"),
    (["--calibration", "--dump", "d.jsonl"], "--calibration does not use --dump"),
    (["--calibrate-abstention", "--split", "test"], "--calibrate-abstention does not use --split"),
    (["--fit-ranker", "--report", "r.md"], "--fit-ranker does not use --report"),
    (["--fit-ranker", "--answers", "a.jsonl"], "--fit-ranker is fitted on --set's questions, not with --answers"),
    (["--set", "isw_report", "--fit"], "--fit goes with --calibration"),
    (["--set", "isw_report", "--confidence-only"], "--confidence-only goes with --fit-ranker"),
    (["--fit-ranker", "--confidence-only", "--set", "unseen_qa"], "--confidence-only re-fits the confidence of"),
])
def test_an_option_the_evaluation_would_ignore_is_refused(argv: list[str], problem: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.build

    def no_model(settings: Any) -> None:
        raise AssertionError("refused only after loading the model")

    monkeypatch.setattr(assistant.build, "make_embedder", no_model)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["eval", *argv]) == 1  # each ran, ignoring the option, and exited 0
    assert capsys.readouterr().err.startswith(f"briefing: error: {problem}")
    assert not (tmp_path / "r.md").exists() and not (tmp_path / "d.jsonl").exists()


def test_fit_ranker_takes_the_set_its_help_names() -> None:
    args = cli.build_parser().parse_args(["eval", "--fit-ranker", "--set", "unseen_qa2"])  # argparse refused it
    assert args.fit_ranker and args.dataset == "unseen_qa2"


def test_an_empty_answers_or_briefings_file_is_an_error(tmp_path: Path, offline_eval: None,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    for source in ("--answers", "--briefings"):
        assert cli.main(["eval", source, str(path), "--json"]) == 1  # metrics with every rate null, and exit 0
        assert capsys.readouterr().err.strip() == f"briefing: error: {path}: no rows to score"


def test_passages_that_are_not_strings_are_named(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "answers.jsonl", {**ROW, "passages": [{"marker": 1, "text": "Pashinyan signed the deal."}]})
    with pytest.raises(BriefingError, match=r"answers\.jsonl:1: 'passages' must be a list of strings"):
        load_answers(path)  # the citation object was scored as its Python repr
    _jsonl(path, {**ROW, "retrieved": "Pashinyan signed the deal."})
    with pytest.raises(BriefingError, match=r"answers\.jsonl:1: 'retrieved' must be a list of strings"):
        load_answers(path)  # was retrieved as one passage per character
    briefings = _jsonl(tmp_path / "briefings.jsonl", {"topic": "The deal", "briefing": "Aliyev signed it [1].",
                                                      "passages": [{"text": "Aliyev signed it."}]})
    with pytest.raises(BriefingError, match=r"briefings\.jsonl:1: 'passages' must be a list of strings"):
        load_briefings(briefings)


def test_ask_latency_on_an_empty_store_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.build
    from assistant.errors import EmptyStoreError
    from eval.benchmarks import ask_latency

    class Empty:
        def documents(self) -> list[Any]:
            return []

        def ask(self, question: str) -> None:
            raise EmptyStoreError("the store at /x/chroma holds no documents; run `briefing ingest PATH` first")

    monkeypatch.setattr(assistant.build, "build", lambda *a, **k: types.SimpleNamespace(assistant=Empty()))
    monkeypatch.setattr(sys, "argv", ["ask_latency", "--cold", "0"])
    with pytest.raises(SystemExit, match=r"^ask_latency: the store at /x/chroma holds no documents"):
        ask_latency.main()  # was the EmptyStoreError's traceback


def test_add_one_refuses_what_is_not_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.build
    from eval.benchmarks import add_one

    monkeypatch.setattr(assistant.build, "build", lambda *a, **k: pytest.fail("built the workspace first"))
    for given in (tmp_path, tmp_path / "missing.md"):
        monkeypatch.setattr(sys, "argv", ["add_one", "--file", str(given)])
        with pytest.raises(SystemExit, match=r"^add_one: .*: not a file"):
            add_one.main()  # a folder ended in IndexError, a missing file in a BriefingError traceback
