"""One executor per run: a second run() of a live run id (in this process or another) is refused,
a crashed executor's lease is taken over at once on the same host, and a run that loses its
lease stops instead of interleaving its steps with the new owner's."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from test_store_pipeline_resume import DOCUMENT, QUESTION, make_pipeline

from agentmem.exceptions import RunBusy
from agentmem.store import InMemoryTraceStore, open_trace_store

_HERE = Path(__file__).resolve().parent
_REPO = _HERE.parents[2]

_CHILD = """
import asyncio, sys
from test_store_pipeline_resume import make_pipeline, DOCUMENT, QUESTION
from agentmem.store import open_trace_store

class Printing:
    def __init__(self, inner):
        self.inner = inner
    def __getattr__(self, name):
        return getattr(self.inner, name)
    async def record_step(self, run_id, step):
        await self.inner.record_step(run_id, step)
        print("step", flush=True)

async def main(url):
    store = await open_trace_store(url)
    await make_pipeline("sequential", delay=0.05).run(DOCUMENT, QUESTION, run_id="busy", store=Printing(store))

asyncio.run(main(sys.argv[1]))
"""


@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
async def test_a_second_run_of_a_live_run_id_is_refused(store_kind: str, tmp_path: Path) -> None:
    store = (
        InMemoryTraceStore()
        if store_kind == "memory"
        else await open_trace_store(f"sqlite:///{tmp_path / 'traces.db'}")
    )
    try:
        first = asyncio.ensure_future(
            make_pipeline("sequential", delay=0.01).run(
                DOCUMENT, QUESTION, run_id="r1", store=store
            )
        )
        await asyncio.sleep(0.2)
        with pytest.raises(RunBusy, match=r"run 'r1' is being executed right now"):
            await make_pipeline("sequential").run(DOCUMENT, QUESTION, run_id="r1", store=store)
        done = await first
        again = await make_pipeline("sequential").run(DOCUMENT, QUESTION, run_id="r1", store=store)
        assert again.answer == done.answer  # the lease was released: a later call replays it
        steps = await store.recorded_steps("r1")
        assert len(steps) == len(done.steps)  # nothing interleaved, nothing doubled
    finally:
        await store.aclose()


async def test_resume_while_another_process_runs_is_refused_then_works_after_it_dies(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'traces.db'}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(_HERE), str(_REPO)])}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _CHILD, url, env=env, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    try:
        for _ in range(3):
            assert (await asyncio.wait_for(proc.stdout.readline(), 60)).strip() == b"step"
        store = await open_trace_store(url)
        try:
            with pytest.raises(RunBusy, match="being executed right now"):
                await make_pipeline("sequential").run(
                    DOCUMENT, QUESTION, run_id="busy", store=store
                )
        finally:
            await store.aclose()
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()
    store = await open_trace_store(url)  # the owner is gone: its lease is dead at once
    try:
        resumed = await make_pipeline("sequential").run(
            DOCUMENT, QUESTION, run_id="busy", store=store
        )
        assert resumed.answer is not None
        info = await store.get_run("busy")
        assert info is not None and info.status == "finished"
    finally:
        await store.aclose()


async def test_a_run_that_loses_its_lease_stops() -> None:
    store = InMemoryTraceStore()
    pipe = make_pipeline("sequential", delay=0.02)
    pipe.lease_ttl_s = 0.15
    run = asyncio.ensure_future(pipe.run(DOCUMENT, QUESTION, run_id="stolen", store=store))
    await asyncio.sleep(0.1)
    store._leases["stolen"] = ("elsewhere:1:x", 1e12)  # another executor took the run over
    with pytest.raises(RunBusy, match="lost its lease"):
        await run
    info = await store.get_run("stolen")
    assert info is not None and info.status == "failed"
    assert store._leases["stolen"][0] == "elsewhere:1:x"  # the new owner's lease is untouched
