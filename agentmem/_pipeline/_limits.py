"""Named concurrency limiters: ``async with limits("model"):`` bounds model calls per run."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from agentmem.exceptions import UserError

__all__ = ["DEFAULT_LIMITS", "Limiters"]

DEFAULT_LIMITS: dict[str, int] = {"model": 8, "rm": 8}
"""Concurrent updater/fuser/answerer calls (``model``) and reward-model calls (``rm``) per run."""


class Limiters:
    """A set of named semaphores, created inside the running event loop (one set per run)."""

    def __init__(self, limits: Mapping[str, int]) -> None:
        for name, n in limits.items():
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise UserError(f"concurrency limit {name!r} must be an integer >= 1, got {n!r}")
        self._sems = {name: asyncio.Semaphore(n) for name, n in limits.items()}
        self.limits = dict(limits)

    def __call__(self, name: str) -> asyncio.Semaphore:
        """The semaphore named ``name`` (created with the default of 8 if not configured)."""
        sem = self._sems.get(name)
        if sem is None:
            sem = self._sems[name] = asyncio.Semaphore(8)
            self.limits[name] = 8
        return sem
