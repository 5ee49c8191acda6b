"""A killed run resumes with no duplicates and no gaps, and ends with the same results.json."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bench_helpers import FunctionRM, shorter

from benchmarks.runner import ExecOptions, Results, RunConfig, read_ledger, run_bench

NO_REPORT = ExecOptions(write_report=False)
REPO = Path(__file__).resolve().parents[2]

# A CLI process whose reward model is slow enough to be killed mid-run.
_SCRIPT = """
import asyncio, sys
from agentmem.cli import main
from rewards import PairwiseVerdict, RMSpec, Reward, register

class Slow:
    spec = RMSpec(name="slow-shorter")
    async def score_update(self, u):
        return Reward(value=0.5)
    async def compare(self, p):
        await asyncio.sleep(0.02)
        return PairwiseVerdict(winner="A" if len(p.trajectory_a) <= len(p.trajectory_b) else "B", tokens=5)

register("slow-shorter")(lambda arg, **kw: Slow())
sys.exit(main(sys.argv[1:]))
"""


def _cli(*args: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(REPO), AGENTMEM_FORBID_NETWORK="1")
    return subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _results(folder: Path) -> dict[str, object]:
    return Results.model_validate_json((folder / "results.json").read_text()).comparable()


def test_kill_9_then_resume_equals_an_uninterrupted_run(small_suite: Path, tmp_path: Path) -> None:
    common = [
        "bench",
        "run",
        "--data",
        str(small_suite),
        "--rm",
        "slow-shorter",
        "--both-orders",
        "--concurrency",
        "2",
        "--no-report",
        "--json",
    ]
    killed = tmp_path / "killed"
    proc = _cli(*common, "--out", str(killed))
    ledger = killed / "predictions.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if ledger.exists() and ledger.read_bytes().count(b"\n") >= 25:
            break
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    n_before = ledger.read_bytes().count(b"\n")
    assert 25 <= n_before < 120, "the run was not interrupted mid-way"
    assert not (killed / "results.json").exists()

    resumed = _cli("bench", "run", "--resume", str(killed), "--no-report", "--json")
    _, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err.decode()
    full = tmp_path / "full"
    straight = _cli(*common, "--out", str(full))
    _, err = straight.communicate(timeout=120)
    assert straight.returncode == 0, err.decode()

    lines = read_ledger(ledger)
    keys = [(p.pair_id, p.chosen_as) for p in lines]
    assert len(keys) == len(set(keys)) == 120  # no duplicates, no gaps
    assert _results(killed) == _results(full)


async def test_a_torn_last_line_is_repaired_on_resume(small_suite: Path, tmp_path: Path) -> None:
    cfg = RunConfig(data=[str(small_suite)], rm="fn")
    full = await run_bench(
        cfg, out_dir=tmp_path / "full", rm=FunctionRM(fn=shorter), options=NO_REPORT
    )
    out = tmp_path / "cut"
    await run_bench(cfg, out_dir=out, rm=FunctionRM(fn=shorter), options=NO_REPORT)
    ledger = out / "predictions.jsonl"
    lines = ledger.read_bytes().splitlines(keepends=True)
    ledger.write_bytes(b"".join(lines[:23]) + lines[23][: len(lines[23]) // 2])  # died mid-write
    (out / "results.json").unlink()

    rm = FunctionRM(fn=shorter)
    resumed = await run_bench(
        RunConfig(data=[], rm=""), out_dir=out, rm=rm, resume=True, options=NO_REPORT
    )
    assert len(rm.seen) == 60 - 23  # only the missing judgments were made
    text = ledger.read_text()
    assert all(json.loads(line) for line in text.splitlines())  # every line is whole again
    assert len(text.splitlines()) == 60
    assert resumed.comparable() == full.comparable()


async def test_resuming_a_finished_run_judges_nothing(small_suite: Path, tmp_path: Path) -> None:
    cfg = RunConfig(data=[str(small_suite)], rm="fn")
    first = await run_bench(
        cfg, out_dir=tmp_path / "o", rm=FunctionRM(fn=shorter), options=NO_REPORT
    )
    rm = FunctionRM(fn=shorter)
    again = await run_bench(cfg, out_dir=tmp_path / "o", rm=rm, resume=True, options=NO_REPORT)
    assert rm.seen == [] and again.comparable() == first.comparable()


def test_ctrl_c_exits_130_with_a_resume_hint_and_keeps_the_ledger(
    small_suite: Path, tmp_path: Path
) -> None:
    out = tmp_path / "int"
    proc = _cli(
        "bench",
        "run",
        "--data",
        str(small_suite),
        "--rm",
        "slow-shorter",
        "--both-orders",
        "--concurrency",
        "1",
        "--no-report",
        "--out",
        str(out),
    )
    ledger = out / "predictions.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
        ledger.exists() and ledger.read_bytes().count(b"\n") >= 5
    ):
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert f"continue with: agentmem bench run --resume {out}" in err.decode()
    kept = read_ledger(ledger)
    assert 5 <= len(kept) < 120
    resumed = _cli("bench", "run", "--resume", str(out), "--no-report", "--json")
    _, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err.decode()
    keys = [(p.pair_id, p.chosen_as) for p in read_ledger(ledger)]
    assert len(keys) == len(set(keys)) == 120


async def test_resume_works_from_another_working_directory(
    small_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(small_suite.parent)
    cfg = RunConfig(data=[small_suite.name], rm="fn")  # a relative path
    first = await run_bench(
        cfg, out_dir=tmp_path / "o", rm=FunctionRM(fn=shorter), options=NO_REPORT
    )
    monkeypatch.chdir(tmp_path.parent)
    again = await run_bench(
        RunConfig(data=[], rm=""),
        out_dir=tmp_path / "o",
        rm=FunctionRM(fn=shorter),
        resume=True,
        options=NO_REPORT,
    )
    assert again.comparable() == first.comparable()


async def test_retry_errors_on_resume_supersedes_the_error_lines(tmp_path: Path) -> None:
    from bench_helpers import make_record, write_jsonl

    data = write_jsonl(tmp_path / "d.jsonl", [make_record(i) for i in range(6)])
    outage = {"on": True}

    def flaky(p):  # type: ignore[no-untyped-def]
        if outage["on"] and p.question.startswith(("Question 1:", "Question 4:")):
            raise ConnectionError("provider down")
        return shorter(p)

    cfg = RunConfig(data=[str(data)], rm="fn")
    first = await run_bench(cfg, out_dir=tmp_path / "o", rm=FunctionRM(fn=flaky), options=NO_REPORT)
    assert first.n_errors == 2
    # a plain resume keeps the errors (they are recorded outcomes) ...
    rm = FunctionRM(fn=flaky)
    again = await run_bench(cfg, out_dir=tmp_path / "o", rm=rm, resume=True, options=NO_REPORT)
    assert rm.seen == [] and again.n_errors == 2
    # ... retry_errors judges exactly those again, and the new lines count
    outage["on"] = False
    rm = FunctionRM(fn=flaky)
    fixed = await run_bench(
        cfg,
        out_dir=tmp_path / "o",
        rm=rm,
        resume=True,
        options=ExecOptions(write_report=False, retry_errors=True),
    )
    assert len(rm.seen) == 2 and fixed.n_errors == 0 and fixed.n_pairs == 6
    clean = await run_bench(
        cfg, out_dir=tmp_path / "clean", rm=FunctionRM(fn=shorter), options=NO_REPORT
    )
    assert fixed.comparable() | {"data_files": None} == clean.comparable() | {"data_files": None}
    assert len(read_ledger(tmp_path / "o" / "predictions.jsonl")) == 8  # append-only: 6 + 2 retries
