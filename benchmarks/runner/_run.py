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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentmem.exceptions import UserError
from benchmarks.loaders import LoadReport, Record, iter_records
from benchmarks.runner._compute import compute_results
from benchmarks.runner._ledger import Ledger, read_ledger
from benchmarks.runner._plan import Job, Plan, make_plan
from benchmarks.runner._results import DataFile, Prediction, Results, RMInfo, RunConfig, Timing
from benchmarks.settings import UNMAPPED
from rewards import PairInput, RewardModel, make_reward_model

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

_WINNERS = frozenset({"A", "B", "tie", "unparsed"})

RUN_CONFIG_NAME = "run.json"
RESULTS_NAME = "results.json"

Progress = Callable[[int, int], None]
"""Called with (judgments done, judgments planned) as the run advances."""


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


def _prediction(record: Record, job: Job, **fields: Any) -> Prediction:
    return Prediction(
        pair_id=record.pair_id,
        source=record.source,
        line=record.line,
        index=record.index,
        setting=record.setting,
        length=record.length,
        task=record.task,
        subtask=record.subtask,
        kind=record.kind,
        chosen_as=job.chosen_as,
        primary=job.primary,
        chosen_chars=len(record.chosen),
        rejected_chars=len(record.rejected),
        **fields,
    )


async def _judge(rm: RewardModel, record: Record, job: Job) -> Prediction:
    a, b = (
        (record.chosen, record.rejected)
        if job.chosen_as == "A"
        else (record.rejected, record.chosen)
    )
    pair = PairInput(
        question=record.question,
        trajectory_a=a,
        trajectory_b=b,
        kind=record.kind,
        setting=None if record.setting == UNMAPPED else record.setting,
        pair_id=record.pair_id,
    )
    t0 = time.perf_counter()
    try:
        v = await rm.compare(pair)
        if v.winner not in _WINNERS:
            raise TypeError(
                f"compare() returned winner {v.winner!r}; expected one of {sorted(_WINNERS)}"
            )
        return _prediction(
            record,
            job,
            verdict=v.winner,
            correct=v.winner == job.chosen_as,
            confidence=v.confidence,
            score_a=v.score_a,
            score_b=v.score_b,
            raw=[str(r) for r in v.raw],
            rationale=str(v.rationale)[:4000],
            tokens=int(v.tokens or 0),
            cost=float(v.cost or 0.0),
            latency_s=round(v.latency_s or time.perf_counter() - t0, 6),
        )
    except Exception as exc:  # the RM failed on this pair: record it, count it wrong, carry on
        return _prediction(
            record,
            job,
            verdict="error",
            correct=False,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            latency_s=round(time.perf_counter() - t0, 6),
        )


async def _judge_all(
    plan: Plan,
    rm: RewardModel,
    ledger: Ledger,
    done: set[tuple[str, str]],
    concurrency: int,
    progress: Progress | None,
    already: int,
) -> int:
    total = plan.n_jobs
    count = already
    queue: asyncio.Queue[tuple[Record, Job] | None] = asyncio.Queue(maxsize=max(2, concurrency * 2))

    async def worker() -> None:
        nonlocal count
        while (item := await queue.get()) is not None:
            prediction = await _judge(rm, *item)
            ledger.append(prediction)
            count += 1
            if progress is not None:
                progress(count, total)

    async def produce() -> None:
        for source in plan.sources:
            per = plan.jobs.get(source.name) or {}
            todo = {
                i
                for i, jobs in per.items()
                if any((j.pair_id, j.chosen_as) not in done for j in jobs)
            }
            if not todo:
                continue
            it = iter_records([source], LoadReport(), skip_duplicates=False)
            pending: list[Record] = []
            while todo:
                if not pending:
                    # read a batch off the event loop: parsing megabyte records is CPU work
                    pending = await asyncio.to_thread(_take, it, todo, max(4, concurrency))
                    pending.reverse()
                    if not pending:
                        raise UserError(
                            f"{source.name} changed while the run was reading it (records missing); restart the run"
                        )
                record = pending.pop()
                todo.discard(record.index)
                for job in per[record.index]:
                    if job.pair_id != record.pair_id:
                        raise UserError(
                            f"{record.where} changed while the run was reading it (content differs from pass 1, "
                            "or since the run began); restore the file or start a new run"
                        )
                    if (job.pair_id, job.chosen_as) not in done:
                        await queue.put((record, job))

    n_workers = max(1, concurrency)

    async def produce_all() -> None:
        await produce()
        for _ in range(n_workers):
            await queue.put(None)

    tasks = [
        asyncio.create_task(produce_all()),
        *(asyncio.create_task(worker()) for _ in range(n_workers)),
    ]
    try:
        await asyncio.gather(*tasks)  # the first failure (producer or a worker) ends the run
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return count - already


def _take(
    it: Iterator[Record], wanted: set[int], n: int, budget_chars: int = 16_000_000
) -> list[Record]:
    """Up to ``n`` wanted records (at most ~``budget_chars`` of text) from ``it``; [] when exhausted."""
    out: list[Record] = []
    size = 0
    for record in it:
        if record.index not in wanted:
            continue
        out.append(record)
        size += len(record.question) + len(record.chosen) + len(record.rejected)
        if len(out) >= n or size >= budget_chars:
            break
    return out


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
        n_new = await _judge_all(plan, model, ledger, done, options.concurrency, progress, already)
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
