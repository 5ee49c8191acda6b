"""Loader throughput and memory on a 1 GB file of published-format records (~1 MB each).

    .venv/bin/python -m benchmarks.perf.loader_throughput [--gb 1.0] [--record-mb 1.0]

Builds the file in /tmp by repeating the seven published sample records (their context text
repeated up to the record size, each with a new id), streams it through
``benchmarks.loaders.iter_records`` in a fresh child process (so its peak RSS is the loader's
alone), prints MB/s and peak RSS, and deletes the file. Targets: >= 100 MB/s, <= 300 MB RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLES = (
    Path(__file__).resolve().parents[2] / "tests" / "benchmarks" / "data" / "memrewardbench-samples"
)


def build(path: Path, total_bytes: int, record_bytes: int) -> tuple[int, int]:
    """Write records until the file reaches ``total_bytes``; returns (records, bytes)."""
    seeds = [
        json.loads(line)
        for f in sorted(SAMPLES.glob("*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
    ]
    n = size = 0
    with path.open("w", encoding="utf-8") as out:
        while size < total_bytes:
            rec = dict(seeds[n % len(seeds)])
            base = len(json.dumps(rec, ensure_ascii=False))
            reps = max(1, record_bytes // max(1, len(rec["question"])))
            if base < record_bytes:
                rec["question"] = (rec["question"] + "\n") * reps
            rec["meta"] = {"_id": f"perf-{n}", "source": "repeated sample"}
            rec["chosen"] = rec["chosen"] + f"\n[record {n}]"  # a distinct pair each time
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            out.write(line)
            size += len(line.encode("utf-8"))
            n += 1
    return n, size


def measure(path: Path, what: str) -> None:
    """Child process: stream the file, print one JSON line of figures."""
    from benchmarks.loaders import LoadReport, discover, iter_records
    from benchmarks.runner import RunConfig, make_plan

    t0 = time.perf_counter()
    c0 = time.process_time()
    if what == "loader":
        report = LoadReport()
        n = sum(1 for _ in iter_records(discover([path]), report))
        assert report.n_errors == 0, report.summary_lines()
    elif (
        what == "plan"
    ):  # the runner's planning pass: parse + validate + hash every record and the file
        plan = make_plan(RunConfig(data=[str(path)], rm="heuristic"))
        n = plan.n_jobs
    else:  # a whole run (plan, judging pass, ledger, results) with an instant reward model
        n = _whole_run(path)
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"records": n, "seconds": dt, "cpu_seconds": cpu, "peak_rss_mb": rss_mb}))


def _whole_run(path: Path) -> int:
    import asyncio
    import shutil

    from benchmarks.runner import ExecOptions, RunConfig, run_bench
    from rewards import PairwiseVerdict, Reward, RMSpec

    class Instant:
        spec = RMSpec(name="instant")

        async def score_update(self, update: object) -> Reward:
            return Reward(value=0.5)

        async def compare(self, pair: object) -> PairwiseVerdict:
            return PairwiseVerdict(winner="A")

    out = Path(tempfile.mkdtemp(prefix="loader-perf-run-"))
    try:
        res = asyncio.run(
            run_bench(
                RunConfig(data=[str(path)], rm="instant"),
                out_dir=out / "run",
                rm=Instant(),
                options=ExecOptions(write_report=False),
            )
        )
        return res.n_pairs
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--gb", type=float, default=1.0, help="file size in GB (default 1.0)")
    ap.add_argument("--record-mb", type=float, default=1.0, help="record size in MB (default 1.0)")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--what", default="loader", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        measure(args.measure, args.what)
        return
    fd, name = tempfile.mkstemp(prefix="memrewardbench-perf-", suffix=".jsonl", dir="/tmp")
    os.close(fd)
    path = Path(name)
    try:
        t0 = time.perf_counter()
        n, size = build(path, int(args.gb * 1e9), int(args.record_mb * 1e6))
        print(f"built {path}: {n} records, {size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s")
        for what in ("loader", "plan", "run"):
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.perf.loader_throughput",
                    "--measure",
                    str(path),
                    "--what",
                    what,
                ],
                check=True,
                capture_output=True,
                text=True,
                cwd=Path(__file__).resolve().parents[2],
            )
            fig = json.loads(out.stdout.strip().splitlines()[-1])
            mbps = size / 1e6 / fig["seconds"]
            label = {
                "loader": "iter_records (stream, validate, dedup)",
                "plan": "runner plan pass (+ sha256)",
                "run": "whole run, instant RM (plan + judging pass + ledger + results)",
            }[what]
            print(
                f"{label}: {fig['records']} records, {mbps:.0f} MB/s wall ({size / 1e6 / fig['cpu_seconds']:.0f} MB per CPU-second), peak RSS {fig['peak_rss_mb']:.0f} MB "
                f"(targets >= 100 MB/s, <= 300 MB)"
            )
    finally:
        path.unlink(missing_ok=True)
        print(f"deleted {path}")


if __name__ == "__main__":
    main()
