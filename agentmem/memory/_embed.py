"""Embedders: the offline BM25 default (Qdrant Edge's sparse embedder) and dense embeddings from
any provider through :class:`agentmem.llm.LLMClient`.

An embedder is ``sparse``, ``dense`` or ``hybrid`` (both). The vector stores create a sparse
``bm25`` vector (with Qdrant's IDF modifier), a ``dense`` vector of the probed dimension, or both;
hybrid queries fuse the two rankings with reciprocal rank fusion.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from agentmem.exceptions import UserError

if TYPE_CHECKING:
    from agentmem.llm import LLMClient

__all__ = [
    "Bm25Embedder",
    "Embedder",
    "EmbedderKind",
    "HashEmbedder",
    "LLMEmbedder",
    "SparseVec",
    "Vec",
]

EmbedderKind = Literal["sparse", "dense", "hybrid"]


@dataclass(frozen=True, slots=True)
class SparseVec:
    """A sparse vector, store-neutral."""

    indices: list[int]
    """Non-zero dimensions."""
    values: list[float]
    """Their weights."""


@dataclass(frozen=True, slots=True)
class HybridVec:
    """A dense vector and a BM25 sparse vector of the same text (fused at query time with RRF)."""

    dense: list[float]
    """Dense embedding."""
    sparse: SparseVec
    """BM25 term weights."""


Vec = list[float] | SparseVec | HybridVec


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors for the memory index."""

    name: str
    """Recorded with the collection, so a later start with another embedder is caught."""
    kind: EmbedderKind
    """Sparse or dense."""

    async def dimension(self) -> int | None:
        """Probe and return the dense dimension (None for sparse embedders)."""
        ...

    async def embed(self, texts: list[str], *, query: bool = False) -> list[Vec]:
        """One vector per text; ``query=True`` for search queries."""
        ...


@dataclass(kw_only=True)
class Bm25Embedder:
    """BM25 sparse vectors computed in-process by Qdrant Edge's Rust embedder: no model, no download.

    Embedding a sentence takes microseconds, so it runs inline rather than in a thread.
    """

    name: str = "bm25"
    """Embedder name."""
    kind: EmbedderKind = "sparse"
    """Always sparse."""
    _model: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        import qdrant_edge

        self._model = qdrant_edge.Bm25()

    async def dimension(self) -> int | None:
        """Sparse: no dimension."""
        return None

    async def embed(self, texts: list[str], *, query: bool = False) -> list[Vec]:
        """BM25 term weights (documents) or unit weights per unique token (queries)."""
        return [self.embed_sync(t, query=query) for t in texts]

    def embed_sync(self, text: str, *, query: bool = False) -> SparseVec:
        """Same as :meth:`embed` for one text, synchronously."""
        v = self._model.embed_query(text) if query else self._model.embed_document(text)
        return SparseVec(indices=list(v.indices), values=list(v.values))


@dataclass(kw_only=True)
class HashEmbedder:
    """Deterministic dense vectors from hashed words: offline, for tests and benchmarks."""

    dim: int = 64
    """Output dimension."""
    name: str = "hash"
    """Embedder name (the dimension is appended)."""
    kind: EmbedderKind = "dense"
    """Always dense."""

    def __post_init__(self) -> None:
        if self.dim < 2:
            raise UserError(f"HashEmbedder dim must be >= 2, got {self.dim!r}")
        self.name = f"hash-{self.dim}"

    async def dimension(self) -> int | None:
        """The configured dimension."""
        return self.dim

    async def embed(self, texts: list[str], *, query: bool = False) -> list[Vec]:
        """Bag of signed hashed lower-case words, L2-normalised."""
        out: list[Vec] = []
        for text in texts:
            vec = [0.0] * self.dim
            for word in text.lower().split():
                h = int.from_bytes(
                    hashlib.blake2b(word.strip(".,!?;:").encode(), digest_size=8).digest(), "little"
                )
                vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
            norm = math.sqrt(sum(x * x for x in vec)) or 1.0
            out.append([x / norm for x in vec])
        return out


@dataclass(kw_only=True)
class LLMEmbedder:
    """Dense embeddings from any provider litellm knows (or an OpenAI-compatible URL).

    The dimension is probed with one request at start-up and checked against the collection.
    Recent vectors are kept (LRU): a fact embedded to find related memories is not sent again
    when it is stored a moment later.
    """

    client: LLMClient
    """The model-call layer, configured with the embedding model."""
    name: str = ""
    """Defaults to the client's model string."""
    kind: EmbedderKind = "dense"
    """Always dense."""
    cache_size: int = 4096
    """Texts whose vectors are kept (0 disables the cache)."""
    _dim: int | None = field(default=None, repr=False)
    _cache: OrderedDict[str, list[float]] = field(default_factory=OrderedDict, repr=False)

    def __post_init__(self) -> None:
        self.name = self.name or str(getattr(self.client, "model", "llm"))

    async def dimension(self) -> int | None:
        """Embed a probe text once and remember the length."""
        if self._dim is None:
            [vec] = await self.client.embed(["dimension probe"])
            if not vec:
                raise UserError(
                    f"embedding model {self.name!r} returned an empty vector for a probe text"
                )
            self._dim = len(vec)
        return self._dim

    async def embed(self, texts: list[str], *, query: bool = False) -> list[Vec]:
        """One request for the texts not in the cache; checks every vector's dimension."""
        if not texts:
            return []
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        fetched: dict[str, list[float]] = {}
        if missing:
            vecs = await self.client.embed(missing)
            dim = await self.dimension()
            for text, v in zip(missing, vecs, strict=True):
                if len(v) != dim:
                    raise UserError(
                        f"embedding model {self.name!r} returned a {len(v)}-dimensional vector, "
                        f"expected {dim} (the dimension probed at start-up); pin the model's dimensions"
                    )
                fetched[text] = [float(x) for x in v]
                self._remember(text, fetched[text])
        out: list[Vec] = []
        for t in texts:
            if t in fetched:
                out.append(fetched[t])
            else:
                self._cache.move_to_end(t)
                out.append(self._cache[t])
        return out

    def _remember(self, text: str, vec: list[float]) -> None:
        if self.cache_size <= 0:
            return
        self._cache[text] = vec
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)


@dataclass(kw_only=True)
class HybridEmbedder:
    """Dense embeddings from ``dense`` plus BM25 sparse vectors; searches fuse both (RRF)."""

    dense: Embedder
    """The dense embedder (e.g. :class:`LLMEmbedder`)."""
    sparse: Bm25Embedder = field(default_factory=Bm25Embedder)
    """The BM25 embedder."""
    name: str = ""
    """``hybrid(<dense name>+bm25)``."""
    kind: EmbedderKind = "hybrid"
    """Always hybrid."""

    def __post_init__(self) -> None:
        if self.dense.kind != "dense":
            raise UserError(
                f"HybridEmbedder needs a dense embedder, got {self.dense.name!r} ({self.dense.kind})"
            )
        self.name = self.name or f"hybrid({self.dense.name}+bm25)"

    async def dimension(self) -> int | None:
        """The dense dimension (probed)."""
        return await self.dense.dimension()

    async def embed(self, texts: list[str], *, query: bool = False) -> list[Vec]:
        """Both vectors per text (one dense call for all texts)."""
        dense = await self.dense.embed(texts, query=query)
        out: list[Vec] = []
        for text, d in zip(texts, dense, strict=True):
            assert isinstance(d, list)
            out.append(HybridVec(dense=d, sparse=self.sparse.embed_sync(text, query=query)))
        return out
