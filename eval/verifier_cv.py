"""The proxy verifier's cross-validation on every tune claim, by kind: how a change to its signals moves verdicts
on claims the weights were not fitted on.

    python -m eval.verifier_cv [--rounds vc1 vc2 …] [--features FILE] [--json]

``briefing eval --calibration --split tune --fit`` fits the shipped weights on the tune claims of the fit rounds
(``VERIFIER_FIT_ROUNDS``) and prints their cross-validation. A round of signal changes is judged on more: every
tune claim (all authoring rounds), folds grouped by document, the three shuffles of ``CV_SEEDS``, the floor chosen
by the same rule (``eval.calibration.fit_combination``), and the held-out verdicts tabulated by kind. The test half
is never read. The signals are computed once (about 2 minutes for 820 claims) and can be kept in ``--features``
(JSON lines; reused when the claims match, so a second run, say with other rounds, takes seconds); delete the file
after changing the signals. Nothing is written to the shipped weights.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.calibration import _agreement, fit_combination
from eval.datasets import CLAIMS, CalibrationPair, load_calibration


class CachedSignals:
    """A verifier whose ``features`` are looked up (claim and passages as the key), for refitting without recomputing."""

    def __init__(self, rows: dict[str, dict[str, float]]) -> None:
        self.rows = rows

    @staticmethod
    def key(claim: str, passages: Sequence[str]) -> str:
        return json.dumps([claim, list(passages)], ensure_ascii=False)

    def features(self, claim: str, passages: Sequence[str]) -> dict[str, float]:
        return self.rows[self.key(claim, passages)]


def signals(pairs: Sequence[CalibrationPair], cache: Path | None) -> CachedSignals:
    """The proxy's numeric signals for ``pairs``: read from ``cache`` when it holds every pair, else computed (with
    the configured embedder) and written there."""
    rows: dict[str, dict[str, float]] = {}
    if cache is not None and cache.is_file():
        for line in cache.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows[row["key"]] = row["features"]
    wanted = [CachedSignals.key(p.claim, p.passages) for p in pairs]
    if all(k in rows for k in wanted):
        return CachedSignals(rows)
    from assistant.build import make_embedder
    from assistant.settings import Settings
    from assistant.verifier import Combination, ProxyVerifier

    proxy = ProxyVerifier(make_embedder(Settings()), Combination.unfitted())  # type: ignore[call-arg]
    rows = {}
    for key, p in zip(wanted, pairs, strict=True):
        # the numbers the combination reads (bools count as 0/1); the lists and texts are for the reasons
        rows[key] = {k: float(v) for k, v in proxy.features(p.claim, p.passages).items() if isinstance(v, (int, float))}
    if cache is not None:
        cache.write_text("".join(json.dumps({"key": k, "features": f}, ensure_ascii=False) + "\n"
                                 for k, f in rows.items()), encoding="utf-8")
    return CachedSignals(rows)


def by_kind(pairs: Sequence[CalibrationPair], runs: Sequence[Sequence[str]]) -> dict[str, dict[str, Any]]:
    """Per kind, over the shuffles: claims, 4-way agreement and the share accepted as supported."""
    out: dict[str, dict[str, Any]] = {}
    for kind in sorted({p.kind for p in pairs}):
        rows = [i for i, p in enumerate(pairs) if p.kind == kind]
        agree = [sum(run[i] == pairs[i].label for i in rows) / len(rows) for run in runs]
        accepted = [sum(run[i] == "supported" for i in rows) / len(rows) for run in runs]
        out[kind] = {"claims": len(rows), "label": pairs[rows[0]].label if len({pairs[i].label for i in rows}) == 1 else "mixed",
                     "agreement": round(sum(agree) / len(agree), 3), "accepted": round(sum(accepted) / len(accepted), 3)}
    return out


def tune_pairs(rounds: Sequence[str] | None) -> list[CalibrationPair]:
    """The tune claims of ``rounds`` (every authoring round when None)."""
    pairs = [p for p in load_calibration(CLAIMS, split="tune") if rounds is None or p.id.split("-")[0] in rounds]
    if not pairs:
        raise SystemExit(f"no tune claims in rounds {rounds}")
    if any(p.split != "tune" for p in pairs):
        raise RuntimeError("the verifier's cross-validation reads the tune half only")
    return pairs


def run(rounds: Sequence[str] | None, cache: Path | None) -> dict[str, Any]:
    pairs = tune_pairs(rounds)
    verifier = signals(pairs, cache)
    held_out: list[list[str]] = []
    _, figures = fit_combination(verifier, pairs, held_out_labels=held_out)  # type: ignore[arg-type]
    if not held_out:  # fit_combination groups by document only when there are at least as many documents as folds
        raise SystemExit(f"rounds {rounds}: their tune claims come from too few documents for folds grouped by document")
    check = [_agreement(pairs, run) for run in held_out]  # the same figures, recomputed from the held-out labels
    return {"claims": len(pairs), "rounds": sorted({p.id.split("-")[0] for p in pairs}), "cv": figures,
            "grouped_accuracy_check": round(sum(a.accuracy for a in check) / len(check), 4),
            "kinds": by_kind(pairs, held_out)}


LEARNING_FRACTIONS = (0.25, 0.5, 0.75)
LEARNING_SEEDS = (1, 2, 3)


def learning_curve(pairs: Sequence[CalibrationPair], verifier: CachedSignals,
                   fractions: Sequence[float] = LEARNING_FRACTIONS, seeds: Sequence[int] = LEARNING_SEEDS,
                   **fit_options: Any) -> list[dict[str, Any]]:
    """How the grouped cross-validation moves with the number of labelled claims: for each fraction, random
    subsets of ``pairs`` (one per seed) cross-validated as :func:`run` does, then all of them. A curve still
    rising at the full set says more labels would help; a flat one, that the signals limit the verdicts."""
    out = []
    for fraction in (*fractions, 1.0):
        draws: list[dict[str, Any]] = []
        for seed in seeds if fraction < 1.0 else seeds[:1]:
            rng = random.Random(seed)
            subset = [p for p in pairs if rng.random() < fraction] if fraction < 1.0 else list(pairs)
            _, figures = fit_combination(verifier, subset, held_out_labels=[], **fit_options)  # type: ignore[arg-type]
            draws.append({"claims": len(subset), "accuracy": figures.get("grouped_accuracy"),
                          "kappa": figures.get("grouped_kappa")})
        mean = {k: round(sum(d[k] for d in draws) / len(draws), 4) if all(d[k] is not None for d in draws) else None
                for k in ("accuracy", "kappa")}
        out.append({"fraction": fraction, "draws": draws, **mean})
    return out


def curve_text(rows: Sequence[dict[str, Any]]) -> str:
    lines = ["| share of the tune claims | claims (each draw) | grouped accuracy (mean) | kappa (mean) |",
             "| --- | --- | --- | --- |"]
    lines += [f"| {r['fraction']:.2f} | {', '.join(str(d['claims']) for d in r['draws'])} | {r['accuracy']} | "
              f"{r['kappa']} |" for r in rows]
    return "\n".join(lines)


def text(result: dict[str, Any]) -> str:
    cv = result["cv"]
    lines = [f"{result['claims']} tune claims ({', '.join(result['rounds'])}); floor {cv['floor']}",
             f"grouped by document: accuracy {cv.get('grouped_accuracy')}, kappa {cv.get('grouped_kappa')}, supported "
             f"recall {cv.get('grouped_supported_recall')}, false acceptance {cv.get('grouped_false_acceptance')}",
             f"shuffled: accuracy {cv['accuracy']}, kappa {cv['kappa']}, supported recall {cv['supported_recall']}, "
             f"false acceptance {cv['false_acceptance']}", "",
             "| kind | label | claims | agreement | accepted |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {k} | {v['label']} | {v['claims']} | {v['agreement']:.3f} | {v['accepted']:.3f} |"
              for k, v in result["kinds"].items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.verifier_cv", description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", nargs="+", default=None, help="authoring rounds (vc1 … vc5); default all")
    p.add_argument("--features", type=Path, default=None, help="a JSON-lines cache of the claims' signals")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--learning-curve", action="store_true",
                   help="cross-validate random quarters, halves and three quarters of the claims too")
    args = p.parse_args(argv)
    if args.learning_curve:
        pairs = tune_pairs(args.rounds)
        rows = learning_curve(pairs, signals(pairs, args.features))
        print(json.dumps(rows) if args.json else curve_text(rows), file=sys.stdout)
        return 0
    result = run(args.rounds, args.features)
    print(json.dumps(result) if args.json else text(result), file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
