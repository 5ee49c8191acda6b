"""A content-addressed response cache on disk (SQLite, WAL; safe across tasks, threads and processes).

The key is the sha256 of a canonical JSON of everything that decides the reply: model, messages,
sampling parameters, seed, and a caller-supplied scorer version (bump it to invalidate).
All SQLite work runs in a worker thread so the event loop never blocks on disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from agentmem.exceptions import UserError

__all__ = ["ResponseCache", "cache_key"]

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
    blob = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """Responses stored by key in ``<cache_dir>/responses.sqlite3``."""

    def __init__(self, cache_dir: str | Path) -> None:
        path = Path(cache_dir).expanduser()
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(
                f"cache_dir {str(cache_dir)!r} cannot be created ({exc}); pass a writable folder"
            ) from exc
        self.path = path / "responses.sqlite3"
        self._init_lock = threading.Lock()
        self._initialised = False

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=30000")
        if not self._initialised:
            with self._init_lock:
                if not self._initialised:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute(_SCHEMA)
                    self._initialised = True
        return conn

    def get_sync(self, key: str) -> dict[str, Any] | None:
        """The stored response body for ``key``, or None."""
        conn = self._connect()
        try:
            row = conn.execute("SELECT body FROM responses WHERE key = ?", (key,)).fetchone()
        finally:
            conn.close()
        return json.loads(row[0]) if row else None

    def put_sync(self, key: str, model: str, body: dict[str, Any]) -> None:
        """Store (or replace) the response body for ``key``."""
        conn = self._connect()
        try:
            conn.execute(
                "INSERT OR REPLACE INTO responses (key, model, created, body) VALUES (?, ?, ?, ?)",
                (key, model, time.time(), json.dumps(body, ensure_ascii=False)),
            )
        finally:
            conn.close()

    async def get(self, key: str) -> dict[str, Any] | None:
        """Async :meth:`get_sync` (runs in a worker thread)."""
        return await asyncio.to_thread(self.get_sync, key)

    async def put(self, key: str, model: str, body: dict[str, Any]) -> None:
        """Async :meth:`put_sync` (runs in a worker thread)."""
        await asyncio.to_thread(self.put_sync, key, model, body)

    def __len__(self) -> int:
        conn = self._connect()
        try:
            return int(conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])
        finally:
            conn.close()
