"""The embedded default index: Qdrant Edge shards on disk (``qdrant-edge-py``), one per tenant.

Each tenant gets its own shard (``PATH/tenants/<name>-<hash>/``), so a search never walks another
tenant's posting lists or graph, and tenants are apart on disk as well as by filter. Inside a
shard, points carry their scope in the payload and every query filters on the exact scope key
(a tenant-keyed payload index). Shards open lazily on first use and at most ``max_open_shards``
stay open (each holds a thread and descriptors): the least recently used idle one is flushed and
closed when another must open. A shard in use by a call is pinned and never closed under it.

Edge is a synchronous Rust engine: every call runs in a worker thread (``asyncio.to_thread``, or
the SQL worker right after a commit), never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentmem.exceptions import StoreError, UserError
from agentmem.memory._embed import HybridVec, SparseVec, Vec
from agentmem.memory._index import IndexHit, IndexPoint, IndexSpec
from agentmem.memory._scope import Scope

__all__ = ["EdgeIndex", "check_compatible"]

_META = "agentmem-index.json"


def _tenant_dir(tenant_id: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", tenant_id)[:40]
    return f"{safe}-{hashlib.sha1(tenant_id.encode()).hexdigest()[:10]}"


@dataclass(kw_only=True)
class EdgeIndex:
    """Qdrant Edge shards under ``path`` (created on first use), one per tenant."""

    path: Path
    """Directory holding ``agentmem-index.json`` and ``tenants/<tenant>/``."""
    search_threads: int = 1
    """Search threads per shard (one keeps many open tenants cheap; raise for huge tenants)."""
    single_process: bool = True
    """Always True: the folder is locked to one process, so no one else writes these memories."""
    max_open_shards: int = 64
    """Shards kept open at once (least recently used idle ones are closed beyond it)."""
    _shards: OrderedDict[str, Any] = field(default_factory=OrderedDict, repr=False)
    _pins: dict[str, int] = field(default_factory=dict, repr=False)
    _spec: IndexSpec | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _lockfile: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path).expanduser()
        if self.max_open_shards < 1:
            raise UserError(f"max_open_shards must be >= 1, got {self.max_open_shards!r}")

    @property
    def open_shards(self) -> int:
        """Shards open right now."""
        return len(self._shards)

    async def open(self, spec: IndexSpec) -> None:
        """Create the index folder, or check it was built with the same embedder."""
        await asyncio.to_thread(self._open_sync, spec)

    def _open_sync(self, spec: IndexSpec) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self._take_process_lock()
        meta_file = self.path / _META
        try:
            if meta_file.exists():
                meta = json.loads(meta_file.read_text())
                stored = IndexSpec(
                    kind=meta["kind"], dim=meta.get("dim"), embedder=meta["embedder"]
                )
                check_compatible(stored, spec, where=str(self.path))
            else:
                meta_file.write_text(
                    json.dumps(
                        {
                            "kind": spec.kind,
                            "dim": spec.dim,
                            "embedder": spec.embedder,
                            "layout": "shard-per-tenant",
                        }
                    )
                )
        except BaseException:
            self._release_process_lock()
            raise
        self._spec = spec

    def _take_process_lock(self) -> None:
        """One process at a time: Edge shards are embedded, not shared between processes."""
        import fcntl
        import os

        fh = open(self.path / ".lock", "a+")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise StoreError(
                f"memory index {str(self.path)!r} is in use by {holder}; the embedded engine serves one process "
                "at a time -- close the other one, use another path, or run a Qdrant server (qdrant_url=...) "
                "and PostgreSQL (db_url=...) for several processes"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        self._lockfile = fh

    def _release_process_lock(self) -> None:
        if self._lockfile is not None:
            self._lockfile.close()  # closing the descriptor releases the flock
            self._lockfile = None

    def _config(self) -> Any:
        import qdrant_edge as q

        spec = self._spec
        assert spec is not None
        sparse = (
            {"bm25": q.EdgeSparseVectorParams(modifier=q.Modifier.Idf)}
            if spec.kind in ("sparse", "hybrid")
            else None
        )
        dense: dict[str, Any] = {}
        if spec.kind != "sparse":
            assert spec.dim is not None, "a dense index is created with its dimension"
            dense = {"dense": q.EdgeVectorParams(size=spec.dim, distance=q.Distance.Cosine)}
        return q.EdgeConfig(
            vectors=dense, sparse_vectors=sparse, max_search_threads=self.search_threads
        )

    @contextmanager
    def _using(self, tenant_id: str, *, create: bool) -> Iterator[Any]:
        """The tenant's shard, pinned open while the block runs (None if absent and not
        ``create``); afterwards idle shards beyond ``max_open_shards`` are closed, oldest first."""
        if self._spec is None:
            raise StoreError(f"Edge index at {str(self.path)!r} is not open (call open() first)")
        with self._lock:
            shard = self._shards.get(tenant_id)
            if shard is None:
                shard = self._load(tenant_id, create=create)
                if shard is not None:
                    self._shards[tenant_id] = shard
            if shard is not None:
                self._shards.move_to_end(tenant_id)
                self._pins[tenant_id] = self._pins.get(tenant_id, 0) + 1
        if shard is None:
            yield None
            return
        try:
            yield shard
        finally:
            with self._lock:
                self._pins[tenant_id] -= 1
                if not self._pins[tenant_id]:
                    del self._pins[tenant_id]
                self._evict()

    def _evict(self) -> None:
        """Close idle shards beyond the limit, least recently used first (lock held)."""
        if len(self._shards) <= self.max_open_shards:
            return
        for tenant in list(self._shards):
            if len(self._shards) <= self.max_open_shards:
                break
            if tenant in self._pins:
                continue
            _flush_close([self._shards.pop(tenant)])

    def _load(self, tenant_id: str, *, create: bool) -> Any:
        """Open or create a tenant's shard from disk (lock held)."""
        import qdrant_edge as q

        tdir = self.path / "tenants" / _tenant_dir(tenant_id)
        if (tdir / "tenant.json").exists():
            return q.EdgeShard.load(str(tdir / "shard"))
        if not create:
            return None
        tdir.mkdir(parents=True, exist_ok=True)
        shard = q.EdgeShard.create(str(tdir / "shard"), self._config())
        shard.update(
            q.UpdateOperation.create_field_index("scope_key", q.KeywordIndexParams(is_tenant=True))
        )
        (tdir / "tenant.json").write_text(json.dumps({"tenant_id": tenant_id}))
        return shard

    def _tenants(self) -> list[str]:
        """Every tenant with a shard on disk."""
        root = self.path / "tenants"
        if not root.exists():
            return []
        out: list[str] = []
        for tdir in sorted(root.iterdir()):
            meta = tdir / "tenant.json"
            if meta.exists():
                out.append(json.loads(meta.read_text())["tenant_id"])
        return out

    def _vector(self, vec: Vec) -> Any:
        import qdrant_edge as q

        if isinstance(vec, SparseVec):
            return {"bm25": q.SparseVector(vec.indices, vec.values)}
        if isinstance(vec, HybridVec):
            return {
                "dense": vec.dense,
                "bm25": q.SparseVector(vec.sparse.indices, vec.sparse.values),
            }
        return {"dense": vec}

    async def upsert(self, points: list[IndexPoint]) -> None:
        """Insert or replace points."""
        if points:
            await asyncio.to_thread(self.upsert_sync, points)

    def upsert_sync(self, points: list[IndexPoint]) -> None:
        """Synchronous upsert, one Edge update per tenant."""
        import qdrant_edge as q

        by_tenant: dict[str, list[IndexPoint]] = defaultdict(list)
        for p in points:
            by_tenant[str(p.payload["tenant_id"])].append(p)
        for tenant, pts in by_tenant.items():
            with self._using(tenant, create=True) as shard:
                shard.update(
                    q.UpdateOperation.upsert_points(
                        [q.Point(p.id, self._vector(p.vector), p.payload) for p in pts]
                    )
                )

    def apply_sync(
        self, points: list[IndexPoint], deletes: list[str], tenant_id: str | None = None
    ) -> None:
        """Upserts then deletes, synchronously (run on the SQL worker right after a commit)."""
        if points:
            self.upsert_sync(points)
        if deletes:
            self.delete_sync(deletes, tenant_id)

    def delete_sync(self, ids: list[str], tenant_id: str | None = None) -> None:
        """Delete points (in one tenant's shard when known, else in every shard)."""
        import qdrant_edge as q

        tenants = [tenant_id] if tenant_id is not None else self._tenants()
        for tenant in tenants:
            with self._using(tenant, create=False) as shard:
                if shard is not None:
                    shard.update(q.UpdateOperation.delete_points(list(ids)))

    async def delete(self, ids: list[str], tenant_id: str | None = None) -> None:
        """Delete points by id (missing ids are ignored)."""
        if ids:
            await asyncio.to_thread(self.delete_sync, ids, tenant_id)

    async def search(self, scope_key: str, vector: Vec, limit: int) -> list[IndexHit]:
        """Nearest points whose ``scope_key`` equals the given one."""
        return await asyncio.to_thread(self.search_sync, scope_key, vector, limit)

    def search_sync(self, scope_key: str, vector: Vec, limit: int) -> list[IndexHit]:
        """Synchronous search in the scope's tenant shard."""
        if isinstance(vector, SparseVec) and not vector.indices:
            return []
        with self._using(Scope.from_key(scope_key).tenant_id, create=False) as shard:
            if shard is None:
                return []
            return self._query(shard, scope_key, vector, limit)

    def _query(self, shard: Any, scope_key: str, vector: Vec, limit: int) -> list[IndexHit]:
        import qdrant_edge as q

        flt = q.Filter(must=[q.FieldCondition("scope_key", match=q.MatchValue(scope_key))])
        if isinstance(vector, HybridVec):  # dense and BM25 candidates, fused by reciprocal rank
            pre = [
                q.Prefetch(
                    limit=limit * 4, query=q.Query.Nearest(vector.dense, using="dense"), filter=flt
                )
            ]
            if vector.sparse.indices:
                sv = q.SparseVector(vector.sparse.indices, vector.sparse.values)
                pre.append(
                    q.Prefetch(limit=limit * 4, query=q.Query.Nearest(sv, using="bm25"), filter=flt)
                )
            request = q.QueryRequest(
                limit=limit,
                prefetches=pre,
                query=q.Fusion.Rrf(k=60),  # pyright: ignore[reportArgumentType]  (the stub omits fusion)
                filter=flt,
                with_payload=True,
            )
        elif isinstance(vector, SparseVec):
            sv = q.SparseVector(vector.indices, vector.values)
            request = q.QueryRequest(
                limit=limit, query=q.Query.Nearest(sv, using="bm25"), filter=flt, with_payload=True
            )
        else:
            request = q.QueryRequest(
                limit=limit,
                query=q.Query.Nearest(vector, using="dense"),
                filter=flt,
                with_payload=True,
            )
        return [
            IndexHit(id=str(p.id), score=float(p.score), payload=dict(p.payload or {}))
            for p in shard.query(request)
        ]

    async def retrieve(self, ids: list[str]) -> list[IndexHit]:
        """Points by id (looked up in every tenant shard)."""
        if not ids:
            return []

        def run() -> list[IndexHit]:
            out: list[IndexHit] = []
            for tenant in self._tenants():
                with self._using(tenant, create=False) as shard:
                    if shard is not None:
                        out += [
                            IndexHit(id=str(r.id), score=0.0, payload=dict(r.payload or {}))
                            for r in shard.retrieve(list(ids), True, False)
                        ]
            return out

        return await asyncio.to_thread(run)

    async def count(self, scope_key: str | None = None) -> int:
        """Exact count, in one scope or in total."""
        import qdrant_edge as q

        def one(tenant: str, flt: Any) -> int:
            with self._using(tenant, create=False) as shard:
                if shard is None:
                    return 0
                return int(shard.count(q.CountRequest(filter=flt, exact=True)))

        def run() -> int:
            if scope_key is None:
                return sum(one(t, None) for t in self._tenants())
            flt = q.Filter(must=[q.FieldCondition("scope_key", match=q.MatchValue(scope_key))])
            return one(Scope.from_key(scope_key).tenant_id, flt)

        return await asyncio.to_thread(run)

    def optimize_sync(self) -> None:
        """Run Edge's segment optimizers on every shard (after bulk loads)."""
        for tenant in self._tenants():
            with self._using(tenant, create=False) as shard:
                if shard is not None:
                    shard.optimize()

    async def close(self) -> None:
        """Flush to disk, close every open shard, release the folder."""
        await asyncio.to_thread(self.close_sync)

    def close_sync(self) -> None:
        """Synchronous :meth:`close`."""
        with self._lock:
            shards, self._shards = list(self._shards.values()), OrderedDict()
        try:
            _flush_close(shards)
        finally:
            self._release_process_lock()


def _flush_close(shards: list[Any]) -> None:
    for shard in shards:
        shard.flush()
        shard.close()


def check_compatible(stored: IndexSpec, wanted: IndexSpec, *, where: str) -> None:
    """Raise UserError when an existing index holds other vectors than the embedder makes."""
    if (stored.kind, stored.dim, stored.embedder) != (wanted.kind, wanted.dim, wanted.embedder):

        def desc(s: IndexSpec) -> str:
            return f"{s.kind} vectors from {s.embedder!r}" + (
                f" (dimension {s.dim})" if s.dim else ""
            )

        raise UserError(
            f"memory index at {where} holds {desc(stored)}, but the configured embedder produces "
            f"{desc(wanted)}; use the same embedder, or a new memory path / collection for the new one"
        )
