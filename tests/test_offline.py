"""No traffic leaves the machine: `briefing ingest` and `briefing serve` in a namespace with only loopback.

The guard in conftest sees Python sockets only; ONNX Runtime's telemetry is native code. So the real
commands run in their own network namespace (loopback only) with strace on every connection
attempt and a stub resolver on 127.0.0.1 recording every name looked up (tests/offline_probe.py).
Needs root (CI runs as root) and unshare, strace, ip and mount; .ci/run installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.offline import TELEMETRY_OFF, TRACING_OFF_BY_DEFAULT
from tests.conftest import REPO
from tests.servers import free_port

TOOLS = ("unshare", "strace", "ip", "mount")
# Variables the pytest process set (conftest, or importing ingest): the commands under test must
# switch telemetry off themselves, and reach no hub because nothing needs it, not because a test said so.
NOT_INHERITED = {*TELEMETRY_OFF, *TRACING_OFF_BY_DEFAULT, "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "DO_NOT_TRACK"}


def _cannot_run() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root for a network namespace (unshare --net); CI runs as root"
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        return f"needs {', '.join(missing)} (.ci/run installs strace and iproute2)"
    return None


def test_telemetry_switches_are_forced_and_tracing_is_a_default() -> None:
    from ingest.offline import disable_telemetry

    env = {"ORT_DISABLE_TELEMETRY": "0", "GRADIO_ANALYTICS_ENABLED": "True", "LANGSMITH_TRACING": "true"}
    disable_telemetry(env)
    assert env["ORT_DISABLE_TELEMETRY"] == "1" and env["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert env["ANONYMIZED_TELEMETRY"] == "False" and env["HF_HUB_DISABLE_TELEMETRY"] == "1"
    assert env["LANGSMITH_TRACING"] == "true"  # the user's own choice stays
    assert env["LANGCHAIN_TRACING_V2"] == "false"


def test_the_switches_are_set_before_any_library_loads() -> None:
    """A fresh interpreter importing the CLI has them set and has loaded none of the libraries."""
    code = ("import os, sys, ui.cli; print(os.environ.get('ORT_DISABLE_TELEMETRY'), "
            "any(m in sys.modules for m in ('onnxruntime', 'chromadb', 'gradio')))")
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    done = subprocess.run([sys.executable, "-c", code], env={**env, "PYTHONPATH": str(REPO)}, capture_output=True,
                          text=True, check=True)
    assert done.stdout.split() == ["1", "False"]


@pytest.mark.slow
@pytest.mark.server
def test_ingest_and_serve_reach_nothing_but_loopback(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    reason = _cannot_run()
    if reason:
        pytest.skip(reason)
    embedder.embed(["export the ONNX model before the namespace, once for the run"])
    workdir = tmp_path / "probe"
    workdir.mkdir()
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\noptions attempts:1 timeout:1\n")
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env["BRIEFING_HOME"] = str(tmp_path / "home")
    env["PYTHONPATH"] = str(REPO)
    script = (f"ip link set lo up && mount --bind {resolv} /etc/resolv.conf && "
              f"exec {sys.executable} {REPO / 'tests' / 'offline_probe.py'} {workdir} {free_port()}")
    done = subprocess.run(["unshare", "--net", "--mount", "--", "sh", "-c", script], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=420, check=False)
    assert done.returncode == 0, f"the namespace or the probe failed ({done.returncode}):\n{done.stderr[-3000:]}"
    report = json.loads((workdir / "report.json").read_text())
    steps = report["steps"]
    assert "error" not in steps, f"{steps['error']}\nserver log:\n{steps['serve_log']}"
    assert steps["ingest"] == 0, steps["ingest_stderr"]
    assert len(steps["answers"]) == 3 and all("[1]" in a for a in steps["answers"][:2]), steps["answers"]
    assert steps["briefing_chars"] > 200 and steps["briefing_file"]
    assert steps["upload"] == 200 and steps["remote_file"] == 403
    assert steps["observed_seconds"] >= 30
    assert report["traced_calls"] > 0, "strace recorded nothing: the trace is not watching the commands"
    assert report["lookups"] == [], f"DNS lookups: {report['lookups']}"
    assert report["outbound"] == [], "connections beyond loopback:\n" + "\n".join(report["outbound"][:20])
