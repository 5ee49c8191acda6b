"""A step's failed attempts are stored with it (schema 2), and a schema-1 store is upgraded in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agentmem._pipeline import build_pipeline
from agentmem._types import Chunk
from agentmem.policies import current_attempt
from agentmem.store import InMemoryTraceStore, open_trace_store
from agentmem.testing import FunctionAnswerer, FunctionRewardModel, FunctionUpdater

DOC = " ".join(f"Sentence {i} says the box moved to room {i}." for i in range(12))


def pipeline():  # type: ignore[no-untyped-def]
    def update(question: str, memory: str, chunk: Chunk, feedback: str | None) -> str:
        if current_attempt() % 2 == 1:  # every second sample of a best-of-2 fails
            raise ConnectionError(f"sample dropped at chunk {chunk.index}")
        return f"box seen in chunk {chunk.index}"

    return build_pipeline(
        "sequential",
        updater=FunctionUpdater(fn=update),
        answerer=FunctionAnswerer(fn=lambda q, m: m),
        reward_model=FunctionRewardModel(score=lambda u: 0.9),
        policy="best-of-2",
        chunk_tokens=20,
    )


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_failed_attempts_are_stored_with_their_step(kind: str, tmp_path: Path) -> None:
    store = (
        InMemoryTraceStore()
        if kind == "memory"
        else await open_trace_store(f"sqlite:///{tmp_path / 't.db'}")
    )
    try:
        traj = await pipeline().run(DOC, "Where is the box?", run_id="r", store=store)
        assert all(len(s.attempts) == 1 and len(s.errors) == 1 for s in traj.steps)
        loaded = await store.load_trajectory("r")
        assert [s.errors for s in loaded.steps] == [s.errors for s in traj.steps]
        assert "ConnectionError: sample dropped at chunk 0" in loaded.steps[0].errors[0]
    finally:
        await store.aclose()


async def test_a_schema_1_store_is_upgraded_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    store = await open_trace_store(f"sqlite:///{db}")
    await store.aclose()
    con = sqlite3.connect(db)  # make it look like a store written by schema 1
    con.execute("ALTER TABLE agentmem_trace_steps DROP COLUMN errors_json")
    con.execute("UPDATE agentmem_trace_schema SET value = '1' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    store = await open_trace_store(f"sqlite:///{db}")
    try:
        traj = await pipeline().run(DOC, "Where is the box?", run_id="r2", store=store)
        assert (await store.load_trajectory("r2")).steps[0].errors == traj.steps[0].errors
    finally:
        await store.aclose()
    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM agentmem_trace_schema").fetchone() == ("2",)
    con.close()
