"""Fixtures for the pipeline, policy, updater and `agentmem run` tests."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator

import pytest

from agentmem._trace import RunInfo
from agentmem._types import Answer, Step, Trajectory
from agentmem.exceptions import UserError
from agentmem.testing._functions import (
    FunctionAnswerer,
    FunctionFuser,
    FunctionRewardModel,
    FunctionUpdater,
)


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


@pytest.fixture
def store() -> DictTraceStore:
    return DictTraceStore()


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


@pytest.fixture
def appending_updater() -> FunctionUpdater:
    """Memory = previous memory + '|' + the chunk's index (easy to check the threading)."""
    return FunctionUpdater(
        fn=lambda q, m, c, fb: f"{m}|c{c.index}" + (f"(rev:{fb[:10]})" if fb else ""),
        label="append",
    )


@pytest.fixture
def joining_fuser() -> FunctionFuser:
    return FunctionFuser(fn=lambda q, ms, fb: "F[" + " + ".join(ms) + "]", label="join")


@pytest.fixture
def echo_answerer() -> FunctionAnswerer:
    return FunctionAnswerer(fn=lambda q, m: f"final: \\boxed{{{m}}}", label="echo")


@pytest.fixture
def constant_rm() -> FunctionRewardModel:
    return FunctionRewardModel(score=lambda u: 0.8, name="const")


@pytest.fixture
def doc8() -> Iterator[str]:
    yield words_doc(8)
