"""``agentmem bench``: run MemRewardBench, generate the offline suite, report, compare runs.

Nothing heavy is imported at module import (``agentmem --help`` stays fast): the runner, the
reports and the reward models load inside the handlers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentmem.cli import env_default
from agentmem.exceptions import UserError

__all__ = ["register"]

_RUN_EPILOG = """\
examples:
  agentmem bench run
      the bundled offline suite (200 pairs, 10 settings x 5 lengths) with the default reward model
  agentmem bench run --data datas/ --rm llm:openai/gpt-4o-mini --concurrency 16 --rpm 500
      the published MemRewardBench files (a folder of the three JSONL files) with an LLM judge,
      official protocol (compat mode)
  agentmem bench run --data Long-form_Generation.jsonl --rm llm:openai/qwen3-8b \\
      --api-base http://localhost:8000/v1 --mode robust --out runs/qwen3
      a local OpenAI-compatible server (vLLM, llama.cpp, Ollama), both orders, ties allowed
  agentmem bench run --resume runs/qwen3
      continue a killed run: judged pairs are kept, the rest is judged, nothing twice

data formats: JSONL (.jsonl, .jsonl.gz/.xz/.bz2), JSON arrays, Parquet, a Hugging Face dataset
folder saved with save_to_disk, or a folder of these. Records need question, chosen and rejected;
task/subtask/ctx_length are mapped to the 10 canonical settings (unknown names are judged and
reported in an 'unmapped' bucket). Bad lines are reported with file, line and field and skipped.

outputs in --out: run.json (the configuration, for --resume), predictions.jsonl (one line per
judged pair and order, appended as it happens), results.json, report.html, accuracy.png.
`agentmem bench report DIR` shows interim figures of a run that is still going.

API keys: set the provider's usual variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...); keys are
never written to run.json or results.json.
"""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value!r}")
    return value


def register(subparsers: Any) -> None:
    """Add ``bench`` and its sub-commands to the ``agentmem`` parser."""
    bench = subparsers.add_parser(
        "bench",
        help="evaluate reward models on MemRewardBench (run, generate, report, compare)",
        description="MemRewardBench (arXiv 2601.11969): does a reward model tell the better memory "
        "trajectory from the worse one? Run it, regenerate the offline suite, write reports, compare runs.",
    )
    sub = bench.add_subparsers(dest="bench_command", metavar="COMMAND")

    def show_help(_args: argparse.Namespace) -> int:
        bench.print_help()
        return 2

    bench.set_defaults(handler=show_help)

    run = sub.add_parser(
        "run",
        help="judge every pair of a dataset with a reward model and report accuracy",
        description="Judge chosen/rejected pairs with a reward model and print the paper-style table "
        "(10 settings, 3 task averages, overall; then by context length) beside trivial baselines and "
        "the paper's published numbers.",
        epilog=_RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "--data",
        action="append",
        metavar="PATH",
        help="data file or folder; repeat for several (default: the bundled offline suite)",
    )
    run.add_argument(
        "--rm",
        default=env_default("--rm"),
        metavar="SPEC",
        help="reward model spec, e.g. heuristic, llm:openai/gpt-4o-mini, "
        "cascade:heuristic>llm:openai/gpt-4o (default: heuristic; env AGENTMEM_RM)",
    )
    run.add_argument(
        "--mode",
        choices=("compat", "robust"),
        default="compat",
        help="compat: the official evaluator exactly (seed 42 per file, one random order per "
        "pair, first-5-characters verdict parse, temperature 0.7 / top-p 0.95 / 16,384 tokens); "
        "robust: tolerant parse, ties allowed, both orders (default: compat)",
    )
    orders = run.add_mutually_exclusive_group()
    orders.add_argument(
        "--both-orders",
        dest="both_orders",
        action="store_true",
        default=None,
        help="judge every pair twice, chosen first and chosen second, and combine the two "
        "verdicts (disagreement = tie = wrong); reports consistency and position bias "
        "(default in robust mode)",
    )
    orders.add_argument(
        "--no-both-orders",
        dest="both_orders",
        action="store_false",
        help="one order per pair even in robust mode",
    )
    run.add_argument(
        "--concurrency",
        type=_positive_int,
        default=8,
        metavar="N",
        help="judgments in flight at once (default: 8)",
    )
    run.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        metavar="N",
        help="processes that run a CPU-bound reward model such as the offline heuristic; worth it on "
        "big suites and many cores (each worker pays ~1-2 s of start-up; default: 1, in-process)",
    )
    run.add_argument(
        "--rpm",
        type=_positive_int,
        default=None,
        metavar="N",
        help="LLM requests per minute limit (default: none)",
    )
    run.add_argument(
        "--tpm",
        type=_positive_int,
        default=None,
        metavar="N",
        help="LLM tokens per minute limit (default: none)",
    )
    run.add_argument(
        "--limit",
        type=_positive_int,
        metavar="N",
        help="judge a random sample of N records per data file, drawn as the official "
        "runner's random_sample does (default: all)",
    )
    run.add_argument(
        "--api-base",
        default=env_default("--api-base"),
        metavar="URL",
        help="OpenAI-compatible endpoint for an llm: reward model (env AGENTMEM_API_BASE)",
    )
    run.add_argument(
        "--temperature", type=float, metavar="T", help="override the judge's sampling temperature"
    )
    run.add_argument("--top-p", type=float, metavar="P", help="override the judge's top-p")
    run.add_argument(
        "--max-tokens", type=_positive_int, metavar="N", help="override the judge's max new tokens"
    )
    run.add_argument(
        "--over-length",
        choices=("official", "skip"),
        default=None,
        help="compat mode, prompts of >= 131,072 tokens: 'official' cuts them to their first "
        "65,536 and last 65,531 tokens as the official evaluator does (default); 'skip' leaves "
        "them out and counts them, as its local path does. Shorter prompts are never touched. "
        "Robust mode instead trims the shared context to the judge's window",
    )
    run.add_argument(
        "--seed",
        type=int,
        default=42,
        metavar="N",
        help="protocol seed for the per-file shuffle and A/B orders (default: 42, the official one)",
    )
    run.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output folder (default: ./runs/bench-<UTC timestamp>)",
    )
    run.add_argument(
        "--resume",
        type=Path,
        metavar="DIR",
        help="continue the run in DIR with its saved configuration (data/rm/mode options are "
        "taken from DIR/run.json)",
    )
    run.add_argument(
        "--cache-dir", type=Path, metavar="DIR", help="LLM response cache (default: <out>/cache)"
    )
    run.add_argument(
        "--no-cache",
        action="store_true",
        help="do not give the reward model a response cache (each run asks the judge again)",
    )
    run.add_argument(
        "--retry-errors",
        action="store_true",
        help="with --resume: judge again the pairs whose reward model raised (e.g. a provider outage); "
        "the new ledger line supersedes the error",
    )
    run.add_argument(
        "--paper",
        default=None,
        metavar="MODELS",
        help="comma-separated judges from the paper's tables to print for reference "
        "(default: Claude-Opus-4.5,Qwen2.5-7B, its best and weakest)",
    )
    run.add_argument("--no-report", action="store_true", help="skip report.html and accuracy.png")
    run.add_argument("--json", action="store_true", help="print results.json instead of the tables")
    run.set_defaults(handler=_cmd_run)

    gen = sub.add_parser(
        "generate",
        help="regenerate the offline suite (bit-identical) or a bigger one",
        description="Generate MemRewardBench-style pairs offline and deterministically: three files "
        "named like the published ones (reasoning, dialogue, long-form).",
        epilog="examples:\n  agentmem bench generate --out suite/             # = the bundled suite\n"
        "  agentmem bench generate --out big/ --per-cell 20 --lengths 8k,16k",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gen.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder to write the three files into",
    )
    gen.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="N",
        help="generator seed (default: the bundled suite's)",
    )
    gen.add_argument(
        "--lengths",
        default=None,
        metavar="LIST",
        help="comma-separated context lengths (default: 8k,16k,32k,64k,128k)",
    )
    gen.add_argument(
        "--per-cell",
        type=_positive_int,
        default=None,
        metavar="N",
        help="pairs per setting and length (default: the bundled suite's, 4)",
    )
    gen.add_argument(
        "--json", action="store_true", help='print {"files": [...]} instead of one path per line'
    )
    gen.set_defaults(handler=_cmd_generate)

    rep = sub.add_parser(
        "report",
        help="write report.html and accuracy.png for a run folder and print its tables",
        description="(Re)write report.html (single file) and accuracy.png from DIR/results.json.",
    )
    rep.add_argument(
        "dir", type=Path, metavar="DIR", help="a folder written by `agentmem bench run`"
    )
    rep.add_argument("--json", action="store_true", help="print results.json instead of the tables")
    rep.add_argument(
        "--paper",
        default=None,
        metavar="MODELS",
        help="comma-separated judges from the paper's tables to print for reference",
    )
    rep.set_defaults(handler=_cmd_report)

    cmp_ = sub.add_parser(
        "compare",
        help="compare two runs per setting with an exact paired test",
        description="Per setting, task group, length and overall: accuracy of both runs on the pairs both "
        "judged, the difference, and the two-sided exact McNemar p-value (is the difference real?).",
    )
    cmp_.add_argument("dir_a", type=Path, metavar="DIR_A")
    cmp_.add_argument("dir_b", type=Path, metavar="DIR_B")
    cmp_.add_argument("--json", action="store_true", help="print the comparison as JSON")
    cmp_.set_defaults(handler=_cmd_compare)

    shp = sub.add_parser(
        "shape",
        help="measure what a data set looks like and how far trivial rules get on it",
        description="Per setting: whole-pair size against ctx_length, the question's share, failed "
        "update attempts per side, whether Noise pairs differ only by them, dialogue store kinds "
        "(empty / dump / distilled), long-form plan shapes, and the accuracy of surface rules "
        "(shorter, longer, fewer/more lines, fewer wrong-update blocks). A faithful suite lets "
        "these rules do about what they do on the published records, not better.",
        epilog="examples:\n  agentmem bench shape                       # the bundled suite\n"
        "  agentmem bench shape --data datas/ --json   # the published files",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    shp.add_argument(
        "--data",
        action="append",
        metavar="PATH",
        help="data file or folder; repeat for several (default: the bundled suite)",
    )
    shp.add_argument("--json", action="store_true", help="print the figures as JSON")
    shp.set_defaults(handler=_cmd_shape)


class _Progress:
    """A rich progress bar on a terminal, plain periodic lines otherwise (both on stderr)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tty = sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None
        self._last = 0.0
        self._done = -1

    def __call__(self, done: int, total: int) -> None:
        if self.tty:
            if self._bar is None:
                from rich.console import Console
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    Progress,
                    TimeElapsedColumn,
                    TimeRemainingColumn,
                )

                self._bar = Progress(
                    "[progress.description]{task.description}",
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    TimeRemainingColumn(),
                    console=Console(stderr=True),  # stdout stays clean for --json
                    transient=True,
                )
                self._bar.start()
                self._task = self._bar.add_task(self.label, total=total)
            self._bar.update(self._task, completed=done, total=total)
            if done >= total:  # results and reports follow: do not keep redrawing a full bar
                self.close()
            return
        now = time.monotonic()
        if done != self._done and (done == total or now - self._last >= 2.0):
            self._last, self._done = now, done
            pct = 100 * done / total if total else 100.0
            print(f"{self.label}: {done}/{total} ({pct:.0f}%)", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _bundled_suite() -> list[str]:
    try:
        from benchmarks.generator import BUNDLED_SUITE_DIR
    except ImportError as exc:
        raise UserError(
            f"the bundled suite is not available in this build ({exc}); pass --data PATH"
        ) from None
    folder = Path(BUNDLED_SUITE_DIR)
    if not folder.is_dir() or not any(folder.iterdir()):
        raise UserError(
            f"the bundled suite folder {str(folder)!r} is empty; regenerate it with "
            f"`agentmem bench generate --out {folder}` or pass --data PATH"
        )
    return [str(folder)]


def _cmd_run(args: argparse.Namespace) -> int:
    import asyncio

    models = _paper_models(args.paper)
    from benchmarks.runner import ExecOptions, RunConfig, run_bench
    from rewards import DEFAULT_RM

    if args.resume is not None:
        if args.out is not None and args.out != args.resume:
            raise UserError(
                f"--resume {args.resume} writes into that folder; drop --out {args.out}"
            )
        out_dir = args.resume
        ignored = [
            f"--{k.replace('_', '-')}"
            for k in ("data", "limit", "temperature", "top_p", "max_tokens")
            if getattr(args, k) is not None
        ]
        ignored += ["--both-orders"] if args.both_orders is not None else []
        ignored += ["--mode"] if args.mode != "compat" else []
        ignored += ["--over-length"] if args.over_length is not None else []
        if ignored:
            print(
                f"agentmem: note: --resume repeats the saved configuration in {out_dir / 'run.json'}; "
                f"ignoring {', '.join(ignored)}",
                file=sys.stderr,
            )
        config = RunConfig(data=[], rm="")  # replaced by the saved run.json
    else:
        out_dir = args.out or Path("runs") / f"bench-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
        both = args.both_orders if args.both_orders is not None else args.mode == "robust"
        overrides: dict[str, Any] = {}
        for key in ("api_base", "temperature", "top_p", "max_tokens"):
            if getattr(args, key) is not None:
                overrides[key] = getattr(args, key)
        if args.over_length is not None:
            if args.mode != "compat":
                raise UserError(
                    f"--over-length {args.over_length} is the official evaluator's rule and needs "
                    "--mode compat; robust mode trims the shared context to the judge's window instead"
                )
            overrides["truncation"] = args.over_length
        config = RunConfig(
            data=args.data or _bundled_suite(),
            rm=args.rm or DEFAULT_RM,
            mode=args.mode,
            both_orders=both,
            limit=args.limit,
            seed=args.seed,
            rm_overrides=overrides,
        )
    workers = args.workers or 1
    options = ExecOptions(
        workers=workers,
        concurrency=args.concurrency,
        rpm=args.rpm,
        tpm=args.tpm,
        cache_dir=args.cache_dir,
        cache=not args.no_cache,
        retry_errors=args.retry_errors,
        write_report=not args.no_report,
    )
    progress = _Progress("judging")
    try:
        results = asyncio.run(
            run_bench(
                config,
                out_dir=out_dir,
                options=options,
                resume=args.resume is not None,
                progress=progress,
                on_plan=_print_issues,
            )
        )
    except KeyboardInterrupt:
        progress.close()
        print(
            f"agentmem: judgments so far are saved; continue with: agentmem bench run --resume {out_dir}",
            file=sys.stderr,
        )
        raise
    finally:
        progress.close()
    failed = _all_failed(results, out_dir)
    if args.json:
        print(results.model_dump_json(indent=2))
        return 1 if failed else 0
    print(_tables(results, models))
    if results.load_issues:
        where = "results.json" if args.no_report else f"{out_dir / 'report.html'} and results.json"
        print(f"{len(results.load_issues)} input issue(s), listed in {where}", file=sys.stderr)
    print(
        f"outputs in {out_dir}/ (results.json, predictions.jsonl"
        f"{', report.html, accuracy.png' if not args.no_report else ''})"
    )
    return 1 if failed else 0


def _all_failed(results: Any, out_dir: Path) -> bool:
    """When every judgment errored (a missing key, a wrong model name): say so in one line, with
    the first error, so that the run does not pass for a 0% reward model."""
    if not results.n_pairs or results.n_errors < results.n_pairs:
        return False
    from benchmarks.runner import read_ledger

    first = next((p.error for p in read_ledger(out_dir / "predictions.jsonl") if p.error), "")
    print(
        f"agentmem: error: all {results.n_pairs} pair(s) failed to be judged; first error: {first[:500]}",
        file=sys.stderr,
    )
    return True


def _print_issues(plan: Any) -> None:
    """Before judging: what was wrong with the input (so a long run does not hide it until the end)."""
    _print_issues_lines(plan.report.summary_lines(), more="more in results.json")
    n = plan.n_jobs
    print(f"judging {n} judgment(s) from {len(plan.sources)} source(s)", file=sys.stderr)


def _paper_models(paper: str | None) -> tuple[str, ...]:
    """The --paper list, checked up front (an unknown name fails before any judging)."""
    from benchmarks.report import PAPER_COLUMNS, paper_by_setting

    models = tuple(m.strip() for m in paper.split(",") if m.strip()) if paper else PAPER_COLUMNS
    for m in models:
        paper_by_setting(m)  # raises UnknownNameError listing the paper's judges
    return models


def _tables(results: Any, models: tuple[str, ...]) -> str:
    from benchmarks.report import render_tables

    return render_tables(
        results, color=sys.stdout.isatty() and not os_no_color(), paper_models=models
    )


def os_no_color() -> bool:
    """True when colour is switched off (NO_COLOR or AGENTMEM_NO_COLOR)."""
    return bool(os.environ.get("NO_COLOR") or os.environ.get("AGENTMEM_NO_COLOR"))


def _cmd_generate(args: argparse.Namespace) -> int:
    try:
        from benchmarks.generator import BUNDLED_ARGS, generate_suite
    except ImportError as exc:
        raise UserError(f"the suite generator is not available in this build ({exc})") from None
    kwargs: dict[str, Any] = dict(BUNDLED_ARGS)
    if args.seed is not None:
        kwargs["seed"] = args.seed
    if args.per_cell is not None:
        kwargs["per_cell"] = args.per_cell
    if args.lengths is not None:
        lengths = tuple(x.strip() for x in args.lengths.split(",") if x.strip())
        if not lengths:
            raise UserError(f"--lengths {args.lengths!r} names no length; e.g. --lengths 8k,16k")
        kwargs["lengths"] = lengths
    progress = _Progress("generating")
    try:
        paths = generate_suite(args.out, progress=progress, **kwargs)
    finally:
        progress.close()
    if args.json:
        import json

        print(json.dumps({"files": [str(p) for p in paths]}, indent=2))
    else:
        for p in paths:
            print(p)
    return 0


def _load_results(folder: Path) -> Any:
    from benchmarks.runner import Results

    path = folder / "results.json"
    if not path.is_file():
        raise UserError(
            f"{str(folder)!r} has no results.json; give a folder written by `agentmem bench run`"
        )
    try:
        return Results.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UserError(
            f"{path} is not a results file this version can read: {str(exc)[:300]}"
        ) from None


def _cmd_report(args: argparse.Namespace) -> int:
    from benchmarks.report import write_report

    models = _paper_models(args.paper)
    if not (args.dir / "results.json").is_file() and (args.dir / "predictions.jsonl").is_file():
        from benchmarks.runner import partial_results

        # an unfinished run: interim figures, results.json untouched
        results = partial_results(args.dir)
        print(
            f"agentmem: {args.dir} has not finished; these are interim figures from its ledger",
            file=sys.stderr,
        )
    else:
        results = _load_results(args.dir)
    html_path, png_path = write_report(results, args.dir)
    if args.json:
        print(results.model_dump_json(indent=2))
    else:
        print(_tables(results, models))
        print(f"wrote {html_path} and {png_path}")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from benchmarks.report import compare_runs, render_compare

    result = compare_runs(args.dir_a, args.dir_b)
    print(result.model_dump_json(indent=2) if args.json else render_compare(result))
    return 0


def _cmd_shape(args: argparse.Namespace) -> int:
    import json
    from collections import defaultdict

    from benchmarks.loaders import LoadReport, discover, iter_records
    from benchmarks.shape import pair_shape, surface_rules

    report = LoadReport()
    shapes = [pair_shape(r) for r in iter_records(discover(args.data or _bundled_suite()), report)]
    _print_issues_lines(report.summary_lines())
    if not shapes:
        raise UserError(f"no valid records in {args.data or 'the bundled suite'}")
    by: dict[str, list[Any]] = defaultdict(list)
    for s in shapes:
        by[s.setting].append(s)
    rules = surface_rules(shapes)
    doc: dict[str, Any] = {}
    for setting, ss in sorted(by.items()):
        ratios = sorted(s.pair_ratio for s in ss if s.pair_ratio is not None)
        shares = sorted(s.question_share for s in ss)
        reasoning = [s for s in ss if s.same_outside_wrong is not None]
        doc[setting] = {
            "pairs": len(ss),
            "pair_ratio": [round(ratios[0], 2), round(ratios[-1], 2)] if ratios else None,
            "question_share_median": round(shares[len(shares) // 2], 3),
            "wrong_blocks_chosen": sum(s.wrong_chosen for s in ss),
            "wrong_blocks_rejected": sum(s.wrong_rejected for s in ss),
            "same_outside_wrong": sum(bool(s.same_outside_wrong) for s in reasoning)
            if reasoning
            else None,
            "max_memory_tokens": max(s.max_memory_tokens for s in ss),
            "stores": sorted(
                {f"{s.store_chosen}/{s.store_rejected}" for s in ss if s.store_chosen}
            ),
            "plans": sorted({s.plan for s in ss if s.plan}),
            "surface_rules": {k: round(v, 3) for k, v in rules[setting].items()},
        }
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    for setting, d in doc.items():
        ratio = "-" if d["pair_ratio"] is None else f"{d['pair_ratio'][0]}-{d['pair_ratio'][1]}"
        extra = []
        if d["same_outside_wrong"] is not None:
            extra.append(f"identical outside wrong blocks {d['same_outside_wrong']}/{d['pairs']}")
        if d["stores"]:
            extra.append("stores " + ", ".join(d["stores"]))
        if d["plans"]:
            extra.append("plans " + ", ".join(d["plans"]))
        print(
            f"{setting:<20} n={d['pairs']:<4} pair/L {ratio:<10} question share {d['question_share_median']:.2f}  "
            f"wrong blocks chosen/rejected {d['wrong_blocks_chosen']}/{d['wrong_blocks_rejected']}  "
            f"largest memory {d['max_memory_tokens']} tokens"
            + ("".join(f"\n{'':<22}{e}" for e in extra))
        )
        print(f"{'':<22}" + "  ".join(f"{k} {100 * v:.0f}%" for k, v in d["surface_rules"].items()))
    return 0


def _print_issues_lines(lines: list[str], more: str = "more") -> None:
    """The input problems a loader reported, at most 30 lines on stderr."""
    for line in lines[:30]:
        print(f"input: {line}", file=sys.stderr)
    if len(lines) > 30:
        print(f"input: ... {len(lines) - 30} {more}", file=sys.stderr)
