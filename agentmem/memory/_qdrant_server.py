"""A Qdrant server or cluster through ``qdrant_client.AsyncQdrantClient``.

``AsyncQdrantClient(url="http://qdrant:6333")`` for production; the same code runs against the
client's local mode (``location=":memory:"`` or ``path=...``), which is how it is tested here.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

from agentmem.exceptions import StoreError
from agentmem.memory._edge import check_compatible
from agentmem.memory._embed import HybridVec, SparseVec, Vec
from agentmem.memory._index import IndexHit, IndexPoint, IndexSpec

__all__ = ["QdrantServerIndex"]


@dataclass(kw_only=True)
class QdrantServerIndex:
    """One collection on a Qdrant server (or qdrant-client local mode)."""

    collection: str = "agentmem_memories"
    """Collection name."""
    url: str | None = None
    """Server URL, e.g. ``http://localhost:6333``."""
    location: str | None = None
    """``":memory:"`` for qdrant-client's in-process local mode."""
    path: str | None = None
    """On-disk local mode."""
    api_key: str | None = field(default=None, repr=False)
    """Server API key (never logged)."""
    client: Any = field(default=None, repr=False)
    """An existing ``AsyncQdrantClient`` to use instead of building one."""
    _spec: IndexSpec | None = field(default=None, repr=False)

    def _scope_filter(self, scope_key: str) -> Any:
        from qdrant_client import models

        return models.Filter(
            must=[models.FieldCondition(key="scope_key", match=models.MatchValue(value=scope_key))]
        )

    async def open(self, spec: IndexSpec) -> None:
        """Create the collection, or check it holds the same kind and dimension of vectors."""
        from qdrant_client import AsyncQdrantClient, models

        if self.client is None:
            self.client = AsyncQdrantClient(
                url=self.url, location=self.location, path=self.path, api_key=self.api_key
            )
        where = f"collection {self.collection!r}"
        if await self.client.collection_exists(self.collection):
            info = await self.client.get_collection(self.collection)
            params = info.config.params
            meta = dict(getattr(info.config, "metadata", None) or {})
            sparse = params.sparse_vectors or {}
            dense = params.vectors if isinstance(params.vectors, dict) else {}
            embedder = str(meta.get("embedder", spec.embedder))
            if "bm25" in sparse and "dense" in dense:
                stored = IndexSpec(kind="hybrid", dim=dense["dense"].size, embedder=embedder)
            elif "bm25" in sparse:
                stored = IndexSpec(kind="sparse", dim=None, embedder=embedder)
            elif "dense" in dense:
                stored = IndexSpec(
                    kind="dense",
                    dim=dense["dense"].size,
                    embedder=str(meta.get("embedder", spec.embedder)),
                )
            else:
                raise StoreError(
                    f"{where} exists but was not created by agentmem (no 'bm25' or 'dense' vector)"
                )
            check_compatible(stored, spec, where=where)
        else:
            meta = {"embedder": spec.embedder, "created_by": "agentmem"}
            if spec.kind == "sparse":
                await self.client.create_collection(
                    self.collection,
                    sparse_vectors_config={
                        "bm25": models.SparseVectorParams(modifier=models.Modifier.IDF)
                    },
                    metadata=meta,
                )
            else:
                assert spec.dim is not None
                await self.client.create_collection(
                    self.collection,
                    vectors_config={
                        "dense": models.VectorParams(size=spec.dim, distance=models.Distance.COSINE)
                    },
                    sparse_vectors_config={
                        "bm25": models.SparseVectorParams(modifier=models.Modifier.IDF)
                    }
                    if spec.kind == "hybrid"
                    else None,
                    metadata=meta,
                )
            with (
                warnings.catch_warnings()
            ):  # local mode warns that payload indexes are no-ops there
                warnings.simplefilter("ignore")
                await self.client.create_payload_index(
                    self.collection,
                    "scope_key",
                    field_schema=models.KeywordIndexParams(
                        type=models.KeywordIndexType.KEYWORD, is_tenant=True
                    ),
                )
        self._spec = spec

    def _vec(self, vec: Vec) -> Any:
        from qdrant_client import models

        if isinstance(vec, SparseVec):
            return {"bm25": models.SparseVector(indices=vec.indices, values=vec.values)}
        if isinstance(vec, HybridVec):
            return {
                "dense": vec.dense,
                "bm25": models.SparseVector(indices=vec.sparse.indices, values=vec.sparse.values),
            }
        return {"dense": vec}

    async def upsert(self, points: list[IndexPoint]) -> None:
        """Upsert and wait for the server to apply it."""
        from qdrant_client import models

        if points:
            await self.client.upsert(
                self.collection,
                points=[
                    models.PointStruct(id=p.id, vector=self._vec(p.vector), payload=p.payload)
                    for p in points
                ],
                wait=True,
            )

    async def delete(self, ids: list[str], tenant_id: str | None = None) -> None:
        """Delete points by id (one collection for all tenants: ``tenant_id`` is not needed)."""
        from qdrant_client import models

        if ids:
            await self.client.delete(
                self.collection, points_selector=models.PointIdsList(points=list(ids)), wait=True
            )

    async def search(self, scope_key: str, vector: Vec, limit: int) -> list[IndexHit]:
        """Nearest points of exactly this scope."""
        from qdrant_client import models

        flt = self._scope_filter(scope_key)
        if isinstance(vector, HybridVec):
            pre = [models.Prefetch(query=vector.dense, using="dense", filter=flt, limit=limit * 4)]
            if vector.sparse.indices:
                sv = models.SparseVector(indices=vector.sparse.indices, values=vector.sparse.values)
                pre.append(models.Prefetch(query=sv, using="bm25", filter=flt, limit=limit * 4))
            res = await self.client.query_points(
                self.collection,
                prefetch=pre,
                query=models.FusionQuery(fusion=models.Fusion.RRF),
                query_filter=flt,
                limit=limit,
                with_payload=True,
            )
            return [
                IndexHit(id=str(p.id), score=float(p.score), payload=dict(p.payload or {}))
                for p in res.points
            ]
        if isinstance(vector, SparseVec):
            if not vector.indices:
                return []
            query: Any = models.SparseVector(indices=vector.indices, values=vector.values)
            using = "bm25"
        else:
            query, using = vector, "dense"
        res = await self.client.query_points(
            self.collection,
            query=query,
            using=using,
            query_filter=self._scope_filter(scope_key),
            limit=limit,
            with_payload=True,
        )
        return [
            IndexHit(id=str(p.id), score=float(p.score), payload=dict(p.payload or {}))
            for p in res.points
        ]

    async def retrieve(self, ids: list[str]) -> list[IndexHit]:
        """Points by id."""
        if not ids:
            return []
        recs = await self.client.retrieve(self.collection, ids=list(ids), with_payload=True)
        return [IndexHit(id=str(r.id), score=0.0, payload=dict(r.payload or {})) for r in recs]

    async def count(self, scope_key: str | None = None) -> int:
        """Exact count."""
        flt = self._scope_filter(scope_key) if scope_key else None
        res = await self.client.count(self.collection, count_filter=flt, exact=True)
        return int(res.count)

    async def close(self) -> None:
        """Close the client if we built it."""
        if self.client is not None:
            await self.client.close()
            self.client = None
