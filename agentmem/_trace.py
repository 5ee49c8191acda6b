"""The contract between pipelines and trace stores.

A pipeline opens a run, commits each step as soon as the policy has decided it (one transaction
per step, so a crash loses nothing already committed), and closes the run with its answer. To
resume, it asks the store for the steps already recorded under the run id and replays them
instead of calling the model again.

Implementations: :class:`agentmem.store.InMemoryTraceStore` (tests, no persistence) and
:class:`agentmem.store.SQLTraceStore` (SQLite by default, PostgreSQL by URL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from agentmem._types import Answer, Step, Trajectory

__all__ = ["RunInfo", "RunStatus", "TraceStore"]

RunStatus = Literal["running", "finished", "failed"]


@dataclass(kw_only=True)
class RunInfo:
    """What a store knows about a run, without its steps."""

    run_id: str
    """Identifier (a user-supplied one, or a generated UUID hex)."""
    question: str
    """The question."""
    pattern: str
    """Sequential, parallel or mixed."""
    status: RunStatus = "running"
    """Lifecycle state."""
    config: dict[str, Any] = field(default_factory=dict)
    """Everything needed to resume: document hash, chunking, groups, updater/RM/policy specs."""
    error: str | None = None
    """Why a failed run failed."""
    created_at: float = 0.0
    """Unix time the run started."""
    finished_at: float | None = None
    """Unix time it finished or failed."""
    n_steps: int = 0
    """Steps committed so far."""


@runtime_checkable
class TraceStore(Protocol):
    """Where runs and their steps are committed."""

    async def begin_run(self, info: RunInfo) -> None:
        """Record a new run (or do nothing if ``info.run_id`` exists with the same config)."""
        ...

    async def record_step(self, run_id: str, step: Step) -> None:
        """Commit one step, in its own transaction; idempotent per (run, group, kind, index)."""
        ...

    async def finish_run(self, run_id: str, answer: Answer) -> None:
        """Record the answer and mark the run finished."""
        ...

    async def fail_run(self, run_id: str, error: str) -> None:
        """Mark the run failed with the error text (its steps stay)."""
        ...

    async def acquire_lease(self, run_id: str, owner: str, ttl_s: float) -> None:
        """Make ``owner`` the only executor of the run for ``ttl_s`` seconds; raise
        :class:`agentmem.exceptions.RunBusy` while another owner's lease is alive."""
        ...

    async def renew_lease(self, run_id: str, owner: str, ttl_s: float) -> bool:
        """Extend ``owner``'s lease; False if it was lost (expired and taken by another)."""
        ...

    async def release_lease(self, run_id: str, owner: str) -> None:
        """Give the run up (only ``owner``'s own lease is removed)."""
        ...

    async def get_run(self, run_id: str) -> RunInfo | None:
        """The run's info, or None."""
        ...

    async def recorded_steps(self, run_id: str) -> list[Step]:
        """Steps already committed for the run, in commit order (for resume)."""
        ...

    async def load_trajectory(self, run_id: str) -> Trajectory:
        """The whole run as a Trajectory (raises UserError if unknown)."""
        ...

    async def list_runs(self, limit: int = 50) -> list[RunInfo]:
        """Most recent runs first."""
        ...
