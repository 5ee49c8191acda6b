"""Cost of committing one step to the trace store (the write inside every memory update).

    .venv/bin/python -m benchmarks.perf.trace_write [--steps N] [--attempts K] [--groups G] [--postgres]

Prints the median and p90 wall time of ``record_step`` (one transaction: the step row plus its
attempts) on the in-memory store, on SQLite in WAL mode (a file in a temporary directory), and
with ``--postgres`` on a private PostgreSQL server started for the run; each also with
``--groups`` writers committing concurrently (a parallel run), with the throughput. The
pipeline's target is <= 1 ms per update *including* this write.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from agentmem._trace import RunInfo
from agentmem._types import Attempt, Candidate, Chunk, Step, Usage
from agentmem.store import InMemoryTraceStore, SQLTraceStore
from rewards._types import Reward


def _step(i: int, attempts: int) -> Step:
    text = "The key was moved to the garden by Mary; John holds the apple. " * 12  # ~1 KB memory
    return Step(
        kind="update",
        group=0,
        index=i,
        previous_memory=text,
        chunk=Chunk(index=i, text="Filler text of a long book chapter. " * 140, tokens=5000),
        attempts=[
            Attempt(
                candidate=Candidate(
                    text=f"{text} step {i} attempt {k}",
                    usage=Usage(
                        prompt_tokens=6000,
                        completion_tokens=300,
                        cost=1e-4,
                        latency_s=0.9,
                        model="m",
                    ),
                ),
                reward=Reward(
                    value=0.5 + k / 10,
                    rationale="keeps the relevant facts, drops filler",
                    scorer="heuristic",
                    version="1",
                    latency_s=1e-3,
                    evidence={"coverage": 0.8, "redundancy": 0.1, "length_ratio": 0.95},
                ),
                round=k,
            )
            for k in range(attempts)
        ],
        chosen=attempts - 1,
        decision="accepted",
        latency_s=1.0,
    )


async def _measure(store: InMemoryTraceStore | SQLTraceStore, n: int, attempts: int) -> list[float]:
    await store.begin_run(
        RunInfo(run_id="bench", question="Where is the key?", pattern="sequential")
    )
    steps = [_step(i, attempts) for i in range(n + 20)]
    for s in steps[:20]:  # warm-up: pool, statement cache, prepared statements
        await store.record_step("bench", s)
    times: list[float] = []
    for s in steps[20:]:
        t0 = time.perf_counter()
        await store.record_step("bench", s)
        times.append(time.perf_counter() - t0)
    assert len(await store.recorded_steps("bench")) == n + 20
    return times


async def _measure_groups(
    store: InMemoryTraceStore | SQLTraceStore, groups: int, per_group: int, attempts: int
) -> tuple[list[float], float]:
    """``groups`` concurrent writers (a parallel run): per-step latency and wall time."""
    await store.begin_run(RunInfo(run_id="groups", question="q", pattern="parallel"))
    times: list[float] = []

    async def writer(g: int) -> None:
        for i in range(per_group):
            step = _step(i, attempts)
            step.group = g
            t0 = time.perf_counter()
            await store.record_step("groups", step)
            times.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(writer(g) for g in range(1, groups + 1)))
    wall = time.perf_counter() - t0
    assert len(await store.recorded_steps("groups")) == groups * per_group
    return times, wall


def _report(label: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    print(f"{label:<38} median {statistics.median(ms):7.3f} ms   p90 {p90:7.3f} ms   (n={len(ms)})")


async def _both(
    label: str, store: InMemoryTraceStore | SQLTraceStore, args: argparse.Namespace
) -> None:
    _report(label, await _measure(store, args.steps, args.attempts))
    per_group = max(args.steps // args.groups, 1)
    times, wall = await _measure_groups(store, args.groups, per_group, args.attempts)
    _report(f"  {args.groups} concurrent writers", times)
    print(f"{'':<38} throughput {len(times) / wall:7.0f} steps/s")


async def _main(args: argparse.Namespace) -> None:
    print(f"record_step, {args.attempts} attempt(s) per step, ~7 KB of text per step")
    await _both("in-memory", InMemoryTraceStore(), args)
    with tempfile.TemporaryDirectory() as tmp:
        async with SQLTraceStore(str(Path(tmp) / "traces.db")) as store:
            await _both("SQLite file (WAL, synchronous=NORMAL)", store, args)
    if args.postgres:
        from agentmem.testing import PostgresServer

        with PostgresServer() as pg:
            async with SQLTraceStore(pg.url) as store:
                await _both("PostgreSQL 127.0.0.1 (test server)", store, args)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=500, help="timed steps per store (500)")
    parser.add_argument("--attempts", type=int, default=1, help="attempts per step (1)")
    parser.add_argument("--groups", type=int, default=4, help="concurrent writers (4)")
    parser.add_argument(
        "--postgres", action="store_true", help="also measure a private PostgreSQL server"
    )
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
