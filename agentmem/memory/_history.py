"""SQL history of every memory operation and every version of every memory (SQLModel tables over
SQLAlchemy; SQLite by default, PostgreSQL by URL).

Write protocol (see :class:`agentmem.memory.MemoryStore`): one transaction records the intent
(closed and new versions, events with status ``pending``, the add() request); the vector index is
updated; the events are marked ``applied`` (batched into the next transaction). On open, any event
still ``pending`` is repaired by re-syncing its memory's index point from the SQL state.

Engines: SQLite runs a synchronous SQLAlchemy engine on ONE dedicated worker thread, so a whole
transaction is a single thread hop and writers are serialised without SQLITE_BUSY retries;
PostgreSQL uses the async engine (asyncpg). The same Core statements serve both. Rows travel as
small slotted dataclasses, not ORM objects (constructing those costs more than the SQL).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import JSON, Column, Connection, Index, delete, func, inspect, select, text, update
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from agentmem.exceptions import StoreError, UserError
from agentmem.memory._records import MemoryEvent, MemoryItem, MemoryKind

__all__ = [
    "Event",
    "HistoryDB",
    "IndexWriteFailed",
    "Request",
    "Version",
    "WriteConflict",
    "row_to_event",
    "row_to_item",
    "sql_url",
]


class WriteConflict(StoreError):
    """Another writer changed the memories this write was proposed against (a version it
    expected is no longer current, or the same text was just stored). Nothing was written:
    propose again against the new state."""

    def __init__(self, message: str, memory_ids: list[str]) -> None:
        super().__init__(message)
        self.memory_ids = memory_ids


class IndexWriteFailed(StoreError):
    """The SQL transaction committed (the write is durable and recorded ``pending``) but the
    vector index write after it failed; the reconciler retries it."""


# -- schema (SQLModel tables on their own metadata) -----------------------------------------------
class _MemoryModel(SQLModel, registry=registry()):
    """Base of the memory tables: their own metadata, so creating them never touches (or is
    touched by) other SQLModel tables of the application or of the trace store."""


TABLE_PREFIX = "agentmem_memory_"
"""Every memory table's name starts with it, so the history can share a database."""

_OLD_NAMES = {
    "memory_versions": "agentmem_memory_versions",
    "memory_events": "agentmem_memory_events",
    "memory_add_requests": "agentmem_memory_requests",
}
"""Tables of stores written before the prefix (renamed in place on open)."""


class VersionRow(_MemoryModel, table=True):
    """One version of one memory; the current one has ``valid_to`` NULL."""

    __tablename__ = "agentmem_memory_versions"  # pyright: ignore[reportAssignmentType]  (SQLModel declares it a declared_attr)
    __table_args__ = (
        Index("ix_agentmem_memory_versions_scope_live", "scope_key", "valid_to"),
        Index("ix_agentmem_memory_versions_scope_hash", "scope_key", "hash"),
    )

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


class EventRow(_MemoryModel, table=True):
    """One operation: applied, pending (intent not yet in the index) or rejected."""

    __tablename__ = "agentmem_memory_events"  # pyright: ignore[reportAssignmentType]  (SQLModel declares it a declared_attr)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="", index=True)
    """Fact or note: repair and reconciliation of one kind never touch the other's events."""
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
    request_id: str = Field(default="", index=True)
    txn: str = Field(default="", index=True)
    attempt: int = 0
    created_at: float
    applied_at: float | None = None


class AddRequestRow(_MemoryModel, table=True):
    """A completed ``add()`` with its result (and the cleaned conversation, for export)."""

    __tablename__ = "agentmem_memory_requests"  # pyright: ignore[reportAssignmentType]  (SQLModel declares it a declared_attr)

    scope_key: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: float


_V = VersionRow.__table__  # type: ignore[attr-defined]
_E = EventRow.__table__  # type: ignore[attr-defined]
_R = AddRequestRow.__table__  # type: ignore[attr-defined]
_TABLES = [_V, _E, _R]


# -- rows in flight -------------------------------------------------------------------------------
@dataclass(slots=True, kw_only=True)
class Version:
    """A memory version as read or written (columns of ``memory_versions``)."""

    memory_id: str
    version: int
    kind: MemoryKind
    tenant_id: str
    user_id: str
    agent_id: str | None
    run_id: str | None
    scope_key: str
    text: str
    hash: str
    meta: dict[str, Any]
    attrs: dict[str, Any]
    created_at: float
    valid_from: float
    valid_to: float | None = None


@dataclass(slots=True, kw_only=True)
class Event:
    """An event as read or written (columns of ``memory_events``)."""

    scope_key: str
    op: str
    status: str
    created_at: float
    memory_id: str | None = None
    kind: str = ""
    actor: str = "api"
    old_text: str | None = None
    new_text: str | None = None
    score: float | None = None
    rationale: str = ""
    scorer: str = ""
    request_id: str = ""
    txn: str = ""
    attempt: int = 0
    applied_at: float | None = None
    id: int | None = None


@dataclass(slots=True, kw_only=True)
class Request:
    """An add() record (columns of ``memory_add_requests``)."""

    scope_key: str
    key: str
    result: dict[str, Any]
    created_at: float


def _prepare_schema(conn: Connection) -> None:
    """Create the tables; bring a store written by an older agentmem up to date in place
    (unprefixed table names renamed, the events' ``kind`` column and new indexes added)."""
    names = set(inspect(conn).get_table_names())
    for old, new in _OLD_NAMES.items():
        if old in names and new not in names:
            conn.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))
    _MemoryModel.metadata.create_all(conn, tables=_TABLES)
    cols = {c["name"] for c in inspect(conn).get_columns(_E.name)}
    if "kind" not in cols:
        conn.execute(text(f"ALTER TABLE {_E.name} ADD COLUMN kind VARCHAR DEFAULT '' NOT NULL"))
    for table in _TABLES:
        for ix in table.indexes:
            ix.create(conn, checkfirst=True)


def _json_dict(raw: Any) -> dict[str, Any]:
    """A JSON column's value as a dict (SQLite may hand back the text, PostgreSQL the object)."""
    return dict(json.loads(raw) if isinstance(raw, str) else (raw or {}))


FORGOTTEN = "[forgotten]"
"""What replaces a forgotten text wherever a copy of it was kept."""


def _mentions(value: str, texts: set[str]) -> bool:
    low = value.lower()
    return any(t.lower() in low for t in texts)


def _quoted_by(value: str, texts: set[str]) -> bool:
    """``value`` quotes a forgotten text, or is a (non-trivial) part of one."""
    low = value.lower().strip()
    return _mentions(value, texts) or (len(low) >= 8 and any(low in t.lower() for t in texts))


def _scrub(value: str, texts: set[str]) -> str:
    for t in sorted(texts, key=len, reverse=True):
        value = re.sub(re.escape(t), FORGOTTEN, value, flags=re.IGNORECASE)
    return value


def _scrub_result(res: dict[str, Any], texts: set[str]) -> dict[str, Any]:
    """An add() result with every field that quotes a forgotten text replaced."""
    out = dict(res)
    out["facts"] = [FORGOTTEN if _quoted_by(f, texts) else f for f in res.get("facts", [])]
    outcomes = []
    for o in res.get("outcomes", []):
        o = dict(o)
        for k in ("text", "old_text", "reason", "rationale"):
            if isinstance(o.get(k), str) and _quoted_by(o[k], texts):
                o[k] = FORGOTTEN if k in ("text", "old_text") else _scrub(o[k], texts)
        outcomes.append(o)
    out["outcomes"] = outcomes
    return out


def _version(m: Any) -> Version:
    return Version(**{k: m[k] for k in Version.__slots__})  # type: ignore[attr-defined]


def _event(m: Any) -> Event:
    return Event(**{k: m[k] for k in Event.__slots__})  # type: ignore[attr-defined]


def sql_url(url_or_path: str | Path, *, sync: bool = False) -> str:
    """A SQLAlchemy URL from a path, ``sqlite:///...`` or ``postgresql://...`` URL.

    ``sync=True`` gives the pysqlite URL for SQLite (the history runs it on its own thread)."""
    s = str(url_or_path)
    driver = "sqlite" if sync else "sqlite+aiosqlite"
    if "://" not in s:
        return f"{driver}:///{Path(s).expanduser()}"
    scheme, rest = s.split("://", 1)
    if scheme in ("sqlite", "sqlite+aiosqlite", "sqlite+pysqlite"):
        return f"{driver}://{rest}"
    if scheme in ("postgresql", "postgres", "postgresql+asyncpg"):
        return f"postgresql+asyncpg://{rest}"
    raise UserError(
        f"unsupported history database URL {s!r}; use a file path, sqlite:///PATH or postgresql://USER@HOST/DB"
    )


def _dt(t: float | None) -> datetime | None:
    return None if t is None else datetime.fromtimestamp(t, UTC)


def row_to_item(r: Version) -> MemoryItem:
    """The pydantic view of a version."""
    a = r.attrs or {}
    return MemoryItem(
        id=r.memory_id,
        text=r.text,
        kind=r.kind,
        tenant_id=r.tenant_id,
        user_id=r.user_id,  # type: ignore[arg-type]
        agent_id=r.agent_id,
        run_id=r.run_id,
        hash=r.hash,
        version=r.version,
        metadata=dict(r.meta or {}),
        created_at=datetime.fromtimestamp(r.created_at, UTC),
        updated_at=datetime.fromtimestamp(r.valid_from, UTC),
        valid_to=_dt(r.valid_to),  # type: ignore[arg-type]
        context=str(a.get("context", "")),
        keywords=list(a.get("keywords", [])),
        tags=list(a.get("tags", [])),
        links=list(a.get("links", [])),
    )


def row_to_event(r: Event) -> MemoryEvent:
    """The pydantic view of an event."""
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


T = TypeVar("T")


@dataclass(kw_only=True)
class HistoryDB:
    """The SQL side of a memory store."""

    url: str
    """A file path, ``sqlite:///PATH`` or ``postgresql://...``."""
    _engine: Any = field(default=None, repr=False)
    _executor: ThreadPoolExecutor | None = field(default=None, repr=False)
    _unmarked: list[str] = field(default_factory=list, repr=False)

    @property
    def is_sqlite(self) -> bool:
        """True for the SQLite (single worker thread) engine."""
        return sql_url(self.url).startswith("sqlite")

    async def open(self) -> None:
        """Connect and create the tables if they are missing."""
        try:
            if self.is_sqlite:
                from sqlalchemy import create_engine, event

                url = sql_url(self.url, sync=True)
                db_path = url.split(":///", 1)[1]
                if db_path and db_path != ":memory:":
                    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
                self._executor = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="agentmem-sqlite"
                )
                # one connection, used only by the worker thread
                engine = create_engine(url, connect_args={"check_same_thread": False})

                @event.listens_for(engine, "connect")
                def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                    # WAL + synchronous=NORMAL: an application crash loses nothing committed; a power
                    # loss may drop the last transactions (the index is repaired from SQL anyway).
                    cur = dbapi_conn.cursor()
                    cur.execute("PRAGMA journal_mode=WAL")
                    cur.execute("PRAGMA synchronous=NORMAL")
                    cur.execute("PRAGMA busy_timeout=10000")
                    cur.close()

                self._engine = engine
            else:
                from sqlalchemy.ext.asyncio import create_async_engine

                self._engine = create_async_engine(sql_url(self.url))
            await self._run(_prepare_schema, write=True)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot open memory history database {self.url!r}: {exc}") from exc

    async def _run(self, fn: Callable[[Connection], T], *, write: bool = False) -> T:
        if self._engine is None:
            raise StoreError("memory history database is not open (call open() first)")
        if self._executor is not None:
            engine = self._engine

            def job() -> T:
                with engine.begin() if write else engine.connect() as conn:
                    return fn(conn)

            return await asyncio.get_running_loop().run_in_executor(self._executor, job)
        async with self._engine.begin() if write else self._engine.connect() as aconn:
            return await aconn.run_sync(fn)

    async def close(self) -> None:
        """Write outstanding marks and release the engine."""
        if self._engine is None:
            return
        try:
            await self.flush_marks()
        finally:
            if self._executor is not None:
                engine, executor = self._engine, self._executor
                await asyncio.get_running_loop().run_in_executor(executor, engine.dispose)
                executor.shutdown(wait=True)
                self._executor = None
            else:
                await self._engine.dispose()
            self._engine = None

    def _marks(self, conn: Connection) -> None:
        if self._unmarked:
            txns, self._unmarked = self._unmarked, []
            conn.execute(
                update(_E)
                .where(_E.c.txn.in_(txns), _E.c.status == "pending")
                .values(status="applied", applied_at=time.time())
            )

    async def flush_marks(self) -> None:
        """Write outstanding ``applied`` marks now."""
        if self._unmarked:
            await self._run(self._marks, write=True)

    async def write_intent(
        self,
        *,
        txn: str,
        scope_key: str,
        kind: str,
        close: list[tuple[str, int]],
        versions: list[Version],
        events: list[Event],
        request: Request | None = None,
        now: float,
        then: Callable[[], None] | None = None,
    ) -> None:
        """One transaction: close versions, insert new ones, the events (tagged ``txn``) and the
        add() request. ``then`` (sync) runs right after the commit on the same worker thread when
        there is one (SQLite) -- the embedded index write rides along without another thread hop.

        Compare-and-swap: each ``close`` names the version the write was proposed against; if it
        is no longer the current one, or a new memory's text is already a current memory of the
        scope, nothing is written and :class:`WriteConflict` is raised. Writers of one scope are
        serialised across processes (an advisory transaction lock on PostgreSQL; SQLite has one
        writer at a time). A failure of ``then`` after the commit raises :class:`IndexWriteFailed`.
        """

        def fn(conn: Connection) -> None:
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": scope_key}
                )
            self._marks(conn)
            stale = []
            for memory_id, version in close:
                done = conn.execute(
                    update(_V)
                    .where(
                        _V.c.memory_id == memory_id,
                        _V.c.version == version,
                        _V.c.valid_to.is_(None),
                    )
                    .values(valid_to=now)
                )
                if done.rowcount != 1:
                    stale.append(memory_id)
            if stale:
                raise WriteConflict(
                    f"memories {stale!r} changed since this write was proposed (another writer "
                    "committed first); nothing was written -- propose again against the new version",
                    stale,
                )
            new_texts = {v.hash: v.memory_id for v in versions if v.version == 1}
            if new_texts:
                dup = conn.execute(
                    select(_V.c.memory_id, _V.c.hash).where(
                        _V.c.scope_key == scope_key,
                        _V.c.kind == kind,
                        _V.c.valid_to.is_(None),
                        _V.c.hash.in_(list(new_texts)),
                    )
                ).all()
                if dup:
                    raise WriteConflict(
                        f"the text of {[new_texts[h] for _, h in dup]!r} is already a current memory "
                        f"of this scope ({[m for m, _ in dup]!r}); nothing was written -- propose "
                        "again (the duplicate becomes a NOOP)",
                        [m for m, _ in dup],
                    )
            if versions:
                conn.execute(_V.insert(), [asdict(v) for v in versions])
            if events:
                rows = []
                for e in events:
                    d = asdict(e)
                    d.pop("id")
                    d["txn"] = txn
                    d["kind"] = kind
                    rows.append(d)
                conn.execute(_E.insert(), rows)
            if request is not None:
                conn.execute(_R.insert(), [asdict(request)])

        from sqlalchemy.exc import IntegrityError

        try:
            if self._executor is not None and then is not None:
                engine = self._engine

                def job() -> BaseException | None:
                    with engine.begin() as conn:
                        fn(conn)
                    try:
                        then()
                    except Exception as exc:  # committed: the index is behind, not the write
                        return exc
                    return None

                failed = await asyncio.get_running_loop().run_in_executor(self._executor, job)
                if failed is not None:
                    raise IndexWriteFailed(
                        f"memory write committed but the index update failed: {failed}"
                    ) from failed
                return
            await self._run(fn, write=True)
        except IntegrityError as exc:
            raise WriteConflict(
                f"memory write conflicted with another writer (versions {[(v.memory_id, v.version) for v in versions]!r}"
                f"{f' or request {request.key!r}' if request else ''} already exist); nothing was written -- "
                "propose again against the new state",
                [v.memory_id for v in versions],
            ) from exc
        if then is not None:
            try:
                await asyncio.to_thread(then)
            except Exception as exc:
                raise IndexWriteFailed(
                    f"memory write committed but the index update failed: {exc}"
                ) from exc

    def mark_applied(self, txn: str) -> None:
        """Remember that a transaction reached the index; written with the next transaction."""
        self._unmarked.append(txn)

    async def pending(self, kind: str | None = None) -> list[Event]:
        """Events whose index update may not have happened (crash between SQL and index, or a
        failed index write), of one memory kind when given (events written before kinds were
        recorded are matched by their memory's kind)."""
        await self.flush_marks()
        stmt = select(_E).where(_E.c.status == "pending")
        if kind is not None:
            own = select(_V.c.memory_id).where(_V.c.kind == kind)
            stmt = stmt.where((_E.c.kind == kind) | ((_E.c.kind == "") & _E.c.memory_id.in_(own)))
        return await self._run(lambda c: [_event(r._mapping) for r in c.execute(stmt)])

    async def pending_live(self, scope_key: str, kind: str) -> list[Version]:
        """Current versions of a scope's memories whose latest write has not reached the index
        (the outbox): what a proposer must see although a search cannot find it yet."""
        ids = (
            select(_E.c.memory_id)
            .where(
                _E.c.status == "pending",
                _E.c.scope_key == scope_key,
                _E.c.memory_id.is_not(None),
            )
            .scalar_subquery()
        )
        stmt = select(_V).where(
            _V.c.scope_key == scope_key,
            _V.c.kind == kind,
            _V.c.valid_to.is_(None),
            _V.c.memory_id.in_(ids),
        )
        return await self._run(lambda c: [_version(r._mapping) for r in c.execute(stmt)])

    async def live_with_hashes(self, scope_key: str, kind: str, hashes: list[str]) -> list[Version]:
        """Current memories of a scope whose text hash is one of ``hashes`` (exact-duplicate
        check from the source of truth, whatever the index holds)."""
        if not hashes:
            return []
        stmt = select(_V).where(
            _V.c.scope_key == scope_key,
            _V.c.kind == kind,
            _V.c.valid_to.is_(None),
            _V.c.hash.in_(hashes),
        )
        return await self._run(lambda c: [_version(r._mapping) for r in c.execute(stmt)])

    async def mark_applied_now(self, event_ids: list[int]) -> None:
        """Mark events applied (repair)."""
        if event_ids:
            await self._run(
                lambda c: c.execute(
                    update(_E)
                    .where(_E.c.id.in_(event_ids))
                    .values(status="applied", applied_at=time.time())
                ),
                write=True,
            )

    async def latest(self, memory_ids: list[str]) -> dict[str, Version]:
        """The newest version of each memory (live or closed)."""
        if not memory_ids:
            return {}

        def fn(c: Connection) -> dict[str, Version]:
            sub = (
                select(_V.c.memory_id, func.max(_V.c.version).label("v"))
                .where(_V.c.memory_id.in_(memory_ids))
                .group_by(_V.c.memory_id)
                .subquery()
            )
            stmt = select(_V).join(
                sub, (_V.c.memory_id == sub.c.memory_id) & (_V.c.version == sub.c.v)
            )
            return {r.memory_id: _version(r._mapping) for r in c.execute(stmt)}

        return await self._run(fn)

    async def live(
        self, scope_key: str, *, kind: str | None = None, limit: int | None = None
    ) -> list[Version]:
        """Current versions in one scope, oldest first."""
        stmt = select(_V).where(_V.c.scope_key == scope_key, _V.c.valid_to.is_(None))
        if kind:
            stmt = stmt.where(_V.c.kind == kind)
        stmt = stmt.order_by(_V.c.created_at, _V.c.memory_id)
        if limit:
            stmt = stmt.limit(limit)
        return await self._run(lambda c: [_version(r._mapping) for r in c.execute(stmt)])

    async def versions_in_scope(self, scope_key: str) -> list[Version]:
        """Every version of every memory of a scope (current and closed)."""
        stmt = (
            select(_V)
            .where(_V.c.scope_key == scope_key)
            .order_by(_V.c.created_at, _V.c.memory_id, _V.c.version)
        )
        return await self._run(lambda c: [_version(r._mapping) for r in c.execute(stmt)])

    async def versions(self, memory_id: str) -> list[Version]:
        """All versions of a memory, oldest first."""
        stmt = select(_V).where(_V.c.memory_id == memory_id).order_by(_V.c.version)
        return await self._run(lambda c: [_version(r._mapping) for r in c.execute(stmt)])

    async def events(
        self,
        *,
        memory_id: str | None = None,
        scope_key: str | None = None,
        request_id: str | None = None,
    ) -> list[Event]:
        """Events filtered by memory, scope or request, in order."""
        await self.flush_marks()
        stmt = select(_E)
        if memory_id is not None:
            stmt = stmt.where(_E.c.memory_id == memory_id)
        if scope_key is not None:
            stmt = stmt.where(_E.c.scope_key == scope_key)
        if request_id is not None:
            stmt = stmt.where(_E.c.request_id == request_id)
        stmt = stmt.order_by(_E.c.id)
        return await self._run(lambda c: [_event(r._mapping) for r in c.execute(stmt)])

    async def forget(self, memory_id: str, scope_key: str, *, actor: str, now: float) -> int:
        """Hard-delete a memory and every copy of its text in the scope's history: its versions
        and events, the text in other events (rejected attempts, links, rationales quoting it),
        and in stored add() results (outcomes, facts, the conversation), so an idempotent replay
        cannot return it. Leaves a text-free FORGET event. Returns the versions deleted."""

        def fn(c: Connection) -> int:
            self._marks(c)
            texts = {
                t
                for t in c.execute(select(_V.c.text).where(_V.c.memory_id == memory_id)).scalars()
                if t
            }
            for old, new in c.execute(
                select(_E.c.old_text, _E.c.new_text).where(_E.c.memory_id == memory_id)
            ):
                texts |= {t for t in (old, new) if t}
            req_ids = {
                r
                for r in c.execute(
                    select(_E.c.request_id).where(_E.c.memory_id == memory_id)
                ).scalars()
                if r
            }
            n = c.execute(delete(_V).where(_V.c.memory_id == memory_id)).rowcount
            c.execute(delete(_E).where(_E.c.memory_id == memory_id))
            for row in c.execute(
                select(_E.c.id, _E.c.old_text, _E.c.new_text, _E.c.rationale).where(
                    _E.c.scope_key == scope_key
                )
            ).all():
                fields = {
                    "old_text": row.old_text,
                    "new_text": row.new_text,
                    "rationale": row.rationale,
                }
                changed: dict[str, str | None] = {
                    k: _scrub(v, texts) for k, v in fields.items() if v and _mentions(v, texts)
                }
                if changed:
                    if "old_text" in changed:
                        changed["old_text"] = None
                    if "new_text" in changed:
                        changed["new_text"] = None
                    c.execute(update(_E).where(_E.c.id == row.id).values(**changed))
            for key, raw in c.execute(
                select(_R.c.key, _R.c.result).where(_R.c.scope_key == scope_key)
            ).all():
                res = _json_dict(raw)
                blob = json.dumps(res)
                if key not in req_ids and not _mentions(blob, texts):
                    continue
                res = _scrub_result(res, texts)
                res["conversation"] = None
                res["forgotten"] = True
                c.execute(
                    update(_R)
                    .where(_R.c.scope_key == scope_key, _R.c.key == key)
                    .values(result=res)
                )
            c.execute(
                _E.insert().values(
                    memory_id=memory_id,
                    scope_key=scope_key,
                    op="FORGET",
                    status="applied",
                    actor=actor,
                    rationale="hard delete requested",
                    created_at=now,
                    applied_at=now,
                    txn="",
                )
            )
            return int(n or 0)

        return await self._run(fn, write=True)

    async def requests(self, scope_key: str) -> list[Request]:
        """Every recorded add() of a scope, oldest first."""
        stmt = select(_R).where(_R.c.scope_key == scope_key).order_by(_R.c.created_at)

        def fn(c: Connection) -> list[Request]:
            out = []
            for r in c.execute(stmt):
                res = _json_dict(r.result)
                out.append(
                    Request(
                        scope_key=r.scope_key,
                        key=r.key,
                        result=res,
                        created_at=r.created_at,
                    )
                )
            return out

        return await self._run(fn)

    async def get_request(self, scope_key: str, key: str) -> dict[str, Any] | None:
        """Stored result of an earlier add() with this key."""
        stmt = select(_R.c.result).where(_R.c.scope_key == scope_key, _R.c.key == key)
        row = await self._run(lambda c: c.execute(stmt).first())
        if row is None:
            return None
        return _json_dict(row[0])
