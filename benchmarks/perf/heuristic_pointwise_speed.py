"""Speed of the heuristic RM's pointwise score (the online path: one memory update in context).

    .venv/bin/python -m benchmarks.perf.heuristic_pointwise_speed [--per-length 6]

Replays the MemAgent-style update steps of the bundled suite's chosen trajectories (question,
previous memory, the section read, the new memory) through ``score_update`` and prints the median
and p95 per call by context length (chunk sizes grow with it), plus dialogue-sized writes. Every
call starts with the heuristic's caches cleared and every dialogue write is a different one, so
nothing is timed warm.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import lzma
import statistics
import time

from benchmarks.generator import BUNDLED_SUITE_DIR
from rewards import UpdateContext, make_reward_model
from rewards.heuristic import clear_cache, parse_trajectory


def contexts(per_length: int) -> list[tuple[str, UpdateContext]]:
    out: list[tuple[str, UpdateContext]] = []
    seen: collections.Counter[str] = collections.Counter()
    with lzma.open(
        BUNDLED_SUITE_DIR / "Long-context_Reasoning.jsonl.xz", "rt", encoding="utf-8"
    ) as f:
        for line in f:
            row = json.loads(line)
            if seen[row["ctx_length"]] >= per_length:
                continue
            seen[row["ctx_length"]] += 1
            question = row["question"].rsplit("[Question]", 1)[-1].strip()
            for st in parse_trajectory(row["chosen"]).steps:
                if st.kind != "update" or not st.section_span:
                    continue
                chunk = row["chosen"][st.section_span[0] : st.section_span[1]]
                ctx = UpdateContext(
                    question=question,
                    previous_memory=st.previous,
                    chunk=chunk,
                    candidate=st.updated,
                    memory_budget_tokens=1024,
                )
                out.append((row["ctx_length"], ctx))
    return out


async def main(per_length: int) -> None:
    rm = make_reward_model("heuristic")
    ctxs = contexts(per_length)
    await rm.score_update(ctxs[0][1])  # warm the tokenizer and caches
    per: dict[str, list[float]] = collections.defaultdict(list)
    sizes: dict[str, list[int]] = collections.defaultdict(list)
    for length, ctx in ctxs:
        clear_cache()
        t0 = time.perf_counter()
        await rm.score_update(ctx)
        per[length].append(time.perf_counter() - t0)
        sizes[length].append(len(ctx.chunk))
    print(f"heuristic score_update on {len(ctxs)} suite update steps (time per call, wall):")
    for length in sorted(per, key=lambda x: int(x[:-1])):
        ts = sorted(per[length])
        print(
            f"  {length:>5}: n={len(ts):4d}  chunk ~{statistics.median(sizes[length]) / 1000:.0f} KB"
            f"  median {statistics.median(ts) * 1e3:6.2f} ms  p95 {ts[int(0.95 * (len(ts) - 1))] * 1e3:6.2f} ms"
        )
    cities = ["Lisbon", "Porto", "Faro", "Braga", "Evora", "Coimbra", "Leiria", "Viseu"]
    jobs = ["nurse", "baker", "pilot", "teacher", "welder", "chemist", "gardener", "editor"]
    ts = []
    for i in range(300):
        city, job = cities[i % 8], jobs[(i // 8) % 8]
        dialogue = UpdateContext(
            question="Keep an accurate memory of durable facts about the user.",
            previous_memory="\n".join(f"- User likes item {i * 5 + k}" for k in range(5)),
            chunk=f"user: Hi! I am user {i}. I live in {city} and I work as a {job}.",
            candidate=f"- User lives in {city}\n- User works as a {job}",
        )
        clear_cache()
        t0 = time.perf_counter()
        await rm.score_update(dialogue)
        ts.append(time.perf_counter() - t0)
    print(
        f"  dialogue write (5 related facts, 300 different writes): median "
        f"{statistics.median(ts) * 1e3:.2f} ms  p95 {sorted(ts)[int(0.95 * 299)] * 1e3:.2f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--per-length", type=int, default=6, help="records per context length (default 6)"
    )
    asyncio.run(main(parser.parse_args().per_length))
