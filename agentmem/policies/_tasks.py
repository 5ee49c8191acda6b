"""Concurrent fan-out that fails cleanly."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

__all__ = ["gather_all"]

T = TypeVar("T")


async def gather_all(coros: list[Awaitable[T]]) -> list[T]:
    """Run coroutines (or other awaitables) concurrently and return their results in order.

    On the first failure the others are cancelled (and awaited) and that error is raised as is:
    unlike ``asyncio.gather`` no orphan task keeps running, and unlike a ``TaskGroup`` the caller
    gets the original exception rather than an ``ExceptionGroup``. Cancellation of the caller
    cancels every child and propagates.
    """
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        pending = [t for t in tasks if not t.done()]
        for t in pending:
            t.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
    for t in tasks:  # the first failure in task order: deterministic
        if not t.cancelled() and t.exception() is not None:
            raise t.exception()  # type: ignore[misc]
    return [t.result() for t in tasks]
