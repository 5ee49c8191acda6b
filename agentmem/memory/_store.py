"""MemoryStore: the SQL history plus the vector index, kept consistent.

Every change goes: embed → one SQL transaction with the intent (versions closed and added,
events ``pending``: the outbox) → the index update → events marked ``applied``.

- The SQL transaction is a compare-and-swap: a change names the version it was proposed against;
  if another writer got there first, :class:`WriteConflict` is raised and nothing is written (the
  memory systems propose again against the new state). A new memory whose text is already a
  current memory of the scope is refused the same way, so retries never duplicate.
- Once SQL has committed, the write is durable: if the index update then fails, the commit still
  succeeds, the events stay ``pending``, and an in-process reconciler retries them with backoff
  (searches see the memory as soon as it lands; exact-duplicate checks read SQL, so they see it at
  once). A crash leaves ``pending`` events that :meth:`MemoryStore.repair` (run by
  :meth:`MemoryStore.open`) re-syncs from the SQL state.
- Repair and reconciliation touch only this store's kind (facts and notes may share a database).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time
import uuid
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from agentmem._logging import get_logger
from agentmem.exceptions import UserError
from agentmem.memory._embed import Bm25Embedder, Embedder
from agentmem.memory._history import (
    Event,
    HistoryDB,
    IndexWriteFailed,
    Request,
    Version,
    WriteConflict,
    row_to_event,
    row_to_item,
)
from agentmem.memory._index import IndexPoint, IndexSpec, VectorIndex
from agentmem.memory._records import EventStatus, MemoryEvent, MemoryItem, MemoryKind, text_hash
from agentmem.memory._scope import Scope

__all__ = ["Change", "ChangeOp", "MemoryStore", "WriteConflict", "open_store"]

ChangeOp = Literal["ADD", "UPDATE", "DELETE", "NOOP", "LINK", "EVOLVE"]


@dataclass(kw_only=True)
class Change:
    """One operation to commit (or to record as rejected)."""

    op: ChangeOp
    """What it does."""
    memory_id: str | None = None
    """Target (None for ADD: a new id is assigned)."""
    text: str | None = None
    """New text for ADD/UPDATE/EVOLVE; the proposed text when rejected."""
    attrs: dict[str, Any] | None = None
    """New note attributes (context, keywords, tags, links) for notes."""
    metadata: dict[str, Any] | None = None
    """Caller metadata for ADD (identity keys are refused)."""
    status: EventStatus = "applied"
    """``applied`` to apply it, ``rejected`` to record a turned-down proposal."""
    actor: str = "api"
    """Who asked."""
    score: float | None = None
    """Reward-model score."""
    rationale: str = ""
    """Why."""
    scorer: str = ""
    """RM label."""
    request_id: str = ""
    """The add() call."""
    attempt: int = 0
    """Gate revision round."""
    expected_version: int | None = None
    """UPDATE/DELETE/LINK/EVOLVE: the version the change was proposed against (compare-and-swap;
    None = whatever version is current when the change is committed)."""


@dataclass(kw_only=True)
class MemoryStore:
    """Versions and history in SQL, current memories in a Qdrant index, one memory kind."""

    index: VectorIndex
    """Edge shard or Qdrant server collection."""
    history: HistoryDB
    """SQL history."""
    embedder: Embedder = field(default_factory=Bm25Embedder)
    """Vectors for the index."""
    kind: MemoryKind = "fact"
    """Facts or notes."""
    _locks: weakref.WeakValueDictionary[str, asyncio.Lock] = field(
        default_factory=weakref.WeakValueDictionary, repr=False
    )
    _opened: bool = field(default=False, repr=False)
    _current: OrderedDict[str, Version] = field(default_factory=OrderedDict, repr=False)
    cache_size: int = 10_000
    """Current versions kept in memory (only with an index that is single-process by
    construction -- the embedded Edge index -- where no other writer can change them)."""
    retry_delays: tuple[float, ...] = (0.05, 0.2, 1.0, 5.0)
    """Reconciler backoff between retries of failed index writes (the last one repeats)."""
    _reconciler: asyncio.Task[None] | None = field(default=None, repr=False)
    _index_behind: bool = field(default=False, repr=False)

    async def open(self) -> MemoryStore:
        """Probe the embedder, open the index (checking its dimension) and the history, repair."""
        dim = await self.embedder.dimension()
        await self.index.open(
            IndexSpec(kind=self.embedder.kind, dim=dim, embedder=self.embedder.name)
        )
        try:
            await self.history.open()
            self._opened = True
            try:
                await self.repair()
            except Exception as exc:  # the index is down: open anyway, the reconciler retries
                self._index_failed(exc)
        except BaseException:
            await self.history.close()
            await self.index.close()
            raise
        return self

    async def close(self) -> None:
        """Stop the reconciler (one last try for index writes still pending; what fails stays
        ``pending`` in SQL and is repaired at the next open), flush and close both sides."""
        task, self._reconciler = self._reconciler, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self._index_behind and self._opened:
            try:
                await self.repair()
            except Exception as exc:
                get_logger().warning("memory.index_still_behind", kind=self.kind, error=str(exc))
        await self.history.close()
        await self.index.close()
        self._opened = False

    @property
    def index_behind(self) -> bool:
        """True while committed writes wait for the reconciler to reach the index."""
        return self._index_behind

    def _index_failed(self, exc: BaseException) -> None:
        """A committed write did not reach the index: log it and make sure the reconciler runs."""
        self._index_behind = True
        get_logger().warning(
            "memory.index_write_failed", kind=self.kind, error=str(exc), action="will retry"
        )
        if self._reconciler is None or self._reconciler.done():
            self._reconciler = asyncio.get_running_loop().create_task(self._reconcile())

    async def _reconcile(self) -> None:
        """Retry pending index writes of this kind with backoff until none is left."""
        for k in itertools.count():
            await asyncio.sleep(self.retry_delays[min(k, len(self.retry_delays) - 1)])
            try:
                await self.repair()
            except Exception as exc:
                get_logger().warning(
                    "memory.reconcile_failed", kind=self.kind, error=str(exc), attempt=k + 1
                )
                continue
            if not await self.history.pending(self.kind):
                self._index_behind = False
                get_logger().info("memory.reconciled", kind=self.kind, attempts=k + 1)
                return

    async def wait_reconciled(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Wait until every committed write has reached the index; False on timeout."""
        task = self._reconciler
        if task is None or task.done():
            return not self._index_behind
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            return False
        return not self._index_behind

    async def __aenter__(self) -> MemoryStore:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def scope_lock(self, scope: Scope) -> asyncio.Lock:
        """The lock that serialises writes to one scope (hold it across read → propose → commit)."""
        lock = self._locks.get(scope.key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[scope.key] = lock
        return lock

    # -- reads --------------------------------------------------------------------------------
    async def search(self, query: str, scope: Scope, *, limit: int = 5) -> list[MemoryItem]:
        """Current memories of ``scope`` nearest to ``query``."""
        if limit < 1:
            raise UserError(f"search limit must be >= 1, got {limit!r}")
        [vec] = await self.embedder.embed([query], query=True)
        hits = await self.index.search(scope.key, vec, limit)
        return [
            _item_from_payload(h.payload, h.score)
            for h in hits
            if h.payload.get("scope_key") == scope.key
        ]

    async def search_many(
        self, queries: list[str], scope: Scope, *, limit: int = 5
    ) -> list[list[MemoryItem]]:
        """:meth:`search` for several queries with one embedding call."""
        if not queries:
            return []
        vecs = await self.embedder.embed(list(queries), query=True)
        hits = await asyncio.gather(*(self.index.search(scope.key, v, limit) for v in vecs))
        return [
            [
                _item_from_payload(h.payload, h.score)
                for h in hs
                if h.payload.get("scope_key") == scope.key
            ]
            for hs in hits
        ]

    async def unindexed(self, scope: Scope) -> list[MemoryItem]:
        """Current memories of ``scope`` committed but not yet in the index (empty unless an index
        write failed or a crash is being repaired): writers merge them into what search found."""
        if not self._index_behind:
            return []
        return [row_to_item(r) for r in await self.history.pending_live(scope.key, self.kind)]

    async def get(self, memory_id: str, scope: Scope) -> MemoryItem | None:
        """The newest version of a memory of this scope (closed ones too), else None."""
        rows = await self.history.latest([memory_id])
        row = rows.get(memory_id)
        if row is None or row.scope_key != scope.key or row.kind != self.kind:
            return None
        return row_to_item(row)

    async def get_all(self, scope: Scope, *, limit: int | None = None) -> list[MemoryItem]:
        """Current memories of a scope, oldest first."""
        return [
            row_to_item(r) for r in await self.history.live(scope.key, kind=self.kind, limit=limit)
        ]

    async def versions(self, memory_id: str, scope: Scope) -> list[MemoryItem]:
        """Every version of a memory of this scope, oldest first."""
        return [
            row_to_item(r)
            for r in await self.history.versions(memory_id)
            if r.scope_key == scope.key
        ]

    async def history_of(self, memory_id: str, scope: Scope) -> list[MemoryEvent]:
        """Events that touched a memory of this scope."""
        return [
            row_to_event(e)
            for e in await self.history.events(memory_id=memory_id, scope_key=scope.key)
        ]

    async def events(self, scope: Scope, *, request_id: str | None = None) -> list[MemoryEvent]:
        """Every event of a scope (optionally of one add() call)."""
        return [
            row_to_event(e)
            for e in await self.history.events(scope_key=scope.key, request_id=request_id)
        ]

    # -- writes -------------------------------------------------------------------------------
    async def commit(
        self, scope: Scope, changes: list[Change], *, request: Request | None = None
    ) -> list[str | None]:
        """Apply ``changes`` as one transaction; returns the memory id of each change.

        ``request`` (the add() record) is written in the same SQL transaction."""
        now = time.time()
        txn = uuid.uuid4().hex
        targets = [
            c.memory_id for c in changes if c.memory_id and c.op != "ADD" and c.status == "applied"
        ]
        current = await self._latest(targets) if targets else {}
        close: list[tuple[str, int]] = []
        versions: list[Version] = []
        events: list[Event] = []
        upserts: dict[str, Version] = {}
        deletes: list[str] = []
        ids: list[str | None] = []
        for c in changes:
            old = current.get(c.memory_id) if c.memory_id else None
            if (
                c.op in ("UPDATE", "DELETE", "EVOLVE", "LINK")
                and c.status == "applied"
                and (
                    old is None
                    or old.scope_key != scope.key
                    or old.valid_to is not None
                    or old.kind != self.kind
                )
            ):
                if old is not None and old.scope_key == scope.key and c.expected_version:
                    raise WriteConflict(
                        f"memory {c.memory_id!r} was deleted or changed by another writer since "
                        "this write was proposed; nothing was written -- propose again",
                        [c.memory_id or ""],
                    )
                raise UserError(f"memory {c.memory_id!r} is not a current {self.kind} of {scope}")
            if (
                c.status == "applied"
                and old is not None
                and c.expected_version is not None
                and c.op in ("UPDATE", "DELETE", "EVOLVE", "LINK")
                and old.version != c.expected_version
            ):
                raise WriteConflict(
                    f"memory {c.memory_id!r} is at version {old.version}, this write was proposed "
                    f"against version {c.expected_version}; nothing was written -- propose again",
                    [c.memory_id or ""],
                )
            mid = c.memory_id
            pending = False
            if c.status == "applied" and c.op == "ADD":
                mid = c.memory_id or str(uuid.uuid4())
                row = _new_row(
                    scope,
                    self.kind,
                    mid,
                    1,
                    c.text or "",
                    c.metadata or {},
                    c.attrs or {},
                    now,
                    now,
                )
                versions.append(row)
                upserts[mid] = row
                pending = True
            elif c.status == "applied" and c.op in ("UPDATE", "EVOLVE", "LINK"):
                assert old is not None and mid is not None
                attrs = {**(old.attrs or {}), **(c.attrs or {})}
                row = _new_row(
                    scope,
                    self.kind,
                    mid,
                    old.version + 1,
                    c.text if c.text is not None else old.text,
                    dict(old.meta or {}),
                    attrs,
                    old.created_at,
                    now,
                )
                close.append((mid, old.version))
                versions.append(row)
                upserts[mid] = row
                current[mid] = row
                pending = True
            elif c.status == "applied" and c.op == "DELETE":
                assert old is not None and mid is not None
                close.append((mid, old.version))
                deletes.append(mid)
                upserts.pop(mid, None)
                pending = True
            ids.append(mid)
            events.append(
                Event(
                    memory_id=mid,
                    scope_key=scope.key,
                    op=c.op,
                    status="pending" if pending else c.status,
                    actor=c.actor,
                    old_text=old.text if old is not None else None,
                    new_text=None
                    if c.op == "DELETE"
                    else (c.text if c.text is not None else (old.text if old else None)),
                    score=c.score,
                    rationale=c.rationale,
                    scorer=c.scorer,
                    request_id=c.request_id,
                    attempt=c.attempt,
                    created_at=now,
                    applied_at=None if pending else now,
                )
            )
        vectors = await self.embedder.embed([r.text for r in upserts.values()]) if upserts else []
        points = [
            IndexPoint(id=r.memory_id, vector=v, payload=_payload(r))
            for r, v in zip(upserts.values(), vectors, strict=True)
        ]
        try:
            apply_sync = getattr(self.index, "apply_sync", None)
            if apply_sync is not None and (points or deletes):
                # embedded engine: the index write runs on the SQL worker right after the commit
                await self.history.write_intent(
                    txn=txn,
                    scope_key=scope.key,
                    kind=self.kind,
                    close=close,
                    versions=versions,
                    events=events,
                    request=request,
                    now=now,
                    then=lambda: apply_sync(points, deletes, scope.tenant_id),
                )
            else:
                await self.history.write_intent(
                    txn=txn,
                    scope_key=scope.key,
                    kind=self.kind,
                    close=close,
                    versions=versions,
                    events=events,
                    request=request,
                    now=now,
                )
                try:
                    if points:
                        await self.index.upsert(points)
                    if deletes:
                        await self.index.delete(deletes, scope.tenant_id)
                except Exception as exc:
                    raise IndexWriteFailed(f"index update failed after the commit: {exc}") from exc
        except IndexWriteFailed as exc:
            # committed: the write stands; the index catches up through the reconciler
            self._uncache(close, versions)
            self._index_failed(exc.__cause__ or exc)
            return ids
        except BaseException:
            # the SQL side may or may not have committed: forget what we cached about these memories
            self._uncache(close, versions)
            raise
        self.history.mark_applied(txn)
        if self._cacheable:
            for mid, _ver in close:
                cached = self._current.get(mid)
                if cached is not None:
                    self._current[mid] = dataclasses.replace(cached, valid_to=now)
            for row in versions:
                self._remember(row)
        return ids

    def _uncache(self, close: list[tuple[str, int]], versions: list[Version]) -> None:
        """Forget the cached versions of the memories a commit touched."""
        for mid in {*(m for m, _ in close), *(v.memory_id for v in versions)}:
            self._current.pop(mid, None)

    @property
    def _cacheable(self) -> bool:
        return self.cache_size > 0 and bool(getattr(self.index, "single_process", False))

    def _remember(self, row: Version) -> None:
        self._current[row.memory_id] = row
        self._current.move_to_end(row.memory_id)
        while len(self._current) > self.cache_size:
            self._current.popitem(last=False)

    async def _latest(self, ids: list[str]) -> dict[str, Version]:
        """Newest versions, from the in-memory cache when it is safe, else SQL."""
        if not self._cacheable:
            return await self.history.latest(ids)
        out = {i: self._current[i] for i in ids if i in self._current}
        missing = [i for i in ids if i not in out]
        if missing:
            fetched = await self.history.latest(missing)
            for row in fetched.values():
                self._remember(row)
            out.update(fetched)
        return out

    async def forget(self, memory_id: str, scope: Scope, *, actor: str = "api") -> bool:
        """Hard delete: every version and every event text of the memory. Returns False if unknown."""
        async with self.scope_lock(scope):
            rows = await self.history.latest([memory_id])
            row = rows.get(memory_id)
            if row is None or row.scope_key != scope.key or row.kind != self.kind:
                return False
            await self.history.forget(memory_id, scope.key, actor=actor, now=time.time())
            self._current.pop(memory_id, None)
            await self.index.delete([memory_id], scope.tenant_id)
            return True

    async def repair(self) -> int:
        """Re-sync the index for every ``pending`` event of this store's kind (crash recovery and
        the reconciler); returns how many events were settled. Each scope is repaired under its
        write lock, from the SQL state read under it, so a concurrent commit is never undone."""
        pending = await self.history.pending(self.kind)
        if not pending:
            return 0
        by_scope: dict[str, list[Event]] = {}
        for e in pending:
            by_scope.setdefault(e.scope_key, []).append(e)
        settled = 0
        for scope_key, events in by_scope.items():
            scope = Scope.from_key(scope_key)
            async with self.scope_lock(scope):
                ids = sorted({e.memory_id for e in events if e.memory_id})
                latest = await self.history.latest(ids)
                live = [r for r in latest.values() if r.valid_to is None and r.kind == self.kind]
                gone = [i for i in ids if i not in latest or latest[i].valid_to is not None]
                if live:
                    vectors = await self.embedder.embed([r.text for r in live])
                    await self.index.upsert(
                        [
                            IndexPoint(id=r.memory_id, vector=v, payload=_payload(r))
                            for r, v in zip(live, vectors, strict=True)
                        ]
                    )
                if gone:
                    await self.index.delete(gone, scope.tenant_id)
                await self.history.mark_applied_now([e.id for e in events if e.id is not None])
                for r in live:
                    self._current.pop(r.memory_id, None)
                settled += len(events)
        return settled


def _new_row(
    scope: Scope,
    kind: MemoryKind,
    mid: str,
    version: int,
    text: str,
    meta: dict[str, Any],
    attrs: dict[str, Any],
    created: float,
    now: float,
) -> Version:
    return Version(
        memory_id=mid,
        version=version,
        kind=kind,
        tenant_id=scope.tenant_id,
        user_id=scope.user_id,
        agent_id=scope.agent_id,
        run_id=scope.run_id,
        scope_key=scope.key,
        text=text,
        hash=text_hash(text),
        meta=meta,
        attrs=attrs,
        created_at=created,
        valid_from=now,
        valid_to=None,
    )


def _payload(r: Version) -> dict[str, Any]:
    return {
        "memory_id": r.memory_id,
        "scope_key": r.scope_key,
        "tenant_id": r.tenant_id,
        "user_id": r.user_id,
        "agent_id": r.agent_id or "",
        "run_id": r.run_id or "",
        "kind": r.kind,
        "text": r.text,
        "hash": r.hash,
        "version": r.version,
        "created_at": r.created_at,
        "updated_at": r.valid_from,
        "metadata": r.meta or {},
        "attrs": r.attrs or {},
    }


def _item_from_payload(p: dict[str, Any], score: float) -> MemoryItem:
    a = p.get("attrs") or {}
    return MemoryItem(
        id=str(p["memory_id"]),
        text=p["text"],
        kind=p.get("kind", "fact"),
        tenant_id=p["tenant_id"],
        user_id=p["user_id"],
        agent_id=p.get("agent_id") or None,
        run_id=p.get("run_id") or None,
        hash=p.get("hash", ""),
        version=int(p.get("version", 1)),
        metadata=dict(p.get("metadata") or {}),
        created_at=datetime.fromtimestamp(float(p["created_at"]), UTC),
        updated_at=datetime.fromtimestamp(float(p["updated_at"]), UTC),
        context=str(a.get("context", "")),
        keywords=list(a.get("keywords", [])),
        tags=list(a.get("tags", [])),
        links=list(a.get("links", [])),
        score=score,
    )


def open_store(
    path: str | Path = "~/.agentmem/memory",
    *,
    kind: MemoryKind = "fact",
    db_url: str | None = None,
    qdrant_url: str | None = None,
    qdrant_location: str | None = None,
    qdrant_api_key: str | None = None,
    embedder: Embedder | None = None,
) -> MemoryStore:
    """A store (not yet opened: ``await store.open()`` or ``async with``).

    Defaults: a Qdrant Edge shard in ``PATH/<kind>s`` and SQLite history in ``PATH/history.db``.
    ``qdrant_url`` (or ``qdrant_location=":memory:"``) switches to qdrant-client; ``db_url`` to
    another database (``postgresql://...``).
    """
    from agentmem.memory._edge import EdgeIndex
    from agentmem.memory._qdrant_server import QdrantServerIndex

    base = Path(path).expanduser()
    index: VectorIndex
    if qdrant_url or qdrant_location:
        index = QdrantServerIndex(
            collection=f"agentmem_{kind}s",
            url=qdrant_url,
            location=qdrant_location,
            api_key=qdrant_api_key,
        )
    else:
        index = EdgeIndex(path=base / f"{kind}s")
    history = HistoryDB(url=db_url or str(base / "history.db"))
    return MemoryStore(index=index, history=history, embedder=embedder or Bm25Embedder(), kind=kind)
