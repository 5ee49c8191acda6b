"""A trace store in a dict: no persistence, for tests and scripts.

It keeps the same JSON form the SQL store writes (steps are serialised on the way in and rebuilt
on the way out), so callers get fresh, equal objects back and cannot mutate what was recorded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from agentmem._trace import RunInfo
from agentmem._types import Answer, Attempt, Step, Trajectory
from agentmem.store._codec import (
    answer_from_dict,
    answer_to_dict,
    attempt_from_dict,
    attempt_to_dict,
    normalise_json,
    step_from_dict,
    step_to_dict,
    trajectory_fields,
)
from agentmem.store._common import (
    check_run_info,
    check_step,
    config_mismatch,
    owner_gone,
    run_busy,
    unknown_run,
)

__all__ = ["InMemoryTraceStore"]


@dataclass(kw_only=True)
class _Run:
    info: RunInfo
    steps: dict[tuple[int, str, int], dict[str, Any]] = field(default_factory=dict)
    answer: dict[str, Any] | None = None


@dataclass(kw_only=True)
class InMemoryTraceStore:
    """A :class:`agentmem.TraceStore` held in memory (lost when the process ends)."""

    _runs: dict[str, _Run] = field(default_factory=dict, repr=False)
    """Runs by id, in insertion order."""
    _leases: dict[str, tuple[str, float]] = field(default_factory=dict, repr=False)
    """Run id -> (owner, expires_at)."""
    _paid: dict[str, dict[tuple[int, str, int, int, int], dict[str, Any]]] = field(
        default_factory=dict, repr=False
    )
    """Run id -> attempts of steps not committed yet."""

    async def record_attempt(
        self, run_id: str, key: tuple[int, str, int, int, int], attempt: Attempt
    ) -> None:
        self._paid.setdefault(run_id, {}).setdefault(key, attempt_to_dict(attempt))

    async def paid_attempts(self, run_id: str) -> dict[tuple[int, str, int, int, int], Attempt]:
        return {k: attempt_from_dict(v) for k, v in self._paid.get(run_id, {}).items()}

    @property
    def url(self) -> str:
        """A label for messages (there is no database)."""
        return "memory://"

    async def acquire_lease(self, run_id: str, owner: str, ttl_s: float) -> None:
        now = time.time()
        held = self._leases.get(run_id)
        if held is not None and held[0] != owner and held[1] > now and not owner_gone(held[0]):
            raise run_busy(run_id, held[0], held[1])
        self._leases[run_id] = (owner, now + ttl_s)

    async def renew_lease(self, run_id: str, owner: str, ttl_s: float) -> bool:
        held = self._leases.get(run_id)
        if held is None or held[0] != owner:
            return False
        self._leases[run_id] = (owner, time.time() + ttl_s)
        return True

    async def release_lease(self, run_id: str, owner: str) -> None:
        held = self._leases.get(run_id)
        if held is not None and held[0] == owner:
            del self._leases[run_id]

    async def begin_run(self, info: RunInfo) -> None:
        check_run_info(info)
        config = normalise_json(info.config)
        run = self._runs.get(info.run_id)
        if run is not None:
            if run.info.config != config:
                raise config_mismatch(info.run_id, run.info.config, config)
            if run.info.status != "finished":
                run.info.status, run.info.error, run.info.finished_at = "running", None, None
            return
        self._runs[info.run_id] = _Run(
            info=RunInfo(
                run_id=info.run_id,
                question=info.question,
                pattern=info.pattern,
                status="running",
                config=config,
                created_at=info.created_at or time.time(),
            )
        )

    def _run(self, run_id: str) -> _Run:
        run = self._runs.get(run_id)
        if run is None:
            raise unknown_run(run_id, self._runs)
        return run

    async def record_step(self, run_id: str, step: Step) -> None:
        run = self._run(run_id)
        check_step(run_id, step)
        key = (step.group, step.kind, step.index)
        if key not in run.steps:
            run.steps[key] = step_to_dict(step)

    async def finish_run(self, run_id: str, answer: Answer) -> None:
        self._paid.pop(run_id, None)
        run = self._run(run_id)
        run.answer = answer_to_dict(answer)
        run.info.status, run.info.error, run.info.finished_at = "finished", None, time.time()

    async def fail_run(self, run_id: str, error: str) -> None:
        run = self._run(run_id)
        run.info.status, run.info.error, run.info.finished_at = "failed", error, time.time()

    def _info(self, run: _Run) -> RunInfo:
        i = run.info
        return RunInfo(
            run_id=i.run_id,
            question=i.question,
            pattern=i.pattern,
            status=i.status,
            config=normalise_json(i.config),
            error=i.error,
            created_at=i.created_at,
            finished_at=i.finished_at,
            n_steps=len(run.steps),
        )

    async def get_run(self, run_id: str) -> RunInfo | None:
        run = self._runs.get(run_id)
        return None if run is None else self._info(run)

    async def recorded_steps(self, run_id: str) -> list[Step]:
        run = self._runs.get(run_id)
        return [] if run is None else [step_from_dict(d) for d in run.steps.values()]

    async def load_trajectory(self, run_id: str) -> Trajectory:
        run = self._run(run_id)
        steps = [step_from_dict(d) for d in run.steps.values()]
        answer = None if run.answer is None else answer_from_dict(run.answer)
        return Trajectory(**trajectory_fields(run.info, steps), steps=steps, answer=answer)

    async def list_runs(self, limit: int = 50) -> list[RunInfo]:
        runs = sorted(self._runs.values(), key=lambda r: (-r.info.created_at, r.info.run_id))
        return [self._info(r) for r in runs[: max(limit, 0)]]

    async def match_run_ids(self, prefix: str) -> list[str]:
        """Run ids starting with ``prefix`` (lets a user type a short prefix of a UUID)."""
        return sorted(r for r in self._runs if r.startswith(prefix))

    async def aclose(self) -> None:
        """Nothing to release; present so callers can treat every store alike."""
