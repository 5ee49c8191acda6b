"""Fit (or check) the heuristic's margin-to-confidence table on benchmark data.

    python -m rewards.heuristic.fit_confidence --data /tmp/seed101          # print a new table
    python -m rewards.heuristic.fit_confidence --check benchmarks/data/suite  # reliability

Every pair is judged in both orders. ``--data`` prints the fitted table (paste it into
``rewards/heuristic/_confidence.py``); ``--check`` prints, for the shipped table, the accuracy
per confidence bin and what a cascade at each threshold would escalate, with the accuracy of the
verdicts it keeps. Fit on data the heuristic was not developed on (a fresh generator seed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.loaders import load_records
from rewards import PairInput
from rewards.heuristic._confidence import calibrated_confidence, fit_table
from rewards.heuristic._model import HeuristicRM


def _points(paths: list[str]) -> list[tuple[float, bool, str]]:
    rm = HeuristicRM()
    out: list[tuple[float, bool, str]] = []
    records = load_records([Path(p) for p in paths])
    for i, r in enumerate(records, 1):
        for chosen_first in (True, False):
            a, b = (r.chosen, r.rejected) if chosen_first else (r.rejected, r.chosen)
            v = rm.compare_sync(
                PairInput(question=r.question, trajectory_a=a, trajectory_b=b, kind=r.kind)
            )
            right = v.winner == ("A" if chosen_first else "B")
            out.append(((v.score_a or 0.0) - (v.score_b or 0.0), right, r.setting))
        print(f"\rjudged {i}/{len(records)} pairs", end="", file=sys.stderr)
    print(file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point (``python -m rewards.heuristic.fit_confidence``)."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument(
        "--data", nargs="+", metavar="PATH", help="fit a table on these files or folders"
    )
    g.add_argument(
        "--check", nargs="+", metavar="PATH", help="report the shipped table's reliability"
    )
    p.add_argument("--bins", type=int, default=8, help="margin bins before pooling (default: 8)")
    args = p.parse_args(argv)
    if args.data:
        pts = _points(args.data)
        table = fit_table([(m, c) for m, c, _ in pts], bins=args.bins)
        print(f"# fitted on {len(pts)} judgments of {', '.join(args.data)}")
        print("CONFIDENCE_TABLE = (")
        for bound, acc in table:
            shown = 'float("inf")' if bound == float("inf") else repr(bound)
            print(f"    ({shown}, {acc}),")
        print(")")
        return 0
    pts = _points(args.check)
    conf = [(calibrated_confidence(m), c) for m, c, _ in pts]
    print(f"{len(pts)} judgments; accuracy {sum(c for _, c in conf) / len(conf):.3f}")
    print("confidence bin  n  accuracy")
    for lo, hi in ((0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)):
        sel = [c for k, c in conf if lo <= k < hi]
        if sel:
            print(f"[{lo:.1f}, {min(hi, 1.0):.1f})  {len(sel):4d}  {sum(sel) / len(sel):.3f}")
    print("cascade threshold  escalated  accuracy of the rest")
    for t in (0.6, 0.7, 0.75, 0.8, 0.9):
        kept = [c for k, c in conf if k >= t]
        rate = 1 - len(kept) / len(conf)
        acc = f"{sum(kept) / len(kept):.3f}" if kept else "-"
        print(f"{t:.2f}  {rate:.3f}  {acc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
