"""A pydantic-ai toolset that lets any agent search, remember and forget, within one Scope.

The scope is bound when the toolset is built: the model can never name another user. Writes go
through the memory's scored path (``remember`` is an ``add()`` with actor ``agent``), so a
reward model still gates what the agent stores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from agentmem.memory import AddResult, MemoryItem, Scope

__all__ = ["MemoryLike", "memory_toolset"]


class MemoryLike(Protocol):
    """What the toolset and the chat agent need from a facts or notes memory."""

    async def add(
        self, messages: Any, *, scope: Scope, actor: str = "api", idempotency_key: str | None = None
    ) -> AddResult: ...

    async def search(self, query: str, *, scope: Scope, limit: int = 5) -> list[MemoryItem]: ...

    async def get_all(self, *, scope: Scope) -> list[MemoryItem]: ...

    async def delete(self, memory_id: str, *, scope: Scope, actor: str = "api") -> None: ...

    async def forget(self, memory_id: str, *, scope: Scope, actor: str = "api") -> bool: ...


def memory_toolset(memory: MemoryLike, scope: Scope, *, hard_forget: bool = False) -> Any:
    """A ``pydantic_ai.FunctionToolset`` with ``search_memory``, ``remember`` and ``forget_memory``.

    ``forget_memory`` closes the memory (kept in history) unless ``hard_forget=True``, which
    erases it; erasure is otherwise left to the user (``/forget`` in ``agentmem chat``).
    """
    from pydantic_ai import FunctionToolset

    toolset: Any = FunctionToolset()

    @toolset.tool_plain
    async def search_memory(query: str, limit: int = 5) -> list[dict[str, str]]:
        """Search what you remember about the user. Returns memories with their ids."""
        items = await memory.search(query, scope=scope, limit=max(1, min(int(limit), 20)))
        return [{"id": m.id, "memory": m.text} for m in items]

    @toolset.tool_plain
    async def remember(fact: str) -> dict[str, Any]:
        """Store a durable fact about the user (one short sentence). A reviewer may reject it."""
        res = await memory.add([{"role": "user", "content": fact}], scope=scope, actor="agent")
        return {
            "stored": [
                {"op": o.op.op, "id": o.memory_id, "memory": o.op.text}
                for o in res.applied
                if o.op.op != "NOOP"
            ],
            "rejected": [{"memory": o.op.text, "reason": o.rationale} for o in res.rejected],
        }

    @toolset.tool_plain
    async def forget_memory(memory_id: str) -> str:
        """Remove a memory that is wrong or that the user asked you to forget (by its id)."""
        if hard_forget:
            return (
                "forgotten"
                if await memory.forget(memory_id, scope=scope, actor="agent")
                else f"no memory {memory_id!r}"
            )
        from agentmem.exceptions import UserError

        try:
            await memory.delete(memory_id, scope=scope, actor="agent")
        except UserError as exc:
            return str(exc)
        return "removed (kept in history)"

    return toolset
