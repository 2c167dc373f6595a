"""Run `briefing ingest` and `briefing serve` and record every DNS lookup and connection they attempt.

Started by tests/test_offline.py inside a fresh network namespace (only loopback up) and mount
namespace (/etc/resolv.conf bind-mounted to name 127.0.0.1 as the resolver), as root. A stub DNS
server on 127.0.0.1:53 records every name looked up (and refuses to answer); strace records every
connect/sendto/sendmsg of the briefing processes and their children, native code included (which
is what the Python-level guard in conftest cannot see). Writes a JSON report to ``WORKDIR/report.json``.

    python tests/offline_probe.py WORKDIR PORT
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from eval.benchmarks.serving import stop, wait_ready

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "ingest" / "samples"
QUESTIONS = ["Who brokered the agreement?", "How many Russian peacekeepers will deploy?",
             "What did Turkey gain from the ceasefire?"]
# ONNX Runtime's telemetry made its first lookup about 10 s after the session started (measured
# under strace); the server stays up this long after the first question so such a lookup shows.
OBSERVE_SECONDS = 30.0
TRACED = "connect,sendto,sendmsg"
_ADDRESS = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6,\s*"([^"]+)"')


class StubResolver(threading.Thread):
    """A DNS server on 127.0.0.1:53 that records each queried name and answers REFUSED."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 53))
        self.names: list[str] = []

    def run(self) -> None:
        while True:
            try:
                packet, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            self.names.append(_query_name(packet))
            if len(packet) >= 12:
                ident, flags = struct.unpack("!HH", packet[:4])
                reply_flags = 0x8000 | (flags & 0x0100) | 5  # response, recursion desired copied, REFUSED
                self.sock.sendto(struct.pack("!HH", ident, reply_flags) + packet[4:], peer)


def _query_name(packet: bytes) -> str:
    labels, i = [], 12
    while i < len(packet) and packet[i]:
        n = packet[i]
        labels.append(packet[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    qtype = struct.unpack("!H", packet[i + 1:i + 3])[0] if i + 3 <= len(packet) else 0
    return ".".join(labels) + f" (type {qtype})"


def outbound(trace: Path) -> list[str]:
    """strace lines that address anything but loopback (AF_UNIX and netlink carry no such address)."""
    bad = []
    for line in trace.read_text(errors="replace").splitlines() if trace.exists() else []:
        for v4, v6 in _ADDRESS.findall(line):
            address = ipaddress.ip_address(v4 or v6)
            mapped = getattr(address, "ipv4_mapped", None)
            if not (address.is_loopback or (mapped is not None and mapped.is_loopback)):
                bad.append(line.strip())
    return bad


def traced(log: Path, *args: str) -> list[str]:
    return ["strace", "-f", "-qq", "--seccomp-bpf", "-e", f"trace={TRACED}", "-o", str(log),
            sys.executable, "-m", "ui.cli", *args]


def upload(url: str, name: str, content: bytes) -> int:
    boundary = "briefingprobe"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{url}gradio_api/upload", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(response.status)


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def main(workdir: Path, port: int) -> None:
    resolver = StubResolver()
    resolver.start()
    steps: dict[str, object] = {}
    serve_log = workdir / "serve.log"
    done = subprocess.run(traced(workdir / "ingest.trace", "ingest", str(SAMPLE)), cwd=REPO,
                          capture_output=True, text=True, check=False)
    steps["ingest"] = done.returncode
    steps["ingest_stderr"] = done.stderr[-2000:]
    url = f"http://127.0.0.1:{port}/"
    with serve_log.open("wb") as log:
        server = subprocess.Popen(traced(workdir / "serve.trace", "serve", "--port", str(port)), cwd=REPO,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(url, server)
        # The README's client settings. gradio_client reports to huggingface.co unless
        # GRADIO_ANALYTICS_ENABLED=False (its analytics_enabled=False alone is overruled by the unset
        # variable), and huggingface_hub, building its headers, fetches an "agent harnesses" list from
        # huggingface.co unless HF_HUB_OFFLINE=1 (seen here: huggingface.co looked up by Client()).
        os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
        os.environ["HF_HUB_OFFLINE"] = "1"
        from gradio_client import Client

        client = Client(url, analytics_enabled=False, verbose=False)
        first = time.monotonic()
        answers = []
        for question in QUESTIONS:
            history, _, _ = client.predict(question, [], api_name="/ask")
            reply = history[-1]["content"]
            answers.append(reply[0]["text"] if isinstance(reply, list) else reply)
        steps["answers"] = answers
        briefing, md_file = client.predict("Turkey's position after the ceasefire", api_name="/brief")
        steps["briefing_chars"] = len(briefing)
        steps["briefing_file"] = bool(md_file)
        steps["upload"] = upload(url, "note.txt", b"A short note about the ceasefire in Nagorno-Karabakh.\n")
        steps["remote_file"] = status_of(f"{url}gradio_api/file=http://dns.google/")
        client.close()
        time.sleep(max(0.0, OBSERVE_SECONDS - (time.monotonic() - first)))
        steps["observed_seconds"] = round(time.monotonic() - first, 1)
    except Exception as exc:  # reported, not raised: the trace so far still matters
        steps["error"] = f"{exc.__class__.__name__}: {exc}"
    finally:
        stop(server, seconds=20)
    steps["serve_log"] = serve_log.read_text(errors="replace")[-2000:]
    report = {
        "steps": steps,
        "lookups": resolver.names,
        "outbound": outbound(workdir / "ingest.trace") + outbound(workdir / "serve.trace"),
        "traced_calls": sum(len(p.read_text(errors="replace").splitlines())
                            for p in (workdir / "ingest.trace", workdir / "serve.trace") if p.exists()),
    }
    (workdir / "report.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
