"""A content-addressed response cache on disk (SQLite, WAL; safe across tasks, threads and processes).

The key is the sha256 of a canonical JSON of everything that decides the reply: model, messages,
sampling parameters, seed, and a caller-supplied scorer version (bump it to invalidate).
All SQLite work runs in a worker thread so the event loop never blocks on disk; misses are decided
from an in-memory set of stored keys, and new replies are written in the background.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sqlite3
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from agentmem.exceptions import UserError

__all__ = ["ResponseCache", "cache_key"]

_log = logging.getLogger("agentmem.llm.cache")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    created REAL NOT NULL,
    body TEXT NOT NULL
)
"""


def cache_key(payload: dict[str, Any]) -> str:
    """sha256 hex of ``payload`` as canonical JSON (sorted keys, no whitespace)."""
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)  # ASCII escapes
    return hashlib.sha256(blob.encode("ascii")).hexdigest()


class ResponseCache:
    """Responses stored by key in ``<cache_dir>/responses.sqlite3``.

    One connection per cache object, used under a lock from worker threads (each statement takes
    tens of microseconds). Keeping it open matters: when the last connection to a WAL database
    closes, SQLite checkpoints and syncs the file, which costs ~25 ms per call on this machine.
    Other processes may use the same file at the same time (SQLite's own locking).
    """

    def __init__(self, cache_dir: str | Path) -> None:
        path = Path(cache_dir).expanduser()
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(
                f"cache_dir {str(cache_dir)!r} cannot be created ({exc}); pass a writable folder"
            ) from exc
        self.path = path / "responses.sqlite3"
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._keys: set[str] | None = None
        self._pending: dict[str, dict[str, Any]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _connection(self) -> sqlite3.Connection:
        # caller holds self._lock
        if self._conn is None:
            conn = self._open()
            self._conn = conn
            self._finalizer = weakref.finalize(self, conn.close)
        return self._conn

    def _open(self) -> sqlite3.Connection:
        # Two connections setting up a brand-new file at once can see "database is locked" on the
        # journal-mode switch even with a busy timeout: retry that briefly (we are in a worker thread).
        last: sqlite3.Error | None = None
        for attempt in range(50):
            conn = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            try:
                conn.execute("PRAGMA busy_timeout=30000")
                conn.execute("PRAGMA journal_mode=WAL")
                # no fsync per commit: a crash can lose the last few entries, never corrupt the file
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute(_SCHEMA)
                return conn
            except sqlite3.OperationalError as exc:
                conn.close()
                last = exc
                if "locked" not in str(exc) and "busy" not in str(exc):
                    break
                time.sleep(0.01 * (attempt + 1))
            except sqlite3.Error as exc:
                conn.close()
                last = exc
                break
        raise UserError(
            f"response cache {str(self.path)!r} cannot be opened ({last}); pass another cache_dir"
        ) from last

    def get_sync(self, key: str) -> dict[str, Any] | None:
        """The stored response body for ``key``, or None."""
        with self._lock:
            row = (
                self._connection()
                .execute("SELECT body FROM responses WHERE key = ?", (key,))
                .fetchone()
            )
        return json.loads(row[0]) if row else None

    def put_sync(self, key: str, model: str, body: dict[str, Any]) -> None:
        """Store (or replace) the response body for ``key``."""
        blob = json.dumps(body)
        with self._lock:
            self._connection().execute(
                "INSERT OR REPLACE INTO responses (key, model, created, body) VALUES (?, ?, ?, ?)",
                (key, model, time.time(), blob),
            )

    def _load_keys(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._connection().execute("SELECT key FROM responses")}

    async def get(self, key: str) -> dict[str, Any] | None:
        """The stored body for ``key`` or None; a miss is decided in memory (no thread hop).

        The set of stored keys is read once per cache object; entries another process adds
        later are not seen (a miss only costs a model call, whose reply is then stored again).
        """
        pending = self._pending.get(key)
        if pending is not None:
            return pending
        if self._keys is None:
            self._keys = await asyncio.to_thread(self._load_keys)
        if key not in self._keys:
            return None
        return await asyncio.to_thread(self.get_sync, key)

    async def put(self, key: str, model: str, body: dict[str, Any]) -> None:
        """Store ``body`` and wait until it is written (runs in a worker thread)."""
        await asyncio.to_thread(self.put_sync, key, model, body)
        if self._keys is not None:
            self._keys.add(key)

    def put_nowait(self, key: str, model: str, body: dict[str, Any]) -> None:
        """Store ``body`` in the background; :meth:`get` sees it at once, :meth:`flush` waits for the disk."""
        self._pending[key] = body
        if self._keys is not None:
            self._keys.add(key)
        task = asyncio.get_running_loop().create_task(
            asyncio.to_thread(self.put_sync, key, model, body)
        )
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._written(t, key))

    def _written(self, task: asyncio.Task[None], key: str) -> None:
        self._tasks.discard(task)
        self._pending.pop(key, None)
        if not task.cancelled() and task.exception() is not None:
            _log.warning(
                "response cache %s: could not store an entry: %r", self.path, task.exception()
            )

    async def flush(self) -> None:
        """Wait for background writes started on this loop."""
        loop = asyncio.get_running_loop()
        mine = [t for t in self._tasks if t.get_loop() is loop]
        if mine:
            await asyncio.gather(*mine, return_exceptions=True)

    def close(self) -> None:
        """Close the connection (it reopens on the next use)."""
        with self._lock:
            if self._finalizer is not None:
                self._finalizer()
            self._conn = None
            self._finalizer = None

    def __len__(self) -> int:
        with self._lock:
            return int(self._connection().execute("SELECT COUNT(*) FROM responses").fetchone()[0])
