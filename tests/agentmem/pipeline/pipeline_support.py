"""Helpers shared by the pipeline tests (a dict-backed TraceStore, a document generator).

Imported as ``from pipeline_support import ...`` (a unique module name: pytest puts this folder on
sys.path; a ``from conftest import`` would pick up whichever conftest was imported first).
"""

from __future__ import annotations

import copy
import time

from agentmem._trace import RunInfo
from agentmem._types import Answer, Step, Trajectory
from agentmem.exceptions import UserError


class DictTraceStore:
    """A TraceStore kept in dicts, recording the order of calls (the real stores are tested by
    their own suite; this one lets the pipeline tests inspect exactly what was committed)."""

    def __init__(self) -> None:
        self.runs: dict[str, RunInfo] = {}
        self.steps: dict[str, list[Step]] = {}
        self.answers: dict[str, Answer] = {}
        self.calls: list[tuple[str, str]] = []

    async def begin_run(self, info: RunInfo) -> None:
        self.calls.append(("begin_run", info.run_id))
        self.runs.setdefault(info.run_id, copy.deepcopy(info))
        self.steps.setdefault(info.run_id, [])

    async def record_step(self, run_id: str, step: Step) -> None:
        self.calls.append(("record_step", run_id))
        keys = {(s.group, s.kind, s.index) for s in self.steps[run_id]}
        if (step.group, step.kind, step.index) in keys:
            raise AssertionError(f"step recorded twice: {(step.group, step.kind, step.index)}")
        self.steps[run_id].append(step)
        self.runs[run_id].n_steps += 1

    async def finish_run(self, run_id: str, answer: Answer) -> None:
        self.calls.append(("finish_run", run_id))
        self.answers[run_id] = answer
        self.runs[run_id].status = "finished"
        self.runs[run_id].finished_at = time.time()

    async def fail_run(self, run_id: str, error: str) -> None:
        self.calls.append(("fail_run", run_id))
        self.runs[run_id].status = "failed"
        self.runs[run_id].error = error

    async def get_run(self, run_id: str) -> RunInfo | None:
        return copy.deepcopy(self.runs.get(run_id))

    async def recorded_steps(self, run_id: str) -> list[Step]:
        return list(self.steps.get(run_id, []))

    async def load_trajectory(self, run_id: str) -> Trajectory:
        info = self.runs.get(run_id)
        if info is None:
            raise UserError(f"unknown run {run_id!r}")
        return Trajectory(
            run_id=run_id,
            question=info.question,
            pattern=info.pattern,  # type: ignore[arg-type]
            groups=int(info.config.get("groups", 1)),
            steps=list(self.steps[run_id]),
            answer=self.answers.get(run_id),
        )

    async def list_runs(self, limit: int = 50) -> list[RunInfo]:
        return list(self.runs.values())[::-1][:limit]


def words_doc(n_chunks: int, words_per_chunk: int = 60) -> str:
    """A document whose every chunk has distinct, recognisable sentences."""
    parts = []
    for c in range(n_chunks):
        sentences = [
            f"Fact {c}-{k}: the item number {c * 100 + k} rests in room {c}."
            for k in range(words_per_chunk // 12)
        ]
        parts.append(" ".join(sentences))
    return "\n\n".join(parts)
