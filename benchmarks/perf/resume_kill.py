"""Kill -9 a benchmark run at a random point, resume it, and compare with an uninterrupted run.

    .venv/bin/python -m benchmarks.perf.resume_kill [--rounds 5] [--pairs 300] [--seed N]

Each round starts ``agentmem bench run`` in a subprocess (both orders, concurrency 8, a reward
model that takes ~5 ms a pair), SIGKILLs it after a random number of ledger lines, resumes it with
``--resume``, and checks that the ledger holds every (pair, order) exactly once and that
results.json equals the uninterrupted run's (timing excluded). A SIGKILL rarely lands inside a
write, so every other round also tears the ledger's last line itself (cuts it at a random byte, as
a crash mid-write or a full disk leaves it): the resume must repair it, losing only that line.
Prints one line per round.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_SCRIPT = """
import asyncio, sys
from agentmem.cli import main
from rewards import PairwiseVerdict, RMSpec, Reward, register

class Slow:
    spec = RMSpec(name="slow-shorter")
    async def score_update(self, u):
        return Reward(value=0.5)
    async def compare(self, p):
        await asyncio.sleep(0.005)
        return PairwiseVerdict(winner="A" if len(p.trajectory_a) <= len(p.trajectory_b) else "B", tokens=7)

register("slow-shorter")(lambda arg, **kw: Slow())
sys.exit(main(sys.argv[1:]))
"""


def _cli(*args: str, wait: bool = True) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(REPO), AGENTMEM_FORBID_NETWORK="1")
    proc = subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if wait:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"run failed: {err.decode()[-2000:]}")
    return proc


def _write_data(folder: Path, n: int, rng: random.Random) -> None:
    folder.mkdir(parents=True)
    names = [
        "Long-context_Reasoning.jsonl",
        "Multi-turn_Dialogue_Understanding.jsonl",
        "Long-form_Generation.jsonl",
    ]
    tasks = [
        ["S-Noise", "S-Drop", "P-Noise", "P-Drop"],
        ["Mem0-Out", "Mem0-MEM", "A-Mem-Out", "A-Mem-MEM"],
        ["sequential", "parallel"],
    ]
    for f, (name, ts) in enumerate(zip(names, tasks, strict=True)):
        with (folder / name).open("w", encoding="utf-8") as out:
            for i in range(n // 3):
                rec = {
                    "question": f"q{f}-{i} " + "context " * rng.randint(10, 200),
                    "chosen": "c" * rng.randint(1, 400),
                    "rejected": "r" * rng.randint(1, 400),
                    "task": ts[i % len(ts)],
                    "ctx_length": ["8k", "16k", "32k", "64k", "128k"][i % 5],
                }
                out.write(json.dumps(rec) + "\n")


def _comparable(folder: Path) -> dict[str, object]:
    from benchmarks.runner import Results

    return Results.model_validate_json((folder / "results.json").read_text()).comparable()


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument(
        "--seed", type=int, default=None, help="seed for the kill points (default: random)"
    )
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="resume-kill-"))
    from benchmarks.runner import read_ledger

    try:
        data = tmp / "data"
        _write_data(data, args.pairs, rng)
        common = [
            "bench",
            "run",
            "--data",
            str(data),
            "--rm",
            "slow-shorter",
            "--both-orders",
            "--concurrency",
            "8",
            "--no-report",
            "--json",
        ]
        t0 = time.perf_counter()
        _cli(*common, "--out", str(tmp / "full"))
        total = len(read_ledger(tmp / "full" / "predictions.jsonl"))
        print(
            f"uninterrupted run: {total} judgments in {time.perf_counter() - t0:.1f} s (kill-point seed {seed})"
        )
        ok = 0
        for r in range(args.rounds):
            out = tmp / f"killed{r}"
            target = rng.randint(1, total - 1)
            proc = _cli(*common, "--out", str(out), wait=False)
            ledger = out / "predictions.jsonl"
            while proc.poll() is None:
                if ledger.exists() and ledger.read_bytes().count(b"\n") >= target:
                    break
                time.sleep(0.002)
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            if r % 2 == 1 and ledger.exists():  # tear the last complete line mid-way
                data = ledger.read_bytes()
                last = data.rstrip(b"\n").rfind(b"\n") + 1
                if len(data) - last > 2:
                    ledger.write_bytes(data[: rng.randint(last + 1, len(data) - 2)])
            at = ledger.read_bytes().count(b"\n") if ledger.exists() else 0
            torn = (
                ledger.exists()
                and not ledger.read_bytes().endswith(b"\n")
                and ledger.stat().st_size > 0
            )
            _cli("bench", "run", "--resume", str(out), "--no-report", "--json")
            keys = [(p.pair_id, p.chosen_as) for p in read_ledger(ledger)]
            same = _comparable(out) == _comparable(tmp / "full")
            good = same and len(keys) == len(set(keys)) == total
            ok += good
            print(
                f"round {r + 1}: killed after {at}/{total} lines{' (torn last line)' if torn else ''}; "
                f"resumed: {len(keys)} lines, {len(keys) - len(set(keys))} duplicates, "
                f"results.json {'identical' if same else 'DIFFERENT'}"
            )
        print(f"{ok}/{args.rounds} rounds: resumed results.json equal to the uninterrupted run's")
        if ok != args.rounds:
            raise SystemExit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
