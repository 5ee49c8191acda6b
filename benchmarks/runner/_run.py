"""The async benchmark runner: plan, judge with bounded concurrency into the ledger, summarise.

    results = await run_bench(RunConfig(data=["suite/"], rm="heuristic"), out_dir=Path("runs/x"))

Judgments run through ``concurrency`` workers; each one is appended to ``predictions.jsonl`` the
moment it returns, so a killed run resumes (``resume=True``) where it stopped with no duplicates
and no gaps. RPM/TPM limits and the response cache live in the reward model's LLM client: the
runner passes ``concurrency``, ``rpm``, ``tpm`` and ``cache_dir`` as overrides.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentmem.exceptions import UserError
from benchmarks.runner._compute import compute_results
from benchmarks.runner._judging import Progress, judge_all
from benchmarks.runner._ledger import Ledger, read_ledger
from benchmarks.runner._plan import Plan, make_plan
from benchmarks.runner._results import DataFile, Results, RMInfo, RunConfig, Timing
from rewards import RewardModel, make_reward_model

__all__ = [
    "COMPAT_SAMPLING",
    "ExecOptions",
    "Progress",
    "build_reward_model",
    "partial_results",
    "reward_model_overrides",
    "rm_info",
    "run_bench",
    "write_results",
]

COMPAT_SAMPLING: dict[str, Any] = {"temperature": 0.7, "top_p": 0.95, "max_tokens": 16384}
"""The official evaluator's decoding (n=1), passed to the reward model in compat mode."""

RUN_CONFIG_NAME = "run.json"
RESULTS_NAME = "results.json"


@dataclass(kw_only=True)
class ExecOptions:
    """How to run (not what): nothing here changes a verdict."""

    concurrency: int = 8
    """Judgments in flight at once."""
    rpm: int | None = None
    """Requests per minute for the reward model's LLM client."""
    tpm: int | None = None
    """Tokens per minute for the reward model's LLM client."""
    cache_dir: Path | None = None
    """Response cache of the LLM client (default ``<out>/cache``)."""
    cache: bool = True
    """Pass a response cache folder to the reward model at all."""
    write_report: bool = True
    """Also write report.html and accuracy.png."""
    workers: int = 1
    """Processes running the reward model (for CPU-bound ones such as the heuristic; 1 = in-process)."""
    retry_errors: bool = False
    """On resume, judge again the (pair, order)s whose ledger line is an RM error; the new line supersedes it."""


def rm_info(rm: RewardModel, spec: str) -> RMInfo:
    """The results' description of a reward model (JSON-safe arguments only)."""
    args: dict[str, Any] = {}
    for k, v in rm.spec.args.items():
        try:
            json.dumps(v)
        except TypeError:
            v = repr(v)
        args[k] = v
    return RMInfo(name=rm.spec.name, spec=spec, version=str(rm.spec.version), args=args)


def reward_model_overrides(
    config: RunConfig, options: ExecOptions, out_dir: Path
) -> dict[str, Any]:
    """The standard keyword overrides the runner passes to ``make_reward_model``."""
    overrides: dict[str, Any] = {}
    if config.mode == "compat":
        overrides.update(COMPAT_SAMPLING)
    overrides.update(config.rm_overrides)
    overrides.update(
        mode=config.mode,
        both_orders=False,  # the runner judges each order itself, one ledger line per order
        concurrency=options.concurrency,
    )
    if options.cache:
        overrides["cache_dir"] = str(options.cache_dir or out_dir / "cache")
    if options.rpm is not None:
        overrides["rpm"] = options.rpm
    if options.tpm is not None:
        overrides["tpm"] = options.tpm
    return overrides


def build_reward_model(config: RunConfig, options: ExecOptions, out_dir: Path) -> RewardModel:
    """The reward model a config names, with the standard overrides (in worker processes when asked)."""
    overrides = reward_model_overrides(config, options, out_dir)
    local = make_reward_model(config.rm, **overrides)
    if options.workers <= 1:
        return local
    from benchmarks.runner._pool import ProcessRM

    return ProcessRM(config.rm, overrides, options.workers, local=local)


def _prepare_out(config: RunConfig, out_dir: Path, resume: bool) -> RunConfig:
    cfg_path = out_dir / RUN_CONFIG_NAME
    if resume:
        if not cfg_path.is_file():
            raise UserError(
                f"cannot resume {str(out_dir)!r}: it holds no {RUN_CONFIG_NAME} (not a run folder)"
            )
        return RunConfig.model_validate_json(cfg_path.read_text(encoding="utf-8"))
    if (out_dir / "predictions.jsonl").exists():
        raise UserError(
            f"{str(out_dir)!r} already holds a run; continue it with --resume {out_dir} or choose another --out"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    # absolute data paths, so `--resume` works from any working directory
    data = [
        str(Path(d).expanduser().resolve()) if Path(d).expanduser().exists() else d
        for d in config.data
    ]
    config = config.model_copy(update={"data": data})
    cfg_path.write_text(config.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return config


def partial_results(out_dir: Path) -> Results:
    """Interim results of an unfinished run, from its ledger (``partial`` is set; nothing is written).

    Raises:
        UserError: ``out_dir`` is not a run folder or nothing was judged yet.
    """
    cfg_path = out_dir / RUN_CONFIG_NAME
    predictions = read_ledger(out_dir / "predictions.jsonl")
    if not cfg_path.is_file() or not predictions:
        raise UserError(
            f"{str(out_dir)!r} holds no judged pairs; give a folder written by `agentmem bench run`"
        )
    config = RunConfig.model_validate_json(cfg_path.read_text(encoding="utf-8"))
    sources = list(dict.fromkeys(p.source for p in predictions))
    results = compute_results(
        predictions,
        rm=RMInfo(name=config.rm.partition(":")[0], spec=config.rm, version="?"),
        mode=config.mode,
        both_orders=config.both_orders,
        data_files=[
            DataFile(
                source=s, path="", sha256="", bytes=0, n_records=0, n_skipped=0, n_duplicates=0
            )
            for s in sources
        ],
        load_issues=[
            f"interim figures: the run has judged {len(predictions)} (pair, order)s so far; "
            f"finish it with `agentmem bench run --resume {out_dir}`"
        ],
    )
    return results.model_copy(update={"partial": True})


def write_results(results: Results, out_dir: Path) -> Path:
    """Write results.json (indented, field order as declared)."""
    path = out_dir / RESULTS_NAME
    path.write_text(results.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


async def run_bench(
    config: RunConfig,
    *,
    out_dir: Path,
    options: ExecOptions | None = None,
    rm: RewardModel | None = None,
    resume: bool = False,
    progress: Progress | None = None,
    on_plan: Callable[[Plan], None] | None = None,
) -> Results:
    """Run (or with ``resume`` continue) a benchmark into ``out_dir`` and return its results.

    ``rm`` overrides building the reward model from ``config.rm`` (tests, programmatic use);
    on resume the configuration stored in ``out_dir/run.json`` wins over ``config``.
    """
    options = options or ExecOptions()
    if options.concurrency < 1:
        raise UserError(f"concurrency must be >= 1, got {options.concurrency!r}")
    if options.workers < 1:
        raise UserError(f"workers must be >= 1, got {options.workers!r}")
    config = _prepare_out(config, out_dir, resume)
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    plan = await asyncio.to_thread(make_plan, config)
    if on_plan is not None:
        on_plan(plan)
    if plan.n_jobs == 0:
        problems = "; ".join(plan.report.summary_lines()[:5]) or "the data holds no records"
        raise UserError(f"nothing to judge in {config.data}: {problems}")
    model = rm if rm is not None else build_reward_model(config, options, out_dir)
    ledger = Ledger(out_dir)
    previous = ledger.open()
    done = {
        (p.pair_id, p.chosen_as)
        for p in previous
        if not (options.retry_errors and p.verdict == "error")
    }
    try:
        planned = {
            (j.pair_id, j.chosen_as)
            for per in plan.jobs.values()
            for jobs in per.values()
            for j in jobs
        }
        already = len(done & planned)
        if progress is not None:
            progress(already, plan.n_jobs)
        n_new = await judge_all(plan, model, ledger, done, options.concurrency, progress, already)
    finally:
        ledger.close()
        close = getattr(model, "aclose", None) if rm is None else None
        if close is not None:  # the reward model we built owns an HTTP session: release it
            await close()
    elapsed = time.perf_counter() - t0
    predictions = [p for p in read_ledger(ledger.path) if (p.pair_id, p.chosen_as) in planned]
    latencies = [p.latency_s for p in predictions]
    timing = Timing(
        started_at=started.isoformat(timespec="seconds"),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(elapsed, 3),
        judgments_per_s=round(n_new / elapsed, 3) if elapsed > 0 else None,
        mean_latency_s=round(sum(latencies) / len(latencies), 6) if latencies else None,
    )
    results = compute_results(
        predictions,
        rm=rm_info(model, config.rm),
        mode=config.mode,
        both_orders=config.both_orders,
        data_files=plan.data_files,
        load_issues=plan.report.summary_lines(),
        timing=timing,
    )
    write_results(results, out_dir)
    if options.write_report:
        from benchmarks.report import write_report

        write_report(results, out_dir)
    return results
