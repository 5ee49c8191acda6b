"""Read a long document into a bounded memory, three ways, with every update scored.

Offline by default (the extractive updater and the heuristic reward model; no model, no network):

    .venv/bin/python examples/pipeline_quickstart.py
    .venv/bin/python examples/pipeline_quickstart.py --model openai/gpt-4o-mini   # OPENAI_API_KEY set
    .venv/bin/python examples/pipeline_quickstart.py --model openai/qwen2.5 --api-base http://127.0.0.1:8000/v1

The document is a stretch of Jane Austen (bundled filler text) with one planted fact; each
pattern answers the question and reports how its updates were scored and decided.
"""

from __future__ import annotations

import argparse
import asyncio
import lzma
from pathlib import Path

from agentmem import build_pipeline
from agentmem.store import InMemoryTraceStore

FILLER = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "filler" / "austen.txt.xz"
FACT = " Mrs. Jennings hid the silver key under the third step of the east staircase. "
QUESTION = "Where did Mrs. Jennings hide the silver key?"


def document() -> str:
    with lzma.open(FILLER, "rt", encoding="utf-8") as f:
        text = f.read(90_000)
    return text[:55_000] + FACT + text[55_000:]


async def main(model: str | None, api_base: str | None) -> None:
    components = {}
    if model:
        from agentmem.updaters import llm_components

        updater, fuser, answerer = llm_components(model, api_base=api_base)
        components = {"updater": updater, "fuser": fuser, "answerer": answerer}
    store = InMemoryTraceStore()
    doc = document()
    for pattern, policy in (("sequential", "gate"), ("parallel", "best-of-3"), ("mixed", "score")):
        pipeline = build_pipeline(
            pattern, policy=policy, reward_model="heuristic", chunk_tokens=4000, **components
        )
        trajectory = await pipeline.run(doc, QUESTION, store=store)
        decisions = [
            f"{s.kind}{s.group}.{s.index}:{s.committed.reward.value:.2f}/{s.decision}"
            for s in trajectory.steps
        ]
        print(f"== {pattern} (policy {policy}): {len(trajectory.steps)} steps")
        print("   " + "  ".join(decisions))
        print("   answer:", (trajectory.answer.extracted if trajectory.answer else "")[:160])
    print(
        f"{len(await store.list_runs())} runs recorded (agentmem trace ... shows runs kept in SQLite)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model", help="litellm model string (default: the offline extractive updater)"
    )
    parser.add_argument("--api-base", help="OpenAI-compatible server URL")
    args = parser.parse_args()
    asyncio.run(main(args.model, args.api_base))
