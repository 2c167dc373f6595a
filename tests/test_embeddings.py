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
    cache = Path(tmp_path_factory.mktemp("models"))
    onnx = OnnxEmbedder(cache_dir=cache)
    a = onnx.embed(TEXTS)
    b = embedder.embed(TEXTS)
    assert a.shape == b.shape == (3, 384)
    assert float(np.min(np.sum(a * b, axis=1))) > 0.9999
    assert onnx.count_tokens(TEXTS) == embedder.count_tokens(TEXTS)
    assert onnx.name == embedder.name and onnx.dimension == embedder.dimension
    assert onnx.timings["tokenise"] > 0 and onnx.timings["model"] > 0  # the ingest reports them apart
    # One intra-op thread or one per core: the same vectors, so the setting never splits a store.
    assert np.array_equal(OnnxEmbedder(cache_dir=cache, threads=1).embed(TEXTS), a)


def test_export_runs_in_a_child_and_int8_stays_close(tmp_path: Path) -> None:
    """A first embed exports in a child process: torch never loads into the embedding process."""
    import subprocess
    import sys

    script = (
        "import sys, json; from pathlib import Path; from ingest.embeddings import OnnxEmbedder\n"
        f"texts = {TEXTS!r}\n"
        f"fp32 = OnnxEmbedder(cache_dir=Path({str(tmp_path)!r})).embed(texts)\n"
        f"int8 = OnnxEmbedder(cache_dir=Path({str(tmp_path)!r}), quantized=True).embed(texts)\n"
        "print(json.dumps({'torch': 'torch' in sys.modules, 'cos': float((fp32 * int8).sum(1).min())}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    result = __import__("json").loads(done.stdout.strip().splitlines()[-1])
    assert result["torch"] is False
    assert 0.95 < result["cos"] < 0.9999  # quantised per channel: close to fp32 but not equal
    assert "pre-processing" not in done.stderr  # the quantiser's advice is not shown to users


def test_failed_export_names_the_model(tmp_path: Path) -> None:
    model = tmp_path / "not-a-model"
    (model / "1_Pooling").mkdir(parents=True)
    (model / "1_Pooling" / "config.json").write_text('{"pooling_mode_mean_tokens": true, "word_embedding_dimension": 8}')
    with pytest.raises(RuntimeError, match=r"not-a-model.*exporting the model to ONNX failed"):
        OnnxEmbedder(str(model), cache_dir=tmp_path / "cache").embed(["text"])


def test_an_int8_vector_does_not_depend_on_the_texts_beside_it(tmp_path: Path) -> None:
    """Dynamic int8 quantisation scales a run's activations together: embedded in one run with other texts, a
    text got another vector (answers changed with what was asked before). Each text now runs alone."""
    int8 = OnnxEmbedder(cache_dir=tmp_path, quantized=True)
    together = int8.embed(TEXTS)
    assert np.array_equal(int8.embed(TEXTS[:1])[0], together[0])
    assert np.array_equal(int8.embed([TEXTS[2], TEXTS[0]])[1], together[0])
    assert int8.parallel_runs == (__import__("os").cpu_count() or 1)  # runs side by side, one per core
    single = OnnxEmbedder(cache_dir=tmp_path, quantized=True, threads=1)
    assert single.parallel_runs == 1 and np.array_equal(single.embed(TEXTS), together)
    batched = OnnxEmbedder(cache_dir=tmp_path, quantized=True, batch_size=8).embed(TEXTS)
    assert not np.array_equal(batched[0], together[0])  # what one run for all of them gave


def test_concurrent_callers_get_their_own_vectors(tmp_path: Path) -> None:
    """The web app embeds from several threads at once; the shared runs must put each row in its caller's place."""
    from concurrent.futures import ThreadPoolExecutor

    int8 = OnnxEmbedder(cache_dir=tmp_path, quantized=True)
    alone = [int8.embed([t])[0] for t in TEXTS]
    calls = [TEXTS, TEXTS[::-1], TEXTS[1:], TEXTS * 3]
    with ThreadPoolExecutor(4) as callers:
        results = list(callers.map(int8.embed, calls))
    for texts, vectors in zip(calls, results, strict=True):
        for text, vector in zip(texts, vectors, strict=True):
            assert np.array_equal(vector, alone[TEXTS.index(text)])
