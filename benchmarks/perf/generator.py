"""How long the offline generator takes: per record, per length, and for the whole bundle.

    .venv/bin/python -m benchmarks.perf.generator            # per-record timings (~20 s)
    .venv/bin/python -m benchmarks.perf.generator --full     # + the whole bundled suite (~1 min)

Prints CPU-time medians (process time, so other load on the machine does not inflate them) and
wall time; the target is the whole 200-pair bundle well under 2 minutes on one core.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.generator import BUNDLED_ARGS, SETTINGS_BY_FILE, generate_record, generate_suite
from benchmarks.generator._filler import corpus


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also time the whole bundled suite")
    parser.add_argument("--repeat", type=int, default=2, help="records per setting and length")
    args = parser.parse_args(argv)

    t0, c0 = time.perf_counter(), time.process_time()
    corpus()
    print(
        f"filler corpus load + tokenise: {time.process_time() - c0:.2f} s CPU, {time.perf_counter() - t0:.2f} s wall"
    )
    for family, settings in SETTINGS_BY_FILE.items():
        for length in ("8k", "128k"):
            cpu = []
            for setting in settings:
                for i in range(args.repeat):
                    c = time.process_time()
                    generate_record(setting, length, i)
                    cpu.append(time.process_time() - c)
            print(
                f"{family:9s} {length:>4s}: median {statistics.median(cpu) * 1000:7.1f} ms CPU per pair (n={len(cpu)})"
            )
    if args.full:
        with tempfile.TemporaryDirectory() as tmp:
            t, c = time.perf_counter(), time.process_time()
            paths = generate_suite(Path(tmp), **BUNDLED_ARGS)
            cpu, wall = time.process_time() - c, time.perf_counter() - t
            size = sum(p.stat().st_size for p in paths)
        print(
            f"whole bundle (200 pairs, generate + xz): {cpu:.1f} s CPU, {wall:.1f} s wall, {size / 1e6:.2f} MB"
        )


if __name__ == "__main__":
    main()
