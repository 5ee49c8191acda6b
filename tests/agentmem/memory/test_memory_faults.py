"""Fault injection on the memory write path: nothing committed is lost, nothing is stored twice,
one kind's repair never touches the other's, a cancelled write leaves nothing half-done, forget()
leaves no copy, concurrent processes never lose an update, and Edge keeps its open shards bounded."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from pathlib import Path

import pytest

from agentmem.memory import (
    Change,
    FactsMemory,
    FunctionExtractor,
    FunctionProposer,
    LexicalProposer,
    NotesMemory,
    OverlapEvolution,
    Scope,
    SentenceExtractor,
    WordNoteBuilder,
    WritePolicy,
    open_store,
)
from agentmem.memory._edge import EdgeIndex
from agentmem.testing import FunctionRewardModel

ALICE = Scope(user_id="alice")
RM = FunctionRewardModel(score=lambda u: 0.9)


def facts(path: Path, **kw) -> FactsMemory:
    return FactsMemory(
        store=open_store(path, **kw),
        extractor=SentenceExtractor(),
        proposer=LexicalProposer(),
        reward_model=RM,
        policy=WritePolicy.parse("score"),
    )


def notes(path: Path) -> NotesMemory:
    return NotesMemory(
        store=open_store(path, kind="note"),
        builder=WordNoteBuilder(),
        evolver=OverlapEvolution(),
        reward_model=RM,
        policy=WritePolicy.parse("score"),
    )


async def test_repair_of_facts_never_settles_a_crashed_note_write(tmp_path: Path) -> None:
    """Facts and notes share history.db; a note write crashes between SQL and index. Opening the
    facts store must leave that event pending; opening the notes store repairs it."""
    mem = await notes(tmp_path).open()
    mem.store.index.apply_sync = lambda *a: (_ for _ in ()).throw(RuntimeError("crash"))  # type: ignore[attr-defined]
    mem.store.retry_delays = (3600.0,)  # the process "dies" before its reconciler runs
    await mem.add("I keep bees on the roof", scope=ALICE)
    assert mem.store._reconciler is not None
    mem.store._reconciler.cancel()
    await mem.store.history.close()
    await mem.store.index.close()

    async with facts(tmp_path) as f:
        assert await f.store.repair() == 0
        [pending] = await f.store.history.pending()
        assert pending.kind == "note"
    async with notes(tmp_path) as n:  # open() repairs its own kind
        assert await n.store.history.pending() == []
        assert [m.text for m in await n.search("bees", scope=ALICE)] == ["I keep bees on the roof"]


async def test_failing_index_then_plain_retry_stores_the_fact_once(tmp_path: Path) -> None:
    async with facts(tmp_path / "m") as mem:
        real = mem.store.index.apply_sync  # type: ignore[attr-defined]
        down = threading.Event()
        down.set()

        def flaky(*args):
            if down.is_set():
                raise ConnectionError("index unavailable")
            return real(*args)

        mem.store.index.apply_sync = flaky  # type: ignore[attr-defined]
        mem.store.retry_delays = (0.05,)
        first = await mem.add("I own a red kayak", scope=ALICE)  # committed; index behind
        assert [o.op.op for o in first.applied] == ["ADD"] and mem.store.index_behind
        again = await mem.add("I own a red kayak", scope=ALICE)  # the caller retries anyway
        assert [o.op.op for o in again.applied] == ["NOOP"]  # dedup read SQL, not the index
        down.clear()
        assert await mem.store.wait_reconciled(timeout=10)
        assert [m.text for m in await mem.get_all(scope=ALICE)] == ["I own a red kayak"]
        assert [m.text for m in await mem.search("kayak", scope=ALICE)] == ["I own a red kayak"]


async def test_a_cancelled_add_writes_nothing_and_a_retry_works(tmp_path: Path) -> None:
    gate = asyncio.Event()

    async def slow_propose(facts, related, feedback):
        await gate.wait()
        return [{"event": "ADD", "text": facts[0], "fact": 0}]

    mem = FactsMemory(
        store=open_store(tmp_path / "m"),
        extractor=FunctionExtractor(fn=lambda msgs: ["Alice plays the oboe"]),
        proposer=FunctionProposer(fn=slow_propose),
        reward_model=RM,
        policy=WritePolicy.parse("score"),
    )
    async with mem:
        task = asyncio.ensure_future(mem.add("I play the oboe", scope=ALICE, idempotency_key="k1"))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await mem.get_all(scope=ALICE) == []
        assert await mem.store.events(ALICE) == []
        gate.set()
        res = await mem.add("I play the oboe", scope=ALICE, idempotency_key="k1")
        assert not res.replayed and [o.op.op for o in res.applied] == ["ADD"]
        assert len(await mem.get_all(scope=ALICE)) == 1


async def test_forget_leaves_no_copy_of_the_text_anywhere(tmp_path: Path) -> None:
    """Rejected attempts, stored add() results (an idempotent replay) and rationales quoting the
    text all lose it."""
    low_then_high = iter([0.2, 0.9])
    rm = FunctionRewardModel(score=lambda u: next(low_then_high, 0.9))
    mem = FactsMemory(
        store=open_store(tmp_path / "m"),
        extractor=FunctionExtractor(fn=lambda msgs: ["Alice takes insulin daily"]),
        proposer=FunctionProposer(fn=lambda f, r, fb: [{"event": "ADD", "text": f[0], "fact": 0}]),
        reward_model=rm,
        policy=WritePolicy.parse("gate:0.5:2"),
    )
    async with mem:
        res = await mem.add("I take insulin daily", scope=ALICE, idempotency_key="turn-1")
        assert len(res.rejected) == 1 and len(res.applied) == 1
        mid = res.applied[0].memory_id
        assert mid is not None and await mem.forget(mid, scope=ALICE)
        replay = await mem.add("I take insulin daily", scope=ALICE, idempotency_key="turn-1")
        assert replay.replayed
        blob = repr(replay) + repr(await mem.store.events(ALICE))
        blob += repr(await mem.store.history.requests(ALICE.key))
        assert "insulin" not in blob.lower()
        assert [e.op for e in await mem.store.events(ALICE)][-1] == "FORGET"
        assert await mem.search("insulin", scope=ALICE) == []


async def test_edge_keeps_its_open_shards_bounded_across_many_tenants(tmp_path: Path) -> None:
    store = open_store(tmp_path / "m")
    assert isinstance(store.index, EdgeIndex)
    store.index.max_open_shards = 8
    async with store:
        threads_before = threading.active_count()
        scopes = [Scope(tenant_id=f"t{i}", user_id="u") for i in range(60)]
        for s in scopes:
            await store.commit(s, [Change(op="ADD", text=f"tenant {s.tenant_id} likes tea")])
        assert store.index.open_shards <= 8
        # concurrent searches across tenants while shards are evicted: no crash, right answers
        hits = await asyncio.gather(*(store.search("tea", s) for s in scopes[::3]))
        assert [h[0].tenant_id for h in hits] == [s.tenant_id for s in scopes[::3]]
        assert store.index.open_shards <= 8
        assert threading.active_count() - threads_before < 40
    async with open_store(tmp_path / "m") as again:  # evicted shards were flushed
        assert await again.index.count() == 60


_WRITER = """
import asyncio, sys
from agentmem.memory import Change, Scope, WriteConflict, open_store

async def main(db, mid, who, n):
    scope = Scope(user_id="alice")
    store = open_store("/nonexistent-not-used", db_url=db, qdrant_location=":memory:")
    async with store:
        done = 0
        conflicts = 0
        while done < n:
            cur = (await store.history.latest([mid]))[mid]
            await asyncio.sleep(0.001)  # widen the window between read and write
            try:
                await store.commit(scope, [Change(op="UPDATE", memory_id=mid, text=f"{who} {done}",
                                                  expected_version=cur.version)])
                done += 1
            except WriteConflict:
                conflicts += 1
        print(conflicts, flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
"""


@pytest.mark.postgres
async def test_two_processes_updating_one_memory_on_postgresql_lose_nothing(tmp_path: Path) -> None:
    from agentmem.testing import PostgresServer

    with PostgresServer() as pg:
        db = pg.new_database("agentmem_cas")
        async with open_store(tmp_path / "x", db_url=db, qdrant_location=":memory:") as store:
            [mid] = await store.commit(ALICE, [Change(op="ADD", text="counter start")])
        env = {**os.environ}
        n = 25
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                _WRITER,
                db,
                str(mid),
                who,
                str(n),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
            )
            for who in ("A", "B")
        ]
        outs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), 120)
        assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
        async with open_store(tmp_path / "x", db_url=db, qdrant_location=":memory:") as store:
            versions = await store.versions(str(mid), ALICE)
        texts = [v.text for v in versions]
        assert [v.version for v in versions] == list(range(1, 2 * n + 2))  # no version lost
        assert sorted(t for t in texts if t.startswith("A ")) == sorted(f"A {i}" for i in range(n))
        assert sorted(t for t in texts if t.startswith("B ")) == sorted(f"B {i}" for i in range(n))
        assert sum(v.valid_to is None for v in versions) == 1
