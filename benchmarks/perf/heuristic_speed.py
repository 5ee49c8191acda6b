"""Speed and memory of the heuristic RM: median/p95 per pair by context length, peak RSS.

Run: ``.venv/bin/python -m benchmarks.perf.heuristic_speed [--pairs N] [--synthetic-only]``

* A synthetic 128K-token pair (question + two sequential trajectories with 5,000-token sections
  and ~1,000-token memories, ~1.5 MB of text) is always timed: the cold call (question not yet
  analysed) and the warm call (the swapped order, question analysis reused from the LRU).
* When the bundled suite is present (``benchmarks/data/suite``), up to N pairs per family
  (reasoning, dialogue, long-form) and context length are timed. The headline figure is one
  **uncached** call per pair (the question analysed afresh, as for every new pair a user judges);
  the average of both orders (the second call reusing the question analysis) follows as a second
  line. The process's resident memory is sampled as pairs go by (it must stay flat: nothing is
  kept per pair beyond the bounded question cache).
"""

from __future__ import annotations

import argparse
import gc
import glob
import gzip
import json
import lzma
import os
import random
import resource
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from rewards import PairInput
from rewards.heuristic import HeuristicRM, clear_cache

SUITE = Path(__file__).resolve().parents[1] / "data" / "suite"
_SYLL = [
    "ka",
    "lo",
    "mer",
    "tin",
    "sa",
    "ve",
    "dor",
    "pha",
    "ul",
    "bren",
    "os",
    "ti",
    "qua",
    "ne",
    "ri",
    "gel",
]


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * resource.getpagesize() / 1e6
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def _filler(rng: random.Random, n_words: int) -> str:
    vocab = ["".join(rng.choice(_SYLL) for _ in range(rng.randint(1, 3))) for _ in range(3000)]
    vocab += [
        "the",
        "of",
        "and",
        "to",
        "in",
        "was",
        "he",
        "she",
        "it",
        "that",
        "with",
        "for",
        "as",
        "at",
        "by",
    ] * 40
    out: list[str] = []
    for i in range(n_words):
        w = rng.choice(vocab)
        out.append(w.capitalize() if i % 14 == 0 else w)
        if i % 14 == 13:
            out[-1] += "."
    return " ".join(out)


def synthetic_pair(target_chars: int = 500_000, seed: int = 0) -> PairInput:
    """A 128K-token-class pair: ~500 KB context, two sequential trajectories of ~500 KB each."""
    rng = random.Random(seed)
    facts = [
        "John moved to the garden.",
        "John picked up the lantern there.",
        "Mary went to the hall.",
        "John dropped the lantern in the cellar.",
        "Sandra took the key there.",
    ]
    words_needed = target_chars // 6
    chunks_n = 26
    per = words_needed // chunks_n
    sections = []
    for i in range(chunks_n):
        text = _filler(rng, per)
        if i % 5 == 2:
            text += " " + facts[(i // 5) % len(facts)]
        sections.append(text)
    query = "Where did John leave the lantern?"
    question = (
        "Answer the question after reading the context. [Context]\n"
        + " ".join(sections)
        + f"\n\n[Question]{query}"
    )

    def trajectory(noisy: bool) -> str:
        out, mem = [], ""
        for i, sec in enumerate(sections):
            new = (mem + " " + _filler(rng, 60)).strip()[-5000:]
            if i % 5 == 2:
                new += " " + facts[(i // 5) % len(facts)]
            wrong = (
                f"<updated_memory>\n{_filler(rng, 120)}\n</updated_memory>"
                if noisy and i % 3 == 0
                else "No wrong updated memory"
            )
            prev = f"<updated_memory>\n{mem}\n</updated_memory>" if mem else "No previous memory"
            out.append(
                f"Step {i + 1}:\n\n<problem> \n{query} \n</problem>\n\n<memory>\n{prev}\n</memory>\n\n\n<section>\n{sec}\n</section>\n\n\n"
                f"<wrong_updated_memories>\n{wrong}\n</wrong_updated_memories>\n\n\nUpdated memory:\n<updated_memory>\n{new}\n</updated_memory>\n\n\n"
            )
            mem = new
        out.append(
            "Based on the memory, the process of obtaining the answer is as follows:\n\nUpdated memory:\nThe lantern is in the cellar. \\boxed{cellar}\n"
        )
        return "".join(out)

    return PairInput(
        question=question,
        trajectory_a=trajectory(False),
        trajectory_b=trajectory(True),
        pair_id="synthetic-128k",
    )


def _records(limit_per_length: int) -> Iterator[tuple[str, str, PairInput]]:
    """(family, length, pair): up to ``limit_per_length`` pairs per family and length."""
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for path in sorted(glob.glob(str(SUITE / "*.jsonl*"))):
        if not path.endswith((".jsonl", ".gz", ".xz")):  # e.g. a generator's partial file
            continue
        opener = gzip.open if path.endswith(".gz") else lzma.open if path.endswith(".xz") else open
        kind = "generation" if "form" in Path(path).name.lower() else "understanding"
        name = Path(path).name.lower()
        family = (
            "long-form" if "form" in name else "dialogue" if "dialogue" in name else "reasoning"
        )
        with opener(path, "rt", encoding="utf-8") as f:  # type: ignore[operator]
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                length = str(r.get("ctx_length", "?"))
                if seen[family, length] >= limit_per_length:
                    continue
                seen[family, length] += 1
                yield (
                    family,
                    length,
                    PairInput(
                        question=r["question"],
                        trajectory_a=r["chosen"],
                        trajectory_b=r["rejected"],
                        kind=kind,
                    ),
                )  # type: ignore[arg-type]


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--pairs", type=int, default=20, help="pairs per context length from the suite (default 20)"
    )
    ap.add_argument("--synthetic-only", action="store_true", help="skip the bundled suite")
    ap.add_argument(
        "--flat",
        type=int,
        default=30,
        help="distinct synthetic 128K pairs for the memory check (default 30; 0 = skip)",
    )
    ap.add_argument(
        "--repeats", type=int, default=7, help="repeats of the synthetic pair (default 7)"
    )
    args = ap.parse_args()
    rm = HeuristicRM()

    pair = synthetic_pair()
    size = len(pair.question) + len(pair.trajectory_a) + len(pair.trajectory_b)
    swapped = PairInput(
        question=pair.question, trajectory_a=pair.trajectory_b, trajectory_b=pair.trajectory_a
    )
    cold, warm, both, cpu = [], [], [], []
    for _ in range(args.repeats):
        clear_cache()
        gc.collect()
        c0 = time.process_time()
        t0 = time.perf_counter()
        rm.compare_sync(pair)
        t1 = time.perf_counter()
        rm.compare_sync(swapped)
        t2 = time.perf_counter()
        cpu.append((time.process_time() - c0) / 2)
        cold.append(t1 - t0)
        warm.append(t2 - t1)
        both.append((t2 - t0) / 2)
    print(f"synthetic 128K pair ({size / 1e6:.2f} MB of text), {args.repeats} repeats:")
    print(f"  cold call (question analysed)   median {statistics.median(cold) * 1e3:7.1f} ms")
    print(f"  warm call (swapped order)       median {statistics.median(warm) * 1e3:7.1f} ms")
    print(f"  per call, both orders averaged  median {statistics.median(both) * 1e3:7.1f} ms")
    print(f"  CPU time per call (both orders) median {statistics.median(cpu) * 1e3:7.1f} ms")
    print(f"  machine load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    if args.flat:
        clear_cache()
        gc.collect()
        samples = []
        for i in range(args.flat):
            sp = synthetic_pair(seed=i + 1)
            rm.compare_sync(sp)
            rm.compare_sync(
                PairInput(
                    question=sp.question, trajectory_a=sp.trajectory_b, trajectory_b=sp.trajectory_a
                )
            )
            del sp
            if (i + 1) % 5 == 0:
                gc.collect()
                samples.append((i + 1, _rss_mb()))
        print(
            f"memory over {args.flat} distinct synthetic 128K pairs (both orders): "
            + ", ".join(f"{k}: {v:.0f} MB" for k, v in samples)
        )
    if args.synthetic_only:
        return
    if not any(SUITE.glob("*.jsonl*")):
        print(f"bundled suite not found in {SUITE}: only the synthetic pair was timed")
        return
    clear_cache()
    cold_by: dict[tuple[str, str], list[float]] = defaultdict(list)
    both_by: dict[tuple[str, str], list[float]] = defaultdict(list)
    rss: list[tuple[int, float]] = []
    rss0 = _rss_mb()
    for n, (family, length, p) in enumerate(_records(args.pairs), start=1):
        sw = PairInput(
            question=p.question,
            trajectory_a=p.trajectory_b,
            trajectory_b=p.trajectory_a,
            kind=p.kind,
        )
        clear_cache()  # a pair a user judges for the first time: nothing cached
        t0 = time.perf_counter()
        rm.compare_sync(p)
        t1 = time.perf_counter()
        rm.compare_sync(sw)  # the swapped order reuses the question's analysis
        t2 = time.perf_counter()
        cold_by[family, length].append(t1 - t0)
        both_by[family, length].append((t2 - t0) / 2)
        if n % 10 == 0:
            rss.append((n, _rss_mb()))
    print(f"bundled suite, up to {args.pairs} pairs per family and context length:")
    order = {"reasoning": 0, "dialogue": 1, "long-form": 2}
    for key in sorted(cold_by, key=lambda k: (order.get(k[0], 9), len(k[1]), k[1])):
        xs, ys = cold_by[key], both_by[key]
        print(
            f"  {key[0]:>9} {key[1]:>5}: n={len(xs):3d}  uncached call median "
            f"{statistics.median(xs) * 1e3:6.1f} ms  p95 {_pct(xs, 0.95) * 1e3:6.1f} ms   "
            f"(both orders, question cached for the second: {statistics.median(ys) * 1e3:6.1f} ms)"
        )
    print(f"  machine load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(
        f"resident memory: start {rss0:.0f} MB; "
        + ", ".join(f"after {k} pairs {v:.0f} MB" for k, v in rss)
    )
    print(
        f"peak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB"
    )


if __name__ == "__main__":
    main()
