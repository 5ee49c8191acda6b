"""Framework overhead per memory update, trace write included.

    .venv/bin/python -m benchmarks.perf.pipeline_overhead [--steps N] [--repeats R]

A sequential pipeline reads N chunks with a zero-latency in-process updater and reward model
(function-backed: they return a constant at once), so everything measured is agentmem's own work:
building the step context, the policy, the limiters, the Step, the commit to the trace store, the
log event. For each update we time the span between two consecutive commits completing (the full
cycle of one update). Prints the median and p90 per update for three stores: none, the in-memory
store and SQLite (WAL, a file in a temporary directory). Target: median <= 1 ms with SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from agentmem._pipeline import chunk_document, sequential
from agentmem._types import Answer, Candidate
from agentmem.testing import FunctionAnswerer, FunctionRewardModel, FunctionUpdater
from rewards import Reward


class TimedStore:
    """Wraps a TraceStore and notes when each record_step finished."""

    def __init__(self, inner: Any | None) -> None:
        self.inner = inner
        self.marks: list[float] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def record_step(self, run_id: str, step: Any) -> None:
        if self.inner is not None:
            await self.inner.record_step(run_id, step)
        self.marks.append(time.perf_counter())


MEMORY = (
    "Mary moved the key to the garden; John holds the apple. " * 18
)  # ~1 KB, a realistic memory
CANDIDATE = Candidate(text=MEMORY)
REWARD = Reward(value=0.8, rationale="keeps the relevant facts", scorer="zero-latency")
ANSWER = Answer(text="\\boxed{garden}", extracted="garden")


def _pipeline(policy: str) -> Any:
    return sequential(
        policy=policy,
        updater=FunctionUpdater(fn=lambda q, m, c, fb: CANDIDATE),
        answerer=FunctionAnswerer(fn=lambda q, m: ANSWER),
        reward_model=FunctionRewardModel(score=lambda u: REWARD),
        chunk_tokens=8,
    )


async def _measure(kind: str, steps: int, tmp: Path, run: int, policy: str) -> list[float]:
    from agentmem.store import InMemoryTraceStore, SQLTraceStore

    doc = " ".join(f"Word{i} sentence." for i in range(steps * 3))
    inner: Any
    if kind == "none":
        inner = None
    elif kind == "memory":
        inner = InMemoryTraceStore()
    else:
        inner = await SQLTraceStore(f"sqlite:///{tmp / f'bench{run}.db'}").open()
    timed = TimedStore(inner)
    pipe = _pipeline(policy)
    pipe.updater.calls = _NoList()  # keep the double's call log from growing with the run
    pipe.reward_model.calls = _NoList()
    try:
        if inner is None:
            await _run_without_store(pipe, doc, timed)
        else:
            await pipe.run(doc, "Where is the key?", store=timed)
    finally:
        if inner is not None and hasattr(inner, "aclose"):
            await inner.aclose()
    marks = timed.marks
    return [b - a for a, b in itertools.pairwise(marks)]


async def _run_without_store(pipe: Any, doc: str, timed: TimedStore) -> None:
    # No store: time commits through the trajectory instead (the step is appended right after).
    from agentmem._pipeline import _context

    original = _context.RunContext._log

    def log_and_mark(self: Any, step: Any, *, replayed: bool) -> None:
        original(self, step, replayed=replayed)
        timed.marks.append(time.perf_counter())

    _context.RunContext._log = log_and_mark  # type: ignore[method-assign]
    try:
        await pipe.run(doc, "Where is the key?")
    finally:
        _context.RunContext._log = original  # type: ignore[method-assign]


class _NoList(list):  # type: ignore[type-arg]
    def append(self, item: object) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=400, help="updates per run (default 400)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per store (default 3)")
    parser.add_argument(
        "--policy", default="score", help="update policy (default score; e.g. best-of-4, gate)"
    )
    parser.add_argument(
        "--log-info",
        action="store_true",
        help="also emit one JSON log event per update (to /dev/null)",
    )
    args = parser.parse_args()
    if args.log_info:
        import os

        from agentmem._logging import configure_logging

        configure_logging("info", stream=open(os.devnull, "w"), json=True)  # noqa: SIM115
    n_chunks = len(chunk_document(" ".join(f"Word{i} sentence." for i in range(args.steps * 3)), 8))
    print(
        f"pipeline overhead per update: sequential, {n_chunks} updates/run, {args.repeats} runs, zero-latency updater and RM, policy {args.policy}, log events {'on (JSON, info)' if args.log_info else 'filtered (warning)'}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("none", "memory", "sqlite"):
            spans: list[float] = []
            for r in range(args.repeats):
                spans += asyncio.run(_measure(kind, args.steps, Path(tmp), r, args.policy))
            spans.sort()
            med = statistics.median(spans) * 1000
            p90 = spans[int(len(spans) * 0.9)] * 1000
            print(f"  store={kind:<7} median {med:.3f} ms  p90 {p90:.3f} ms  (n={len(spans)})")
    print("target: median <= 1 ms per update with the SQLite store")


if __name__ == "__main__":
    main()
