"""Bounded fan-out: named concurrency limiters and token-bucket rate limits (RPM / TPM).

Limiters are per event loop (asyncio primitives belong to one loop), so a client used from two
``asyncio.run`` calls in a row works.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from agentmem.exceptions import UserError

__all__ = ["TokenBucket", "limit", "named_limiter"]

_LIMITERS: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[str, tuple[int, asyncio.Semaphore]]
] = weakref.WeakKeyDictionary()


def named_limiter(name: str, max_concurrency: int) -> asyncio.Semaphore:
    """The semaphore shared by everything that limits itself under ``name`` on this loop.

    The first caller fixes the bound; a later caller asking for a different bound gets the
    existing limiter (the bound of a shared resource is decided once).
    """
    if not isinstance(max_concurrency, int) or max_concurrency < 1:
        raise UserError(f"concurrency must be an integer >= 1, got {max_concurrency!r}")
    loop = asyncio.get_running_loop()
    table = _LIMITERS.setdefault(loop, {})
    entry = table.get(name)
    if entry is None:
        entry = table[name] = (max_concurrency, asyncio.Semaphore(max_concurrency))
    return entry[1]


@asynccontextmanager
async def limit(name: str, max_concurrency: int) -> AsyncIterator[None]:
    """``async with limit("judge", 8): ...`` -- at most 8 bodies run at once under that name."""
    async with named_limiter(name, max_concurrency):
        yield


class TokenBucket:
    """A token bucket refilled at ``per_minute / 60`` per second, holding one second's worth.

    ``acquire(n)`` waits until the bucket holds ``min(n, capacity)`` and then takes ``n`` (the
    level may go negative: one large request is let through and later ones wait it off).
    ``adjust(n)`` corrects the level once the true cost is known (e.g. real token usage).
    Keeping only one second of burst spreads requests evenly instead of front-loading a minute.
    """

    def __init__(self, per_minute: float, *, what: str = "rate") -> None:
        if (
            not isinstance(per_minute, int | float)
            or isinstance(per_minute, bool)
            or per_minute <= 0
        ):
            raise UserError(f"{what} must be a positive number per minute, got {per_minute!r}")
        self.rate = float(per_minute) / 60.0
        self.capacity = max(1.0, self.rate)
        self._level = self.capacity
        self._stamp = time.monotonic()
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    def _refill(self) -> None:
        now = time.monotonic()
        self._level = min(self.capacity, self._level + (now - self._stamp) * self.rate)
        self._stamp = now

    def _get_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def acquire(self, amount: float = 1.0) -> float:
        """Take ``amount`` from the bucket, waiting as needed; return the seconds waited."""
        waited = 0.0
        async with self._get_lock():  # FIFO: waiters are served in arrival order
            need = min(float(amount), self.capacity)
            while True:
                self._refill()
                if self._level >= need:
                    self._level -= float(amount)
                    return waited
                delay = (need - self._level) / self.rate
                waited += delay
                await asyncio.sleep(delay)

    def adjust(self, amount: float) -> None:
        """Take ``amount`` more (negative: give back) without waiting."""
        self._refill()
        self._level = min(self.capacity, self._level - float(amount))
