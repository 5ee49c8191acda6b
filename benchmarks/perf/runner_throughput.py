"""Runner throughput on the real LLM-judge path against a 100 ms fake judge server.

    .venv/bin/python -m benchmarks.perf.runner_throughput [--pairs 640] [--concurrency 32] [--latency 0.1]

The fake OpenAI-compatible server runs in a separate process (its work does not share our GIL)
and answers every judge request after ``--latency`` seconds. The runner judges ``--pairs`` pairs
(judge-sized: ~6 KB prompt each) with ``llm:openai/fake`` in compat mode, writing the ledger as
usual. Printed: judgments/s against the ideal concurrency / latency (320/s for 32 and 100 ms), the
share of the ideal, this process's CPU per judgment (runner + HTTP client), and the wall overhead
per judgment of a sequential run (wall / n - latency). Targets: >= 90% of ideal; <= 2 ms overhead.
Also printed for reference: the offline heuristic on the same pairs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("OPENAI_API_KEY", "fake-key-for-the-local-fake-server")

_SERVER = """
import socketserver, sys
# Real servers (uvicorn, vLLM) set TCP_NODELAY; without it the fake server's two-part replies wait
# for the client's delayed ACK.
socketserver.StreamRequestHandler.disable_nagle_algorithm = True
from agentmem.testing import FakeOpenAIServer
s = FakeOpenAIServer(handler=lambda req: "[[A]]\\nAgent A keeps the evidence.", latency_s=float(sys.argv[1])).start()
print(s.base_url, flush=True)
sys.stdin.read()
"""


CACHE = [True]
"""Whether the judge gets a response cache folder (--no-cache turns it off)."""


def _write_pairs(path: Path, n: int) -> None:
    tasks = [
        "S-Noise",
        "S-Drop",
        "P-Noise",
        "P-Drop",
        "Mem0-Out",
        "Mem0-MEM",
        "A-Mem-Out",
        "A-Mem-MEM",
    ]
    lengths = ["8k", "16k", "32k", "64k", "128k"]
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            rec = {
                "question": f"Question {i}: where is the key? "
                + "The context sentence goes here. " * 120,
                "chosen": f"Step1: <updated_memory>the key is in the kitchen ({i})</updated_memory> "
                * 10,
                "rejected": f"Step1: <updated_memory>nothing relevant ({i})</updated_memory> " * 12,
                "task": tasks[i % len(tasks)],
                "ctx_length": lengths[i % len(lengths)],
            }
            f.write(json.dumps(rec) + "\n")


SUITE = Path(__file__).resolve().parents[1] / "data" / "suite"


async def _run(
    data: Path | list[Path],
    out: Path,
    rm: str,
    concurrency: int,
    api_base: str | None,
    *,
    both_orders: bool = False,
) -> tuple[float, float, int]:
    from benchmarks.runner import ExecOptions, RunConfig, run_bench

    marks: list[float] = []

    def progress(done: int, total: int) -> None:
        marks.append(time.perf_counter())

    from rewards.llm_judge import _trim

    _trim._COUNTS.clear()  # every run starts cold: no token count remembered from the last one
    paths = data if isinstance(data, list) else [data]
    cfg = RunConfig(
        data=[str(p) for p in paths],
        rm=rm,
        both_orders=both_orders,
        rm_overrides={"api_base": api_base} if api_base else {},
    )
    cpu0 = time.process_time()
    res = await run_bench(
        cfg,
        out_dir=out,
        options=ExecOptions(concurrency=concurrency, write_report=False, cache=CACHE[0]),
        progress=progress,
    )
    cpu = time.process_time() - cpu0
    assert res.n_errors == 0, f"{res.n_errors} judge errors"
    wall = marks[-1] - marks[0]  # first progress call: judging starts; last: final judgment logged
    return wall, cpu, res.n_judgments


async def _bare_asyncio(latency: float, concurrency: int, n: int) -> tuple[float, float]:
    """What the event loop alone achieves on this machine (a loaded box oversleeps)."""
    t0 = time.perf_counter()
    for _ in range(20):
        await asyncio.sleep(latency)
    late = 1000 * ((time.perf_counter() - t0) / 20 - latency)
    left = n

    async def sleeper() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await asyncio.sleep(latency)

    t0 = time.perf_counter()
    await asyncio.gather(*(sleeper() for _ in range(concurrency)))
    return late, n / (time.perf_counter() - t0)


def _register_sleep_rm(latency: float) -> None:
    from rewards import PairwiseVerdict, Reward, RMSpec, register

    class SleepRM:
        spec = RMSpec(name="perf-sleep")

        async def score_update(self, update: object) -> Reward:
            return Reward(value=0.5)

        async def compare(self, pair: object) -> PairwiseVerdict:
            await asyncio.sleep(latency)
            return PairwiseVerdict(winner="A", raw=("[[A]]",))

    register("perf-sleep", "benchmark double: sleeps like a remote judge")(
        lambda arg, **kw: SleepRM()
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pairs", type=int, default=640)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument(
        "--sequential", type=int, default=40, help="pairs for the sequential overhead run"
    )
    ap.add_argument(
        "--server",
        choices=["threaded", "asyncio"],
        default="threaded",
        help="threaded = agentmem.testing.FakeOpenAIServer (default); asyncio = the minimal aiohttp fake "
        "server of benchmarks/perf/judge_overhead.py (less server-side CPU per request)",
    )
    ap.add_argument(
        "--no-cache", action="store_true", help="run the judge without its response cache"
    )
    ap.add_argument(
        "--real",
        action="store_true",
        help="judge the bundled suite (v2 pair sizes, 8K-128K tokens, both orders) instead of "
        "~6 KB synthetic pairs: the size users' pairs have",
    )
    args = ap.parse_args()
    CACHE[0] = not args.no_cache

    script = _SERVER
    if args.server == "asyncio":
        from benchmarks.perf.judge_overhead import _ASYNC_SERVER

        script = _ASYNC_SERVER
    server = subprocess.Popen(
        [sys.executable, "-c", script, str(args.latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    tmp = Path(tempfile.mkdtemp(prefix="runner-perf-"))
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        data = tmp / "pairs.jsonl"
        _write_pairs(data, args.pairs)
        seq = tmp / "seq.jsonl"
        _write_pairs(seq, args.sequential)

        asyncio.run(
            _run(seq, tmp / "warm", "llm:openai/fake", 4, base_url)
        )  # imports, connection pool
        walls = []
        real = sorted(SUITE.glob("*.jsonl.xz")) if args.real else None
        for rep in range(3):
            wall, cpu, n = asyncio.run(
                _run(
                    real or data,
                    tmp / f"c{rep}",
                    "llm:openai/fake",
                    args.concurrency,
                    base_url,
                    both_orders=bool(real),
                )
            )
            walls.append((wall, cpu, n))
        wall, cpu, n = sorted(walls)[1]  # the median of three by wall time
        ideal = args.concurrency / args.latency
        rate = n / wall
        print(
            f"llm:openai/fake ({args.server} fake server, cache {'off' if args.no_cache else 'on'}), concurrency {args.concurrency}, server latency {args.latency * 1000:.0f} ms, "
            f"{n} judgments (median of 3 runs), "
            + ("the bundled suite's pairs (v2 sizes), both orders" if real else "~6 KB pairs")
        )
        print(
            f"  throughput: {rate:.0f} judgments/s = {100 * rate / ideal:.0f}% of the ideal {ideal:.0f}/s "
            f"(target >= 90%)"
        )
        print(
            f"  client CPU: {1000 * cpu / n:.2f} ms per judgment (runner + ledger + HTTP client, whole process)"
        )
        seq_runs = []
        for rep in range(3):
            w, _, m = asyncio.run(_run(seq, tmp / f"s{rep}", "llm:openai/fake", 1, base_url))
            seq_runs.append(1000 * (w / m - args.latency))
        print(
            f"  sequential overhead: {statistics.median(seq_runs):.2f} ms per judgment beyond the server's "
            f"{args.latency * 1000:.0f} ms (target <= 2 ms; includes loopback HTTP and the fake server)"
        )
        base_seq, base_rate = asyncio.run(_bare_asyncio(args.latency, args.concurrency, args.pairs))
        print(
            f"machine baseline (bare asyncio.sleep, no runner): {base_seq:.2f} ms late per sleep; "
            f"{args.concurrency} sleepers: {base_rate:.0f} sleeps/s = {100 * base_rate / ideal:.0f}% of ideal"
        )
        _register_sleep_rm(args.latency)
        rs = []
        for rep in range(3):
            w, c, m = asyncio.run(_run(seq, tmp / f"r{rep}", "perf-sleep", 1, None))
            rs.append((1000 * (w / m - args.latency), 1000 * c / m))
        over, cpu_r = sorted(rs)[1]
        w, c, m = asyncio.run(_run(data, tmp / "rc", "perf-sleep", args.concurrency, None))
        print(
            f"runner alone (an in-process RM that sleeps {args.latency * 1000:.0f} ms): sequential overhead "
            f"{over:.2f} ms per judgment ({over - base_seq:.2f} ms beyond the bare-asyncio baseline), "
            f"process CPU {cpu_r:.2f} ms per judgment incl. planning; at concurrency {args.concurrency}: "
            f"{m / w:.0f} judgments/s = {100 * m / w / ideal:.0f}% of ideal"
        )
        try:
            wall_h, cpu_h, n_h = asyncio.run(_run(data, tmp / "heur", "heuristic", 8, None))
            print(
                f"heuristic RM on the same {n_h} pairs: {n_h / wall_h:.0f} judgments/s ({1000 * cpu_h / n_h:.2f} ms CPU each)"
            )
        except Exception as exc:  # the heuristic is another helper's module
            print(f"heuristic RM: not measured ({type(exc).__name__}: {exc})")
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
