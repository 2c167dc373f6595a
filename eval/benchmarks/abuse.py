"""One abusive client against `briefing serve`: server memory and another client's latency during a
burst of long questions.

    python -m eval.benchmarks.abuse                       # per-client limit as configured (default 4)
    python -m eval.benchmarks.abuse --per-client 1000     # effectively without it, for comparison
    BRIEFING_SERVER__SESSIONS=10000 python -m eval.benchmarks.abuse   # Gradio's own session cap

Ingests a small store (the bundled report plus --docs news articles) into a private BRIEFING_HOME,
starts `briefing serve` on 127.0.0.1, warms it with one question, then:
  * client A sends --burst questions of --chars characters (the server's cap is 4,000) all at once;
  * client B asks --normal ordinary questions one after another during the burst;
  * the server's RSS (psutil) is sampled every 0.2 s: before, peak during, right after the burst,
    and after --settle seconds idle;
  * then --sessions ordinary API questions (each call opens a session that is never closed), with
    the RSS after every 200.
The clients are told apart by X-Forwarded-For, as a reverse proxy on the same machine would send it
(uvicorn trusts it from 127.0.0.1). Requests go through the app's HTTP API (/gradio_api/call/ask),
the same queue the browser uses.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from eval.benchmarks.serving import OPENER, ServerNotReady, stop, wait_ready

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "ingest" / "samples" / "isw-2020-11-13-putin-wins-upset-victory-nagorno-karabakh.txt"
NEWS = Path("/tmp/news/_posts")
NORMAL = [
    "How many Russian peacekeepers will deploy, and for how long?",
    "Who controls the implementation of the agreement?",
    "What did Turkey gain from the conflict?",
    "By when must Armenia withdraw from Nagorno-Karabakh?",
    "Which Turkish drones were successful?",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def long_question(chars: int) -> str:
    """A question of ``chars`` characters made of the report's own words, so retrieval does real work."""
    words = SAMPLE.read_text(encoding="utf-8").split()
    text, i = "", 0
    while len(text) < chars - 1:
        text += words[i % len(words)] + " "
        i += 1
    return text[: chars - 1].rstrip() + "?"


def ask(url: str, question: str, address: str, timeout: float) -> tuple[str, float]:
    """Join the queue and read the answer stream: ("ok" | "limited" | "full" | "error", seconds)."""
    started = time.perf_counter()
    body = json.dumps({"data": [question, []]}).encode()
    request = urllib.request.Request(f"{url}gradio_api/call/ask", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-Forwarded-For": address})
    try:
        with OPENER.open(request, timeout=timeout) as response:
            event_id = json.loads(response.read())["event_id"]
        stream_request = urllib.request.Request(f"{url}gradio_api/call/ask/{event_id}",
                                                headers={"X-Forwarded-For": address})
        with OPENER.open(stream_request, timeout=timeout) as response:
            stream = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        kind = {429: "limited", 503: "full"}.get(exc.code, "error")
        return kind, time.perf_counter() - started
    except OSError:
        return "error", time.perf_counter() - started
    return ("ok" if "event: complete" in stream else "error"), time.perf_counter() - started


class RSS:
    """Samples a process's resident memory every ``interval`` seconds in a thread."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> int:
        return int(self.process.memory_info().rss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.now())
            time.sleep(self.interval)

    def __enter__(self) -> RSS:
        self.peak = self.now()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    env = {**os.environ, "BRIEFING_HOME": str(home)}
    if args.per_client is not None:
        env["BRIEFING_SERVER__PER_CLIENT_QUEUE"] = str(args.per_client)
    files = [str(SAMPLE)] + ([str(p) for p in sorted(NEWS.glob("*.md"))[: args.docs]] if NEWS.is_dir() else [])
    subprocess.run([sys.executable, "-m", "ui.cli", "ingest", *files], env=env, check=True, capture_output=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = home / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--port", str(port)], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        try:
            wait_ready(url, proc, log, seconds=180)
        except ServerNotReady as exc:
            raise SystemExit(str(exc)) from None
        assert ask(url, NORMAL[0], "127.0.9.2", args.timeout)[0] == "ok", log.read_text()[-2000:]
        rss = RSS(proc.pid)
        before = rss.now()
        quiet = [ask(url, q, "127.0.9.2", args.timeout)[1] for q in NORMAL]
        question = long_question(args.chars)
        with rss:
            with ThreadPoolExecutor(max_workers=args.burst) as pool:
                burst = [pool.submit(ask, url, question, "127.0.9.1", args.timeout) for _ in range(args.burst)]
                time.sleep(0.5)  # the burst has joined the queue
                during = [ask(url, NORMAL[i % len(NORMAL)], "127.0.9.2", args.timeout)
                          for i in range(args.normal)]
                outcomes = [f.result() for f in burst]
            peak = rss.peak
        after = rss.now()
        time.sleep(args.settle)
        settled = rss.now()
        # Then ordinary traffic: every API call opens a session that is never closed.
        sessions = []
        for done in range(0, args.sessions, 200):
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(lambda i: ask(url, NORMAL[i % len(NORMAL)], f"127.1.{i % 250}.1", args.timeout),
                              range(done, min(args.sessions, done + 200))))
            sessions.append((min(args.sessions, done + 200), round(rss.now() / 1_000_000)))
    finally:
        stop(proc)
    counts = {k: sum(1 for kind, _ in outcomes if kind == k) for k in ("ok", "limited", "full", "error")}
    ok_b = [s for kind, s in during if kind == "ok"]
    mb = 1_000_000
    return {
        "per_client": args.per_client or 4, "burst": args.burst, "chars": args.chars, "burst_outcomes": counts,
        "burst_ok_s_mean": round(sum(s for k, s in outcomes if k == "ok") / max(1, counts["ok"]), 2),
        "normal_quiet_s": [round(s, 2) for s in quiet],
        "normal_during": [(kind, round(s, 2)) for kind, s in during], "normal_during_ok": len(ok_b),
        "normal_during_max_s": round(max(ok_b), 2) if ok_b else None,
        "rss_mb": {"before": round(before / mb), "peak": round(peak / mb), "after": round(after / mb),
                   "settled": round(settled / mb)},
        "rss_mb_after_api_sessions": sessions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--burst", type=int, default=70, help="questions client A sends at once")
    parser.add_argument("--chars", type=int, default=4000, help="length of each of A's questions")
    parser.add_argument("--normal", type=int, default=5, help="ordinary questions client B asks during the burst")
    parser.add_argument("--docs", type=int, default=30, help="news articles in the store besides the report")
    parser.add_argument("--per-client", type=int, default=None, help="override BRIEFING_SERVER__PER_CLIENT_QUEUE")
    parser.add_argument("--sessions", type=int, default=1000, help="ordinary API questions after the burst")
    parser.add_argument("--settle", type=float, default=10.0, help="idle seconds before the last memory reading")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefing-abuse-") as home:
        result = run(args, Path(home))
    if args.json:
        print(json.dumps(result))
        return
    r, m = result, result["rss_mb"]
    print(f"per-client limit {r['per_client']}; client A: {r['burst']} questions of {r['chars']} chars at once")
    print(f"  A answered {r['burst_outcomes']['ok']} (mean {r['burst_ok_s_mean']} s), refused by the per-client "
          f"limit {r['burst_outcomes']['limited']}, queue full {r['burst_outcomes']['full']}, "
          f"errors {r['burst_outcomes']['error']}")
    print(f"  client B before the burst: {r['normal_quiet_s']} s")
    print(f"  client B during the burst: {r['normal_during']} (ok {r['normal_during_ok']}/{len(r['normal_during'])})")
    print(f"  server RSS MB: before {m['before']}, peak {m['peak']}, right after {m['after']}, "
          f"after {args.settle:.0f} s idle {m['settled']}")
    print("  then ordinary API questions (one session each), RSS MB: "
          + ", ".join(f"{n}: {v}" for n, v in r["rss_mb_after_api_sessions"]))


if __name__ == "__main__":
    main()
