"""Outputs of an evaluation: a terminal table, and a Markdown report with plots and per-question detail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eval.runner import EvalResult

RATE_METRICS = [
    ("citation_recall", "ALCE citation recall: sentences whose cited passages support them"),
    ("citation_precision", "ALCE citation precision: citations that are not irrelevant"),
    ("groundedness", "sentences supported by any retrieved passage"),
    ("uncited_claim_rate", "sentences with no citation marker"),
    ("invalid_marker_rate", "markers that point at no passage"),
    ("concise_correctness", "answerable questions with every reference fact, in at most 60 words (\"correct\")"),
    ("answer_correctness", "answerable questions with every reference fact in the answer, at any length"),
    ("fact_recall", "reference facts found in answers"),
    ("abstention_recall", "unanswerable questions abstained on"),
    ("abstention_precision", "abstentions that were right to abstain"),
    ("false_abstention_rate", "answerable questions abstained on"),
    ("cited_evidence_rate", "answered questions whose citations hold an evidence sentence"),
    ("evidence_recall_at_k", "evidence sentences in the retrieved passages"),
    ("mrr", "mean reciprocal rank of the first passage holding evidence"),
    ("confidence_ece", "expected calibration error of the answers' confidence (0 is calibrated)"),
    ("confidence_brier", "mean squared gap between an answer's confidence and its being right"),
    ("wrong_answers_flagged", "wrong answers shown as a weak match"),
    ("right_answers_flagged", "right answers shown as a weak match"),
]


def format_value(value: Any) -> str:
    """A metric as shown in tables: three decimals, a dash for none."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def table(metrics: dict[str, Any], verifier: dict[str, Any] | None = None) -> str:
    """A plain-text table of every metric with its 95% interval."""
    ci = metrics.get("ci95", {})
    rows = [("metric", "value", "95% CI", "meaning")]
    for name, meaning in RATE_METRICS:
        interval = ci.get(name)
        rows.append((name, format_value(metrics.get(name)), f"{interval[0]:.3f}–{interval[1]:.3f}" if interval else "", meaning))
    for name in ("latency_p50_ms", "latency_p95_ms", "n_questions", "n_answered", "n_answerable", "n_unanswerable", "n_statements"):
        rows.append((name, format_value(metrics.get(name)), "", ""))
    if verifier:
        rows.append(("verifier", str(verifier.get("name")), "", "a proxy for entailment, not an NLI model" if verifier.get("name") == "proxy" else ""))
        for key in ("accuracy", "kappa", "binary_accuracy", "cv_accuracy"):
            if key in verifier:
                rows.append((f"verifier_{key}", format_value(verifier[key]), "", f"against {verifier.get('n')} hand-labelled pairs ({verifier.get('set', 'labels')})"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_markdown(result: EvalResult, path: Path, *, title: str, verifier: dict[str, Any] | None = None) -> Path:
    """A Markdown report with plots beside it (PNG) and per-question detail."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = plots(result, path)
    lines = [f"# {title}", "", "```", table(result.metrics, verifier), "```", ""]
    if verifier and verifier.get("name") == "proxy":
        lines += ["Verdicts come from the offline *proxy* verifier (lexical coverage, required numbers, dates and",
                  "names, clause-scoped negation and hedges, embedding similarity), combined by weights fitted on the",
                  "tune half of the labelled claims; it is not an NLI model.", ""]
    lines += [f"![{name}]({p.name})" for name, p in figures.items()]
    lines += ["", "## Per question", ""]
    for q in result.questions:
        item = q.record.item
        status = "abstained" if q.abstained else "answered"
        # "correct" is the README's: every reference fact within the word limit
        verdict = ("" if q.correct is None else " · correct" if q.concise_correct
                   else " · every fact but over the word limit" if q.correct else " · incorrect")
        lines.append(f"### {item.id + ': ' if item else ''}{q.record.question}")
        lines.append(f"*{status}{verdict}*" + (" · unanswerable" if item and not item.answerable else ""))
        lines.append("")
        lines.append("> " + q.record.answer.replace("\n", "\n> "))
        lines.append("")
        for c in q.checks:
            lines.append(f"- {c.verdict.label} ({c.verdict.score:.2f}) “{c.claim}”")
            if not c.recall:
                lines.append(f"  - best window: “{c.verdict.window[:300]}”")
                lines.append(f"  - why: {'; '.join(c.verdict.reasons) or '—'}")
        for flag in q.flags:
            lines.append(f"- **flag:** {flag}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def plots(result: EvalResult, path: Path) -> dict[str, Path]:
    """Per-question support and the score distribution, as PNG files beside ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 13, "axes.titlesize": 15, "axes.labelsize": 13})  # readable in the app
    out: dict[str, Path] = {}
    answered = [q for q in result.questions if q.checks]
    if answered:
        fig, ax = plt.subplots(figsize=(max(7, min(14, len(answered) * 0.18)), 3.6))
        ax.bar(range(len(answered)), [sum(c.recall for c in q.checks) / len(q.checks) for q in answered], color="#4a7")
        ax.set_ylim(0, 1)
        ax.set_ylabel("share backed")
        ax.set_xlabel("answered questions, in order")
        ax.set_title("Sentences backed by their footnotes, per answer")
        fig.tight_layout()
        out["support per question"] = path.with_name(path.stem + "-support.png")
        fig.savefig(out["support per question"], dpi=110)
        plt.close(fig)
        scores = [c.verdict.score for q in answered for c in q.checks]
        fig, ax = plt.subplots(figsize=(7, 3.6))
        ax.hist(scores, bins=20, range=(0, 1), color="#47a")
        ax.set_xlabel("how strongly the footnote backs the sentence (0 to 1)")
        ax.set_ylabel("sentences")
        ax.set_title("How well sentences are backed")
        fig.tight_layout()
        out["score distribution"] = path.with_name(path.stem + "-scores.png")
        fig.savefig(out["score distribution"], dpi=110)
        plt.close(fig)
    return out
