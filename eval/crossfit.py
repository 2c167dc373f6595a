"""The answers' six-fold cross-fit: how a change to the answer path moves answers the ranker was not fitted on.

    python -m eval.crossfit --corpus …/_posts [--home DIR] [--json] [--sets unseen_qa unseen_qa2 unseen_qa3]

The tune half of each blind set is split in two folds by its questions' first document
(``eval.ranker_fit.document_group(item, 2)``), six folds for the three sets. For each fold the learned ranker is
fitted as ``briefing eval --fit-ranker`` fits it (``eval.ranker_fit.fit``) on the other folds and the regression
sets (``FIT_ALSO``), and the fold is answered end to end with that model, as ``briefing eval --set NAME --split
tune`` answers it, and scored (``eval.runner.score``). The candidates' features are collected once per set, with
the heuristic ranker, as ``--fit-ranker`` collects them. Then the full fit (every fold and the regression sets)
answers the regression sets (in its fit) and the tune half of each ``--held-out`` set (not in it).

Only tune halves are used (the sets' files hold both halves; test items are dropped as they are read, and one
reaching a fold, a fit or an answered set is an error). Nothing is written but the stores and the model cache under
``HOME``: the fits stay in memory, and a run that finds any file under ``assistant/`` changed (the shipped ranker's
weights) fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.cli import FIT_ALSO, FitSet, _assistant_for, answering_with, collect_fit_sets, heuristic_settings
from eval.datasets import NEWS_SETS, EvalItem, load_items
from eval.metrics import percentile
from eval.ranker_fit import Outcome, answered_right, confidence_cv, document_group, fit
from eval.runner import QuestionResult, dump_results, run_assistant, score

if TYPE_CHECKING:
    from assistant.engine import Assistant
    from assistant.ranker import RankerWeights
    from assistant.verifier import Verifier
    from eval.ranker_fit import QuestionFeatures

# The blind sets whose tune halves are cross-fitted: unseen_qa3's is judging data (round 13), not in the shipped
# fit (``BLIND_SETS``), but each of its folds is fitted on the other five like the rest.
CROSSFIT_SETS = ("unseen_qa", "unseen_qa2", "unseen_qa3")
FOLDS_PER_SET = 2  # document folds per blind tune half
HELD_OUT = ("unseen_qa4",)  # answered by the full fit, never in it


@dataclass(frozen=True, order=True)
class Fold:
    set: str
    group: int

    def __str__(self) -> str:
        return f"{self.set}:{self.group}"


def fold_of(set_name: str, item: EvalItem, per_set: int = FOLDS_PER_SET) -> Fold:
    """A question's fold: its set and the document group of its first document (a follow-up shares its
    question's document, so the two stay together)."""
    return Fold(set_name, document_group(item, per_set))


def require_tune(items: Iterable[EvalItem], where: str) -> None:
    """The cross-fit reads tune halves (and the regression sets, which have none) only."""
    test = [i.id for i in items if i.split == "test"]
    if test:
        raise ValueError(f"{where}: {test[:3]} are test items; the cross-fit never reads a test half")


def split_folds(items_by_set: Mapping[str, Sequence[EvalItem]], per_set: int = FOLDS_PER_SET) -> dict[Fold, list[EvalItem]]:
    """Each set's items in its folds, in the sets' order and the items' own (a follow-up after what it follows)."""
    folds: dict[Fold, list[EvalItem]] = {Fold(name, g): [] for name in items_by_set for g in range(per_set)}
    for name, items in items_by_set.items():
        require_tune(items, name)
        for item in items:
            folds[fold_of(name, item, per_set)].append(item)
    return folds


def training(sets: Mapping[str, FitSet], blind: Sequence[str], held: Fold | None,
             per_set: int = FOLDS_PER_SET) -> list[QuestionFeatures]:
    """The fit questions without the held-out fold's (all of them for ``held`` None), in the sets' order:
    the blind sets' other folds and every question of the other sets (the regression sets)."""
    return [q for name, s in sets.items() for q in s.questions
            if held is None or name not in blind or fold_of(name, q.item, per_set) != held]


@dataclass
class Row:
    """What one fold's (or set's) answers came to, as counts."""

    name: str
    answerable: int = 0
    near_misses: int = 0  # the unanswerable questions: every one of a blind set's is a near miss
    correct: int = 0  # all reference facts, in at most 60 words
    evidence_cited: int = 0
    near_misses_abstained: int = 0
    answerable_abstained: int = 0
    words: list[int] = field(default_factory=list)  # of each answer given
    threshold: float | None = None
    outcomes: list[Outcome] = field(default_factory=list)  # each answer given, for judging its confidence

    @property
    def median_words(self) -> float | None:
        return percentile([float(w) for w in self.words], 50)

    def as_dict(self) -> dict[str, Any]:
        rates = {f"{key}_rate": round(getattr(self, key) / n, 3) if n else None
                 for key, n in (("correct", self.answerable), ("evidence_cited", self.answerable),
                                ("near_misses_abstained", self.near_misses),
                                ("answerable_abstained", self.answerable))}
        return {"name": self.name, "answerable": self.answerable, "near_misses": self.near_misses,
                "correct": self.correct, "evidence_cited": self.evidence_cited,
                "near_misses_abstained": self.near_misses_abstained, "answerable_abstained": self.answerable_abstained,
                "median_words": self.median_words, "threshold": self.threshold, **rates}


def tally(name: str, results: Sequence[QuestionResult], threshold: float | None = None) -> Row:
    """Counts of scored answers, read as ``eval.runner.aggregate`` reads them (correct is its concise correct)."""
    row = Row(name, threshold=threshold)
    for r in results:
        item = r.record.item
        if item is None:
            raise ValueError(f"{r.record.question[:60]}: no reference item to judge by")
        if item.answerable:
            row.answerable += 1
            row.correct += bool(r.concise_correct)
            row.evidence_cited += bool(r.cited_evidence)
            row.answerable_abstained += r.abstained
        else:
            row.near_misses += 1
            row.near_misses_abstained += r.abstained
        if not r.abstained:
            row.words.append(r.words)
    return row


def total(rows: Sequence[Row], name: str = "total") -> Row:
    """The folds summed; the median is over every answer of every fold, not a median of medians."""
    out = Row(name)
    for r in rows:
        for key in ("answerable", "near_misses", "correct", "evidence_cited", "near_misses_abstained",
                    "answerable_abstained"):
            setattr(out, key, getattr(out, key) + getattr(r, key))
        out.words += r.words
    return out


def answer(assistant: Assistant, weights: RankerWeights, items: Sequence[EvalItem], verifier: Verifier,
           k: int | None, name: str, dump: Path | None = None) -> Row:
    """``items`` answered end to end with ``weights`` and scored, as ``briefing eval --set`` does."""
    require_tune(items, name)
    records = run_assistant(answering_with(assistant, weights), items, k=k)
    result = score(records, verifier)
    if dump is not None:
        dump.mkdir(parents=True, exist_ok=True)
        dump_results(result, dump / f"{name.split(' ')[0].replace(':', '-')}.jsonl")
    row = tally(name, result.questions, weights.threshold)
    row.outcomes = answered_right(records)
    return row


def fold_table(rows: Sequence[Row], first: str = "fold") -> str:
    lines = [f"| {first} | answerable | near misses | threshold | correct | evidence cited | near misses abstained | "
             "answerable abstained | median words |", "| --- |" + " --- |" * 8]
    for r in rows:
        lines.append(f"| {r.name} | {r.answerable} | {r.near_misses} | "
                     f"{'-' if r.threshold is None else f'{r.threshold:.3f}'} | {r.correct} | {r.evidence_cited} | "
                     f"{r.near_misses_abstained} | {r.answerable_abstained} | {r.median_words} |")
    return "\n".join(lines)


def confidence_table(scores: Mapping[str, Mapping[str, float | None]]) -> str:
    """The folds' answers' confidence, out of fold: the answerability calibrated alone, and the model."""
    keys = ("answers", "auc", "confidence_brier", "confidence_ece", "wrong_answers_flagged", "right_answers_flagged")
    lines = ["| confidence (out of fold) | answers | AUC right vs wrong | Brier | ECE | wrong answers cued | "
             "right answers cued |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, got in scores.items():
        lines.append(f"| {name} | " + " | ".join("-" if got.get(k) is None else f"{got[k]:.3f}".rstrip("0").rstrip(".")
                                                  if k != "answers" else str(got[k]) for k in keys) + " |")
    return "\n".join(lines)


def rate_table(rows: Sequence[Row], by: str) -> str:
    lines = [f"| set ({by}) | questions | correct | evidence cited | near misses abstained | answerable abstained "
             "| median words |", "| --- |" + " --- |" * 6]
    for r in rows:
        d = r.as_dict()
        cells = [f"{d[k]:.3f}" if d[k] is not None else "-" for k in
                 ("correct_rate", "evidence_cited_rate", "near_misses_abstained_rate", "answerable_abstained_rate")]
        lines.append(f"| {r.name} | {r.answerable} + {r.near_misses} | " + " | ".join(cells) + f" | {r.median_words} |")
    return "\n".join(lines)


@dataclass
class CrossFit:
    folds: list[Row]
    full_fit: list[Row]  # the regression sets and the held-out sets' tune halves, answered by the full fit
    full: dict[str, Any]  # what the full fit chose
    shipped: list[Row] = field(default_factory=list)  # the same sets answered by the shipped weights (--shipped)
    seconds: float = 0.0
    # the folds' answers given the confidence that models fitted on the other folds' answers give them
    confidence: dict[str, dict[str, float | None]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"folds": [r.as_dict() for r in self.folds], "total": total(self.folds).as_dict(),
                "full_fit": {**self.full, "sets": [r.as_dict() for r in self.full_fit]},
                "shipped": [r.as_dict() for r in self.shipped], "confidence": self.confidence,
                "seconds": self.seconds}

    def text(self) -> str:
        out = [fold_table([*self.folds, total(self.folds)]), ""]
        out += [confidence_table(self.confidence), ""] if self.confidence else []
        out += [rate_table(self.full_fit, "full fit")]
        if self.shipped:
            out += ["", rate_table(self.shipped, "shipped ranker")]
        out += ["", f"full fit: threshold {self.full['threshold']}, relevance floor {self.full['relevance_floor']}; "
                f"fitted on {self.full['fitted_on']}", f"{self.seconds:.0f} s"]
        return "\n".join(out)


def shipped_state() -> dict[str, str]:
    """A digest of every file under ``assistant/`` (the ranker's and the verifier's weights among them)."""
    import hashlib

    import assistant

    root = Path(assistant.__file__).parent
    return {str(f.relative_to(root)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(root.rglob("*")) if f.is_file() and "__pycache__" not in f.parts}


def run(args: argparse.Namespace) -> CrossFit:
    from assistant.build import make_chat_model_from, make_embedder, make_verifier
    from assistant.ranker import RankerWeights
    from assistant.settings import Settings

    started = time.monotonic()
    before = shipped_state()
    settings = Settings()  # type: ignore[call-arg]  # fields come from the environment, as `briefing eval`'s
    if args.home is not None:
        settings = settings.model_copy(update={"home": args.home})
    embedder = make_embedder(settings)
    chat_model = make_chat_model_from(settings) if settings.verifier.kind == "llm-judge" else None
    verifier = make_verifier(settings, embedder, chat_model)
    log = sys.stderr

    blind = tuple(args.sets)
    sets = collect_fit_sets(blind + FIT_ALSO, args, settings, embedder)
    for s in sets.values():
        require_tune(s.items, s.name)
    print(f"features collected ({time.monotonic() - started:.0f} s): "
          + "; ".join(s.described for s in sets.values()), file=log)
    folds = split_folds({name: sets[name].items for name in blind})
    rows = []
    for held, items in folds.items():
        weights, _ = fit(training(sets, blind, held))
        rows.append(answer(sets[held.set].assistant, weights, items, verifier, args.k, str(held), args.dump))
        print(f"{held}: {rows[-1].as_dict()} ({time.monotonic() - started:.0f} s)", file=log)
    full, summary = fit(training(sets, blind, None))
    heuristic = heuristic_settings(settings)
    others = [(name, sets[name].assistant, sets[name].items) for name in FIT_ALSO]
    others += [(f"{name} (tune, not in the fit)", _assistant_for(name, args, heuristic, embedder), load_items(name, "tune"))
               for name in args.held_out]
    full_rows = [answer(assistant, full, items, verifier, args.k, name, args.dump) for name, assistant, items in others]
    shipped = RankerWeights.load() if args.shipped else None
    shipped_rows = [answer(assistant, shipped, items, verifier, args.k, name)
                    for name, assistant, items in others] if shipped else []
    described = {"threshold": full.threshold, "relevance_floor": full.relevance_floor,
                 "fitted_on": "; ".join(s.described for s in sets.values()),
                 "out_of_fold_false_abstention": summary["false_abstention"],
                 "out_of_fold_abstention_recall": summary["abstention_recall"]}
    if (after := shipped_state()) != before:  # the fits stay in memory: the shipped weights are never written
        raise RuntimeError(f"the cross-fit changed {sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))}")
    try:
        confidence = confidence_cv({r.name: r.outcomes for r in rows})
    except ValueError as e:  # too few answers in the folds to fit either (a run over one small set)
        print(f"the confidence is not judged: {e}", file=log)
        confidence = {}
    return CrossFit(rows, full_rows, described, shipped_rows, round(time.monotonic() - started, 1), confidence)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.crossfit", description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", type=Path, default=None, help="the news-2020 corpus's _posts folder")
    p.add_argument("--home", type=Path, default=None, help="where the stores are built (default BRIEFING_HOME)")
    blind = sorted(n for n in NEWS_SETS if n != "briefing_topics")  # the question sets with halves
    p.add_argument("--sets", nargs="+", choices=blind, default=list(CROSSFIT_SETS),
                   help="the blind sets whose tune halves are folded")
    p.add_argument("--held-out", nargs="*", choices=blind, default=list(HELD_OUT),
                   help="sets whose tune half the full fit answers (not fitted on)")
    p.add_argument("--shipped", action="store_true",
                   help="also answer the regression and held-out sets with the shipped ranker weights (read only)")
    p.add_argument("-k", type=int, default=None, help="passages retrieved per question")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--dump", type=Path, default=None,
                   help="a folder for one JSON line per answered question, per fold and full-fit set (as --dump of briefing eval)")
    p.set_defaults(extra=[], extra_limit=None)  # what eval.cli's store building reads
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if overlap := set(args.held_out) & set(args.sets):
        build_parser().error(f"{sorted(overlap)}: a held-out set cannot be cross-fitted too")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    result = run(args)
    print(json.dumps(result.as_dict(), ensure_ascii=False) if args.json else result.text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
