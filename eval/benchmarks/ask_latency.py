"""Answer latency over an existing store: warm (one process, many questions) and cold (new process each).

    BRIEFING_HOME=… python -m eval.benchmarks.ask_latency --cold 3

Questions come from both built-in sets. Warm latency is the assistant's own timing per question
after one warm-up question; cold is the wall time of `briefing ask` in a fresh process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", type=int, default=3, help="fresh-process runs")
    parser.add_argument("--mode", choices=["extractive"], default="extractive")
    parser.add_argument("--stages", type=int, default=10, help="print where the time went for the N slowest questions")
    args = parser.parse_args()

    from assistant.build import build
    from eval.datasets import load_items
    from ingest.errors import BriefingError

    questions = [i.question for name in ("isw_report", "news_conflict") for i in load_items(name)]
    assistant = build().assistant
    docs = len(assistant.documents())
    try:
        assistant.ask(questions[0])
    except BriefingError as exc:  # an empty store, another model's: a line to act on, not a traceback
        raise SystemExit(f"ask_latency: {exc}") from None
    watch = Stopwatch(assistant)
    per_question = []
    for q in questions:
        watch.reset()
        total = assistant.ask(q).timings_ms["total"]
        per_question.append((total, q, dict(watch.ms)))
    timings = sorted(t for t, _, _ in per_question)
    p50, p95 = timings[len(timings) // 2], timings[int(0.95 * (len(timings) - 1))]
    print(f"store: {docs} documents, {assistant.store.count()} chunks")
    print(f"warm ask ({len(timings)} questions): p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {timings[-1]:.0f} ms")
    if args.stages:
        print(f"slowest {args.stages} questions, ms by stage (lexical runs beside embed + dense query):")
        print("  " + " ".join(f"{n:>9}" for n in ("total", *Stopwatch.STAGES)))
        for total, q, ms in sorted(per_question, reverse=True)[: args.stages]:
            print("  " + " ".join(f"{v:>9.1f}" for v in (total, *(ms.get(n, 0.0) for n in Stopwatch.STAGES)))
                  + f"  {q[:50]}")
        means = {n: sum(ms.get(n, 0.0) for _, _, ms in per_question) / len(per_question) for n in Stopwatch.STAGES}
        print("  mean over all: " + ", ".join(f"{n} {v:.1f}" for n, v in means.items()))
    print(per_call("store.generation() (checked per question)", lambda _: assistant.store.generation(), questions))
    print(per_call("store.count() (what it replaced)", lambda _: assistant.store.count(), questions))
    lexical = getattr(assistant.retriever, "lexical", None)
    if lexical is not None:
        print(per_call("lexical search, 30 hits", lambda q: lexical.search(q, 30), questions))
    cold = []
    for _ in range(args.cold):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ui.cli", "ask", questions[0]], check=True, capture_output=True)
        cold.append(time.perf_counter() - started)
    if cold:
        print(f"cold `briefing ask` (new process, store ready): {min(cold):.2f} s best, {max(cold):.2f} s worst")


class Stopwatch:
    """Wraps the assistant's parts on their instances to time each stage of a question (benchmark only)."""

    STAGES = ("embed_q", "dense", "lexical", "fetch", "embed_s", "features", "draft")

    def __init__(self, assistant: Any) -> None:
        import assistant.extractive as extractive

        self.ms: dict[str, float] = {}
        retriever, answerer = assistant.retriever, assistant.answerer
        scorer = answerer.scorer
        self._wrap(retriever.embedder, "embed", "embed_q")  # the retriever's own embeds: the query
        self._wrap(assistant.store, "query", "dense")
        self._wrap(assistant.store, "get_chunks", "fetch")
        if getattr(retriever, "lexical", None) is not None:
            self._wrap(retriever.lexical, "search", "lexical")
        self._wrap(scorer, "_attach_vectors", "embed_s", exclusive_of="embed_q")
        self._wrap(answerer, "draft", "draft")
        original = extractive.feature_matrix
        def features(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self._add("features", started)
        extractive.feature_matrix = features  # type: ignore[assignment]

    def reset(self) -> None:
        self.ms = {}

    def _add(self, stage: str, started: float) -> None:
        self.ms[stage] = self.ms.get(stage, 0.0) + (time.perf_counter() - started) * 1000

    def _wrap(self, obj: Any, name: str, stage: str, exclusive_of: str | None = None) -> None:
        original = getattr(obj, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            before = self.ms.get(exclusive_of, 0.0) if exclusive_of else 0.0
            try:
                return original(*args, **kwargs)
            finally:
                self._add(stage, started)
                if exclusive_of:  # sentence embeds go through the same embedder: count them once
                    self.ms[exclusive_of] = before
        setattr(obj, name, timed)


def per_call(what: str, call: Callable[[str], object], questions: list[str]) -> str:
    times = []
    for question in questions:
        started = time.perf_counter()
        call(question)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return f"{what}: p50 {times[len(times) // 2]:.2f} ms, p95 {times[int(0.95 * (len(times) - 1))]:.2f} ms"


if __name__ == "__main__":
    main()
