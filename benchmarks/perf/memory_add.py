"""add() overhead of the facts memory beyond the model and reward-model calls (embedded engine).

The extractor, proposer and reward model are in-process functions that return at once, so every
millisecond measured is agentmem's own: message cleaning, related-memory search (Qdrant Edge),
integer-id remapping, policy, the SQL intent transaction (SQLite, WAL) and the index write.

    .venv/bin/python -m benchmarks.perf.memory_add [--adds 300] [--prefill 2000]

Target: median ≤ 5 ms per add().
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from agentmem.memory import (
    Change,
    FactsMemory,
    FunctionExtractor,
    FunctionProposer,
    Scope,
    WritePolicy,
    open_store,
)
from agentmem.testing import FunctionRewardModel

_WORDS = [
    "tea",
    "jazz",
    "chess",
    "Lisbon",
    "cello",
    "marathon",
    "sushi",
    "Python",
    "gardening",
    "sailing",
    "pottery",
    "kayak",
    "opera",
    "cycling",
]


def _fact(user: str, i: int) -> str:
    return f"{user} mentioned detail {i}: likes {_WORDS[i % len(_WORDS)]} and {_WORDS[(i * 7) % len(_WORDS)]} since {1990 + i % 30}"


async def run(adds: int, prefill: int, policy: str) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="agentmem-perf-add-"))
    counter = {"i": 0}

    def extract(msgs):
        return [m["content"] for m in msgs if m["role"] == "user"]

    def propose(facts, related, fb):
        # alternate ADD and UPDATE of the closest memory, as a real proposer would
        counter["i"] += 1
        if related and counter["i"] % 2 == 0:
            return [
                {"event": "UPDATE", "id": related[0].ref, "text": f, "fact": i}
                for i, f in enumerate(facts)
            ]
        return [{"event": "ADD", "text": f, "fact": i} for i, f in enumerate(facts)]

    memory = FactsMemory(
        store=open_store(root),
        extractor=FunctionExtractor(fn=extract),
        proposer=FunctionProposer(fn=propose),
        reward_model=FunctionRewardModel(score=lambda u: 0.9),
        policy=WritePolicy.parse(policy),
    )
    scope = Scope(user_id="alice")
    async with memory:
        t0 = time.perf_counter()
        for start in range(
            0, prefill, 500
        ):  # prefill straight through the store, 500 per transaction
            await memory.store.commit(
                scope,
                [
                    Change(op="ADD", text=_fact("alice", i))
                    for i in range(start, min(prefill, start + 500))
                ],
            )
        build = time.perf_counter() - t0
        for i in range(20):  # warm-up
            await memory.add([{"role": "user", "content": _fact("alice", 10_000 + i)}], scope=scope)
        times = []
        for i in range(adds):
            msg = [{"role": "user", "content": _fact("alice", 20_000 + i)}]
            t = time.perf_counter()
            await memory.add(msg, scope=scope)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        live = len(await memory.get_all(scope=scope))
    return {
        "prefill_s": build,
        "median_ms": statistics.median(times),
        "p90_ms": times[int(0.9 * len(times))],
        "mean_ms": statistics.fmean(times),
        "live": live,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--adds", type=int, default=300)
    ap.add_argument("--prefill", type=int, default=2000)
    ap.add_argument("--policy", default="gate")
    a = ap.parse_args()
    r = asyncio.run(run(a.adds, a.prefill, a.policy))
    print(
        f"facts memory add() overhead, embedded Qdrant Edge + SQLite, {a.prefill} memories prefilled "
        f"(prefill {r['prefill_s']:.1f} s), policy {a.policy}, {a.adds} adds (half ADD, half UPDATE)"
    )
    print(
        f"  median {r['median_ms']:.2f} ms   p90 {r['p90_ms']:.2f} ms   mean {r['mean_ms']:.2f} ms   (target: median <= 5 ms)"
    )
    print(f"  live memories at the end: {r['live']}")


if __name__ == "__main__":
    main()
