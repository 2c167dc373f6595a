"""A learned salience model for a briefing's key points: how likely a candidate sentence is to hold
one of the facts a good briefing on the topic states.

Each candidate sentence of a topic's pool gets a handful of measurements the plan already has or
cheaply adds (its relevance, its document's rank and focus, its place in the document, the numbers,
dates and names it holds, how central it is among the pool's sentences, whether its facts recur in
other documents, its length, quotes and attributions). A logistic regression over them, fitted on
the tune topics only (``briefing eval --fit-salience``), turns them into a probability; the weights
ship as ``assistant/data/briefing_salience.json`` and the plan's greedy selection reads that
probability instead of its hand-weighted relevance, fact and coverage terms.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

DEFAULT_SALIENCE = Path(__file__).resolve().parent / "data" / "briefing_salience.json"

FEATURES = (
    "relevance",  # the scorer's relevance to the topic, as a z-score over the pool
    "planned",  # the plan's relevance (document focus, share, constraints, lead) as a z-score
    "aspect",  # cosine with the topic's aspect, as a z-score (0 when the topic has no aspect)
    "lead",  # the document's first candidate sentence
    "second",  # its second
    "position",  # log(1 + rank of the sentence within its document)
    "doc_rank",  # log(1 + rank of its document by focus)
    "doc_gap",  # its document's focus minus the best document's
    "retrieved_share",  # share of the retrieved passages from its document
    "numbers",  # log(1 + numbers it holds)
    "dates",  # it names a day (a date, a weekday, "yesterday")
    "names",  # log(1 + names it holds)
    "centrality",  # cosine with the mean of the pool's sentences
    "recurrence",  # share of its facts (numbers, dates, names) other documents' sentences hold too
    "coverage",  # its coverage gain over the pool at the start, as a z-score
    "words",  # log of its length in words as quoted
    "quote",  # it holds a quotation
    "attribution",  # it says who said it ("said", "according to")
    "background",  # it recalls an earlier year
    # what it adds to the page at this step of the selection
    "new_facts",  # numbers, dates and names not yet on the page (at most 5)
    "new_words",  # share of its content words and facts not yet on the page
    "adds",  # its coverage gain over the pool, as a z-score over the candidates left
    "new_doc",  # its document is not cited yet
    "doc_taken",  # log(1 + points taken from its document)
    "hand",  # the hand-weighted gain (PlanWeights) as a z-score over the candidates left
)

_QUOTE = re.compile(r"[\"“”]")
_ATTRIBUTION = re.compile(r"\b(?:said|says|told|according to|stated|announced|added|noted|warned)\b", re.I)


def quote_features(text: str) -> tuple[float, float]:
    return float(bool(_QUOTE.search(text))), float(bool(_ATTRIBUTION.search(text)))


@dataclass
class SalienceModel:
    """A logistic regression over standardised FEATURES: P(a sentence holds a reference fact)."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    fitted_on: str = ""
    summary: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if list(self.features) != list(FEATURES):
            raise ValueError(f"salience weights name features {self.features}, the plan computes {list(FEATURES)}")
        if not (len(self.mean) == len(self.scale) == len(self.coef) == len(FEATURES)):
            raise ValueError("salience weights: mean, scale and coef need one value per feature")

    def probability(self, rows: np.ndarray) -> np.ndarray:
        z = (np.asarray(rows, dtype=float) - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.coef) + self.intercept)))

    @classmethod
    def load(cls, path: Path = DEFAULT_SALIENCE) -> SalienceModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise ValueError(f"{path}: not salience weights ({exc})") from None

    def save(self, path: Path = DEFAULT_SALIENCE) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.dumps(), encoding="utf-8")

    def dumps(self) -> str:
        return json.dumps(asdict(self), indent=1) + "\n"


def fit_salience(rows: np.ndarray, labels: np.ndarray, *, c: float = 1.0, fitted_on: str = "") -> SalienceModel:
    """Fit the model (scikit-learn's logistic regression on standardised features; classes balanced,
    since about one candidate in ten holds a reference fact)."""
    from sklearn.linear_model import LogisticRegression

    rows = np.asarray(rows, dtype=float)
    labels = np.asarray(labels, dtype=int)
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=1000)
    model.fit((rows - mean) / scale, labels)
    return SalienceModel(list(FEATURES), [round(float(x), 6) for x in mean], [round(float(x), 6) for x in scale],
                         [round(float(x), 6) for x in model.coef_[0]], round(float(model.intercept_[0]), 6),
                         fitted_on, {"candidates": len(labels), "positives": int(labels.sum()), "C": c})


def log1p_count(n: int) -> float:
    return math.log1p(max(0, n))


def z(values: Sequence[float]) -> list[float]:
    if not values:
        return []
    mean, spread = float(np.mean(values)), float(np.std(values))
    return [(v - mean) / spread if spread else 0.0 for v in values]
