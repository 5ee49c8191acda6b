"""The embedded default index: a Qdrant Edge shard on disk (``qdrant-edge-py``).

Edge is a synchronous Rust engine; every call runs in ``asyncio.to_thread`` so the event loop
never blocks. A filtered query over 100k points takes well under a millisecond.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentmem.exceptions import StoreError, UserError
from agentmem.memory._embed import HybridVec, SparseVec, Vec
from agentmem.memory._index import IndexHit, IndexPoint, IndexSpec

__all__ = ["EdgeIndex", "check_compatible"]

_META = "agentmem-index.json"


@dataclass(kw_only=True)
class EdgeIndex:
    """A Qdrant Edge shard in ``path`` (created on first open)."""

    path: Path
    """Directory holding the shard and a small ``agentmem-index.json`` describing it."""
    _shard: Any = field(default=None, repr=False)
    _spec: IndexSpec | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path).expanduser()

    async def open(self, spec: IndexSpec) -> None:
        """Create the shard or load it and check it was built with the same embedder."""
        await asyncio.to_thread(self._open_sync, spec)

    def _open_sync(self, spec: IndexSpec) -> None:
        import qdrant_edge as q

        meta_file = self.path / _META
        shard_dir = self.path / "shard"
        if meta_file.exists():
            meta = json.loads(meta_file.read_text())
            stored = IndexSpec(kind=meta["kind"], dim=meta.get("dim"), embedder=meta["embedder"])
            check_compatible(stored, spec, where=str(self.path))
            self._shard = q.EdgeShard.load(str(shard_dir))
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            if spec.kind == "sparse":
                config = q.EdgeConfig(
                    vectors={},
                    sparse_vectors={"bm25": q.EdgeSparseVectorParams(modifier=q.Modifier.Idf)},
                )
            else:
                assert spec.dim is not None
                sparse = (
                    {"bm25": q.EdgeSparseVectorParams(modifier=q.Modifier.Idf)}
                    if spec.kind == "hybrid"
                    else None
                )
                config = q.EdgeConfig(
                    vectors={
                        "dense": q.EdgeVectorParams(size=spec.dim, distance=q.Distance.Cosine)
                    },
                    sparse_vectors=sparse,
                )
            self._shard = q.EdgeShard.create(str(shard_dir), config)
            self._shard.update(
                q.UpdateOperation.create_field_index(
                    "scope_key", q.KeywordIndexParams(is_tenant=True)
                )
            )
            meta_file.write_text(
                json.dumps({"kind": spec.kind, "dim": spec.dim, "embedder": spec.embedder})
            )
        self._spec = spec

    def _need(self) -> Any:
        if self._shard is None:
            raise StoreError(f"Edge index at {str(self.path)!r} is not open (call open() first)")
        return self._shard

    def _vector(self, vec: Vec) -> Any:
        import qdrant_edge as q

        assert self._spec is not None
        if isinstance(vec, SparseVec):
            return {"bm25": q.SparseVector(vec.indices, vec.values)}
        if isinstance(vec, HybridVec):
            return {
                "dense": vec.dense,
                "bm25": q.SparseVector(vec.sparse.indices, vec.sparse.values),
            }
        return {"dense": vec}

    def _query_vector(self, vec: Vec) -> Any:
        import qdrant_edge as q

        assert self._spec is not None
        if isinstance(vec, SparseVec):
            return q.Query.Nearest(q.SparseVector(vec.indices, vec.values), using="bm25")
        return q.Query.Nearest(vec, using="dense")

    async def upsert(self, points: list[IndexPoint]) -> None:
        """Insert or replace points (one Edge update)."""
        if points:
            await asyncio.to_thread(self.upsert_sync, points)

    def upsert_sync(self, points: list[IndexPoint]) -> None:
        """Synchronous upsert (for bulk loaders already off the event loop)."""
        import qdrant_edge as q

        shard = self._need()
        shard.update(
            q.UpdateOperation.upsert_points(
                [q.Point(p.id, self._vector(p.vector), p.payload) for p in points]
            )
        )

    def apply_sync(self, points: list[IndexPoint], deletes: list[str]) -> None:
        """Upserts then deletes, synchronously (called on the SQL worker thread after a commit)."""
        import qdrant_edge as q

        if points:
            self.upsert_sync(points)
        if deletes:
            self._need().update(q.UpdateOperation.delete_points(list(deletes)))

    async def delete(self, ids: list[str]) -> None:
        """Delete points by id."""
        if ids:
            import qdrant_edge as q

            shard = self._need()
            await asyncio.to_thread(shard.update, q.UpdateOperation.delete_points(list(ids)))

    async def search(self, scope_key: str, vector: Vec, limit: int) -> list[IndexHit]:
        """Nearest points whose ``scope_key`` equals the given one."""
        return await asyncio.to_thread(self.search_sync, scope_key, vector, limit)

    def search_sync(self, scope_key: str, vector: Vec, limit: int) -> list[IndexHit]:
        """Synchronous search."""
        import qdrant_edge as q

        if isinstance(vector, SparseVec) and not vector.indices:
            return []
        shard = self._need()
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
                limit=limit, prefetches=pre, query=q.Fusion.Rrf(k=60), filter=flt, with_payload=True
            )
        else:
            request = q.QueryRequest(
                limit=limit, query=self._query_vector(vector), filter=flt, with_payload=True
            )
        res = shard.query(request)
        return [
            IndexHit(id=str(p.id), score=float(p.score), payload=dict(p.payload or {})) for p in res
        ]

    async def retrieve(self, ids: list[str]) -> list[IndexHit]:
        """Points by id."""
        if not ids:
            return []
        shard = self._need()
        recs = await asyncio.to_thread(shard.retrieve, list(ids), True, False)
        return [IndexHit(id=str(r.id), score=0.0, payload=dict(r.payload or {})) for r in recs]

    async def count(self, scope_key: str | None = None) -> int:
        """Exact count, optionally within one scope."""
        import qdrant_edge as q

        shard = self._need()
        flt = (
            q.Filter(must=[q.FieldCondition("scope_key", match=q.MatchValue(scope_key))])
            if scope_key
            else None
        )
        return int(await asyncio.to_thread(shard.count, q.CountRequest(filter=flt, exact=True)))

    async def close(self) -> None:
        """Flush to disk and close the shard."""
        if self._shard is not None:
            shard, self._shard = self._shard, None
            await asyncio.to_thread(_flush_close, shard)


def _flush_close(shard: Any) -> None:
    shard.flush()
    shard.close()


def check_compatible(stored: IndexSpec, wanted: IndexSpec, *, where: str) -> None:
    if (stored.kind, stored.dim, stored.embedder) != (wanted.kind, wanted.dim, wanted.embedder):

        def desc(s: IndexSpec) -> str:
            return f"{s.kind} vectors from {s.embedder!r}" + (
                f" (dimension {s.dim})" if s.dim else ""
            )

        raise UserError(
            f"memory index at {where} holds {desc(stored)}, but the configured embedder produces "
            f"{desc(wanted)}; use the same embedder, or a new memory path / collection for the new one"
        )
