"""SQL history of every memory operation (SQLModel over SQLAlchemy async; SQLite by default,
PostgreSQL by URL), and the versions of every memory.

Write protocol (see :class:`agentmem.memory.MemoryStore`): one transaction records the intent
(closed and new versions, events with status ``pending``); the vector index is updated; the
events are marked ``applied`` (batched into the next transaction). On open, any event still
``pending`` is repaired by re-syncing its memory's index point from the SQL state.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, Index, delete, func, select, update
from sqlmodel import Field, SQLModel

from agentmem.exceptions import StoreError, UserError
from agentmem.memory._records import MemoryEvent, MemoryItem

__all__ = ["AddRequestRow", "EventRow", "HistoryDB", "VersionRow", "sql_url"]


class VersionRow(SQLModel, table=True):
    """One version of one memory; the current one has ``valid_to`` NULL."""

    __tablename__ = "memory_versions"
    __table_args__ = (Index("ix_memory_versions_scope_live", "scope_key", "valid_to"),)

    memory_id: str = Field(primary_key=True)
    version: int = Field(primary_key=True)
    kind: str = "fact"
    tenant_id: str
    user_id: str
    agent_id: str | None = None
    run_id: str | None = None
    scope_key: str
    text: str
    hash: str = ""
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    attrs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: float
    valid_from: float
    valid_to: float | None = None


class EventRow(SQLModel, table=True):
    """One operation: applied, pending (intent not yet in the index) or rejected."""

    __tablename__ = "memory_events"

    id: int | None = Field(default=None, primary_key=True)
    memory_id: str | None = Field(default=None, index=True)
    scope_key: str = Field(index=True)
    op: str
    status: str = Field(index=True)
    actor: str = "api"
    old_text: str | None = None
    new_text: str | None = None
    score: float | None = None
    rationale: str = ""
    scorer: str = ""
    request_id: str = ""
    txn: str = Field(default="", index=True)
    attempt: int = 0
    created_at: float
    applied_at: float | None = None


class AddRequestRow(SQLModel, table=True):
    """A completed ``add()`` under an idempotency key, with its result."""

    __tablename__ = "memory_add_requests"

    scope_key: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: float


_TABLES = [VersionRow.__table__, EventRow.__table__, AddRequestRow.__table__]  # type: ignore[attr-defined]


def sql_url(url_or_path: str | Path) -> str:
    """An async SQLAlchemy URL from a path, ``sqlite:///...`` or ``postgresql://...`` URL."""
    s = str(url_or_path)
    if "://" not in s:
        return f"sqlite+aiosqlite:///{Path(s).expanduser()}"
    if s.startswith("sqlite://") and "+" not in s.split("://")[0]:
        return "sqlite+aiosqlite://" + s[len("sqlite://") :]
    for prefix in ("postgresql://", "postgres://"):
        if s.startswith(prefix):
            return "postgresql+asyncpg://" + s[len(prefix) :]
    if s.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        return s
    raise UserError(
        f"unsupported history database URL {s!r}; use a file path, sqlite:///PATH or postgresql://USER@HOST/DB"
    )


def _dt(t: float | None) -> datetime | None:
    return None if t is None else datetime.fromtimestamp(t, UTC)


def row_to_item(r: VersionRow) -> MemoryItem:
    """The pydantic view of a version row."""
    a = r.attrs or {}
    return MemoryItem(
        id=r.memory_id,
        text=r.text,
        kind=r.kind,  # type: ignore[arg-type]
        tenant_id=r.tenant_id,
        user_id=r.user_id,
        agent_id=r.agent_id,
        run_id=r.run_id,
        hash=r.hash,
        version=r.version,
        metadata=dict(r.meta or {}),
        created_at=_dt(r.created_at),  # type: ignore[arg-type]
        updated_at=_dt(r.valid_from),  # type: ignore[arg-type]
        valid_to=_dt(r.valid_to),
        context=str(a.get("context", "")),
        keywords=list(a.get("keywords", [])),
        tags=list(a.get("tags", [])),
        links=list(a.get("links", [])),
    )


def row_to_event(r: EventRow) -> MemoryEvent:
    """The pydantic view of an event row."""
    return MemoryEvent(
        id=r.id or 0,
        memory_id=r.memory_id,
        scope_key=r.scope_key,
        op=r.op,
        status=r.status,  # type: ignore[arg-type]
        actor=r.actor,
        old_text=r.old_text,
        new_text=r.new_text,
        score=r.score,
        rationale=r.rationale,
        scorer=r.scorer,
        request_id=r.request_id,
        attempt=r.attempt,
        created_at=_dt(r.created_at),  # type: ignore[arg-type]
        applied_at=_dt(r.applied_at),
    )


@dataclass(kw_only=True)
class HistoryDB:
    """The SQL side of a memory store."""

    url: str
    """Async SQLAlchemy URL (see :func:`sql_url`)."""
    _engine: Any = field(default=None, repr=False)
    _write_lock: asyncio.Lock | None = field(default=None, repr=False)
    _unmarked: list[str] = field(default_factory=list, repr=False)

    async def open(self) -> None:
        """Connect and create the tables if they are missing."""
        from sqlalchemy.ext.asyncio import create_async_engine

        url = sql_url(self.url)
        if url.startswith("sqlite"):
            db_path = url.split(":///", 1)[1]
            if db_path and db_path != ":memory:":
                Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        self._engine = create_async_engine(url)
        if url.startswith("sqlite"):
            from sqlalchemy import event

            @event.listens_for(self._engine.sync_engine, "connect")
            def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                # WAL + synchronous=NORMAL: an application crash loses nothing committed; only a
                # power loss can drop the last transactions (the index is repaired from SQL anyway).
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA busy_timeout=10000")
                cur.close()

        # SQLite allows one writer at a time; serialise writes in-process instead of retrying on SQLITE_BUSY.
        self._write_lock = asyncio.Lock()
        try:
            async with self._engine.begin() as conn:
                await conn.run_sync(lambda c: SQLModel.metadata.create_all(c, tables=_TABLES))
        except Exception as exc:
            raise StoreError(f"cannot open memory history database {self.url!r}: {exc}") from exc

    @property
    def engine(self) -> Any:
        """The async engine (raises if not open)."""
        if self._engine is None:
            raise StoreError("memory history database is not open (call open() first)")
        return self._engine

    async def close(self) -> None:
        """Mark outstanding applied events and dispose of the engine."""
        if self._engine is not None:
            if self._unmarked:
                assert self._write_lock is not None
                async with self._write_lock, self._engine.begin() as conn:
                    await self._flush_marks(conn)
            await self._engine.dispose()
            self._engine = None

    async def _flush_marks(self, conn: Any) -> None:
        if self._unmarked:
            txns, self._unmarked = self._unmarked, []
            await conn.execute(
                update(EventRow)
                .where(EventRow.txn.in_(txns), EventRow.status == "pending")  # type: ignore[attr-defined]
                .values(status="applied", applied_at=time.time())
            )

    async def flush_marks(self) -> None:
        """Write outstanding ``applied`` marks now (before reading history)."""
        if self._unmarked:
            assert self._write_lock is not None
            async with self._write_lock, self.engine.begin() as conn:
                await self._flush_marks(conn)

    async def write_intent(
        self,
        *,
        txn: str,
        close: list[tuple[str, int]],
        versions: list[VersionRow],
        events: list[EventRow],
        request: AddRequestRow | None = None,
        now: float,
    ) -> None:
        """One transaction: close versions, insert new ones, the events (tagged ``txn``) and,
        when given, the add() request record (so an idempotent replay is atomic with its writes)."""
        assert self._write_lock is not None
        async with self._write_lock, self.engine.begin() as conn:
            await self._flush_marks(conn)
            for memory_id, version in close:
                await conn.execute(
                    update(VersionRow)
                    .where(VersionRow.memory_id == memory_id, VersionRow.version == version)  # type: ignore[arg-type]
                    .values(valid_to=now)
                )
            if versions:
                await conn.execute(
                    VersionRow.__table__.insert(), [v.model_dump() for v in versions]
                )  # type: ignore[attr-defined]
            if events:
                rows = [{**e.model_dump(exclude={"id"}), "txn": txn} for e in events]
                await conn.execute(EventRow.__table__.insert(), rows)  # type: ignore[attr-defined]
            if request is not None:
                await conn.execute(AddRequestRow.__table__.insert(), [request.model_dump()])  # type: ignore[attr-defined]

    def mark_applied(self, txn: str) -> None:
        """Remember that a transaction reached the index; written with the next transaction."""
        self._unmarked.append(txn)

    async def pending(self) -> list[EventRow]:
        """Events whose index update may not have happened (crash between SQL and index)."""
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(EventRow).where(EventRow.status == "pending"))).all()
        return [EventRow.model_validate(r._mapping) for r in rows]

    async def mark_applied_now(self, event_ids: list[int]) -> None:
        """Mark events applied immediately (repair)."""
        assert self._write_lock is not None
        if event_ids:
            async with self._write_lock, self.engine.begin() as conn:
                await conn.execute(
                    update(EventRow)
                    .where(EventRow.id.in_(event_ids))
                    .values(status="applied", applied_at=time.time())  # type: ignore[union-attr]
                )

    async def latest(self, memory_ids: list[str]) -> dict[str, VersionRow]:
        """The newest version of each memory (live or closed)."""
        if not memory_ids:
            return {}
        sub = (
            select(VersionRow.memory_id, func.max(VersionRow.version).label("v"))
            .where(VersionRow.memory_id.in_(memory_ids))  # type: ignore[attr-defined]
            .group_by(VersionRow.memory_id)
            .subquery()
        )
        stmt = select(VersionRow).join(
            sub,
            (VersionRow.memory_id == sub.c.memory_id) & (VersionRow.version == sub.c.v),  # type: ignore[arg-type]
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        out = {r.memory_id: VersionRow.model_validate(r._mapping) for r in rows}
        return out

    async def live(
        self, scope_key: str, *, kind: str | None = None, limit: int | None = None
    ) -> list[VersionRow]:
        """Current versions in one scope, oldest first."""
        stmt = select(VersionRow).where(
            VersionRow.scope_key == scope_key, VersionRow.valid_to.is_(None)
        )  # type: ignore[union-attr]
        if kind:
            stmt = stmt.where(VersionRow.kind == kind)
        stmt = stmt.order_by(VersionRow.created_at, VersionRow.memory_id)  # type: ignore[arg-type]
        if limit:
            stmt = stmt.limit(limit)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [VersionRow.model_validate(r._mapping) for r in rows]

    async def live_hashes(self, scope_key: str, kind: str) -> dict[str, str]:
        """hash -> memory id of the current versions in a scope (exact-duplicate check)."""
        stmt = select(VersionRow.hash, VersionRow.memory_id).where(
            VersionRow.scope_key == scope_key,
            VersionRow.kind == kind,
            VersionRow.valid_to.is_(None),  # type: ignore[union-attr]
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return {h: m for h, m in rows}

    async def versions(self, memory_id: str) -> list[VersionRow]:
        """All versions of a memory, oldest first."""
        stmt = (
            select(VersionRow).where(VersionRow.memory_id == memory_id).order_by(VersionRow.version)
        )  # type: ignore[arg-type]
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [VersionRow.model_validate(r._mapping) for r in rows]

    async def events(
        self,
        *,
        memory_id: str | None = None,
        scope_key: str | None = None,
        request_id: str | None = None,
    ) -> list[EventRow]:
        """Events filtered by memory, scope or request, in order."""
        await self.flush_marks()
        stmt = select(EventRow)
        if memory_id is not None:
            stmt = stmt.where(EventRow.memory_id == memory_id)
        if scope_key is not None:
            stmt = stmt.where(EventRow.scope_key == scope_key)
        if request_id is not None:
            stmt = stmt.where(EventRow.request_id == request_id)
        stmt = stmt.order_by(EventRow.id)  # type: ignore[arg-type]
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [EventRow.model_validate(r._mapping) for r in rows]

    async def forget(self, memory_id: str, scope_key: str, *, actor: str, now: float) -> int:
        """Hard-delete every version and every event text of a memory; leave a text-free FORGET event."""
        assert self._write_lock is not None
        async with self._write_lock, self.engine.begin() as conn:
            await self._flush_marks(conn)
            n = (
                await conn.execute(delete(VersionRow).where(VersionRow.memory_id == memory_id))
            ).rowcount  # type: ignore[arg-type]
            # the conversations that produced it go too: they contain the forgotten text
            req_ids = (
                (
                    await conn.execute(
                        select(EventRow.request_id)
                        .where(EventRow.memory_id == memory_id)
                        .distinct()  # type: ignore[arg-type]
                    )
                )
                .scalars()
                .all()
            )
            for rid in [r for r in req_ids if r]:
                row = (
                    await conn.execute(
                        select(AddRequestRow.key, AddRequestRow.result).where(
                            AddRequestRow.scope_key == scope_key
                        )
                    )
                ).all()
                for key, result in row:
                    res = json.loads(result) if isinstance(result, str) else dict(result or {})
                    if res.get("request_id") == rid and res.get("conversation") is not None:
                        res["conversation"] = None
                        res["forgotten"] = True
                        await conn.execute(
                            update(AddRequestRow)
                            .where(AddRequestRow.scope_key == scope_key, AddRequestRow.key == key)  # type: ignore[arg-type]
                            .values(result=res)
                        )
            await conn.execute(delete(EventRow).where(EventRow.memory_id == memory_id))  # type: ignore[arg-type]
            await conn.execute(
                EventRow.__table__.insert().values(  # type: ignore[attr-defined]
                    memory_id=memory_id,
                    scope_key=scope_key,
                    op="FORGET",
                    status="applied",
                    actor=actor,
                    rationale="hard delete requested",
                    created_at=now,
                    applied_at=now,
                )
            )
            return int(n or 0)

    async def requests(self, scope_key: str) -> list[AddRequestRow]:
        """Every recorded add() of a scope, oldest first."""
        stmt = (
            select(AddRequestRow)
            .where(AddRequestRow.scope_key == scope_key)
            .order_by(AddRequestRow.created_at)
        )  # type: ignore[arg-type]
        async with self.engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [AddRequestRow.model_validate(r._mapping) for r in rows]

    async def get_request(self, scope_key: str, key: str) -> dict[str, Any] | None:
        """Stored result of an earlier add() with this idempotency key."""
        stmt = select(AddRequestRow.result).where(
            AddRequestRow.scope_key == scope_key, AddRequestRow.key == key
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            return None
        res = row[0]
        return json.loads(res) if isinstance(res, str) else dict(res)
