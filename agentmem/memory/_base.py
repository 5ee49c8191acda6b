"""What facts and notes memories share: the store, the reward model, the write policy, the
lifecycle (open, close, async context manager) and the read API, all scoped."""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Self

from agentmem._logging import get_logger
from agentmem.exceptions import UserError
from agentmem.memory._history import Request, WriteConflict
from agentmem.memory._policy import MEMORY_DEFAULT
from agentmem.memory._records import (
    AddResult,
    MemoryEvent,
    MemoryItem,
    MemoryKind,
    result_from_json,
    result_to_json,
)
from agentmem.memory._scope import Scope
from agentmem.memory._store import Change, MemoryStore
from agentmem.policies._spec import PolicySpec
from rewards import RewardModel

__all__ = ["ScoredMemory", "open_parts"]


@dataclass(kw_only=True)
class ScoredMemory:
    """Base of :class:`~agentmem.memory.FactsMemory` and :class:`~agentmem.memory.NotesMemory`."""

    store: MemoryStore
    """Versions, history and index."""
    reward_model: RewardModel
    """Scores every proposed write."""
    policy: PolicySpec = field(default_factory=lambda: MEMORY_DEFAULT)
    """How scores decide what is written (score, best-of-N, gate)."""
    owns: list[Any] = field(default_factory=list, repr=False)
    """Resources closed with the memory (clients built by ``create``)."""
    conflict_retries: int = 3
    """Proposals per add() when another writer keeps changing the memories proposed against."""

    _noun = "memory"

    # -- lifecycle ----------------------------------------------------------------------------
    async def open(self) -> Self:
        """Open the store (and repair the index after a crash)."""
        await self.store.open()
        return self

    async def close(self) -> None:
        """Close the store and the clients this memory built."""
        await self.store.close()
        for r in self.owns:
            await r.aclose()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- the write loop -----------------------------------------------------------------------
    async def _commit_planned(
        self,
        scope: Scope,
        plan: Callable[[], Awaitable[tuple[AddResult, list[Change]]]],
        *,
        request_id: str,
        conversation: list[dict[str, Any]],
        idempotency_key: str | None,
    ) -> AddResult:
        """Plan a write (propose, score, choose) and commit it with its add() record; when another
        writer changed what the plan was made against (:class:`WriteConflict`), plan again on
        the new state, up to ``conflict_retries`` times. Call it holding the scope's lock."""
        for round_ in itertools.count(1):
            result, changes = await plan()
            request = Request(
                scope_key=scope.key,
                key=request_id,
                created_at=time.time(),
                result={**result_to_json(result), "conversation": conversation},
            )
            try:
                await self.store.commit(scope, changes, request=request)
                return result
            except WriteConflict as exc:
                if idempotency_key and (
                    done := await self.store.history.get_request(scope.key, idempotency_key)
                ):
                    return result_from_json(done, replayed=True)  # a twin committed it
                if round_ >= self.conflict_retries:
                    exc.add_note(
                        f"gave up after {round_} proposals against a changing memory ({scope})"
                    )
                    raise
                get_logger().info(
                    "memory.write_conflict", scope=str(scope), round=round_, error=str(exc)
                )
        raise AssertionError("unreachable")

    # -- reads --------------------------------------------------------------------------------
    async def search(self, query: str, *, scope: Scope, limit: int = 5) -> list[MemoryItem]:
        """Current memories of ``scope`` most related to ``query`` (never another scope's)."""
        return await self.store.search(query, scope, limit=limit)

    async def get(self, memory_id: str, *, scope: Scope) -> MemoryItem | None:
        """A memory's newest version (closed ones too), or None if it is not this scope's."""
        return await self.store.get(memory_id, scope)

    async def get_all(self, *, scope: Scope) -> list[MemoryItem]:
        """Every current memory of a scope, oldest first."""
        return await self.store.get_all(scope)

    async def history(self, memory_id: str, *, scope: Scope) -> list[MemoryEvent]:
        """Every operation on a memory: actor, op, old/new text, score, rationale, timestamps."""
        return await self.store.history_of(memory_id, scope)

    async def versions(self, memory_id: str, *, scope: Scope) -> list[MemoryItem]:
        """Every version of a memory (superseded ones carry ``valid_to``)."""
        return await self.store.versions(memory_id, scope)

    async def events(self, *, scope: Scope, request_id: str | None = None) -> list[MemoryEvent]:
        """Every operation of a scope -- applied, pending and rejected -- optionally of one add()."""
        return await self.store.events(scope, request_id=request_id)

    async def export_pairs(self, *, scope: Scope, query: str | None = None) -> list[dict[str, Any]]:
        """This scope's memory evolution as MemRewardBench pairs (see :func:`agentmem.memory.export_pairs`)."""
        from agentmem.memory._export import DEFAULT_QUERY, export_pairs

        return await export_pairs(self.store, scope, query=query or DEFAULT_QUERY)

    # -- direct writes ------------------------------------------------------------------------
    async def delete(self, memory_id: str, *, scope: Scope, actor: str = "api") -> None:
        """Close a memory (superseded, kept in history). Use ``forget`` to erase it."""
        async with self.store.scope_lock(scope):
            await self._current(memory_id, scope)
            await self.store.commit(
                scope,
                [
                    Change(
                        op="DELETE", memory_id=memory_id, actor=actor, rationale="deleted by caller"
                    )
                ],
            )

    async def _current(self, memory_id: str, scope: Scope) -> MemoryItem:
        item = await self.store.get(memory_id, scope)
        if item is None or not item.live:
            raise UserError(
                f"no current {self._noun} {memory_id!r} for {scope}; list them with get_all(scope=...)"
            )
        return item


def open_parts(
    path: str,
    kind: MemoryKind,
    *,
    owns: list[Any],
    api_base: str | None,
    api_key: str | None,
    rm: str | RewardModel | None,
    db_url: str | None,
    qdrant_url: str | None,
    qdrant_location: str | None,
    qdrant_api_key: str | None,
    embedding_model: str | None,
    hybrid: bool,
) -> tuple[MemoryStore, RewardModel]:
    """The store and reward model a ``create(...)`` names by strings.

    Clients built here (embedding client, an LLM reward model) are appended to ``owns`` so they
    close with the memory; a reward-model object passed in stays the caller's.
    """
    from agentmem.memory._embed import Embedder, HybridEmbedder, LLMEmbedder
    from agentmem.memory._store import open_store
    from rewards import make_reward_model

    rm_obj = (
        rm
        if rm is not None and not isinstance(rm, str)
        else make_reward_model(rm, api_base=api_base, api_key=api_key)
    )
    if (rm is None or isinstance(rm, str)) and hasattr(rm_obj, "aclose"):
        owns.append(rm_obj)
    embedder: Embedder | None = None
    if embedding_model:
        from agentmem.llm import LLMClient

        eclient = LLMClient(embedding_model, api_base=api_base, api_key=api_key)
        owns.append(eclient)
        embedder = LLMEmbedder(client=eclient)
        if hybrid:
            embedder = HybridEmbedder(dense=embedder)
    store = open_store(
        path,
        kind=kind,
        db_url=db_url,
        qdrant_url=qdrant_url,
        qdrant_location=qdrant_location,
        qdrant_api_key=qdrant_api_key,
        embedder=embedder,
    )
    return store, rm_obj
