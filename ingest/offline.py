"""Every library's telemetry switched off, before the library loads: the app promises to run offline.

Each switch is read when its library starts, so setting it later is too late. Measured in a network
namespace under strace: a bare ``onnxruntime.InferenceSession`` looks up
``mobile.events.data.microsoft.com`` about 10 s after it starts and every 1-2 minutes after; calling
``onnxruntime.disable_telemetry_events()`` after the import did not stop it; ``ORT_DISABLE_TELEMETRY=1``
in the environment before the import did (no lookups in 90 s).
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

# Forced: the offline promise is not a default a stray variable may undo.
TELEMETRY_OFF = {
    "ORT_DISABLE_TELEMETRY": "1",  # ONNX Runtime's 1DS events (native code; Python guards cannot see it)
    "ANONYMIZED_TELEMETRY": "False",  # Chroma's posthog events (the store also passes anonymized_telemetry=False)
    "GRADIO_ANALYTICS_ENABLED": "False",  # Gradio's and gradio_client's usage reports to huggingface.co
    "HF_HUB_DISABLE_TELEMETRY": "1",  # huggingface_hub's usage pings
}
# Defaults only: a user who sets LangChain tracing (to their own LangSmith) asked for that traffic.
TRACING_OFF_BY_DEFAULT = {
    "LANGCHAIN_TRACING_V2": "false",
    "LANGSMITH_TRACING": "false",
}


def disable_telemetry(environ: MutableMapping[str, str] | None = None) -> None:
    """Switch telemetry off in ``environ`` (the process environment by default)."""
    env = os.environ if environ is None else environ
    env.update(TELEMETRY_OFF)
    for name, value in TRACING_OFF_BY_DEFAULT.items():
        env.setdefault(name, value)
