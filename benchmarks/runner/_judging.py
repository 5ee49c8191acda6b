"""Judging: stream the planned records to bounded concurrent workers, one ledger line per judgment."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

from agentmem.exceptions import UserError
from benchmarks.loaders import LoadReport, Record, iter_records
from benchmarks.runner._ledger import Ledger
from benchmarks.runner._plan import Job, Plan
from benchmarks.runner._results import Prediction
from benchmarks.settings import UNMAPPED
from benchmarks.shape import wrong_blocks
from rewards import PairInput, RewardModel
from rewards.llm_judge import OverLengthSkipped

__all__ = ["Progress", "judge_all"]

Progress = Callable[[int, int], None]
"""Called with (judgments done, judgments planned) as the run advances."""

_WINNERS = frozenset({"A", "B", "tie", "unparsed"})


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
        chosen_wrong=wrong_blocks(record.chosen),
        rejected_wrong=wrong_blocks(record.rejected),
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
    except OverLengthSkipped as exc:  # the official local runner's rule, asked for by the user
        return _prediction(
            record,
            job,
            verdict="skipped",
            correct=False,
            error=str(exc)[:2000],
            latency_s=round(time.perf_counter() - t0, 6),
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


async def judge_all(
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
