"""Trace commits: in decision order, off the model's critical path, and never lost on failure."""

from __future__ import annotations

import asyncio
import time

import pytest
from pipeline_support import DictTraceStore, words_doc

from agentmem._pipeline import chunk_document, sequential
from agentmem._types import Chunk, Step
from agentmem.exceptions import StoreError
from agentmem.testing import FunctionUpdater

Q = "Where does item 302 rest?"


class SlowStore(DictTraceStore):
    """Each commit takes ``delay`` seconds; optionally the ``fail_at``-th one raises."""

    def __init__(self, delay: float, fail_at: int | None = None) -> None:
        super().__init__()
        self.delay = delay
        self.fail_at = fail_at
        self.n = 0

    async def record_step(self, run_id: str, step: Step) -> None:
        self.n += 1
        await asyncio.sleep(self.delay)
        if self.fail_at is not None and self.n == self.fail_at:
            raise StoreError("disk full")
        await super().record_step(run_id, step)


async def test_commits_do_not_hold_up_the_next_model_call_but_all_land_in_order(
    echo_answerer, constant_rm
) -> None:
    doc = words_doc(6)
    n = len(chunk_document(doc, 40))
    store = SlowStore(delay=0.03)

    async def model(q: str, m: str, c: Chunk, fb: str | None) -> str:
        await asyncio.sleep(0.03)
        return f"{m}|c{c.index}"

    pipe = sequential(
        updater=FunctionUpdater(fn=model),
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    t0 = time.perf_counter()
    traj = await pipe.run(doc, Q, run_id="w", store=store)
    wall = time.perf_counter() - t0
    assert wall < 0.03 * (2 * n) * 0.8  # overlapped, not model + commit in series
    assert [s.index for s in store.steps["w"]] == list(range(n))
    calls = [c for c, _ in store.calls]
    assert calls[-1] == "finish_run" and calls.count("record_step") == n
    assert store.steps["w"] == traj.steps


async def test_a_failed_commit_fails_the_run_with_the_step_named(
    echo_answerer, constant_rm, appending_updater
) -> None:
    store = SlowStore(delay=0.0, fail_at=3)
    pipe = sequential(
        updater=appending_updater, answerer=echo_answerer, reward_model=constant_rm, chunk_tokens=40
    )
    with pytest.raises(StoreError, match="disk full") as info:
        await pipe.run(words_doc(6), Q, run_id="f", store=store)
    assert any("update step 2 of group 0 to the trace store" in n for n in info.value.__notes__)
    assert [s.index for s in store.steps["f"]] == [0, 1]
    assert store.runs["f"].status == "failed" and "disk full" in (store.runs["f"].error or "")
    assert len(appending_updater.calls) < len(chunk_document(words_doc(6), 40))  # it stopped early


async def test_steps_decided_before_a_crash_are_committed_before_the_run_is_marked_failed(
    echo_answerer, constant_rm
) -> None:
    store = SlowStore(delay=0.05)

    def model(q: str, m: str, c: Chunk, fb: str | None) -> str:
        if c.index == 3:
            raise RuntimeError("model crashed")
        return f"{m}|c{c.index}"

    pipe = sequential(
        updater=FunctionUpdater(fn=model),
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    with pytest.raises(RuntimeError, match="model crashed"):
        await pipe.run(words_doc(6), Q, run_id="c", store=store)
    assert [s.index for s in store.steps["c"]] == [0, 1, 2]
    calls = [c for c, _ in store.calls]
    assert calls.index("fail_run") > max(i for i, c in enumerate(calls) if c == "record_step")


async def test_a_fusion_is_committed_only_after_every_update_it_merged(
    echo_answerer, constant_rm, joining_fuser
) -> None:
    from agentmem._pipeline import parallel

    class UnevenStore(DictTraceStore):
        async def record_step(self, run_id: str, step: Step) -> None:
            await asyncio.sleep(
                0.08 if (step.group, step.kind) == (1, "update") else 0.0
            )  # group 1 writes slowly
            await super().record_step(run_id, step)

    store = UnevenStore()
    pipe = parallel(
        groups=2,
        updater=FunctionUpdater(fn=lambda q, m, c, fb: f"{m}|c{c.index}"),
        fuser=joining_fuser,
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    traj = await pipe.run(words_doc(4), Q, run_id="fz", store=store)
    committed = store.steps["fz"]
    assert committed[-1].kind == "fusion"  # never before the updates it merged
    loaded = await store.load_trajectory("fz")
    assert loaded.final_memory == traj.final_memory == committed[-1].memory
