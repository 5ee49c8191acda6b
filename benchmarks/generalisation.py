"""How a reward model does on data it was not developed on, per setting family, both orders.

    python -m benchmarks.generalisation                  # the default (offline heuristic) RM
    python -m benchmarks.generalisation --rm cascade:heuristic>llm:openai/gpt-4o-mini

Datasets: the bundled suite, a fresh generator seed (generated into a temporary folder), the
hand-written check sets (``benchmarks/data/checkset/dev`` and every ``heldout*`` folder) and the seven published
records (``--samples``). Every pair is judged in both orders and counts as right only when both
verdicts pick the chosen side. For each dataset it prints accuracy per family (LCR = long-context
reasoning, MTD = multi-turn dialogue, LFG = long-form generation), then what a cascade escalating
verdicts below ``--threshold`` confidence would send on, and the accuracy of the verdicts it keeps.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from benchmarks.generator import BUNDLED_SUITE_DIR, generate_suite
from benchmarks.runner import ExecOptions, RunConfig, read_ledger, run_bench

__all__ = ["main"]

CHECKSET = Path(__file__).resolve().parent / "data" / "checkset"
SAMPLES = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "benchmarks"
    / "data"
    / "memrewardbench-samples"
)


def _run(name: str, data: Path, rm: str, out: Path, threshold: float) -> str:
    res = asyncio.run(
        run_bench(
            RunConfig(data=[str(data)], rm=rm, both_orders=True),
            out_dir=out / name,
            options=ExecOptions(write_report=False, cache=False),
        )
    )
    fam = "  ".join(
        f"{k} {100 * b.accuracy:5.1f}% (n={b.n})" if b.accuracy is not None else f"{k}   -  "
        for k, b in res.by_task.items()
    )
    judged = read_ledger(out / name / "predictions.jsonl")
    kept = [p for p in judged if (p.confidence or 0.0) >= threshold]
    esc = 1 - len(kept) / len(judged) if judged else 0.0
    kept_acc = f"{100 * sum(p.correct for p in kept) / len(kept):5.1f}%" if kept else "  -  "
    overall = f"{100 * res.accuracy:5.1f}%" if res.accuracy is not None else "-"
    per = "  ".join(
        f"{k} {100 * b.accuracy:.0f}%/{b.n}"
        for k, b in res.by_setting.items()
        if b.accuracy is not None
    )
    return (
        f"{name:<10} {res.n_pairs:4d} pairs  overall {overall}  {fam}\n"
        f"{'':<10} per setting (accuracy/pairs): {per}\n"
        f"{'':<10} cascade at {threshold}: escalates {100 * esc:4.1f}% of judgments, "
        f"the rest {kept_acc} right"
    )


def _set_order(d: Path) -> int:
    """heldout, heldout2, ... heldout10 in the order they were written."""
    tail = d.name.removeprefix("heldout")
    return int(tail) if tail.isdigit() else 1


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.generalisation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--rm", default="heuristic", help="reward-model spec (default: heuristic)")
    p.add_argument("--seed", type=int, default=7, help="fresh generator seed (default: 7)")
    p.add_argument("--samples", type=Path, default=SAMPLES, help="folder of published records")
    p.add_argument("--threshold", type=float, default=0.75, help="cascade confidence threshold")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        fresh = out / f"seed{args.seed}"
        print(f"generating a fresh suite (seed {args.seed}) ...", file=sys.stderr)
        generate_suite(fresh, seed=args.seed)
        sets = [
            ("bundled", BUNDLED_SUITE_DIR),
            (f"seed{args.seed}", fresh),
            ("dev", CHECKSET / "dev"),
            *((d.name, d) for d in sorted(CHECKSET.glob("heldout*"), key=_set_order)),
        ]
        if args.samples.is_dir():
            sets.append(("published", args.samples))
        print(f"reward model {args.rm}; both orders; a pair is right when both verdicts are")
        for name, data in sets:
            print(_run(name, data, args.rm, out / "runs", args.threshold), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
