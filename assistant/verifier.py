"""Grounding verification: does a set of passages support a claim?

The offline default, :class:`ProxyVerifier`, is a *proxy* for entailment: it combines lexical
coverage of the claim's content words, the numbers, dates and names that must appear, negation
and hedging mismatches, and the embedding similarity of the best sentence window. Its thresholds
are calibrated on the hand-labelled pairs in ``eval/datasets/calibration.jsonl``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from assistant.text import HEDGE, MONTHS, content_terms, numbers, stem, strip_markers, words
from ingest.embeddings import Embedder
from ingest.sentences import split_sentences

Label = Literal["supported", "partial", "unsupported", "contradicted"]
LABELS: tuple[Label, ...] = ("supported", "partial", "unsupported", "contradicted")


@dataclass
class Verdict:
    """A verifier's judgement of one claim against passages, with the reasons it gives."""

    score: float
    label: Label
    window: str = ""
    reasons: list[str] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return self.label == "supported"


class Verifier(Protocol):
    def support(self, claim: str, passages: Sequence[str]) -> Verdict:
        """Judge whether ``passages`` (joined) support ``claim``."""
        ...


@dataclass(frozen=True)
class ProxyThresholds:
    """Cut-offs of the proxy verifier; chosen on the calibration fixture (see ``calibrate``)."""

    supported: float = 0.68
    partial: float = 0.5
    related: float = 0.5
    coverage_weight: float = 0.4
    swap_coverage: float = 0.3
    negation_coverage: float = 0.4


_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nor|neither|without|cannot|denied|deny|denies|refused|refuses|failed|fails|fail|unable|lack|lacks|excludes?|excluded)\b|n't\b",
    re.I,
)
_NAME = re.compile(r"\b[A-Z][a-zA-Z\u00C0-\u024F'’-]+")
_NOT_NAMES = frozenset(
    ["The", "A", "An", "This", "That", "These", "Those", "It", "Its", "He", "She", "His", "Her", "They", "Their", "We", "Our", "But", "And", "Or", "If", "In", "On", "At", "By", "For", "With", "From", "As", "After", "Before", "During", "While", "When", "Where", "Why", "How", "What", "Which", "Who", "Despite", "Although", "Since", "Had", "Has", "Have", "Both", "Some", "Many", "Most", "Such", "Only", "Even", "Also", "Yet", "So", "Then", "There", "Here", "Key", "Takeaway", "Mr", "Mrs", "Ms", "Dr"]
)


def _months(text: str) -> set[str]:
    return {w.lower() for w in words(text) if w.lower() in MONTHS}


def _names(text: str) -> set[str]:
    out = set()
    for m in _NAME.finditer(text):
        token = m.group(0)
        if token in _NOT_NAMES or token.lower() in MONTHS:
            continue
        out.add(stem(token))
    return out


_OPPOSITES = [
    ({"grant", "allow", "permit", "gave", "give"}, {"deni", "deny", "refus", "ban", "prohibit"}),
    ({"accept", "approv", "agre", "welcom", "endors"}, {"reject", "refus", "oppos", "condemn", "denounc"}),
    ({"confirm", "admit", "acknowledg", "conced"}, {"deni", "deny", "dismiss", "disput", "rebuff"}),
    ({"already"}, {"yet"}),
    ({"includ"}, {"exclud"}),
    ({"win", "won", "gain"}, {"lost", "los", "loss"}),
    ({"increas", "rais", "rise", "rose", "grew", "grow"}, {"decreas", "cut", "fell", "fall", "drop", "shrank", "reduc"}),
    ({"support", "back"}, {"oppos", "against"}),
    ({"before", "earli"}, {"after", "later"}),
    ({"larg", "bigger", "more", "most"}, {"small", "fewer", "less", "least"}),
]


def _opposed(claim: str, window: str) -> list[str]:
    """Pairs of opposite words, one in the claim and the other in the window (granted / denied)."""
    c, w = set(content_terms(claim)) | {x.lower() for x in words(claim)}, set(content_terms(window)) | {x.lower() for x in words(window)}
    found = []
    for left, right in _OPPOSITES:
        for a, b in ((left, right), (right, left)):
            if c & a and w & b and not (c & b) and not (w & a):
                found.append(f"{sorted(c & a)[0]}/{sorted(w & b)[0]}")
    return found


def _negated(text: str) -> bool:
    """Odd number of negation cues: "does not exclude" reads as positive, "excludes" as negative."""
    return len(_NEGATION.findall(text)) % 2 == 1


def _windows(passages: Sequence[str]) -> list[str]:
    """Sentences of the passages, and each pair of neighbouring sentences."""
    out: list[str] = []
    for passage in passages:
        sentences = [
            strip_markers(line[s:e])
            for line in passage.splitlines() if line.strip()
            for s, e in split_sentences(line)
        ] or [passage]
        out.extend(sentences)
        out.extend(f"{a} {b}" for a, b in itertools.pairwise(sentences))
    return out or [""]


class ProxyVerifier:
    """The offline grounding proxy; explainable, deterministic, no generative model."""

    def __init__(self, embedder: Embedder, thresholds: ProxyThresholds | None = None) -> None:
        self.embedder = embedder
        self.thresholds = thresholds or ProxyThresholds()
        self._vectors: dict[str, np.ndarray] = {}

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for t, v in zip(missing, self.embedder.embed(missing), strict=True):
                self._vectors[t] = v
            if len(self._vectors) > 100_000:
                self._vectors.clear()
        return np.stack([self._vectors[t] for t in texts])

    def features(self, claim: str, passages: Sequence[str]) -> dict[str, Any]:
        """The measurements a verdict is made from (also shown in reports)."""
        claim = strip_markers(claim)
        passages = [strip_markers(p) for p in passages if p and p.strip()]
        joined = " ".join(passages)
        windows = _windows(passages)
        vectors = self._embed([claim, *windows])
        sims = vectors[1:] @ vectors[0]
        best = int(np.argmax(sims))
        window = windows[best]
        claim_terms = content_terms(claim)
        passage_terms = set(content_terms(joined))
        window_terms = set(content_terms(window))
        claim_numbers, p_numbers, w_numbers = numbers(claim), numbers(joined), numbers(window)
        months, p_months, w_months = _months(claim), _months(joined), _months(window)
        names, p_names, w_names = _names(claim), set(content_terms(joined)) | _names(joined), _names(window)
        covered = [t for t in claim_terms if t in passage_terms]
        return {
            "semantic": float(sims[best]),
            "coverage": len(covered) / len(claim_terms) if claim_terms else 0.0,
            "window_coverage": (sum(t in window_terms for t in claim_terms) / len(claim_terms)) if claim_terms else 0.0,
            "missing_terms": [t for t in claim_terms if t not in passage_terms],
            "missing_numbers": sorted(claim_numbers - p_numbers),
            "other_numbers": sorted(w_numbers - claim_numbers),
            "missing_months": sorted(months - p_months),
            "other_months": sorted(w_months - months),
            "missing_names": sorted(names - p_names),
            "other_names": sorted(w_names - names - set(claim_terms)),
            "negation_mismatch": _negated(claim) != _negated(window),
            "hedge_dropped": bool(HEDGE.search(window)) and not HEDGE.search(claim),
            "opposed": _opposed(claim, window),
            "window": window,
        }

    def support(self, claim: str, passages: Sequence[str]) -> Verdict:
        if not any(p and p.strip() for p in passages):
            return Verdict(0.0, "unsupported", "", ["no passage"])
        return decide(self.features(claim, passages), self.thresholds)


def decide(f: dict[str, Any], t: ProxyThresholds) -> Verdict:
    """Turn the proxy's measurements into a verdict with reasons."""
    reasons: list[str] = []
    score = t.coverage_weight * f["coverage"] + (1 - t.coverage_weight) * f["semantic"]
    related = f["semantic"] >= t.related or f["coverage"] >= 0.5
    contradiction = False
    if f["missing_numbers"] and f["other_numbers"]:
        contradiction = True
        reasons.append(f"number {', '.join(f['missing_numbers'])} not in passage (it says {', '.join(f['other_numbers'])})")
    if f["missing_months"] and f["other_months"]:
        contradiction = True
        reasons.append(f"date {', '.join(f['missing_months'])} not in passage (it says {', '.join(f['other_months'])})")
    if f["missing_names"] and f["other_names"] and f["window_coverage"] >= t.swap_coverage:
        contradiction = True
        reasons.append(f"name {', '.join(f['missing_names'])} not in passage (it names {', '.join(f['other_names'][:3])})")
    if f["negation_mismatch"] and f["window_coverage"] >= t.negation_coverage:
        contradiction = True
        reasons.append("negation differs between claim and passage")
    if f.get("opposed") and f["window_coverage"] >= t.negation_coverage:
        contradiction = True
        reasons.append("opposite words in claim and passage: " + ", ".join(f["opposed"]))
    if related and contradiction:
        return Verdict(round(min(score, 0.3), 4), "contradicted", f["window"], reasons)
    missing_required = f["missing_numbers"] + f["missing_months"] + f["missing_names"]
    if missing_required:
        reasons.append("not in passage: " + ", ".join(missing_required))
        score = min(score, t.supported - 0.01)
    if f["missing_terms"]:
        reasons.append("claim words not in passage: " + ", ".join(f["missing_terms"][:6]))
    if f["hedge_dropped"] and score >= t.partial:
        reasons.append("passage hedges (likely/may); the claim states it as certain")
        return Verdict(round(min(score, t.supported - 0.01), 4), "partial", f["window"], reasons)
    if score >= t.supported:
        return Verdict(round(score, 4), "supported", f["window"], reasons or ["claim words and meaning found"])
    if score >= t.partial and related:
        return Verdict(round(score, 4), "partial", f["window"], reasons)
    return Verdict(round(score, 4), "unsupported", f["window"], reasons or ["passage does not speak to the claim"])


class CrossEncoderVerifier:
    """Any sentence-transformers CrossEncoder NLI model (name or path), e.g. an MNLI model."""

    def __init__(self, model: str, *, device: str = "cpu") -> None:
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(model, device=device)
        config = getattr(self.model, "config", None)
        id2label = getattr(config, "id2label", None) or {0: "contradiction", 1: "entailment", 2: "neutral"}
        self.labels = {int(k): str(v).lower() for k, v in id2label.items()}

    def support(self, claim: str, passages: Sequence[str]) -> Verdict:
        premise = " ".join(strip_markers(p) for p in passages)
        logits = np.asarray(self.model.predict([(premise, strip_markers(claim))]))[0]
        probs = np.exp(logits - logits.max())
        probs = probs / probs.sum()
        by_label = {self.labels[i]: float(p) for i, p in enumerate(probs)}
        entail = by_label.get("entailment", 0.0)
        contra = by_label.get("contradiction", 0.0)
        label: Label = "supported" if entail >= 0.5 else "contradicted" if contra >= 0.5 else "partial" if entail >= 0.2 else "unsupported"
        return Verdict(round(entail, 4), label, premise[:500], [f"NLI {k}={v:.2f}" for k, v in by_label.items()])


class LLMJudgeVerifier:
    """A LangChain chat model as judge, at temperature 0, with answers cached on disk by prompt."""

    PROMPT = (
        "You judge whether PASSAGES support a CLAIM. Answer with one word: supported, partial, unsupported "
        "or contradicted.\n<passages>\n{passages}\n</passages>\n<claim>{claim}</claim>"
    )

    def __init__(self, chat_model: Any, cache_path: Path | None = None) -> None:
        self.chat_model = chat_model
        self.cache_path = cache_path
        self._cache: dict[str, str] = {}
        if cache_path and cache_path.is_file():
            self._cache = json.loads(cache_path.read_text())

    def support(self, claim: str, passages: Sequence[str]) -> Verdict:
        prompt = self.PROMPT.format(passages="\n\n".join(passages), claim=claim)
        key = hashlib.sha256(prompt.encode()).hexdigest()
        if key not in self._cache:
            reply = self.chat_model.invoke(prompt)
            self._cache[key] = str(getattr(reply, "content", reply)).strip().lower()
            if self.cache_path:
                self.cache_path.write_text(json.dumps(self._cache))
        text = self._cache[key]
        label = next((lab for lab in ("unsupported", "contradicted", "partial", "supported") if lab in text), "unsupported")
        score = {"supported": 1.0, "partial": 0.5}.get(label, 0.0)
        return Verdict(score, label, "", [f"judge said: {text[:80]}"])  # type: ignore[arg-type]
