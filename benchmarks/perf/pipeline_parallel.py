"""Parallel pattern wall time against its critical path.

    .venv/bin/python -m benchmarks.perf.pipeline_parallel [--groups 4] [--chunks 8] [--latency 0.05] [--repeats 5]

4 groups x 8 chunks; every model call (each update and the fusion) takes a simulated 50 ms
(``asyncio.sleep``), the reward model is instant, every step is committed to a SQLite trace store
(WAL, temporary file) that stays open across runs, as in an application (the first run, which pays
for the store's connection warm-up, is reported separately). The critical path is the longest group plus the fusion:
(chunks + 1) x latency. Prints the median wall time of the pipeline up to and including the fusion
(the answer call is excluded: it is not part of the parallel section) and the ratio to the critical
path. Target: ratio <= 1.15.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from agentmem._pipeline import chunk_document, parallel
from agentmem._types import Answer, Chunk
from agentmem.testing import FunctionAnswerer, FunctionFuser, FunctionRewardModel, FunctionUpdater


def _document(n_chunks: int, chunk_tokens: int) -> str:
    # one sentence per chunk, each exactly fitting: "Fact i is here." repeated
    sentence = "The keeper wrote entry {i} in the logbook today."
    doc = " ".join(sentence.format(i=i) for i in range(n_chunks))
    chunks = chunk_document(doc, chunk_tokens)
    if len(chunks) != n_chunks:
        raise SystemExit(f"benchmark setup: expected {n_chunks} chunks, got {len(chunks)}")
    return doc


async def _once(groups: int, chunks: int, latency: float, store: Any) -> float:
    async def model_update(q: str, m: str, c: Chunk, fb: str | None) -> str:
        await asyncio.sleep(latency)
        return f"{m} c{c.index}"

    async def model_fuse(q: str, ms: list[str], fb: str | None) -> str:
        await asyncio.sleep(latency)
        return " | ".join(ms)

    fused_at: list[float] = []

    async def answer(q: str, m: str) -> Answer:
        fused_at.append(time.perf_counter())
        return Answer(text=m, extracted=m)

    pipe = parallel(
        groups=groups,
        updater=FunctionUpdater(fn=model_update),
        fuser=FunctionFuser(fn=model_fuse),
        answerer=FunctionAnswerer(fn=answer),
        reward_model=FunctionRewardModel(score=lambda u: 0.7),
        chunk_tokens=12,
        limits={"model": 32, "rm": 32},
    )
    doc = _document(groups * chunks, 12)
    t0 = time.perf_counter()
    await pipe.run(doc, "Which entries were written?", store=store)
    return fused_at[0] - t0


async def _all(args: argparse.Namespace, tmp: Path) -> tuple[float, list[float]]:
    from agentmem.store import SQLTraceStore

    store = await SQLTraceStore(f"sqlite:///{tmp / 'parallel.db'}").open()
    try:
        cold = await _once(
            args.groups, args.chunks, args.latency, store
        )  # first run: connection warm-up
        warm = [
            await _once(args.groups, args.chunks, args.latency, store) for _ in range(args.repeats)
        ]
    finally:
        await store.aclose()
    return cold, warm


async def _sleep_floor(n: int, latency: float) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        await asyncio.sleep(latency)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--chunks", type=int, default=8, help="chunks per group")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per model call")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    critical = (args.chunks + 1) * args.latency
    with tempfile.TemporaryDirectory() as tmp:
        cold, walls = asyncio.run(_all(args, Path(tmp)))
    floor = asyncio.run(_sleep_floor(args.chunks + 1, args.latency))
    med = statistics.median(walls)
    print(
        f"parallel pattern: {args.groups} groups x {args.chunks} chunks, {args.latency * 1000:.0f} ms per model call, SQLite trace store"
    )
    print(f"  critical path (longest group + fusion): {critical * 1000:.1f} ms")
    print(
        f"  wall to fused memory: median {med * 1000:.1f} ms  (min {min(walls) * 1000:.1f}, max {max(walls) * 1000:.1f}, n={len(walls)})"
    )
    print(f"  ratio wall / critical path: {med / critical:.3f}  (target <= 1.15)")
    print(
        f"  machine floor: {args.chunks + 1} back-to-back sleeps of {args.latency * 1000:.0f} ms take {floor * 1000:.1f} ms here (ratio {floor / critical:.3f})"
    )
    print(
        f"  first run on a freshly opened store (connection warm-up included): {cold * 1000:.1f} ms, ratio {cold / critical:.3f}"
    )


if __name__ == "__main__":
    main()
