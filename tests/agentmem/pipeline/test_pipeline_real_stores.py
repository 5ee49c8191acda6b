"""Pipelines on the real trace stores: in-memory and SQLite (the same crash-and-resume contract)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pipeline_support import words_doc

from agentmem._pipeline import chunk_document, mixed, parallel, sequential
from agentmem._types import Chunk
from agentmem.store import InMemoryTraceStore, SQLTraceStore
from agentmem.testing import FunctionUpdater

Q = "Where does item 302 rest?"


@pytest.fixture(params=["memory", "sqlite"])
async def real_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[object]:
    if request.param == "memory":
        yield InMemoryTraceStore()
        return
    store = await SQLTraceStore(f"sqlite:///{tmp_path / 'traces.db'}").open()
    try:
        yield store
    finally:
        await store.aclose()


def updater(crash_at: int | None) -> FunctionUpdater:
    def fn(q: str, m: str, c: Chunk, fb: str | None) -> str:
        if c.index == crash_at:
            raise RuntimeError(f"crash at chunk {c.index}")
        return f"{m}|c{c.index}"

    return FunctionUpdater(fn=fn, label="append")


@pytest.mark.parametrize("pattern", ["sequential", "parallel", "mixed"])
async def test_crash_then_resume_on_a_real_store(
    pattern: str, real_store, joining_fuser, echo_answerer, constant_rm
) -> None:
    doc = words_doc(8)
    n = len(chunk_document(doc, 40))
    build = {"sequential": sequential, "parallel": parallel, "mixed": mixed}[pattern]
    kw = {} if pattern == "sequential" else {"groups": 2, "fuser": joining_fuser}
    crash = n - 2
    with pytest.raises(RuntimeError, match=f"crash at chunk {crash}"):
        await build(
            updater=updater(crash),
            answerer=echo_answerer,
            reward_model=constant_rm,
            policy="best-of-2",
            chunk_tokens=40,
            **kw,
        ).run(doc, Q, run_id="run1", store=real_store)
    info = await real_store.get_run("run1")
    assert info is not None and info.status == "failed" and "crash at chunk" in (info.error or "")
    before = await real_store.recorded_steps("run1")
    assert before and all(len(s.attempts) == 2 for s in before)

    fixed = updater(None)
    traj = await build(
        updater=fixed,
        answerer=echo_answerer,
        reward_model=constant_rm,
        policy="best-of-2",
        chunk_tokens=40,
        **kw,
    ).run(doc, Q, run_id="run1", store=real_store)
    done_before = {s.chunk.index for s in before if s.chunk}
    asked_again = {c[2].index for c in fixed.calls}
    assert done_before.isdisjoint(asked_again)
    # a chunk neither committed before nor asked again had its attempts paid before the crash
    # (a parallel group ahead of the crash) and reused from the store
    reused = set(range(n)) - done_before - asked_again
    assert {s.chunk.index for s in traj.steps if s.chunk} == set(range(n))
    assert pattern != "sequential" or not reused  # sequential: nothing runs ahead of the crash

    loaded = await real_store.load_trajectory("run1")
    assert sorted((s.group, s.kind, s.index) for s in loaded.steps) == sorted(
        (s.group, s.kind, s.index) for s in traj.steps
    )
    assert loaded.final_memory == traj.final_memory or pattern != "sequential"
    assert loaded.answer is not None and loaded.answer.extracted == traj.answer.extracted  # type: ignore[union-attr]
    info = await real_store.get_run("run1")
    assert info is not None and info.status == "finished"
    assert info.config["document_sha256"] and info.config["pattern"] == pattern
