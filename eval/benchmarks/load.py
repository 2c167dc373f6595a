"""Concurrent chat clients against a running `briefing serve`: latency percentiles and errors.

    python -m eval.benchmarks.load --url http://127.0.0.1:7860/ --clients 1 5 25 --requests 4

Each client asks questions in turn through the app's "ask" API (gradio_client, the same queue the
browser uses). Requests refused because the queue is full are counted as "busy", apart from
errors; a request that takes longer than --timeout counts as a hang. Only loopback URLs are allowed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlparse

QUESTIONS = [
    "How many Russian peacekeepers will deploy, and for how long?",
    "Who controls the implementation of the agreement?",
    "What did Turkey gain from the conflict?",
    "By when must Armenia withdraw from Nagorno-Karabakh?",
    "Which Turkish drones were successful?",
    "What is the capital of France?",
]


def _connect(client_class: Any, url: str, number: int, attempts: int = 3) -> Any:
    # Each simulated user is its own client address, as real users are: the server limits queued
    # requests per address (X-Forwarded-For, which it trusts from loopback), so N clients sharing
    # 127.0.0.1 would measure that limit rather than the load. The addresses stay in 127.0.0.0/8.
    headers = {"X-Forwarded-For": f"127.0.{1 + number // 250}.{1 + number % 250}"}
    for attempt in range(attempts):
        try:
            return client_class(url, verbose=False, headers=headers)
        except Exception:
            if attempt == attempts - 1:
                raise
            time.sleep(1.0)
    raise AssertionError("unreachable")


def run_level(url: str, clients: int, requests: int, timeout: float) -> dict[str, Any]:
    from gradio_client import Client

    latencies: list[float] = []
    outcome = {"ok": 0, "busy": 0, "error": 0, "hang": 0}
    lock = threading.Lock()
    errors: list[str] = []

    # Connect first, one client at a time: each connection fetches the app's config and API info,
    # and 25 at once timed out in the client library (5 s) before any question was asked.
    connected = [_connect(Client, url, n) for n in range(clients)]

    def client_loop(number: int) -> None:
        client = connected[number]
        for i in range(requests):
            question = QUESTIONS[(number + i) % len(QUESTIONS)]
            started = time.perf_counter()
            job = client.submit(question, [], api_name="/ask")
            try:
                job.result(timeout=timeout)
                kind = "ok"
            except TimeoutError:
                kind = "hang"
            except Exception as exc:
                text = str(exc)
                busy = ("queue is full", "requests waiting or running")
                kind = "busy" if any(b in text.lower() for b in busy) else "error"
                if kind == "error":
                    errors.append(text[:200])
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                outcome[kind] += 1
                if kind == "ok":
                    latencies.append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client_loop, range(clients)))
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float | None:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1) if latencies else None

    return {"clients": clients, "requests": clients * requests, **outcome, "p50_ms": pct(0.5), "p95_ms": pct(0.95),
            "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
            "throughput_rps": round(outcome["ok"] / wall, 2), "errors_sample": errors[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 5, 25])
    parser.add_argument("--requests", type=int, default=4, help="questions per client")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a request counts as a hang")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    host = urlparse(args.url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load tests only target this machine (127.0.0.1)")
    results = [run_level(args.url, n, args.requests, args.timeout) for n in args.clients]
    if args.json:
        print(json.dumps(results))
        return
    print(f"{'clients':>7} {'requests':>8} {'ok':>5} {'busy':>5} {'errors':>6} {'hangs':>5} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>6}")
    for r in results:
        print(f"{r['clients']:>7} {r['requests']:>8} {r['ok']:>5} {r['busy']:>5} {r['error']:>6} {r['hang']:>5} "
              f"{r['p50_ms'] or 0:>8.1f} {r['p95_ms'] or 0:>8.1f} {r['throughput_rps']:>6.2f}")


if __name__ == "__main__":
    main()
