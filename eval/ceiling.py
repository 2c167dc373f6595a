"""What the offline answerer could reach with a model that reads: its tune answers beside the same answers with the
choice of sentence, and then also the decision to answer, made by each question's own evidence and label.

    python -m eval.ceiling --corpus …/_posts [--home DIR] [--sets unseen_qa … unseen_qa5] [--json]

Each set's tune half (a regression set whole) is answered three ways with the shipped ranker and scored as
``briefing eval --set NAME --split tune`` scores it:

- **shipped**: as the product answers.
- **evidence leads**: a reranker that knows the question's evidence sentences (:class:`EvidenceReranker`) orders
  the ranker's best eight, as a cross-encoder named in ``answer.reranker`` does; when an evidence sentence is among
  them, it leads the answer. Whether to answer stays the ranker's.
- **answer iff answerable**: besides, the abstention threshold is 0 for an answerable question and above any
  probability for a near miss. The answerer's other reasons to abstain (a name no document mentions, a year the
  passages do not cover) still apply, so a few answerable questions may still abstain.

The first gap is what a reader would have to decide about which sentence answers, the second what it would have to
decide about whether any does; the last row is what the composition (quotes, the 60-word limit, parts) allows when
both are decided right. Nothing is fitted or chosen here, and test items are refused.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from eval.crossfit import Row, rate_table, require_tune, tally
from eval.datasets import NEWS_SETS, EvalItem, load_items
from eval.ranker_fit import holds_evidence
from eval.runner import run_assistant, score
from ingest.errors import BriefingError

if TYPE_CHECKING:
    from assistant.engine import Assistant
    from assistant.verifier import Verifier

VARIANTS = ("shipped", "evidence leads", "answer iff answerable")


@dataclass(frozen=True)
class EvidenceReranker:
    """A reranker (:class:`assistant.rerank.Reranker`) that knows the answer: a sentence holding one of
    ``evidence`` scores 1, any other 0."""

    evidence: Sequence[str]

    def scores(self, question: str, sentences: Sequence[str]) -> list[float]:
        return [float(holds_evidence(s, self.evidence)) for s in sentences]


def stand_in(assistant: Assistant, variant: str) -> Callable[[EvalItem], Assistant] | None:
    """The assistant answering each item for ``variant`` (None: the assistant as it is)."""
    from assistant.extractive import ExtractiveAnswerer

    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}: use one of {', '.join(VARIANTS)}")
    if assistant.mode != "extractive":  # a chat model would answer, and the stand-ins would change nothing
        raise BriefingError("the ceiling is measured on the extractive answerer (BRIEFING_ANSWER__MODE=extractive)")
    if variant == VARIANTS[0]:
        return None
    answerer = assistant.answerer
    if not isinstance(answerer, ExtractiveAnswerer) or answerer.ranker is None:
        raise BriefingError("the ceiling is measured on the extractive answerer with its learned ranker")
    knows_answerable = variant == VARIANTS[2]

    def for_item(item: EvalItem) -> Assistant:
        threshold = (0.0 if item.answerable else math.inf) if knows_answerable else None
        return assistant.with_answerer(answerer.with_reranker(EvidenceReranker(item.evidence), min_score=threshold))

    return for_item


def measure(assistant: Assistant, items: Sequence[EvalItem], verifier: Verifier, name: str,
            k: int | None = None) -> list[Row]:
    """``items`` answered and scored once per variant."""
    require_tune(items, name)
    rows = []
    for variant in VARIANTS:
        records = run_assistant(assistant, items, k=k, assistant_for=stand_in(assistant, variant))
        rows.append(tally(f"{name}: {variant}", score(records, verifier).questions))
    return rows


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.ceiling", description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", type=Path, default=None, help="the news-2020 corpus's _posts folder")
    p.add_argument("--home", type=Path, default=None, help="where the stores are built (default BRIEFING_HOME)")
    question_sets = sorted(n for n in NEWS_SETS if n != "briefing_topics")
    p.add_argument("--sets", nargs="+", choices=[*question_sets, "isw_report", "news_conflict"],
                   default=question_sets, help="the sets whose tune halves are answered")
    p.add_argument("-k", type=int, default=None, help="passages retrieved per question")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(extra=[], extra_limit=None)  # what eval.cli's store building reads
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from assistant.build import make_chat_model_from, make_embedder, make_verifier
    from assistant.settings import Settings
    from eval.cli import _assistant_for

    args = build_parser().parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    settings = Settings()  # type: ignore[call-arg]  # fields come from the environment, as `briefing eval`'s
    if args.home is not None:
        settings = settings.model_copy(update={"home": args.home})
    settings = settings.model_copy(update={"answer": settings.answer.model_copy(update={"mode": "extractive"})})
    embedder = make_embedder(settings)
    verifier = make_verifier(settings, embedder,
                             make_chat_model_from(settings) if settings.verifier.kind == "llm-judge" else None)
    rows: list[Row] = []
    for name in args.sets:
        items = [i for i in load_items(name) if i.split != "test"]
        rows += measure(_assistant_for(name, args, settings, embedder), items, verifier, name, args.k)
        print(f"{name} done", file=sys.stderr)
    print(json.dumps([r.as_dict() for r in rows]) if args.json else rate_table(rows, "tune half"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
