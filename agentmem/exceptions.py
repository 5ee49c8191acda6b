"""Errors raised by agentmem.

Hierarchy::

    AgentmemError                  root of everything agentmem raises on purpose
    ├── UserError                  the caller asked for something that cannot work (bad value,
    │                              unknown name, unreadable file); the message says how to fix it
    │   └── UnknownNameError       a pattern / policy / reward model / setting name not known
    ├── ModelError                 a model or reward-model call failed after its retries
    │   └── ModelTimeoutError      ... because it kept timing out
    ├── RewardRangeError           a reward model returned a value outside [0, 1]
    ├── StoreError                 the trace or memory store could not read or write
    └── RunCancelled               a run was cancelled by the application (not Ctrl-C)

``asyncio.CancelledError`` is never caught and re-raised as one of these.
A dropped update is not an error: policies report it as a ``Decision`` on the step.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "AgentmemError",
    "ModelAuthError",
    "ModelError",
    "ModelTimeoutError",
    "RewardRangeError",
    "RunBusy",
    "RunCancelled",
    "StoreError",
    "UnknownNameError",
    "UserError",
    "suggest",
]


class AgentmemError(Exception):
    """Root of every error agentmem raises on purpose."""


class UserError(AgentmemError, ValueError):
    """The caller's input cannot work; the message names the bad value and the fix."""


class UnknownNameError(UserError, KeyError):
    """A name (pattern, policy, reward model, setting, ...) that is not registered."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown {kind} {name!r}{suggest(name, self.known)}")

    def __str__(self) -> str:  # KeyError would repr() the message otherwise
        return str(self.args[0])


class ModelError(AgentmemError):
    """A model or reward-model call failed after all its retries."""


class ModelAuthError(ModelError):
    """The provider refused the credentials (401/403, or a missing key): no retry can help."""


class ModelTimeoutError(ModelError, TimeoutError):
    """A model call kept timing out."""


class RewardRangeError(AgentmemError, ValueError):
    """A reward model returned a value outside [0, 1]."""


class StoreError(AgentmemError):
    """The trace or memory store failed to read or write."""


class RunBusy(StoreError):
    """Another process (or task) is executing this run right now: it holds the run's lease."""


class RunCancelled(AgentmemError):
    """The application cancelled a run (distinct from asyncio cancellation)."""


def suggest(name: str, known: Iterable[str]) -> str:
    """Return a '; did you mean ...?' suffix (or the list of known names) for an error message."""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    if close:
        return f"; did you mean {close[0]!r}? (known: {', '.join(known)})"
    return f"; known: {', '.join(known)}" if known else ""
