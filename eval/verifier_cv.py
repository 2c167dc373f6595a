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


def run(rounds: Sequence[str] | None, cache: Path | None) -> dict[str, Any]:
    pairs = [p for p in load_calibration(CLAIMS, split="tune") if rounds is None or p.id.split("-")[0] in rounds]
    if not pairs:
        raise SystemExit(f"no tune claims in rounds {rounds}")
    if any(p.split != "tune" for p in pairs):
        raise RuntimeError("the verifier's cross-validation reads the tune half only")
    verifier = signals(pairs, cache)
    held_out: list[list[str]] = []
    _, figures = fit_combination(verifier, pairs, held_out_labels=held_out)  # type: ignore[arg-type]
    if not held_out:  # fit_combination groups by document only when there are at least as many documents as folds
        raise SystemExit(f"rounds {rounds}: their tune claims come from too few documents for folds grouped by document")
    check = [_agreement(pairs, run) for run in held_out]  # the same figures, recomputed from the held-out labels
    return {"claims": len(pairs), "rounds": sorted({p.id.split("-")[0] for p in pairs}), "cv": figures,
            "grouped_accuracy_check": round(sum(a.accuracy for a in check) / len(check), 4),
            "kinds": by_kind(pairs, held_out)}


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
    args = p.parse_args(argv)
    result = run(args.rounds, args.features)
    print(json.dumps(result) if args.json else text(result), file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
