"""Committing a step to PostgreSQL in one statement, one round trip.

The generic path takes five round trips (BEGIN, lock the run row, insert the step, insert the
attempts, COMMIT) plus SQLAlchemy's checkout. Here a single ``INSERT`` with a data-modifying CTE
does all of it outside an explicit transaction -- one statement is one transaction, so it is just
as atomic:

* the step row is selected *from the run row* ``FOR UPDATE``: it locks the run (so a run's step
  ids follow commit order) and inserts nothing for an unknown run;
* ``ON CONFLICT DO NOTHING`` keeps a replayed step out;
* the attempts come in as one JSON array, unpacked by ``json_to_recordset``; Python's float
  ``repr`` is the shortest text that round-trips, so values come back bit-identical.

It returns one row per attempt inserted; no rows means the step already existed or the run is
unknown (the caller tells which, off the hot path). Steps with a non-finite float (NaN/inf:
not JSON) take the generic path.
"""

from __future__ import annotations

import math
from typing import Any

from agentmem.store._codec import dumps

__all__ = ["PG_RECORD_STEP", "PgStepWriter", "pg_step_args"]

_ATTEMPT_COLUMNS = (
    ("position", "integer"),
    ("round", "integer"),
    ("text", "text"),
    ("feedback", "text"),
    ("prompt_tokens", "integer"),
    ("completion_tokens", "integer"),
    ("usage_cost", "float8"),
    ("usage_latency_s", "float8"),
    ("model", "text"),
    ("reward_value", "float8"),
    ("rationale", "text"),
    ("scorer", "text"),
    ("scorer_version", "text"),
    ("reward_latency_s", "float8"),
    ("reward_tokens", "integer"),
    ("reward_cost", "float8"),
    ("evidence_json", "text"),
)

_names = ", ".join(name for name, _ in _ATTEMPT_COLUMNS)
_typed = ", ".join(f"{name} {sql_type}" for name, sql_type in _ATTEMPT_COLUMNS)

_STEP_PARAMS = (
    ("run_id", "text"),
    ("kind", "text"),
    ("group_no", "integer"),
    ("step_index", "integer"),
    ("previous_memory", "text"),
    ("chunk_index", "integer"),
    ("chunk_text", "text"),
    ("chunk_tokens", "integer"),
    ("chosen", "integer"),
    ("decision", "text"),
    ("latency_s", "float8"),
    ("recorded_at", "float8"),
    ("errors_json", "text"),
)

PG_RECORD_STEP = f"""
WITH new_step AS (
    INSERT INTO agentmem_trace_steps ({", ".join(n for n, _ in _STEP_PARAMS)})
    SELECT r.run_id, {", ".join(f"${i}::{t}" for i, (_, t) in enumerate(_STEP_PARAMS[1:], 2))}
    FROM agentmem_trace_runs AS r
    WHERE r.run_id = $1::text
    FOR UPDATE
    ON CONFLICT (run_id, group_no, kind, step_index) DO NOTHING
    RETURNING id
)
INSERT INTO agentmem_trace_attempts (step_id, {_names})
SELECT new_step.id, {", ".join(f"a.{name}" for name, _ in _ATTEMPT_COLUMNS)}
FROM new_step CROSS JOIN json_to_recordset(${len(_STEP_PARAMS) + 1}::json) AS a({_typed})
RETURNING step_id
"""
"""The one-statement step commit, asyncpg-style positional parameters (:func:`pg_step_args`)."""


def _finite(row: dict[str, Any]) -> bool:
    return all(math.isfinite(v) for v in row.values() if isinstance(v, float))


def pg_step_args(params: dict[str, Any], rows: list[dict[str, Any]]) -> list[Any] | None:
    """Arguments for :data:`PG_RECORD_STEP`, or None when a value cannot travel as JSON."""
    if not _finite(params) or not all(_finite(r) for r in rows):
        return None
    attempts = dumps([{name: r[name] for name, _ in _ATTEMPT_COLUMNS} for r in rows])
    return [*(params[name] for name, _ in _STEP_PARAMS), attempts]


class PgStepWriter:
    """Runs :data:`PG_RECORD_STEP` on a small asyncpg pool of its own.

    SQLAlchemy's connection checkout and execution cost ~0.5 ms per step here, more than the
    database work; this pool keeps the statement prepared on each connection.
    """

    def __init__(self, dsn: str, *, timeout_s: float = 15.0, max_size: int = 4) -> None:
        self._dsn = dsn
        self._timeout_s = timeout_s
        self._max_size = max_size
        self._pool: Any = None

    async def open(self) -> None:
        """Create the pool (one connection now, up to ``max_size`` under concurrent writes)."""
        import asyncpg

        self._pool = await asyncpg.create_pool(
            self._dsn, min_size=1, max_size=self._max_size, timeout=self._timeout_s
        )

    async def write(self, args: list[Any]) -> bool:
        """Commit one step; False if nothing was inserted (replayed step, or unknown run)."""
        async with self._pool.acquire() as conn:
            return await conn.fetchval(PG_RECORD_STEP, *args) is not None

    async def aclose(self) -> None:
        """Close the pool's connections."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
