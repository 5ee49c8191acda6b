"""SQLite under contention: a writer waiting for another process's lock waits off the event loop
(busy timeout), then commits; a lock held past the timeout is a clear StoreError."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from pathlib import Path

import pytest
from store_factories import make_info, make_step

from agentmem.exceptions import StoreError
from agentmem.store import SQLTraceStore


async def test_waiting_for_a_lock_does_not_block_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "traces.db"
    async with SQLTraceStore(str(path)) as store:
        await store.begin_run(make_info("r1"))
        other = sqlite3.connect(path, isolation_level=None)  # another process, in effect
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        tick_task = asyncio.create_task(ticker())
        write = asyncio.create_task(store.record_step("r1", make_step(0)))
        await asyncio.sleep(0.4)
        assert not write.done()  # still waiting for the lock...
        assert ticks >= 15  # ...while the loop kept running
        other.execute("COMMIT")
        other.close()
        started = time.perf_counter()
        await asyncio.wait_for(write, timeout=10)
        assert time.perf_counter() - started < 5
        tick_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tick_task
        assert await store.recorded_steps("r1") == [make_step(0)]


async def test_lock_held_past_the_busy_timeout_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "traces.db"
    async with SQLTraceStore(str(path), busy_timeout_s=0.2) as store:
        await store.begin_run(make_info("r1"))
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError, match=r"could not record a step for run 'r1'.*locked"):
                await store.record_step("r1", make_step(0))
        finally:
            other.execute("ROLLBACK")
            other.close()
        await store.record_step("r1", make_step(0))  # the store still works afterwards
        assert len(await store.recorded_steps("r1")) == 1


@pytest.mark.parametrize(("sync", "pragma"), [("NORMAL", 1), ("FULL", 2)])
async def test_synchronous_setting_reaches_every_connection(
    tmp_path: Path, sync: str, pragma: int
) -> None:
    async with SQLTraceStore(str(tmp_path / "t.db"), sqlite_synchronous=sync) as store:  # type: ignore[arg-type]
        await store.begin_run(make_info("r1"))
        await store.record_step("r1", make_step(0))
        async with store.engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA synchronous")).scalar() == pragma
        assert store._writer is not None
        writer_conn = store._writer._conn
        assert writer_conn is not None
        reply = await asyncio.get_running_loop().run_in_executor(
            store._writer._executor,  # the connection's own thread
            lambda: writer_conn.exec_driver_sql("PRAGMA synchronous").scalar(),
        )
        assert reply == pragma


def test_bad_synchronous_setting_is_a_user_error() -> None:
    from agentmem.exceptions import UserError

    with pytest.raises(UserError, match="sqlite_synchronous must be 'NORMAL' or 'FULL', got 'OFF'"):
        SQLTraceStore("t.db", sqlite_synchronous="OFF")  # type: ignore[arg-type]
