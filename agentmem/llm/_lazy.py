"""Importing heavy dependencies (aiohttp ~0.2 s, litellm ~3-4 s) without blocking the event loop."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from types import ModuleType

__all__ = ["import_off_loop"]

_READY: set[str] = set()


async def import_off_loop(name: str, importer: Callable[[], object] | None = None) -> ModuleType:
    """Import ``name`` in a worker thread the first time; later calls return at once.

    Concurrent first callers each wait in their own worker thread (on Python's import lock), so
    no caller ever blocks the loop on a half-imported module.
    """
    if name not in _READY:
        await asyncio.to_thread(importer or (lambda: importlib.import_module(name)))
        _READY.add(name)
    return importlib.import_module(name)
