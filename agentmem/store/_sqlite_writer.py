"""The SQLite step writer: one thread, one connection, one hop per committed step.

aiosqlite runs every DB-API call (cursor, execute, fetch, commit, the pool's reset) as its own
round trip to its thread; a step's transaction took ~9 of them, over 1 ms on a busy machine. Here
the whole transaction -- step row, attempt rows, commit -- is one function run on a dedicated
thread that owns a synchronous SQLAlchemy connection to the same file (the asyncio loop is never
blocked: it awaits the thread). Reads keep using the async engine; WAL lets both connections work
at once, and writes from this process are serialised by the single thread, so step ids follow
commit order.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

__all__ = ["SQLiteStepWriter", "SQLiteSync", "apply_pragmas"]


SQLiteSync = Literal["NORMAL", "FULL"]
"""``NORMAL``: a commit survives the process being killed, an OS crash or power cut may lose the
last ones (fast: no fsync per commit in WAL mode). ``FULL``: fsync at every commit."""


def apply_pragmas(dbapi_conn: Any, *, busy_ms: int, wal: bool, sync: SQLiteSync = "NORMAL") -> None:
    """WAL, ``synchronous`` (see :data:`SQLiteSync`), busy timeout, foreign keys."""
    if sync not in ("NORMAL", "FULL"):
        raise ValueError(f"synchronous must be 'NORMAL' or 'FULL', got {sync!r}")
    cur = dbapi_conn.cursor()
    if wal:
        cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA synchronous={sync}")
    cur.execute(f"PRAGMA busy_timeout={busy_ms}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class SQLiteStepWriter:
    """Commits steps to a SQLite file from a dedicated thread (see module docs)."""

    def __init__(
        self,
        url: URL,
        *,
        busy_timeout_s: float,
        insert_step: Any,
        insert_attempts: Any,
        sync: SQLiteSync = "NORMAL",
    ) -> None:
        self._url = url.set(drivername="sqlite+pysqlite")
        self._busy_timeout_s = busy_timeout_s
        self._sync: SQLiteSync = sync
        self._insert_step = insert_step
        self._insert_attempts = insert_attempts
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agentmem-trace")
        self._engine: Engine | None = None
        self._conn: Connection | None = None

    def _connection(self) -> Connection:  # runs on the writer thread
        if self._conn is None:
            engine = create_engine(
                self._url, poolclass=NullPool, connect_args={"timeout": self._busy_timeout_s}
            )
            busy_ms = int(self._busy_timeout_s * 1000)

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn: Any, _record: Any) -> None:  # pyright: ignore[reportUnusedFunction]
                apply_pragmas(dbapi_conn, busy_ms=busy_ms, wal=True, sync=self._sync)

            self._engine, self._conn = engine, engine.connect()
        return self._conn

    def _write(self, params: dict[str, Any], rows: list[dict[str, Any]]) -> bool:
        conn = self._connection()
        with conn.begin():
            step_id = conn.execute(self._insert_step, params).scalar_one_or_none()
            if step_id is None:
                return False
            for r in rows:
                r["step_id"] = step_id
            conn.execute(self._insert_attempts, rows)
        return True

    async def write(self, params: dict[str, Any], rows: list[dict[str, Any]]) -> bool:
        """Commit one step and its attempts; False if the step was already recorded."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._write, params, rows)

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    async def aclose(self) -> None:
        """Close the connection on its own thread, then stop the thread."""
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._close)
        finally:
            self._executor.shutdown(wait=False)
