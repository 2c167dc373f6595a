"""Grounding and answer metrics (definitions in the README), with bootstrap confidence intervals."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.citations import MARKER
from assistant.verifier import Verdict, Verifier

_ABSTAIN = re.compile(
    r"\b(?:do(?:es)? not (?:answer|say|mention|address|contain|specify|state)|no information|cannot (?:answer|find|determine)|"
    r"(?:could|can)(?:\s?not|n't) find|not (?:mentioned|stated|specified|covered)|unable to (?:answer|find)|don't know|"
    r"insufficient (?:information|evidence))\b",
    re.I,
)


def normalize(text: str) -> str:
    """Text as facts are matched in it: one Unicode form (a decomposed "ğ" is "ğ"), straight quotes, one kind of
    dash ("6–3" is "6-3"), no superscript markers, figures without thousands separators ("1,960" is "1960"), lower
    case, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\xa0", " ").replace("’", "'").replace("´", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"[‐‑‒–—]", "-", text)
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", "", text)
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
    return " ".join(text.lower().split())


def is_abstention(answer: str) -> bool:
    """An answer that says the passages do not answer, and cites none: "The ministry does not say who fired first;
    it reports 16 killed [1]" answers."""
    return bool(_ABSTAIN.search(answer)) and not MARKER.search(answer)


def fact_in(alternative: str, text: str) -> bool:
    """Whether a reference fact's alternative is in ``text`` (both normalised) as words: it starts at a word's start
    ("95" is not in "195", "war" not in "award"), and a figure ends where a number does ("11" is not in "110"),
    while a word may go on ("peacekeeper" is in "peacekeepers")."""
    if not alternative:
        return False
    # a word's or figure's start (a sign or bracket opening the fact may follow anything: "US$1.5bn" has "$1.5bn"),
    # and a figure is not the end of another ("5" is not in "1.5%")
    start = r"(?<![^\W_])(?<!\d[.,])" if alternative[0].isalnum() else ""
    end = r"(?![\d.,]\d|\d)" if alternative[-1].isdigit() else ""
    return re.search(rf"{start}{re.escape(alternative)}{end}", text) is not None


def facts_present(answer: str, groups: Sequence[Sequence[str]]) -> tuple[int, int]:
    """How many reference fact groups have an alternative in the answer (:func:`fact_in`), of how many. Before
    round 21 an alternative counted anywhere as a substring: "11" in "110" and "95" in "195"."""
    text = normalize(answer)
    found = sum(1 for g in groups if any(fact_in(normalize(alt), text) for alt in g))
    return found, len(groups)


@dataclass
class StatementCheck:
    claim: str
    markers: list[int]
    invalid_markers: list[int]
    recall: int
    precision_hits: int
    verdict: Verdict
    grounded: bool
    per_citation: list[str] = field(default_factory=list)


def check_statement(claim: str, markers: list[int], passages: Sequence[str], all_passages: Sequence[str],
                    verifier: Verifier) -> StatementCheck:
    """ALCE-style checks of one sentence: citation recall and precision, groundedness."""
    valid = [m for m in dict.fromkeys(markers) if 1 <= m <= len(passages)]
    invalid = [m for m in markers if not 1 <= m <= len(passages)]
    cited = [passages[m - 1] for m in valid]
    verdict = verifier.support(claim, cited) if cited else Verdict(0.0, "unsupported", "", ["no valid citation"])
    recall = int(verdict.supported)
    precision_hits = 0
    notes: list[str] = []
    if recall and len(valid) == 1:
        precision_hits = 1
    elif recall:
        for m in valid:
            alone = verifier.support(claim, [passages[m - 1]])
            rest = [passages[x - 1] for x in valid if x != m]
            # ALCE's irrelevant-citation rule: not even partly supporting alone, and not needed by the rest.
            irrelevant = alone.label in ("unsupported", "contradicted") and verifier.support(claim, rest).supported
            precision_hits += not irrelevant
            notes.append(f"[{m}] {'irrelevant' if irrelevant else 'relevant'}")
    grounded = verdict.supported or (bool(all_passages) and verifier.support(claim, all_passages).supported)
    return StatementCheck(claim, valid, invalid, recall, precision_hits, verdict, grounded, notes)


def bootstrap_ci(values: Sequence[float], *, rounds: int = 1000, seed: int = 13) -> tuple[float, float] | None:
    """A 95% percentile bootstrap interval of the mean."""
    if len(values) < 2:
        return None
    rng = random.Random(seed)
    n = len(values)
    means = sorted(sum(values[rng.randrange(n)] for _ in range(n)) / n for _ in range(rounds))
    return (round(means[int(0.025 * rounds)], 4), round(means[int(0.975 * rounds) - 1], 4))


def mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[idx], 1)


def cohen_kappa(truth: Sequence[str], predicted: Sequence[str]) -> float:
    labels = sorted(set(truth) | set(predicted))
    n = len(truth)
    if n == 0:
        return 0.0
    observed = sum(a == b for a, b in zip(truth, predicted, strict=True)) / n
    expected = sum((truth.count(lab) / n) * (predicted.count(lab) / n) for lab in labels)
    return round((observed - expected) / (1 - expected), 4) if expected < 1 else 1.0


Aggregate = Callable[[list[Any]], float | None]
