"""``briefing eval``: the evaluation command, kept apart from the rest of the CLI."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.calibration import agreement, fit_thresholds
from eval.datasets import CALIBRATION, corpus_for, load_items
from eval.report import table, write_markdown
from eval.runner import dump_results, load_answers, run_assistant, score, workspace_for_set

if TYPE_CHECKING:
    from assistant.engine import Assistant
    from assistant.settings import Settings
    from assistant.verifier import ProxyVerifier, Verifier


# The regression sets join the unseen set's tune half in fitting the answer ranker: their questions are
# not a measure of generalisation any more (the old heuristics were chosen on them), and 96 more
# questions, 19 of them unanswerable, steady the answerability model. The unseen test half stays out.
FIT_ALSO = ("isw_report", "news_conflict")


def verifier_summary(verifier: ProxyVerifier, cache_dir: Path) -> dict[str, Any]:
    """The verifier's agreement with the calibration labels, cached per thresholds and fixture."""
    key = hashlib.sha256((repr(verifier.thresholds) + CALIBRATION.read_text(encoding="utf-8")).encode()).hexdigest()[:16]
    cache = cache_dir / f"verifier-agreement-{key}.json"
    if cache.is_file():
        return dict(json.loads(cache.read_text()))
    result = {"name": "proxy", **agreement(verifier).as_dict()}
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(result))
    return result


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.build import make_embedder
    from assistant.verifier import ProxyVerifier

    embedder = make_embedder(settings)
    verifier = ProxyVerifier(embedder)
    eval_home = settings.home / "eval"
    log = sys.stderr

    if args.calibration:
        summary = verifier_summary(verifier, eval_home)
        if args.fit:
            fitted, in_sample, cv = fit_thresholds(verifier)
            summary.update({"fitted_thresholds": fitted.__dict__, "fit_accuracy": in_sample, "cv_accuracy": cv})
        _emit({"verifier": summary}, args, lambda: json.dumps(summary, indent=2))
        return 0

    if args.fit_ranker:
        from assistant.ranker import DEFAULT_WEIGHTS
        from eval.ranker_fit import collect, fit

        # Candidates come from retrieval and the scorer alone: build without the weights being fitted.
        heuristic = settings.model_copy(update={"answer": settings.answer.model_copy(update={"ranker": "heuristic"})})
        questions = []
        fitted_on = []
        for name in (args.dataset or "unseen_qa", *FIT_ALSO):
            items = [i for i in load_items(name) if i.split != "test"]  # the built-in sets have no halves
            questions += collect(_assistant_for(name, args, heuristic, embedder), items, k=args.k)
            fitted_on.append(f"{name} ({len(items)} questions{', tune half' if items and items[0].split else ''})")
        weights, fit_summary = fit(questions)
        weights.fitted_on = "; ".join(fitted_on)
        weights.save(DEFAULT_WEIGHTS)
        _emit({"fitted": fit_summary, "fitted_on": weights.fitted_on}, args,
              lambda: json.dumps({"fitted": fit_summary, "fitted_on": weights.fitted_on, "written": str(DEFAULT_WEIGHTS)},
                                 indent=2))
        return 0

    if args.calibrate_abstention:
        from eval.calibration import sweep_min_score
        from eval.datasets import BUILTIN_SETS

        runs = []
        unthresholded = settings.model_copy(update={"answer": settings.answer.model_copy(update={"min_score": 0.0})})
        for name in BUILTIN_SETS:
            if corpus_for(name) is None:
                continue
            assistant = _assistant_for(name, args, unthresholded, embedder)
            runs += [(item, assistant.ask(item.question, k=args.k)) for item in load_items(name)]
        sweep = sweep_min_score(runs)
        sweep_summary: dict[str, Any] = {"best_min_score": sweep.best, "current_min_score": settings.answer.min_score,
                                   "sweep": sweep.rows}
        _emit(sweep_summary, args, lambda: "\n".join(
            ["threshold  accuracy  answer_correctness  abstention_recall"]
            + [f"{r['threshold']:<9.2f}  {r['accuracy']:<8.3f}  {r['answer_correctness']:<18.3f}  {r['abstention_recall']:.3f}"
               for r in sweep.rows]
            + [f"best min_score: {sweep.best} (configured: {settings.answer.min_score}; set BRIEFING_ANSWER__MIN_SCORE)"]))
        return 0

    if args.briefings is not None or args.briefing_set is not None:
        return _run_briefing_eval(args, settings, verifier, embedder)

    if args.answers is not None:
        records = load_answers(args.answers)
        title = f"Grounding of {args.answers.name}"
    else:
        name = args.dataset or "isw_report"
        items = load_items(name, args.split)
        mode = settings.retrieval.mode if args.retriever == "default" else args.retriever
        variant = settings.model_copy(update={"retrieval": settings.retrieval.model_copy(update={"mode": mode})})
        assistant = _assistant_for(name, args, variant, embedder)
        records = run_assistant(assistant, items, k=args.k, progress=not args.json)
        title = f"Evaluation of the assistant on {name} ({args.retriever} retriever)"
    result = score(records, verifier, progress=not args.json)
    summary = verifier_summary(verifier, eval_home)
    metrics = {**result.metrics, "verifier": {k: summary[k] for k in ("name", "accuracy", "kappa", "binary_accuracy", "n")}}
    if args.dump:
        dump_results(result, args.dump)
    if args.report:
        path = write_markdown(result, args.report, title=title, verifier=summary)
        print(f"report written to {path}", file=log)
    if not args.json:
        for q in result.questions:
            for flag in q.flags:
                print(f"{q.record.question[:70]}: {flag}")
    _emit(metrics, args, lambda: table(result.metrics, summary))
    return 0


def _run_briefing_eval(args: argparse.Namespace, settings: Settings, verifier: Verifier, embedder: Any) -> int:
    """Score a briefings file, or write and score our own briefings on a built-in topic set."""
    from eval.briefings import load_briefings, load_topics, result_rows, score_briefings, write_briefings
    from eval.datasets import BRIEFING_TOPICS

    if args.briefings is not None:
        records = load_briefings(args.briefings)
        if args.split:
            records = [r for r in records if r.item is not None and r.item.split == args.split]
    else:
        name = args.briefing_set
        # The built-in set is written over one store holding every topic's documents and the bundled
        # report, as an analyst would have them; a set given by path is written over the user's store.
        topics = load_topics(BRIEFING_TOPICS if name == "briefing_topics" else Path(name), args.split)
        assistant = _assistant_for(name, args, settings, embedder)
        records = write_briefings(assistant, topics, progress=not args.json, words=args.words)
    results, metrics = score_briefings(records, verifier)
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as out:
            for row in result_rows(results):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    _emit(metrics, args, lambda: "\n".join(
        [f"{r['id'] or '-':6} facts {r['facts'] or '-':5} supported {r['supported']:6} words {r['words']:4}  {r['topic'][:60]}"
         for r in result_rows(results)]
        + [f"{k}: {v}" for k, v in metrics.items() if k != "ci95"]))
    return 0


def _emit(obj: dict[str, Any], args: argparse.Namespace, text: Any) -> None:
    if args.json:
        print(json.dumps(obj, ensure_ascii=False), flush=True)
    else:
        print(text())


def _assistant_for(name: str, args: argparse.Namespace, settings: Settings, embedder: Any) -> Assistant:
    workspace, report = workspace_for_set(name, settings, embedder, extras=args.extra, extra_limit=args.extra_limit,
                                          news_dir=args.corpus)
    if report is not None and (report.count("added") or report.count("failed")):
        print(report.summary(), file=sys.stderr)
    return workspace.assistant
