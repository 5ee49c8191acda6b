"""How a reward model does on data it was not developed on, per setting family, both orders.

    python -m benchmarks.generalisation                  # the default (offline heuristic) RM
    python -m benchmarks.generalisation --rm cascade:heuristic>llm:openai/gpt-4o-mini

Datasets: the bundled suite, a fresh generator seed (generated into a temporary folder), the
hand-written check sets (``benchmarks/data/checkset/dev`` and every ``heldout*`` folder) and the seven published
records (``--samples``). Every pair is judged in both orders and counts as right only when both
verdicts pick the chosen side. For each dataset it prints accuracy per family (LCR = long-context
reasoning, MTD = multi-turn dialogue, LFG = long-form generation), then what a cascade escalating
verdicts below ``--threshold`` confidence would send on, and the accuracy of the verdicts it keeps.

The check sets are development data once their misses have been looked at; what stays independent
evidence is each set's *first* judgment, made by the scorer of the day before anyone saw the
result. Those verdicts are kept in ``benchmarks/data/checkset/first_judgments.jsonl.xz`` and
summarised at the end (per family, and with the cascade). A new set is judged and recorded once:

    python -m benchmarks.generalisation --record heldout19   # refuses a set already recorded
"""

from __future__ import annotations

import argparse
import asyncio
import json
import lzma
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.generator import BUNDLED_SUITE_DIR, generate_suite
from benchmarks.runner import (
    ExecOptions,
    Prediction,
    Results,
    RunConfig,
    read_ledger,
    run_bench,
)
from benchmarks.settings import TASK_GROUPS, task_group

__all__ = ["first_judgment_summary", "main", "read_first_judgments", "record_first_judgments"]

CHECKSET = Path(__file__).resolve().parent / "data" / "checkset"
FIRST_JUDGMENTS = CHECKSET / "first_judgments.jsonl.xz"
SAMPLES = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "benchmarks"
    / "data"
    / "memrewardbench-samples"
)


def _judge(data: Path, rm: str, out: Path) -> tuple[Results, list[Prediction]]:
    """Judge every pair of ``data`` in both orders, uncached; the run's result and verdicts."""
    res = asyncio.run(
        run_bench(
            RunConfig(data=[str(data)], rm=rm, both_orders=True),
            out_dir=out,
            options=ExecOptions(write_report=False, cache=False),
        )
    )
    return res, read_ledger(out / "predictions.jsonl")


def _run(name: str, data: Path, rm: str, out: Path, threshold: float) -> str:
    res, judged = _judge(data, rm, out / name)
    fam = "  ".join(
        f"{k} {100 * b.accuracy:5.1f}% (n={b.n})" if b.accuracy is not None else f"{k}   -  "
        for k, b in res.by_task.items()
    )
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


def read_first_judgments(path: Path = FIRST_JUDGMENTS) -> list[dict[str, object]]:
    """The recorded first judgments (one row per verdict; empty when none are recorded)."""
    if not path.exists():
        return []
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def record_first_judgments(
    name: str, predictions: Sequence[Prediction], scorer: str, path: Path = FIRST_JUDGMENTS
) -> int:
    """Append the verdicts of check set ``name``'s first judgment; returns the rows written.

    A set is judged once: recording a set that already has rows raises ``ValueError``, so a
    second, better-looking run can never replace the first."""
    rows = read_first_judgments(path)
    if any(r["set"] == name for r in rows):
        raise ValueError(
            f"check set {name!r} already has recorded first judgments in {path}; a set is "
            "judged once -- write a new set (heldoutN) for fresh evidence"
        )
    new = [
        {
            "set": name,
            "pair_id": p.pair_id,
            "setting": p.setting,
            "chosen_as": p.chosen_as,
            "correct": p.correct,
            "confidence": p.confidence,
            "margin": (
                None if p.score_a is None or p.score_b is None else round(p.score_a - p.score_b, 6)
            ),
            "scorer": scorer,
        }
        for p in predictions
    ]
    with lzma.open(path, "wt", encoding="utf-8") as fh:
        for r in [*rows, *new]:
            fh.write(json.dumps(r) + "\n")
    return len(new)


def first_judgment_summary(
    rows: Sequence[dict[str, object]], threshold: float, sets: Sequence[str] | None = None
) -> str:
    """Per family: pairs right in both orders at their first judgment, and what a cascade
    escalating verdicts below ``threshold`` would send on and keep right. ``sets`` limits the
    count to those check sets."""
    chosen = [r for r in rows if sets is None or r["set"] in sets]
    parts: list[str] = []
    for group in TASK_GROUPS:
        mine = [r for r in chosen if task_group(str(r["setting"])) == group]
        pairs: dict[tuple[object, object], bool] = {}
        for r in mine:
            key = (r["set"], r["pair_id"])
            pairs[key] = pairs.get(key, True) and bool(r["correct"])
        if not pairs:
            parts.append(f"{group}   -  ")
            continue
        kept = [r for r in mine if float(r["confidence"] or 0.0) >= threshold]  # type: ignore[arg-type]
        right = sum(pairs.values())
        kept_acc = (
            f"{100 * sum(bool(r['correct']) for r in kept) / len(kept):.1f}%" if kept else "-"
        )
        parts.append(
            f"{group} {right}/{len(pairs)} ({100 * right / len(pairs):.0f}%), cascade escalates "
            f"{100 * (1 - len(kept) / len(mine)):.0f}% and keeps {kept_acc} right"
        )
    return "; ".join(parts)


def _first_judgment_report(threshold: float) -> str:
    rows = read_first_judgments()
    if not rows:
        return "no first judgments recorded"
    names = sorted({str(r["set"]) for r in rows}, key=lambda n: _set_order(Path(n)))
    recent = names[-5:]
    return (
        f"first judgments (each check set judged once, by the scorer of its day; {len(names)} "
        f"sets, {names[0]}..{names[-1]}):\n"
        f"  all:          {first_judgment_summary(rows, threshold)}\n"
        f"  last 5 sets:  {first_judgment_summary(rows, threshold, recent)}"
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
    p.add_argument(
        "--record",
        metavar="SET",
        help="judge the new check set SET (a folder of benchmarks/data/checkset) once and record "
        "its verdicts as its first judgment; refused when SET is already recorded",
    )
    args = p.parse_args(argv)
    if args.record:
        return _record(args.record, args.rm, args.threshold)
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
    print(_first_judgment_report(args.threshold))
    return 0


def _record(name: str, rm: str, threshold: float) -> int:
    data = CHECKSET / name
    if not data.is_dir() or not name.startswith("heldout"):
        print(
            f"error: no check set {name!r} in {CHECKSET}; write its files into "
            f"{CHECKSET}/heldoutN/ first",
            file=sys.stderr,
        )
        return 2
    if any(r["set"] == name for r in read_first_judgments()):
        print(f"error: {name} is already recorded; a set is judged once", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        res, judged = _judge(data, rm, Path(tmp))
    scorer = f"{res.reward_model.name} v{res.reward_model.version}"
    n = record_first_judgments(name, judged, scorer)
    print(f"recorded {n} verdicts of {name} ({scorer}) in {FIRST_JUDGMENTS}")
    print(f"{name}: {first_judgment_summary(read_first_judgments(), threshold, [name])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
