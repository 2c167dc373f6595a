"""The web app's grounding evaluation: the same scoring as ``briefing eval``, with progress and figures."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.datasets import BUILTIN_SETS, corpus_for, load_items
from eval.report import RATE_METRICS, format_value
from eval.report import plots as write_plots
from eval.runner import AnswerRecord, EvalResult, load_answers, run_assistant, score, workspace_for_set

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
    return load_answers(path)


def score_records(records: list[AnswerRecord], verifier: Any, step: Step | None = None) -> EvalResult:
    return score(records, verifier, step=step)


def metrics_rows(metrics: dict[str, Any]) -> list[list[str]]:
    """metric, value, 95% CI, meaning: the rates of :data:`eval.report.RATE_METRICS`, then the counts."""
    ci = metrics.get("ci95", {})
    rows = []
    for name, meaning in RATE_METRICS:
        interval = ci.get(name)
        rows.append([name, format_value(metrics.get(name)), f"{interval[0]:.3f}–{interval[1]:.3f}" if interval else "", meaning])
    rows += [[name, format_value(metrics.get(name)), "", ""] for name in COUNT_METRICS]
    return rows


def question_rows(result: EvalResult) -> list[list[str]]:
    """question, status, correct, supported sentences, flags."""
    rows = []
    for q in result.questions:
        status = "abstained" if q.abstained else "answered"
        correct = "" if q.correct is None else ("yes" if q.correct else "no")
        support = f"{sum(c.recall for c in q.checks)}/{len(q.checks)}" if q.checks else ""
        rows.append([q.record.question, status, correct, support, "; ".join(q.flags)])
    return rows


def plots(result: EvalResult) -> list[str | None]:
    """PNG paths of support per question and the score distribution, in a fresh temp dir (never the data dir)."""
    out = write_plots(result, Path(tempfile.mkdtemp(prefix="briefing-eval-")) / "evaluation.md")
    return [str(out["support per question"]) if "support per question" in out else None,
            str(out["score distribution"]) if "score distribution" in out else None]
