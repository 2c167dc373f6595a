"""The ONNX Runtime path gives the same vectors as sentence-transformers on torch."""

from pathlib import Path

import numpy as np
import pytest

from ingest.embeddings import OnnxEmbedder

pytestmark = pytest.mark.slow

TEXTS = [
    "Russia secured a military foothold.",
    "Putin seized those reins with the November 9 agreement by forcing Armenia to surrender to the Azerbaijani "
    "demands under exclusive Russian control over the implementation process. " * 3,
    "Kurz.",
]


def test_onnx_matches_torch(embedder, tmp_path_factory: pytest.TempPathFactory) -> None:  # type: ignore[no-untyped-def]
    onnx = OnnxEmbedder(cache_dir=Path(tmp_path_factory.mktemp("models")))
    a = onnx.embed(TEXTS)
    b = embedder.embed(TEXTS)
    assert a.shape == b.shape == (3, 384)
    assert float(np.min(np.sum(a * b, axis=1))) > 0.9999
    assert onnx.count_tokens(TEXTS) == embedder.count_tokens(TEXTS)
    assert onnx.name == embedder.name and onnx.dimension == embedder.dimension
