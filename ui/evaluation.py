"""The web app's grounding evaluation: the same scoring as ``briefing eval``, with progress and figures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.datasets import BUILTIN_SETS, corpus_for, load_items
from eval.report import RATE_METRICS, format_value
from eval.report import plots as write_plots
from eval.runner import AnswerRecord, EvalResult, load_answers, run_assistant, score, workspace_for_set
from ingest.errors import BriefingError
from ui.scratch import private_temp

if TYPE_CHECKING:
    from assistant.build import Workspace
    from assistant.engine import Assistant

Step = Callable[[int, int, str], None]

COUNT_METRICS = ["n_questions", "n_answered", "n_answerable", "n_unanswerable", "n_statements",
                 "latency_p50_ms", "latency_p95_ms"]


def set_names() -> list[str]:
    return list(BUILTIN_SETS)


def assistant_for_set(workspace: Workspace, name: str, cache: dict[str, Assistant]) -> Assistant:
    """An assistant over the set's own corpus, in a store of its own under ``home/eval`` (as ``briefing eval``)."""
    if name in cache:
        return cache[name]
    if corpus_for(name) is None:
        return workspace.assistant
    own, _ = workspace_for_set(name, workspace.settings, workspace.embedder)
    cache[name] = own.assistant
    return own.assistant


def answer_set(assistant: Assistant, name: str, step: Step | None = None) -> list[AnswerRecord]:
    items = load_items(name)
    records: list[AnswerRecord] = []
    for i, item in enumerate(items):
        if step:
            step(i, len(items), item.question)
        records += run_assistant(assistant, [item])
    return records


def read_answers(path: Path) -> list[AnswerRecord]:
    """The uploaded answers; a bad file is refused by its own name and line (Gradio's temporary path means
    nothing to the analyst, and the decoder's own message named neither the file nor what to do)."""
    try:
        return load_answers(path)
    except BriefingError as exc:
        message = str(exc).replace(str(path), path.name)
        if "not UTF-8" in message:
            message += "; save the answers file as UTF-8 and upload it again"
        raise BriefingError(message) from None
    except UnicodeDecodeError as exc:
        raise BriefingError(f"{path.name}: not UTF-8 text (byte {exc.start}); save the answers file as UTF-8 "
                            "and upload it again") from None


def score_records(records: list[AnswerRecord], verifier: Any, step: Step | None = None) -> EvalResult:
    return score(records, verifier, step=step)


# What an analyst reads in the evaluation tab: a plain name and one line on what it means. The
# metric keys (RATE_METRICS) stay as they are for scripts and the CLI.
PLAIN = {
    "citation_recall": ("Sentences backed by their footnotes", "Share of answer sentences whose cited passages say what the sentence says."),
    "citation_precision": ("Footnotes that are needed", "Share of footnotes that support their sentence (none is there for show)."),
    "groundedness": ("Sentences backed by any passage", "Share of sentences that some retrieved passage supports, cited or not."),
    "uncited_claim_rate": ("Sentences without a footnote", "Share of sentences that cite nothing (lower is better)."),
    "invalid_marker_rate": ("Footnotes pointing nowhere", "Share of footnote numbers with no passage behind them (lower is better)."),
    "answer_correctness": ("Correct answers", "Answerable questions whose answer holds every expected fact."),
    "concise_correctness": ("Correct in 60 words", "The same, counting only answers of at most 60 words."),
    "fact_recall": ("Expected facts found", "Share of the expected facts that answers contain."),
    "abstention_recall": ("Right to say 'not in the reports'", "Unanswerable questions the assistant declined to answer."),
    "abstention_precision": ("Declines that were right", "Of the questions it declined, the share that really are unanswerable."),
    "false_abstention_rate": ("Declined but answerable", "Answerable questions it declined (lower is better)."),
    "cited_evidence_rate": ("Cited the right passage", "Answered questions whose footnotes include the passage that answers."),
    "evidence_recall_at_k": ("Right passage retrieved", "Questions whose answering passage was among those read."),
    "mrr": ("Rank of the right passage", "1 when the answering passage is read first, 0.5 when second, and so on."),
}
COUNTS = {
    "n_questions": "Questions", "n_answered": "Answered", "n_answerable": "Answerable (with expected facts)",
    "n_unanswerable": "Unanswerable", "n_statements": "Sentences checked", "latency_p50_ms": "Typical answer time (ms)",
    "latency_p95_ms": "Slowest 5% answer time (ms)",
}


def metrics_rows(metrics: dict[str, Any]) -> list[list[str]]:
    """Measure, value, 95% range, what it means: the rates that apply to this run, then the counts."""
    ci = metrics.get("ci95", {})
    rows = []
    for name, _ in [*RATE_METRICS, ("concise_correctness", "")]:
        if metrics.get(name) is None or name not in PLAIN:
            continue  # e.g. correctness for answers with no reference facts
        label, meaning = PLAIN[name]
        interval = ci.get(name)
        rows.append([label, format_value(metrics.get(name)), f"{interval[0]:.2f} to {interval[1]:.2f}" if interval else "",
                     meaning])
    rows += [[label, format_value(metrics.get(name)), "", ""] for name, label in COUNTS.items()
             if metrics.get(name) is not None]
    return rows


def question_rows(result: EvalResult) -> list[list[str]]:
    """Question, outcome, correct, sentences backed, problems: questions with problems first."""
    rows = []
    for q in result.questions:
        status = "declined" if q.abstained else "answered"
        correct = "" if q.correct is None else ("yes" if q.correct else "no")
        support = f"{sum(c.recall for c in q.checks)} of {len(q.checks)}" if q.checks else ""
        rows.append([q.record.question, status, correct, support, "; ".join(q.flags)])
    return sorted(rows, key=lambda r: not r[4])  # stable: flagged first, each group in the set's order


def plots(result: EvalResult) -> list[str | None]:
    """PNG paths of support per question and the score distribution, in a fresh private temp dir (never the
    data dir), removed at exit."""
    out = write_plots(result, private_temp("briefing-eval-") / "evaluation.md")
    return [str(out["support per question"]) if "support per question" in out else None,
            str(out["score distribution"]) if "score distribution" in out else None]
