"""Re-ordering the answer's candidate sentences with a model that reads question and sentence together.

The offline ranker (``assistant/ranker.py``) sees a sentence through a handful of measurements: its
cosine to the question, shared terms, the kind of answer asked. Most of its misses on the blind tune
questions are a sentence on the right subject that does not state the asked fact while the one that does
was retrieved (66 of 107 tune misses), which a cross-encoder trained for passage ranking reads directly.
None installs offline here, so none is the default: a user who has one (for example
``cross-encoder/ms-marco-MiniLM-L6-v2``) names it in ``answer.reranker`` and it re-orders the sentences the
ranker ranks best: the one it scores highest leads the answer, and the ranker's own best still follows it
when it fits. Whether to answer, and how sure the answer is, stay the ranker's: they are calibrated on
the tune half, and the cross-encoder's scores are not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from assistant.errors import ModelError


class Reranker(Protocol):
    def scores(self, question: str, sentences: Sequence[str]) -> list[float]:
        """How well each sentence answers the question; higher is better (any scale)."""
        ...


def load_cross_encoder(model: str, setting: str, *, device: str = "cpu", allow_download: bool = False,
                       **options: Any) -> Any:
    """A sentence-transformers CrossEncoder (name or path) for ``setting``, read from disk unless downloads
    are allowed. Asked per load rather than through HF_HUB_OFFLINE, which the hub reads once, when it is first
    imported: set later (as ``build`` does), it no longer kept a model off the network. A model that cannot
    be loaded is a ModelError naming the setting and the model."""
    from sentence_transformers import CrossEncoder

    try:
        return CrossEncoder(model, device=device, local_files_only=not allow_download, **options)
    except (OSError, ValueError) as exc:
        where = "" if allow_download else (" from disk (a path, or a name in the local Hugging Face cache; "
                                           "BRIEFING_EMBEDDING__ALLOW_DOWNLOAD=true lets it download)")
        reason = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0][:200]
        raise ModelError(f"{setting} {model!r} cannot be loaded{where}: {reason}") from None


class CrossEncoderReranker:
    """Any sentence-transformers CrossEncoder (name or path) with one output, the relevance of a passage to
    a query, as passage-ranking models have. An NLI model (several outputs) is refused: its pairs run
    premise first and its labels need another reading; it belongs in ``verifier.kind = cross-encoder``."""

    def __init__(self, model: str, *, device: str = "cpu", allow_download: bool = False) -> None:
        self.name = model
        self.model = load_cross_encoder(model, "answer.reranker", device=device, allow_download=allow_download)
        if self.model.num_labels != 1:
            raise ModelError(f"answer.reranker {model!r} has {self.model.num_labels} outputs; it needs a "
                             "passage-ranking CrossEncoder with one (an NLI model goes in verifier.model)")

    def scores(self, question: str, sentences: Sequence[str]) -> list[float]:
        if not sentences:
            return []
        out = np.asarray(self.model.predict([(question, s) for s in sentences], show_progress_bar=False), dtype=float)
        if out.size != len(sentences):
            raise ModelError(f"answer.reranker {self.name!r} gave {out.size} scores for {len(sentences)} sentences")
        return [float(v) for v in out.reshape(len(sentences))]
