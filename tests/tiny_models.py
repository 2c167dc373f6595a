"""Tiny BERT sequence classifiers the tests build and save like hub models (no download): the stand-ins
for a CrossEncoder NLI model (the verifier) and a passage-ranking CrossEncoder (the answer reranker)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def tiny_bert_classifier(path: Path, words: Sequence[str], labels: dict[int, str] | None = None,
                         bias: Sequence[float] | None = None) -> Path:
    """A two-layer BERT over ``words`` with one output per label (one output without ``labels``); ``bias``,
    when given, replaces the head so that its outputs are these constants."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(path / "vocab.txt"))
    named = {"id2label": labels, "label2id": {v: k for k, v in labels.items()}} if labels else {}
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=128, num_labels=len(labels) if labels else 1,
                        **named)
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    if bias is not None:
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.copy_(torch.tensor(list(bias)))
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
