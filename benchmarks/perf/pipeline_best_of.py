"""best-of-4 step wall time against one model call plus one reward-model call.

    .venv/bin/python -m benchmarks.perf.pipeline_best_of [--n 4] [--latency 0.05] [--steps 12]

A sequential pipeline with the ``best-of-N`` policy: every step samples N candidates concurrently
and the reward model scores each as soon as it arrives. Two set-ups:

* in-process: the model call and the RM call each take a simulated 50 ms (``asyncio.sleep``);
* HTTP: the updater is the real LLM updater (MemAgent prompt, ``agentmem.llm.LLMClient``, fast
  transport) talking to the fake OpenAI-compatible server on 127.0.0.1 with 50 ms latency; the RM
  takes a simulated 50 ms.

Prints the median step wall time (``Step.latency_s``: proposals, scoring and the decision) and its
ratio to one model call + one RM call (100 ms). Target: ratio <= 1.2.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from typing import Any

from agentmem._pipeline import sequential
from agentmem._types import Answer, Chunk
from agentmem.testing import (
    FakeOpenAIServer,
    FunctionAnswerer,
    FunctionRewardModel,
    FunctionUpdater,
)
from rewards import UpdateContext

DOC = " ".join(f"The keeper wrote entry {i} in the logbook today." for i in range(200))


def _rm(latency: float) -> FunctionRewardModel:
    async def score(u: UpdateContext) -> float:
        await asyncio.sleep(latency)
        return (len(u.candidate) % 7) / 7

    return FunctionRewardModel(score=score, name="simulated")


async def _in_process(n: int, latency: float, steps: int) -> list[float]:
    async def model(q: str, m: str, c: Chunk, fb: str | None) -> str:
        await asyncio.sleep(latency)
        return f"{m} c{c.index}"[-200:]

    pipe = sequential(
        updater=FunctionUpdater(fn=model),
        answerer=FunctionAnswerer(fn=lambda q, m: Answer(text=m, extracted=m)),
        reward_model=_rm(latency),
        policy=f"best-of-{n}",
        chunk_tokens=max(1, 2000 // steps),
        limits={"model": 16, "rm": 16},
    )
    traj = await pipe.run(_doc(steps), "Which entries were written?")
    return [s.latency_s for s in traj.steps]


async def _http(n: int, latency: float, steps: int) -> list[float]:
    from agentmem.llm import LLMClient
    from agentmem.updaters import LLMAnswerer, LLMUpdater

    with FakeOpenAIServer(
        handler=lambda req: "<updated_memory>entries noted</updated_memory>", latency_s=latency
    ) as server:
        client = LLMClient("openai/fake", api_base=server.base_url, api_key="x", concurrency=16)
        async with client:
            pipe = sequential(
                updater=LLMUpdater(client=client, memory_tokens=256),
                answerer=LLMAnswerer(client=client),
                reward_model=_rm(latency),
                policy=f"best-of-{n}",
                chunk_tokens=max(1, 2000 // steps),
                limits={"model": 16, "rm": 16},
            )
            await client.complete("warm up the connection pool", max_tokens=1)
            traj = await pipe.run(_doc(steps), "Which entries were written?")
    return [s.latency_s for s in traj.steps]


def _doc(steps: int) -> str:
    from agentmem._pipeline import chunk_document

    size = max(1, 2000 // steps)
    words = DOC.split(" ")
    while len(chunk_document(" ".join(words), size)) > steps and len(words) > 10:
        words = words[: int(len(words) * 0.9)]
    return " ".join(words)


def _report(name: str, walls: list[float], latency: float) -> None:
    target = 2 * latency
    med = statistics.median(walls)
    print(
        f"  {name:<11} median step {med * 1000:.1f} ms  (min {min(walls) * 1000:.1f}, max {max(walls) * 1000:.1f}, n={len(walls)})  ratio {med / target:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=4, help="candidates per step")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="seconds per model call and per RM call"
    )
    parser.add_argument("--steps", type=int, default=12, help="steps (chunks) per run")
    args = parser.parse_args()
    print(
        f"best-of-{args.n}: one model call + one RM call = {2 * args.latency * 1000:.0f} ms (target ratio <= 1.2)"
    )
    results: dict[str, Any] = {
        "in-process": asyncio.run(_in_process(args.n, args.latency, args.steps)),
        "HTTP": asyncio.run(_http(args.n, args.latency, args.steps)),
    }
    for name, walls in results.items():
        _report(name, walls, args.latency)


if __name__ == "__main__":
    main()
