"""The long-memory chat agent: recall → answer → update memory (in the background by default).

Each turn searches the memory with the user's message, puts what it found in the agent's
instructions inside an ``<agentmem-memories>`` block (which ``add()`` strips again, so the agent
never re-stores its own recall), runs a pydantic-ai agent with the memory toolset, and then sends
the user message and the reply to ``memory.add``.

Background updates go through one ordered queue per agent (one agent = one scope): turn N's write
commits before turn N+1's starts, so a newer fact can never be overwritten by an older one that
finished later. Each write carries an idempotency key (session id + turn number), so a retry
after a transient failure can never store a turn twice; a write that still fails is reported
(:attr:`MemoryChatAgent.on_write`, :meth:`MemoryChatAgent.reports`) and the session goes on.
:meth:`MemoryChatAgent.drain` waits for the queue and raises the first failure.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentmem.agent._toolset import MemoryLike, memory_toolset
from agentmem.memory import AddResult, MemoryItem, Scope, inject_block

__all__ = ["DEFAULT_SYSTEM_PROMPT", "ChatTurn", "MemoryChatAgent", "WriteReport"]

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
class WriteReport:
    """What became of one turn's memory write."""

    turn: int
    """Turn number in this session, from 1."""
    result: AddResult | None = None
    """The update, when it was stored."""
    error: BaseException | None = None
    """Why it was not, after the retries."""
    attempts: int = 1
    """Tries it took (retries after transient failures included)."""


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
    on_write: Callable[[WriteReport], None] | None = None
    """Called as each background write finishes (stored or failed), in turn order."""
    write_retries: int = 2
    """Retries of a write that failed with a transient error (not a bad input)."""
    retry_delay_s: float = 0.5
    """First retry delay (doubles each time)."""
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    """Names this session's writes (their idempotency keys)."""
    _turns: int = field(default=0, repr=False)
    _queue: asyncio.Queue[tuple[int, list[dict[str, str]]]] | None = field(default=None, repr=False)
    _worker: asyncio.Task[None] | None = field(default=None, repr=False)
    _reports: list[WriteReport] = field(default_factory=list, repr=False)
    _unread: int = field(default=0, repr=False)
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
        self._turns += 1
        if self.sync:
            report = await self._write(self._turns, exchange)
            if report.error is not None:
                raise report.error
            turn.update = report.result
        else:
            if self._queue is None:
                self._queue = asyncio.Queue()
            self._queue.put_nowait((self._turns, exchange))
            if self._worker is None or self._worker.done():
                self._worker = asyncio.get_running_loop().create_task(self._drain_queue())
        return turn

    async def _write(self, n: int, exchange: list[dict[str, str]]) -> WriteReport:
        """One turn's write, retried after transient failures under the same idempotency key."""
        from agentmem.exceptions import UserError

        key = f"chat-{self.session_id}-{n}"
        delay = self.retry_delay_s
        for attempt in range(1, self.write_retries + 2):
            try:
                res = await self.memory.add(
                    exchange, scope=self.scope, actor="user", idempotency_key=key
                )
                return WriteReport(turn=n, result=res, attempts=attempt)
            except (UserError, asyncio.CancelledError):
                raise
            except Exception as exc:
                if attempt > self.write_retries or _is_permanent(exc):
                    return WriteReport(turn=n, error=exc, attempts=attempt)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    async def _drain_queue(self) -> None:
        """The ordered writer: one turn's write at a time, in turn order."""
        assert self._queue is not None
        while True:
            n, exchange = await self._queue.get()
            try:
                try:
                    report = await self._write(n, exchange)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # a bad input: reported like any failure
                    report = WriteReport(turn=n, error=exc)
                self._reports.append(report)
                self._unread += 1
                if self.on_write is not None:
                    self.on_write(report)
            finally:
                self._queue.task_done()

    def reports(self) -> list[WriteReport]:
        """Write reports finished since the last call (turn order)."""
        n, self._unread = self._unread, 0
        return self._reports[len(self._reports) - n :] if n else []

    def unfinished(self) -> list[int]:
        """Turns whose write is queued or running."""
        done = {r.turn for r in self._reports}
        return [t for t in range(1, self._turns + 1) if t not in done] if not self.sync else []

    async def aclose(self) -> None:
        """Finish background updates (raising their errors) and close the model's connections."""
        from agentmem.agent._models import close_chat_model

        try:
            await self.drain()
        finally:
            await self.abort()
            await close_chat_model(self.model)

    async def abort(self) -> list[int]:
        """Stop the background writer now; returns the turns whose write was not stored (a
        write cut mid-way stores nothing: each add() is one transaction)."""
        lost = self.unfinished()
        worker, self._worker = self._worker, None
        if worker is not None and not worker.done():
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        self._queue = None
        return lost

    async def __aenter__(self) -> MemoryChatAgent:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def pending(self) -> int:
        """Background updates not finished yet."""
        return len(self.unfinished())

    async def wait(self) -> None:
        """Wait until every queued background write has finished (stored or failed)."""
        if self._queue is not None:
            await self._queue.join()

    async def drain(self) -> list[AddResult]:
        """Wait for every background update; returns the results not yet read, in turn order.

        Raises the first failed update's error (after all have finished)."""
        await self.wait()
        reports = self.reports()
        for r in reports:
            if r.error is not None:
                raise r.error
        return [r.result for r in reports if r.result is not None]


def _is_permanent(exc: BaseException) -> bool:
    """Failures a retry cannot fix: the provider refused the credentials."""
    from agentmem.exceptions import ModelAuthError

    return isinstance(exc, ModelAuthError)
