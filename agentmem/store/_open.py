"""Open the trace store a user asked for."""

from __future__ import annotations

from agentmem.store._memory import InMemoryTraceStore
from agentmem.store._sql import SQLTraceStore
from agentmem.store._urls import MEMORY_URL

__all__ = ["open_trace_store"]


async def open_trace_store(url: str | None = None) -> SQLTraceStore | InMemoryTraceStore:
    """Open (and create on demand) the trace store at ``url``.

    ``None`` means :func:`default_trace_url` (``AGENTMEM_TRACE_DB``, else a SQLite file in the
    user's data directory). ``memory://`` gives a non-persistent :class:`InMemoryTraceStore`.
    Raises :class:`agentmem.exceptions.UserError` for an invalid or unreachable URL. Close the
    store with ``await store.aclose()``.
    """
    if url is not None and url.strip() == MEMORY_URL:
        return InMemoryTraceStore()
    return await SQLTraceStore(url).open()
