"""Export a sentence-transformers model to ONNX once (and optionally quantise it to int8).

Run as ``python -m ingest.export MODEL_DIR CACHE_DIR [--int8]`` by ``OnnxEmbedder``, so torch is only
ever imported in this short-lived child process.
"""

from __future__ import annotations

import argparse
import logging
import os
import warnings
from pathlib import Path
from typing import Any


def export_onnx(model_dir: Path, target: Path) -> None:
    """Export a BERT-style sentence-transformers model (mean pooling, L2 norm) to ONNX with torch."""
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a one-time export needs no progress bar in the user's terminal
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()

    class SentenceEncoder(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    sample = tokenizer(["a sentence", "another, longer sentence"], padding=True, return_tensors="pt")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")  # concurrent exports must not share a file
    axes = {"0": "batch", "1": "tokens"}
    with warnings.catch_warnings():  # tracer chatter about constants that do not vary for an encoder
        warnings.simplefilter("ignore")
        _export(torch, SentenceEncoder(model), sample, partial, axes)
    os.replace(partial, target)


def _export(torch: Any, module: Any, sample: Any, partial: Path, axes: dict[str, str]) -> None:
    torch.onnx.export(
        module, (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]), str(partial),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["embedding"],
        dynamic_axes={"input_ids": {0: axes["0"], 1: axes["1"]}, "attention_mask": {0: axes["0"], 1: axes["1"]},
                      "token_type_ids": {0: axes["0"], 1: axes["1"]}, "embedding": {0: axes["0"]}},
        opset_version=17, dynamo=False,
    )


INT8_VARIANT = "int8-per-channel"


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of the weights, one scale per output channel; activations stay float.

    Per channel, MiniLM's vectors keep a mean cosine of 0.993 to fp32 on news text (one scale per
    tensor: 0.944) at the same speed, about 1.8x fp32 on two cores.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    partial = target.with_suffix(f".{os.getpid()}.partial")
    logging.getLogger().setLevel(logging.ERROR)  # its advice to pre-process is for static quantisation
    quantize_dynamic(str(source), str(partial), weight_type=QuantType.QInt8, per_channel=True)
    os.replace(partial, target)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ingest.export", description=__doc__)
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("cache_dir", type=Path)
    parser.add_argument("--int8", action="store_true", help="also write the int8 model")
    args = parser.parse_args(argv)
    fp32 = args.cache_dir / "model.onnx"
    if not fp32.is_file():
        export_onnx(args.model_dir, fp32)
    int8 = args.cache_dir / f"model-{INT8_VARIANT}.onnx"
    if args.int8 and not int8.is_file():
        quantize_int8(fp32, int8)


if __name__ == "__main__":
    main()
