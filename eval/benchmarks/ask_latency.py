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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", type=int, default=3, help="fresh-process runs")
    parser.add_argument("--mode", choices=["extractive"], default="extractive")
    args = parser.parse_args()

    from assistant.build import build
    from eval.datasets import load_items

    questions = [i.question for name in ("isw_report", "news_conflict") for i in load_items(name)]
    assistant = build().assistant
    docs = len(assistant.documents())
    assistant.ask(questions[0])
    timings = sorted(assistant.ask(q).timings_ms["total"] for q in questions)
    p50, p95 = timings[len(timings) // 2], timings[int(0.95 * (len(timings) - 1))]
    print(f"store: {docs} documents, {assistant.store.count()} chunks")
    print(f"warm ask ({len(timings)} questions): p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {timings[-1]:.0f} ms")
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
