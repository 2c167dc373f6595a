"""A small learned ranker: how likely a candidate sentence is to be the one that answers the question.

Each candidate gets a handful of measurements (meaning, shared terms, the kind of answer asked, the
question's names and years found in the sentence or its context, where the passage ranked, whether it
is a fragment). A logistic regression over them, fitted on the tune half of the
unseen question set only (``briefing eval --fit-ranker``), turns them into a probability; the weights
ship as ``assistant/data/answer_ranker.json``. The same probability decides abstention: below the
threshold fitted with the weights, the answer says the reports do not answer.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.direct import holds_asked_quantity, named_beside_figures
from assistant.text import (
    ATTRIBUTION,
    FRAGMENT,
    YEAR,
    QuestionType,
    content_terms,
    count_focus,
    money_missing,
    name_stems,
    new_names,
    new_quantities,
    question_names,
    question_parts,
    share_missing,
    stem,
)

if TYPE_CHECKING:
    from assistant.extractive import Evidence
    from assistant.lexicon import Synonyms

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "data" / "answer_ranker.json"

_SENTENCE = (
    "semantic",  # cosine of question and sentence
    "semantic_gap",  # ... minus the best candidate's: how this one compares
    "passage_semantic",  # cosine of question and the mean of its passage's sentences
    "lexical",  # share of the question's weighted terms in the sentence
    "lexical_gap",
    "context_lexical",  # ... in the sentence, the sentence before it and the title
    "kind",  # the sentence holds the kind of answer asked (number, date, person, place, reason)
    "names",  # share of the question's names in the sentence
    "names_context",  # ... in the passage and title
    "year_missing",  # a year the question names is absent from the sentence's passage, title and date
    "passage_rank",  # 1 / rank of the passage in retrieval
    "lead",  # one of the document's first sentences (titles and leads answer many questions)
    "words",  # log of the sentence's length in words
    "fragment",  # a truncated snippet, live-blog stamp or caption
    "source_attribution",  # the question asks for a source and the sentence attributes, or has footnote URLs
    "asks_entity",  # the question asks for a name (who, which, where, what source)
    "new_name",  # ... and the sentence names someone or something the question does not
    "asks_quantity",  # the question asks for a number or date
    "new_quantity",  # ... and the sentence holds a number or date the question does not
)
# Each sentence feature that varies between a question's candidates is also given relative to the highest
# value any of the question's candidates has on it (for a penalty such as year_missing, the worst; which sentence answers is a choice among the question's candidates, not a
# yes or no per sentence). Cross-fitted by document fold (fit on one fold of the tune questions and
# the regression sets, top sentence judged on the other), top-sentence evidence rate 0.504 -> 0.534
# (mean of the two folds of both blind sets), up on each of the four.
RELATIVE = tuple(f for f in _SENTENCE if f not in ("semantic", "semantic_gap", "lexical", "lexical_gap",
                                                   "asks_entity", "asks_quantity"))
FEATURES = _SENTENCE + tuple(f"{f}_rel" for f in RELATIVE)
_RELATIVE_COLUMNS = [_SENTENCE.index(f) for f in RELATIVE]


# Whether the best sentence answers at all: fitted over answerable and unanswerable tune questions.
ANSWERABILITY = (
    "best",  # the ranker's probability for the best sentence
    "margin",  # ... minus the second best's
    "unknown_names",  # share of the question's names that no retrieved passage mentions
    "names_context",  # the best sentence's share of the question's names in its passage
    "quantity_missing",  # a number or date is asked and the best sentence has none the question lacks
    "focus_missing",  # share of what a "how many" counts that the best sentence and the one before never mention
    "money_missing",  # a sum of money is asked and the best sentence states none
    "name_missing",  # a name is asked and the best sentence names no one the question does not
    "quantity_unanswered",  # a number, date or duration is asked and the best sentence holds none (for
    # "how many X", none beside X)
    "share_missing",  # a share (per cent, a half) is asked and the best sentence states none
    "year_missing",  # a year the question names is absent from the best sentence's passage
    "context_lexical",  # the best sentence's share of the question's terms, with its neighbour and title
    "semantic",  # the best sentence's cosine to the question
)

# Whether an answer given is right, read beside it as its confidence. The answerability alone told right from
# wrong tune answers poorly (area under the ROC curve 0.595, cross-fitted over the six tune folds) and put 8% of
# the wrong ones under the weak-match cue; these measurements of the answer as composed, in a logistic regression
# fitted on the tune answers each given by models fitted without its fold (eval/ranker_fit.fit_confidence), give
# 0.704 and 30% (8% of the right ones), Brier 0.220 -> 0.199; the ECE rose 0.031 -> 0.049, the confidences being
# spread over more of the scale (a perfectly calibrated forecaster with them would show 0.05 on 331 answers).
# `python -m eval.crossfit` prints the comparison. On the test halves it is less over-sure but orders answers no
# better (AUC 0.61 -> 0.59; README, "How sure an answer says it is").
CONFIDENCE = (
    "answerability",  # the log-odds of the answerability probability
    "semantic",  # the best sentence's cosine to the question
    "runner_up",  # the second candidate's probability as a share of the best's: a close second is doubt
    "quoted_words",  # words quoted: a sentence kept beside the best completes an answer more often than it
    # shows doubt (fitted weight positive)
    "direct",  # the name, number, date or yes/no asked was found verbatim in the first quoted sentence (whether
    # or not the word limit left room to lead with it in bold)
    "next_sentence",  # the sentence after the best was quoted for the detail the best lacks
    # what the question's opening asks for (none of them: an open "what" or "why")
    "asks_duration", "asks_quantity", "asks_date", "asks_time", "asks_name", "asks_yes_no",
)
_ASKED = tuple(name.removeprefix("asks_") for name in CONFIDENCE if name.startswith("asks_"))


def confidence_features(answerability: float, semantic: float, best: float, second: float, quoted_words: int,
                        direct: bool, next_sentence: bool, asks: str | None) -> dict[str, float]:
    """:data:`CONFIDENCE` for an answer given: ``best`` and ``second`` are the ranker's probabilities for its best
    candidate and for the best one that is not a copy of it."""
    return {
        "answerability": log_odds(answerability),
        "semantic": float(semantic),
        "runner_up": float(second / best) if best > 0 else 0.0,
        "quoted_words": float(quoted_words),
        "direct": float(direct),
        "next_sentence": float(next_sentence),
        **{f"asks_{kind}": float(asks == kind) for kind in _ASKED},
    }


@dataclass
class RankerWeights:
    """Logistic-regression weights over :data:`FEATURES` (which sentence answers) and :data:`ANSWERABILITY`
    (whether the best one answers at all), and the abstention threshold on the latter."""

    coef: list[float]
    intercept: float
    threshold: float
    features: list[str] = field(default_factory=lambda: list(FEATURES))
    answerability_coef: list[float] = field(default_factory=list)
    answerability_intercept: float = 0.0
    answerability_features: list[str] = field(default_factory=lambda: list(ANSWERABILITY))
    # Under this cosine between the question and its closest candidate sentence, nothing retrieved is about
    # the question at all (an off-topic question): abstain before the answerability model, which was fitted
    # on questions about the corpus and has no signal for one that is not (see eval/ranker_fit.relevance_floor).
    relevance_floor: float = 0.0
    # The answer's confidence: the answerability probability mapped to how often an answer at that score was
    # right (Platt scaling: slope and intercept on its log-odds), fitted on the tune questions answered end to
    # end, each by the models fitted without its document group (eval/ranker_fit.calibrate_confidence).
    # Unmapped, the probability ran high: tune answers scored 0.65-0.70 were right 57% of the time (79
    # answers), 0.70-0.75 67% (63).
    confidence_calibration: list[float] = field(default_factory=lambda: [1.0, 0.0])
    # An answer's confidence: a logistic regression over :data:`CONFIDENCE`, fitted on the same answers as the
    # calibration above (which stays for abstentions: how likely an answer would have been right). Empty: the
    # calibration above serves answers too (a fold's model in the cross-fit, weights from before it existed).
    confidence_coef: list[float] = field(default_factory=list)
    confidence_intercept: float = 0.0
    confidence_features: list[str] = field(default_factory=lambda: list(CONFIDENCE))
    confidence_fitted_on: str = ""  # whose answers the two confidence fits read
    fitted_on: str = ""

    @classmethod
    def load(cls, path: Path = DEFAULT_WEIGHTS, *, confidence: bool = True) -> RankerWeights:
        """The weights in ``path``; ``confidence=False`` drops the confidence model's (``--confidence-only``
        re-fits it, from a file whose confidence was fitted on other signals too)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        if not confidence:
            for key in ("confidence_coef", "confidence_intercept", "confidence_features", "confidence_fitted_on"):
                data.pop(key, None)
        weights = cls(**data)
        if tuple(weights.features) != FEATURES or tuple(weights.answerability_features) != ANSWERABILITY or \
                tuple(weights.confidence_features) != CONFIDENCE:
            raise ValueError(f"{path}: fitted for other features than this version's; re-fit it "
                             "(briefing eval --fit-ranker)")
        for name, coef, features in (("coef", weights.coef, FEATURES),
                                     ("answerability_coef", weights.answerability_coef, ANSWERABILITY),
                                     ("confidence_coef", weights.confidence_coef, CONFIDENCE)):
            if len(coef) != len(features) and not (coef == [] and name != "coef"):
                raise ValueError(f"{path}: {name} holds {len(coef)} weights for {len(features)} features; re-fit it "
                                 "(briefing eval --fit-ranker)")
        return weights

    def save(self, path: Path = DEFAULT_WEIGHTS) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")


@dataclass
class Context:
    """What the features need beyond the candidate itself."""

    question: str
    kind: QuestionType
    passage_rank: dict[str, int]  # chunk id -> rank in retrieval (0 = first)


def feature_matrix(evidence: Sequence[Evidence], ctx: Context) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate; the scorer has filled semantic, lexical and kind."""
    if not evidence:
        return np.zeros((0, len(FEATURES)))
    names = question_names(ctx.question)
    years = set(YEAR.findall(ctx.question))
    q_terms = set(content_terms(ctx.question))
    best_semantic = max(e.semantic for e in evidence)
    best_lexical = max(e.lexical for e in evidence)
    passage_vectors: dict[str, np.ndarray] = {}
    for e in evidence:
        if e.vector is not None:
            passage_vectors.setdefault(e.chunk.id, np.zeros_like(e.vector))
            passage_vectors[e.chunk.id] = passage_vectors[e.chunk.id] + e.vector
    question_stems = name_stems(ctx.question)
    asks_entity = ctx.kind.wants_person or ctx.kind.wants_place or ctx.kind.wants_source or bool(
        re.match(r"\s*(?:which|what (?:company|country|city|team|club|firm|party|group|organi[sz]ation|name))\b",
                 ctx.question, re.I))
    asks_quantity = ctx.kind.strict
    rows = []
    context_stems: dict[str, set[str]] = {}
    for e in evidence:
        chunk = e.chunk
        if chunk.id not in context_stems:
            context_stems[chunk.id] = name_stems(f"{chunk.title} {chunk.text}")
        sentence_stems = name_stems(e.text)
        context = context_stems[chunk.id]
        local_terms = set(content_terms(f"{e.previous_text} {e.text} {chunk.title}"))
        pv = passage_vectors.get(chunk.id)
        passage_semantic = 0.0
        if pv is not None and e.vector is not None and np.linalg.norm(pv) > 0:
            qv = e.query_vector
            passage_semantic = float(np.dot(qv, pv / np.linalg.norm(pv))) if qv is not None else 0.0
        year_context = f"{chunk.text} {chunk.title} {chunk.date or ''}"
        rows.append([
            e.semantic,
            e.semantic - best_semantic,
            passage_semantic,
            e.lexical,
            e.lexical - best_lexical,
            len(q_terms & local_terms) / len(q_terms) if q_terms else 0.0,
            e.kind,
            sum(n in sentence_stems for n in names) / len(names) if names else 1.0,
            sum(n in context for n in names) / len(names) if names else 1.0,
            float(any(y not in year_context for y in years)),
            1.0 / (1 + ctx.passage_rank.get(chunk.id, 10)),
            float(e.start - chunk.start < 400 and chunk.index == 0),
            math.log1p(len(e.text.split())),
            float(bool(FRAGMENT.search(e.text.strip()))),
            float(ctx.kind.wants_source and (bool(ATTRIBUTION.search(e.text)) or bool(chunk.origin_of(e.text)))),
            float(asks_entity),
            float(asks_entity and bool(new_names(e.text, question_stems))),
            float(asks_quantity),
            float(asks_quantity and bool(new_quantities(e.text, ctx.question, ctx.kind))),
        ])
    absolute = np.asarray(rows, dtype=np.float64)
    relative = absolute[:, _RELATIVE_COLUMNS] - absolute[:, _RELATIVE_COLUMNS].max(axis=0, keepdims=True)
    return np.hstack([absolute, relative])


_SEMANTIC = FEATURES.index("semantic")


def closest(features: np.ndarray) -> float:
    """The cosine of the question and its closest candidate (what the relevance floor is checked on)."""
    return float(features[:, _SEMANTIC].max()) if len(features) else 0.0


class LearnedRanker:
    """Probabilities from fitted weights; deterministic and cheap (one dot product per candidate)."""

    def __init__(self, weights: RankerWeights) -> None:
        self.weights = weights
        self._coef = np.asarray(weights.coef, dtype=np.float64)

    @classmethod
    def default(cls, relevance_floor: float | None = None) -> LearnedRanker:
        """The shipped weights; ``relevance_floor`` overrides the fitted one (0 turns it off)."""
        weights = RankerWeights.load()
        if relevance_floor is not None:
            weights.relevance_floor = relevance_floor
        return cls(weights)

    @property
    def threshold(self) -> float:
        return self.weights.threshold

    def off_topic(self, features: np.ndarray) -> bool:
        return closest(features) < self.weights.relevance_floor

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        z = features @ self._coef + self.weights.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def answerability(self, features: np.ndarray) -> float:
        """The probability that the best sentence answers the question (what abstention is decided on)."""
        z = float(features @ np.asarray(self.weights.answerability_coef)) + self.weights.answerability_intercept
        return 1.0 / (1.0 + math.exp(-z))

    def confidence(self, answerability: float) -> float:
        """How likely an answer whose best sentence scores ``answerability`` is to be right (calibrated)."""
        slope, intercept = self.weights.confidence_calibration
        return 1.0 / (1.0 + math.exp(-(slope * log_odds(answerability) + intercept)))

    def answer_confidence(self, answerability: float, signals: dict[str, float]) -> float:
        """How likely an answer given is to be right, from :data:`CONFIDENCE` (``signals``); the calibrated
        answerability where no such model was fitted."""
        if not self.weights.confidence_coef:
            return self.confidence(answerability)
        z = self.weights.confidence_intercept + sum(
            c * signals[name] for c, name in zip(self.weights.confidence_coef, CONFIDENCE, strict=True))
        return 1.0 / (1.0 + math.exp(-z))


def log_odds(p: float) -> float:
    """The logit of ``p``, kept finite at 0 and 1."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def answerability_features(question: str, kind: QuestionType, ranked: Sequence[Evidence], probs: Sequence[float],
                           rows: dict[int, np.ndarray], unknown_names: int,
                           synonyms: Synonyms | None = None) -> np.ndarray:
    """:data:`ANSWERABILITY` for the best candidate ``ranked[0]``; ``rows`` maps id(evidence) to its features.
    With ``synonyms``, what a "how many" counts may go by another word beside a figure ("cattle" for cows)."""
    best = ranked[0]
    f = dict(zip(FEATURES, rows[id(best)], strict=True))
    names = question_names(question)
    focus = count_focus(question)
    near = set(content_terms(f"{best.previous_text} {best.text}"))
    if synonyms is not None and focus - near:
        near |= {stem(w) for w in named_beside_figures(question, best.text, synonyms)}
    return np.array([
        probs[0],
        probs[0] - (probs[1] if len(probs) > 1 else 0.0),
        unknown_names / len(names) if names else 0.0,
        f["names_context"],
        f["asks_quantity"] * (1.0 - f["new_quantity"]),
        len(focus - near) / len(focus) if focus else 0.0,
        float(money_missing(question, best.text)),
        f["asks_entity"] * (1.0 - f["new_name"]),
        float(_quantity_unanswered(question, best.text, synonyms)),
        float(share_missing(question, best.text)),
        f["year_missing"],
        f["context_lexical"],
        f["semantic"],
    ])


def _quantity_unanswered(question: str, sentence: str, synonyms: Synonyms | None = None) -> bool:
    """A number, date or duration is asked and the sentence holds none that could answer; for a multi-part
    question, none for any part ("When was it signed, and how many breaches since?" is answered in part by
    "over 7,000 breaches": the other part gets a sentence of its own)."""
    parts = question_parts(question)
    return all(holds_asked_quantity(part, sentence, synonyms) is False for part in parts)
