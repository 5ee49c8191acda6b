"""Cost of committing one step to the trace store (the write inside every memory update).

    .venv/bin/python -m benchmarks.perf.trace_write [--steps N] [--attempts K] [--postgres]

Prints the median and p90 wall time of ``record_step`` (one transaction: the step row plus its
attempts) on SQLite in WAL mode (a file in a temporary directory), on the in-memory store, and
with ``--postgres`` on a private PostgreSQL server started for the run. The pipeline's target is
<= 1 ms per update *including* this write.
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


def _report(label: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    print(f"{label:<34} median {statistics.median(ms):7.3f} ms   p90 {p90:7.3f} ms   (n={len(ms)})")


async def _main(args: argparse.Namespace) -> None:
    print(f"record_step, {args.attempts} attempt(s) per step, ~7 KB of text per step")
    _report("in-memory", await _measure(InMemoryTraceStore(), args.steps, args.attempts))
    with tempfile.TemporaryDirectory() as tmp:
        async with SQLTraceStore(str(Path(tmp) / "traces.db")) as store:
            _report(
                "SQLite file (WAL, synchronous=NORMAL)",
                await _measure(store, args.steps, args.attempts),
            )
    if args.postgres:
        from agentmem.testing import PostgresServer

        with PostgresServer() as pg:
            async with SQLTraceStore(pg.url) as store:
                _report(
                    "PostgreSQL 127.0.0.1 (test server)",
                    await _measure(store, args.steps, args.attempts),
                )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--steps", type=int, default=500, help="timed steps per store (default 500)"
    )
    parser.add_argument("--attempts", type=int, default=1, help="attempts per step (default 1)")
    parser.add_argument(
        "--postgres", action="store_true", help="also measure a private PostgreSQL server"
    )
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
