"""The vector-index contract the dialogue memories write through.

The index holds the *current* version of every live memory, with its scope and text in the
payload, so a search needs no SQL round trip. The SQL history is the source of truth; the index
can always be rebuilt from it (see :meth:`agentmem.memory.MemoryStore.repair`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from agentmem.memory._embed import EmbedderKind, Vec

__all__ = ["IndexHit", "IndexPoint", "IndexSpec", "VectorIndex"]


@dataclass(frozen=True, kw_only=True)
class IndexSpec:
    """What vectors a collection holds; checked against the embedder on open."""

    kind: EmbedderKind
    """Sparse (BM25) or dense."""
    dim: int | None
    """Dense dimension (None for sparse)."""
    embedder: str
    """Embedder name the collection was built with."""

    @property
    def vector_name(self) -> str:
        """Name of the vector in the collection."""
        return "bm25" if self.kind == "sparse" else "dense"


@dataclass(frozen=True, kw_only=True)
class IndexPoint:
    """One memory as the index stores it."""

    id: str
    """Memory id (a UUID string)."""
    vector: Vec
    """Its embedding."""
    payload: dict[str, Any]
    """Scope fields, ``scope_key``, text and display fields."""


@dataclass(frozen=True, kw_only=True)
class IndexHit:
    """A search result."""

    id: str
    """Memory id."""
    score: float
    """Similarity (higher is closer)."""
    payload: dict[str, Any]
    """Stored payload."""


@runtime_checkable
class VectorIndex(Protocol):
    """A Qdrant collection (embedded Edge shard, or a server through qdrant-client)."""

    async def open(self, spec: IndexSpec) -> None:
        """Create the collection, or check an existing one matches ``spec`` (UserError if not)."""
        ...

    async def upsert(self, points: list[IndexPoint]) -> None:
        """Insert or replace points."""
        ...

    async def delete(self, ids: list[str], tenant_id: str | None = None) -> None:
        """Remove points (missing ids are ignored); ``tenant_id`` narrows where to look."""
        ...

    async def search(self, scope_key: str, vector: Vec, limit: int) -> list[IndexHit]:
        """Nearest points of exactly this scope."""
        ...

    async def retrieve(self, ids: list[str]) -> list[IndexHit]:
        """Points by id (score 0); missing ids are absent from the result."""
        ...

    async def count(self, scope_key: str | None = None) -> int:
        """Points in one scope, or in total."""
        ...

    async def close(self) -> None:
        """Flush and release."""
        ...
