"""The SQL trace store: SQLModel tables on an async SQLAlchemy engine.

SQLite (the default, through aiosqlite) runs in WAL mode with ``synchronous=NORMAL`` -- a
committed transaction survives the process being killed at any point (``FULL`` on request also
survives an OS crash) -- and a busy timeout, so several processes can write to one file. PostgreSQL runs through asyncpg.

Each :meth:`SQLTraceStore.record_step` is one transaction holding the step row and all its
attempt rows; a step that already exists (same run, group, kind, index: a replay after resume)
is left as it was. The write path is the hot one (every memory update), so it avoids per-step
setup: on SQLite it is one hop to a dedicated writer thread with its own connection
(:mod:`._sqlite_writer`), on PostgreSQL one prepared statement on a small asyncpg pool
(:mod:`._pg_step`); everything else goes through the async engine, whose statements are built
once per store.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Self

from sqlalchemy import Row, bindparam, event, func, select, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from agentmem._trace import RunInfo
from agentmem._types import Answer, Attempt, Candidate, Chunk, Step, Trajectory, Usage
from agentmem.exceptions import StoreError, UserError
from agentmem.store._codec import (
    answer_from_dict,
    answer_to_dict,
    attempt_from_dict,
    attempt_to_dict,
    dumps,
    normalise_json,
    trajectory_fields,
)
from agentmem.store._common import (
    check_run_info,
    check_step,
    config_mismatch,
    owner_gone,
    run_busy,
    unknown_run,
)
from agentmem.store._pg_step import PgStepWriter, pg_step_args
from agentmem.store._sqlite_writer import SQLiteStepWriter, SQLiteSync, apply_pragmas
from agentmem.store._tables import (
    SCHEMA_VERSION,
    TABLES,
    AttemptRow,
    LeaseRow,
    PaidAttemptRow,
    RunRow,
    SchemaRow,
    StepRow,
)
from agentmem.store._urls import resolve_url, safe_url
from rewards._types import Reward

__all__ = ["SQLTraceStore"]

_schema = SchemaRow.__table__  # type: ignore[attr-defined]
_runs = RunRow.__table__  # type: ignore[attr-defined]
_steps = StepRow.__table__  # type: ignore[attr-defined]
_leases = LeaseRow.__table__  # type: ignore[attr-defined]
_paid = PaidAttemptRow.__table__  # type: ignore[attr-defined]
_attempts = AttemptRow.__table__  # type: ignore[attr-defined]
_STEP_KEY = ["run_id", "group_no", "kind", "step_index"]


class SQLTraceStore:
    """A :class:`agentmem.TraceStore` in SQLite or PostgreSQL.

    Open it with ``store = await open_trace_store(url)`` or ``async with SQLTraceStore(url) as
    store:``; close it with :meth:`aclose`. One store object serves one event loop.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        busy_timeout_s: float = 30.0,
        sqlite_synchronous: SQLiteSync = "NORMAL",
    ) -> None:
        """``url``: see :mod:`agentmem.store._urls` (None: :func:`default_trace_url`).

        ``sqlite_synchronous="FULL"`` makes every SQLite commit survive an OS crash or power cut
        too, at the cost of an fsync per step (``NORMAL``, the default, survives the process
        being killed).
        """
        if sqlite_synchronous not in ("NORMAL", "FULL"):
            raise UserError(
                f"sqlite_synchronous must be 'NORMAL' or 'FULL', got {sqlite_synchronous!r}"
            )
        self.sqlite_synchronous: SQLiteSync = sqlite_synchronous
        """SQLite's ``synchronous`` pragma for this store's connections."""
        self.sa_url: URL = resolve_url(url)
        """The async SQLAlchemy URL in use."""
        self.busy_timeout_s = busy_timeout_s
        """How long a SQLite writer waits for another process's lock before failing."""
        self._engine: AsyncEngine | None = None
        self._writer: SQLiteStepWriter | None = None
        self._pg_writer: PgStepWriter | None = None
        dialect = self.sa_url.get_backend_name()
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        self._insert_step = (
            insert(_steps).on_conflict_do_nothing(index_elements=_STEP_KEY).returning(_steps.c.id)
        )
        self._insert_run = insert(_runs).on_conflict_do_nothing(index_elements=["run_id"])
        self._insert_attempts = _attempts.insert()
        self._lock_run = (
            None
            if dialect == "sqlite"
            else select(_runs.c.run_id)
            .where(_runs.c.run_id == bindparam("run_id"))
            .with_for_update()
        )

    @property
    def url(self) -> str:
        """The store's URL, password masked."""
        return safe_url(self.sa_url)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.sa_url.get_backend_name()

    # -- lifecycle -------------------------------------------------------------------------

    def _make_engine(self) -> AsyncEngine:
        if self.dialect == "sqlite":
            db = self.sa_url.database or ""
            in_memory = db in ("", ":memory:") or "mode=memory" in db
            if not in_memory and not db.startswith("file:"):
                from pathlib import Path

                parent = Path(db).parent
                try:
                    parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise UserError(
                        f"cannot create the directory {str(parent)!r} for the trace store "
                        f"{self.url!r}: {exc}; pass --trace-db / set AGENTMEM_TRACE_DB to a "
                        "writable location"
                    ) from None
            kwargs: dict[str, Any] = {"connect_args": {"timeout": self.busy_timeout_s}}
            if in_memory:
                kwargs["poolclass"] = StaticPool
            engine = create_async_engine(self.sa_url, **kwargs)
            busy_ms = int(self.busy_timeout_s * 1000)

            @event.listens_for(engine.sync_engine, "connect")
            def _pragmas(dbapi_conn: Any, _record: Any) -> None:  # pyright: ignore[reportUnusedFunction]
                apply_pragmas(
                    dbapi_conn, busy_ms=busy_ms, wal=not in_memory, sync=self.sqlite_synchronous
                )

            if not in_memory:
                self._writer = SQLiteStepWriter(
                    self.sa_url,
                    busy_timeout_s=self.busy_timeout_s,
                    insert_step=self._insert_step,
                    insert_attempts=self._insert_attempts,
                    sync=self.sqlite_synchronous,
                )
            return engine
        return create_async_engine(
            self.sa_url, connect_args={"timeout": 15}, pool_pre_ping=False, pool_size=5
        )

    async def open(self) -> Self:
        """Connect, create the tables if needed and check the schema version."""
        if self._engine is not None:
            return self
        self._engine = self._make_engine()
        try:
            found = await self._prepare_schema(self._engine)
            if int(found) > SCHEMA_VERSION:
                raise UserError(
                    f"the trace store {self.url!r} was written with schema version {found}, "
                    f"newer than this agentmem understands ({SCHEMA_VERSION}); upgrade agentmem"
                )
            if self.dialect == "postgresql":
                dsn = self.sa_url.set(drivername="postgresql").render_as_string(hide_password=False)
                self._pg_writer = PgStepWriter(dsn)
                try:
                    await self._pg_writer.open()
                except (OSError, TimeoutError, SQLAlchemyError):
                    raise
                except Exception as exc:  # asyncpg.PostgresError and friends
                    raise OSError(_reason(exc)) from exc
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            await self.aclose()
            raise UserError(
                f"cannot open the trace store {self.url!r}: {_reason(exc)}; check the URL and "
                "that the database is reachable and writable (--trace-db / AGENTMEM_TRACE_DB)"
            ) from None
        except BaseException:
            await self.aclose()
            raise
        return self

    @staticmethod
    async def _prepare_schema(engine: AsyncEngine) -> str:
        """Create missing tables, record our schema version, return the database's.

        Two processes opening a fresh database at once race on CREATE TABLE; the loser retries
        (the tables then exist).
        """
        for attempt in range(3):
            try:
                async with engine.begin() as conn:
                    await conn.run_sync(lambda c: _runs.metadata.create_all(c, tables=TABLES))
                    await conn.run_sync(_upgrade_schema)
                    await conn.execute(
                        insert_schema_version(engine.dialect.name),
                        {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                    )
                    query = select(_schema.c.value).where(_schema.c.key == "schema_version")
                    return str((await conn.execute(query)).scalar_one())
            except (OperationalError, IntegrityError, ProgrammingError):
                if attempt == 2:
                    raise
                await asyncio.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        """Close every connection (the store can be opened again)."""
        writer, self._writer = self._writer, None
        pg_writer, self._pg_writer = self._pg_writer, None
        try:
            if writer is not None:
                await writer.aclose()
            if pg_writer is not None:
                await pg_writer.aclose()
        finally:
            if self._engine is not None:
                engine, self._engine = self._engine, None
                await engine.dispose()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def engine(self) -> AsyncEngine:
        """The async engine (raises if the store is not open)."""
        if self._engine is None:
            raise StoreError(
                f"trace store {self.url!r} is not open; use `await open_trace_store(url)` or "
                "`async with SQLTraceStore(url) as store:`"
            )
        return self._engine

    # -- writes ----------------------------------------------------------------------------

    async def begin_run(self, info: RunInfo) -> None:
        check_run_info(info)
        config = normalise_json(info.config)
        row = {
            "run_id": info.run_id,
            "question": info.question,
            "pattern": info.pattern,
            "status": "running",
            "config_json": dumps(config),
            "error": None,
            "created_at": info.created_at or time.time(),
            "finished_at": None,
            "answer_json": None,
        }
        try:
            async with self.engine.begin() as conn:
                await conn.execute(self._insert_run, row)
                stored = (
                    await conn.execute(
                        select(_runs.c.config_json, _runs.c.status).where(
                            _runs.c.run_id == info.run_id
                        )
                    )
                ).one()
                stored_config = json.loads(stored.config_json)
                if stored_config != config:
                    raise config_mismatch(info.run_id, stored_config, config)
                if stored.status == "failed":  # resuming a failed run
                    await conn.execute(
                        update(_runs)
                        .where(_runs.c.run_id == info.run_id)
                        .values(status="running", error=None, finished_at=None)
                    )
        except SQLAlchemyError as exc:
            raise self._store_error("begin run", info.run_id, exc) from exc

    # -- leases: one executor per run ----------------------------------------------------------
    async def acquire_lease(self, run_id: str, owner: str, ttl_s: float) -> None:
        now = time.time()
        try:
            async with self.engine.begin() as conn:
                row = (
                    await conn.execute(select(_leases).where(_leases.c.run_id == run_id))
                ).first()
                if row is None:
                    await conn.execute(
                        _leases.insert().values(run_id=run_id, owner=owner, expires_at=now + ttl_s)
                    )
                    return
                if row.owner != owner and row.expires_at > now and not owner_gone(row.owner):
                    raise run_busy(run_id, row.owner, row.expires_at)
                taken = await conn.execute(  # compare-and-swap: a racing taker loses
                    update(_leases)
                    .where(
                        _leases.c.run_id == run_id,
                        _leases.c.owner == row.owner,
                        _leases.c.expires_at == row.expires_at,
                    )
                    .values(owner=owner, expires_at=now + ttl_s)
                )
                if taken.rowcount != 1:
                    raise run_busy(run_id, "another executor", now + ttl_s)
        except IntegrityError:  # two executors inserted at once: the other one won
            raise run_busy(run_id, "another executor", now + ttl_s) from None
        except SQLAlchemyError as exc:
            raise self._store_error("take the run's lease", run_id, exc) from exc

    async def renew_lease(self, run_id: str, owner: str, ttl_s: float) -> bool:
        try:
            async with self.engine.begin() as conn:
                done = await conn.execute(
                    update(_leases)
                    .where(_leases.c.run_id == run_id, _leases.c.owner == owner)
                    .values(expires_at=time.time() + ttl_s)
                )
                return done.rowcount == 1
        except SQLAlchemyError as exc:
            raise self._store_error("renew the run's lease", run_id, exc) from exc

    async def release_lease(self, run_id: str, owner: str) -> None:
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    _leases.delete().where(_leases.c.run_id == run_id, _leases.c.owner == owner)
                )
        except SQLAlchemyError as exc:
            raise self._store_error("release the run's lease", run_id, exc) from exc

    # -- paid attempts of steps not committed yet -------------------------------------------
    async def record_attempt(
        self, run_id: str, key: tuple[int, str, int, int, int], attempt: Attempt
    ) -> None:
        group, kind, index, rnd, sample = key
        row = {
            "run_id": run_id,
            "group_no": group,
            "kind": kind,
            "step_index": index,
            "round": rnd,
            "sample": sample,
            "attempt_json": dumps(attempt_to_dict(attempt)),
            "recorded_at": time.time(),
        }
        try:
            async with self.engine.begin() as conn:
                await conn.execute(_paid.insert(), row)
        except IntegrityError:
            return  # already recorded (a replay)
        except SQLAlchemyError as exc:
            raise self._store_error("record an attempt", run_id, exc) from exc

    async def paid_attempts(self, run_id: str) -> dict[tuple[int, str, int, int, int], Attempt]:
        async def q(conn: AsyncConnection) -> dict[tuple[int, str, int, int, int], Attempt]:
            rows = await conn.execute(select(_paid).where(_paid.c.run_id == run_id))
            return {
                (r.group_no, r.kind, r.step_index, r.round, r.sample): attempt_from_dict(
                    json.loads(r.attempt_json)
                )
                for r in rows
            }

        return await self._read("read paid attempts", run_id, q)

    async def record_step(self, run_id: str, step: Step) -> None:
        check_step(run_id, step)
        chunk = step.chunk
        params = {
            "run_id": run_id,
            "kind": step.kind,
            "group_no": step.group,
            "step_index": step.index,
            "previous_memory": step.previous_memory,
            "chunk_index": None if chunk is None else chunk.index,
            "chunk_text": None if chunk is None else chunk.text,
            "chunk_tokens": None if chunk is None else chunk.tokens,
            "chosen": step.chosen,
            "decision": step.decision,
            "latency_s": step.latency_s,
            "recorded_at": time.time(),
            "errors_json": dumps(list(step.errors)),
        }
        rows = [_attempt_row(i, a) for i, a in enumerate(step.attempts)]
        try:
            if self._writer is not None:
                await self._writer.write(params, rows)
                return
            fast = pg_step_args(params, rows) if self._pg_writer is not None else None
            if fast is not None and self._pg_writer is not None:
                try:
                    inserted = await self._pg_writer.write(fast)
                except Exception as exc:  # asyncpg's own errors (not SQLAlchemy's)
                    raise self._store_error("record a step", run_id, exc) from exc
                if not inserted and await self.get_run(run_id) is None:
                    raise unknown_run(run_id, await self.match_run_ids(run_id[:4]))
                return  # inserted, or already recorded (a replay after resume)
            async with self.engine.begin() as conn:
                if self._lock_run is not None:
                    # Serialise a run's writers so step ids follow commit order (SQLite's single
                    # writer lock already does).
                    await conn.execute(self._lock_run, {"run_id": run_id})
                step_id = (await conn.execute(self._insert_step, params)).scalar_one_or_none()
                if step_id is None:  # already recorded: a replay after resume
                    return
                for r in rows:
                    r["step_id"] = step_id
                await conn.execute(self._insert_attempts, rows)
        except IntegrityError as exc:
            if await self.get_run(run_id) is None:
                raise unknown_run(run_id, await self.match_run_ids(run_id[:4])) from None
            raise self._store_error("record a step", run_id, exc) from exc
        except SQLAlchemyError as exc:
            raise self._store_error("record a step", run_id, exc) from exc

    async def _set_status(self, run_id: str, op: str, **values: Any) -> None:
        try:
            async with self.engine.begin() as conn:
                res = await conn.execute(
                    update(_runs).where(_runs.c.run_id == run_id).values(**values)
                )
        except SQLAlchemyError as exc:
            raise self._store_error(op, run_id, exc) from exc
        if res.rowcount == 0:
            raise unknown_run(run_id, await self.match_run_ids(run_id[:4]))

    async def finish_run(self, run_id: str, answer: Answer) -> None:
        try:  # the steps are committed: their paid attempts are in them now
            async with self.engine.begin() as conn:
                await conn.execute(_paid.delete().where(_paid.c.run_id == run_id))
        except SQLAlchemyError as exc:
            raise self._store_error("finish the run", run_id, exc) from exc
        await self._set_status(
            run_id,
            "finish the run",
            status="finished",
            error=None,
            finished_at=time.time(),
            answer_json=dumps(answer_to_dict(answer)),
        )

    async def fail_run(self, run_id: str, error: str) -> None:
        await self._set_status(
            run_id, "mark the run failed", status="failed", error=error, finished_at=time.time()
        )

    # -- reads -----------------------------------------------------------------------------

    def _runs_query(self) -> Any:
        counts = (
            select(_steps.c.run_id, func.count().label("n")).group_by(_steps.c.run_id).subquery()
        )
        return select(_runs, func.coalesce(counts.c.n, 0).label("n_steps")).outerjoin(
            counts, counts.c.run_id == _runs.c.run_id
        )

    async def _read(self, op: str, run_id: str, fn: Any) -> Any:
        try:
            async with self.engine.connect() as conn:
                return await fn(conn)
        except SQLAlchemyError as exc:
            raise self._store_error(op, run_id, exc) from exc

    async def get_run(self, run_id: str) -> RunInfo | None:
        async def q(conn: AsyncConnection) -> RunInfo | None:
            row = (
                await conn.execute(self._runs_query().where(_runs.c.run_id == run_id))
            ).one_or_none()
            return None if row is None else _run_info(row)

        return await self._read("read the run", run_id, q)  # type: ignore[no-any-return]

    async def recorded_steps(self, run_id: str) -> list[Step]:
        return await self._read(  # type: ignore[no-any-return]
            "read the steps", run_id, lambda conn: _load_steps(conn, run_id)
        )

    async def load_trajectory(self, run_id: str) -> Trajectory:
        async def q(conn: AsyncConnection) -> tuple[Row[Any] | None, list[Step]]:
            row = (
                await conn.execute(self._runs_query().where(_runs.c.run_id == run_id))
            ).one_or_none()
            if row is None:
                return None, []
            return row, await _load_steps(conn, run_id)

        row, steps = await self._read("load the trajectory", run_id, q)
        if row is None:
            raise unknown_run(run_id, await self.match_run_ids(run_id[:4]))
        info = _run_info(row)
        answer = None if row.answer_json is None else answer_from_dict(json.loads(row.answer_json))
        return Trajectory(**trajectory_fields(info, steps), steps=steps, answer=answer)

    async def list_runs(self, limit: int = 50) -> list[RunInfo]:
        async def q(conn: AsyncConnection) -> list[RunInfo]:
            query = self._runs_query().order_by(_runs.c.created_at.desc(), _runs.c.run_id)
            rows = (await conn.execute(query.limit(max(limit, 0)))).all()
            return [_run_info(r) for r in rows]

        return await self._read("list runs", "*", q)  # type: ignore[no-any-return]

    async def match_run_ids(self, prefix: str) -> list[str]:
        """Run ids starting with ``prefix`` (lets a user type a short prefix of a UUID)."""

        async def q(conn: AsyncConnection) -> list[str]:
            query = select(_runs.c.run_id).where(_runs.c.run_id.startswith(prefix, autoescape=True))
            return sorted((await conn.execute(query.limit(100))).scalars())

        return await self._read("match run ids", prefix, q)  # type: ignore[no-any-return]

    def _store_error(self, op: str, run_id: str, exc: BaseException) -> StoreError:
        return StoreError(
            f"trace store {self.url!r}: could not {op} for run {run_id!r}: {_reason(exc)}"
        )

    def __repr__(self) -> str:
        return f"SQLTraceStore({self.url!r})"


def insert_schema_version(dialect: str) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` into the schema table, for ``dialect``."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    return insert(_schema).on_conflict_do_nothing(index_elements=["key"])


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return f"{type(orig or exc).__name__}: {text[0] if text else ''}"


def _attempt_row(position: int, a: Attempt) -> dict[str, Any]:
    c, u, r = a.candidate, a.candidate.usage, a.reward
    return {
        "position": position,
        "round": a.round,
        "text": c.text,
        "feedback": c.feedback,
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
        "usage_cost": u.cost,
        "usage_latency_s": u.latency_s,
        "model": u.model,
        "reward_value": r.value,
        "rationale": r.rationale,
        "scorer": r.scorer,
        "scorer_version": r.version,
        "reward_latency_s": r.latency_s,
        "reward_tokens": r.tokens,
        "reward_cost": r.cost,
        "evidence_json": dumps(r.evidence) if r.evidence else "{}",
    }


def _attempt(r: Row[Any]) -> Attempt:
    return Attempt(
        candidate=Candidate(
            text=r.text,
            feedback=r.feedback,
            usage=Usage(
                prompt_tokens=r.prompt_tokens,
                completion_tokens=r.completion_tokens,
                cost=r.usage_cost,
                latency_s=r.usage_latency_s,
                model=r.model,
            ),
        ),
        reward=Reward(
            value=r.reward_value,
            rationale=r.rationale,
            scorer=r.scorer,
            version=r.scorer_version,
            latency_s=r.reward_latency_s,
            tokens=r.reward_tokens,
            cost=r.reward_cost,
            evidence=json.loads(r.evidence_json),
        ),
        round=r.round,
    )


def _upgrade_schema(conn: Any) -> None:
    """Bring a schema-1 store up to schema 2 in place: the steps' ``errors_json`` column (the
    lease and paid-attempt tables are new tables, made by ``create_all``)."""
    from sqlalchemy import inspect, text

    cols = {c["name"] for c in inspect(conn).get_columns(_steps.name)}
    if "errors_json" not in cols:
        conn.execute(
            text(f"ALTER TABLE {_steps.name} ADD COLUMN errors_json TEXT DEFAULT '[]' NOT NULL")
        )
        conn.execute(
            update(_schema)
            .where(_schema.c.key == "schema_version")
            .values(value=str(SCHEMA_VERSION))
        )


async def _load_steps(conn: AsyncConnection, run_id: str) -> list[Step]:
    step_rows: Sequence[Row[Any]] = (
        await conn.execute(select(_steps).where(_steps.c.run_id == run_id).order_by(_steps.c.id))
    ).all()
    if not step_rows:
        return []
    attempt_rows = (
        await conn.execute(
            select(_attempts)
            .join(_steps, _steps.c.id == _attempts.c.step_id)
            .where(_steps.c.run_id == run_id)
            .order_by(_attempts.c.step_id, _attempts.c.position)
        )
    ).all()
    by_step: dict[int, list[Attempt]] = defaultdict(list)
    for a in attempt_rows:
        by_step[a.step_id].append(_attempt(a))
    return [
        Step(
            kind=s.kind,
            group=s.group_no,
            index=s.step_index,
            previous_memory=s.previous_memory,
            chunk=None
            if s.chunk_index is None
            else Chunk(index=s.chunk_index, text=s.chunk_text or "", tokens=s.chunk_tokens or 0),
            attempts=by_step[s.id],
            chosen=s.chosen,
            decision=s.decision,
            latency_s=s.latency_s,
            errors=list(json.loads(s.errors_json or "[]")),
        )
        for s in step_rows
    ]


def _run_info(row: Row[Any]) -> RunInfo:
    return RunInfo(
        run_id=row.run_id,
        question=row.question,
        pattern=row.pattern,
        status=row.status,
        config=json.loads(row.config_json),
        error=row.error,
        created_at=row.created_at,
        finished_at=row.finished_at,
        n_steps=int(row.n_steps),
    )
