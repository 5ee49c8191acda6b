"""The long-memory chat agent: recall → answer → update memory (in the background by default).

Each turn searches the memory with the user's message, puts what it found in the agent's
instructions inside an ``<agentmem-memories>`` block (which ``add()`` strips again, so the agent
never re-stores its own recall), runs a pydantic-ai agent with the memory toolset, and then sends
the user message and the reply to ``memory.add``. Background updates are serialised per scope by
the memory's write lock, awaited by :meth:`MemoryChatAgent.drain` and never dropped silently:
a failed update is raised from the next ``drain()``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from agentmem.agent._toolset import MemoryLike, memory_toolset
from agentmem.memory import AddResult, MemoryItem, Scope, inject_block

__all__ = ["DEFAULT_SYSTEM_PROMPT", "ChatTurn", "MemoryChatAgent"]

DEFAULT_SYSTEM_PROMPT = (
    "You are a helpful assistant with a long-term memory of the user. What you remember about "
    "them is listed below; use it when relevant, do not recite it unprompted, and do not claim to "
    "remember anything that is not there. Use the memory tools to look up more, to store an "
    "important fact the user asks you to remember, or to remove one they ask you to forget."
)


@dataclass(kw_only=True)
class ChatTurn:
    """One exchange."""

    user: str
    """What the user said."""
    reply: str
    """What the agent answered."""
    recalled: list[MemoryItem]
    """Memories put in front of the model this turn."""
    update: AddResult | None = None
    """The memory update (sync mode; None while it runs in the background)."""
    latency_s: float = 0.0
    """Recall + answer wall time (the background update excluded)."""


@dataclass(kw_only=True)
class MemoryChatAgent:
    """A chat agent over a facts or notes memory, for one scope."""

    memory: MemoryLike
    """Where memories live."""
    scope: Scope
    """Whose conversation this is."""
    model: Any
    """A pydantic-ai model (see :func:`agentmem.agent.build_chat_model`)."""
    sync: bool = False
    """Wait for the memory update before returning each turn."""
    recall_limit: int = 5
    """Memories recalled per turn."""
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    """Instructions before the recalled memories."""
    tools: bool = True
    """Offer the search/remember/forget toolset to the model."""
    history: list[Any] = field(default_factory=list)
    """pydantic-ai message history of this session."""
    _tasks: list[asyncio.Task[AddResult]] = field(default_factory=list, repr=False)
    _agent: Any = field(default=None, repr=False)

    def _build(self) -> Any:
        if self._agent is None:
            from pydantic_ai import Agent

            toolsets = [memory_toolset(self.memory, self.scope)] if self.tools else []
            self._agent = Agent(self.model, toolsets=toolsets)
        return self._agent

    async def turn(self, text: str) -> ChatTurn:
        """Recall, answer, and update memory with this exchange."""
        started = time.perf_counter()
        recalled = await self.memory.search(text, scope=self.scope, limit=self.recall_limit)
        block = inject_block([m.text for m in recalled])
        result = await self._build().run(
            text, message_history=self.history, instructions=f"{self.system_prompt}\n\n{block}"
        )
        reply = str(result.output)
        self.history = list(result.all_messages())
        latency = time.perf_counter() - started
        exchange = [
            {"role": "system", "content": block},  # lets add() recognise echoes of what we injected
            {"role": "user", "content": text},
            {"role": "assistant", "content": reply},
        ]
        turn = ChatTurn(user=text, reply=reply, recalled=recalled, latency_s=latency)
        if self.sync:
            turn.update = await self.memory.add(exchange, scope=self.scope, actor="user")
        else:
            self._tasks.append(
                asyncio.create_task(self.memory.add(exchange, scope=self.scope, actor="user"))
            )
        return turn

    async def aclose(self) -> None:
        """Finish background updates (raising their errors) and close the model's connections."""
        from agentmem.agent._models import close_chat_model

        try:
            await self.drain()
        finally:
            await close_chat_model(self.model)

    async def __aenter__(self) -> MemoryChatAgent:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def pending(self) -> int:
        """Background updates not finished yet."""
        return sum(1 for t in self._tasks if not t.done())

    async def drain(self) -> list[AddResult]:
        """Wait for every background update; returns their results in turn order.

        Raises the first update's error, if one failed (after all have finished)."""
        tasks, self._tasks = self._tasks, []
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for r in results:
            if isinstance(r, BaseException):
                raise r
        return [r for r in results if isinstance(r, AddResult)]
