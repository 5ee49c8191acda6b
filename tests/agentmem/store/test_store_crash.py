"""Crash safety with real processes: SIGKILL mid-run loses no committed step, and the run resumes;
several processes can write to one store at once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from store_factories import make_answer, make_info, make_step

from agentmem.store import open_trace_store

_HERE = Path(__file__).resolve().parent
_REPO = _HERE.parents[2]

# The writer: records steps as fast as it can and prints each index once its commit returned.
_WRITER = """
import asyncio, sys
from store_factories import make_info, make_step
from agentmem.store import open_trace_store

async def main(url, run_id, n):
    store = await open_trace_store(url)
    await store.begin_run(make_info(run_id))
    for i in range(n):
        await store.record_step(run_id, make_step(i, rejected=i % 3))
        print(i, flush=True)
    await store.aclose()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


async def _spawn(url: str, run_id: str, n: int) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(_HERE), str(_REPO)])}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _WRITER,
        url,
        run_id,
        str(n),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=str(_REPO),
    )


async def test_sigkill_mid_run_keeps_every_committed_step_and_the_run_resumes(
    store_url: str,
) -> None:
    proc = await _spawn(store_url, "crash-run", 100_000)
    assert proc.stdout is not None
    printed: list[int] = []
    try:
        while len(printed) < 25:
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
            if not line:
                stderr = await proc.stderr.read() if proc.stderr else b""
                raise AssertionError(f"writer exited early: {stderr.decode()[-2000:]}")
            printed.append(int(line))
    finally:
        proc.send_signal(signal.SIGKILL)  # mid-write: it never pauses between steps
        await proc.wait()
    assert proc.returncode == -signal.SIGKILL

    store = await open_trace_store(store_url)
    try:
        got = await store.recorded_steps("crash-run")
        # Every step whose commit returned is there, complete and exact; at most the steps
        # committed between the last print and the kill follow; nothing partial, no gap.
        assert len(got) >= len(printed)
        assert got == [make_step(i, rejected=i % 3) for i in range(len(got))]
        info = await store.get_run("crash-run")
        assert info is not None and (info.status, info.n_steps) == ("running", len(got))

        # Resume: same run id and config, the pipeline replays what is recorded, then goes on.
        await store.begin_run(make_info("crash-run"))
        done = {(s.group, s.kind, s.index) for s in await store.recorded_steps("crash-run")}
        for i in range(len(got) + 10):
            step = make_step(i, rejected=i % 3)
            if (step.group, step.kind, step.index) not in done:
                await store.record_step("crash-run", step)
        for i in range(len(got)):  # a careless replay of everything changes nothing
            await store.record_step("crash-run", make_step(i, rejected=i % 3))
        await store.finish_run("crash-run", make_answer())

        traj = await store.load_trajectory("crash-run")
        assert traj.steps == [make_step(i, rejected=i % 3) for i in range(len(got) + 10)]
        assert traj.answer == make_answer()
        info = await store.get_run("crash-run")
        assert info is not None and info.status == "finished"
    finally:
        await store.aclose()


async def test_concurrent_processes_write_one_store_without_losing_steps(store_url: str) -> None:
    # A fresh database: the processes also race to create the tables.
    procs = [await _spawn(store_url, f"proc-{k}", 40) for k in range(3)]
    results = await asyncio.gather(*(p.communicate() for p in procs))
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err.decode()[-2000:]
        assert out.decode().split() == [str(i) for i in range(40)]
    store = await open_trace_store(store_url)
    try:
        for k in range(3):
            got = await store.recorded_steps(f"proc-{k}")
            assert got == [make_step(i, rejected=i % 3) for i in range(40)]
        assert sorted(r.run_id for r in await store.list_runs()) == ["proc-0", "proc-1", "proc-2"]
    finally:
        await store.aclose()
