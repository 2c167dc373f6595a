"""Ingest: documents, their structure, chunks and the store schema."""

from ingest.offline import disable_telemetry

# Here, because every path to ONNX Runtime, Chroma and Gradio imports this package first, and the
# switches only count when set before those libraries load (see ingest/offline.py).
disable_telemetry()
