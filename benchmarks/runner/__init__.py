"""The MemRewardBench runner: official protocol, async judging, resumable ledger, results.

from benchmarks.runner import RunConfig, run_bench
results = await run_bench(RunConfig(data=["data/"], rm="heuristic"), out_dir=Path("runs/x"))
"""

from __future__ import annotations

from benchmarks.runner._compute import BASELINES, PairOutcome, compute_results, pair_outcomes
from benchmarks.runner._ledger import Ledger, read_ledger
from benchmarks.runner._metrics import bucket, mcnemar_exact, wilson
from benchmarks.runner._plan import Job, Plan, make_plan
from benchmarks.runner._pool import ProcessRM
from benchmarks.runner._protocol import ChosenAs, Slot, protocol_slots
from benchmarks.runner._results import (
    RESULTS_VERSION,
    Baseline,
    Bucket,
    DataFile,
    Mode,
    Prediction,
    Results,
    RMInfo,
    RunConfig,
    Timing,
    Verdict,
)
from benchmarks.runner._run import (
    COMPAT_SAMPLING,
    ExecOptions,
    Progress,
    build_reward_model,
    partial_results,
    reward_model_overrides,
    rm_info,
    run_bench,
    write_results,
)

__all__ = [
    "BASELINES",
    "COMPAT_SAMPLING",
    "RESULTS_VERSION",
    "Baseline",
    "Bucket",
    "ChosenAs",
    "DataFile",
    "ExecOptions",
    "Job",
    "Ledger",
    "Mode",
    "PairOutcome",
    "Plan",
    "Prediction",
    "ProcessRM",
    "Progress",
    "RMInfo",
    "Results",
    "RunConfig",
    "Slot",
    "Timing",
    "Verdict",
    "bucket",
    "build_reward_model",
    "compute_results",
    "make_plan",
    "mcnemar_exact",
    "pair_outcomes",
    "partial_results",
    "protocol_slots",
    "read_ledger",
    "reward_model_overrides",
    "rm_info",
    "run_bench",
    "wilson",
    "write_results",
]
