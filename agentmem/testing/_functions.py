"""Function-backed components: wrap a plain function (sync or async) as an updater, fuser,
answerer or reward model. For unit tests, examples and quick experiments::

    updater = FunctionUpdater(lambda q, memory, chunk, feedback: memory + chunk.text[:50])
    rm = FunctionRewardModel(lambda u: 1.0 if "key" in u.candidate else 0.2)

A function may return the plain value (``str`` memory, ``float`` score) or the full object
(:class:`~agentmem.Candidate`, :class:`~rewards.Reward`, ...). Every call is recorded in ``calls``.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentmem._types import Answer, Candidate, Chunk, Usage
from agentmem.updaters._prompts import extract_boxed
from rewards._types import PairInput, PairwiseVerdict, Reward, RMSpec, UpdateContext, checked_value

__all__ = [
    "FunctionAnswerer",
    "FunctionFuser",
    "FunctionRewardModel",
    "FunctionUpdater",
]


async def _call(fn: Callable[..., Any], *args: Any) -> Any:
    result = fn(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


def _candidate(value: Any, feedback: str | None, started: float, who: str) -> Candidate:
    if isinstance(value, Candidate):
        return value
    if isinstance(value, str):
        return Candidate(
            text=value, usage=Usage(latency_s=time.perf_counter() - started), feedback=feedback
        )
    raise TypeError(
        f"{who} function returned {type(value).__name__}; return a str or an agentmem.Candidate"
    )


@dataclass(kw_only=True)
class FunctionUpdater:
    """An updater Φ backed by ``fn(question, memory, chunk, feedback) -> str | Candidate``."""

    fn: Callable[[str, str, Chunk, str | None], Any]
    """The function (sync or async)."""
    label: str = "function"
    """Label recorded in run configs."""
    calls: list[tuple[str, str, Chunk, str | None]] = field(default_factory=list)
    """Every call's arguments, in call order."""

    async def __call__(
        self, question: str, memory: str, chunk: Chunk, *, feedback: str | None = None
    ) -> Candidate:
        """Call the function and wrap its result."""
        self.calls.append((question, memory, chunk, feedback))
        started = time.perf_counter()
        return _candidate(
            await _call(self.fn, question, memory, chunk, feedback), feedback, started, "updater"
        )


@dataclass(kw_only=True)
class FunctionFuser:
    """A fuser g backed by ``fn(question, memories, feedback) -> str | Candidate``."""

    fn: Callable[[str, list[str], str | None], Any]
    """The function (sync or async)."""
    label: str = "function"
    """Label recorded in run configs."""
    calls: list[tuple[str, list[str], str | None]] = field(default_factory=list)
    """Every call's arguments."""

    async def __call__(
        self, question: str, memories: list[str], *, feedback: str | None = None
    ) -> Candidate:
        """Call the function and wrap its result."""
        self.calls.append((question, list(memories), feedback))
        started = time.perf_counter()
        return _candidate(
            await _call(self.fn, question, list(memories), feedback), feedback, started, "fuser"
        )


@dataclass(kw_only=True)
class FunctionAnswerer:
    """An answerer backed by ``fn(question, memory) -> str | Answer``."""

    fn: Callable[[str, str], Any]
    """The function (sync or async)."""
    label: str = "function"
    """Label recorded in run configs."""
    calls: list[tuple[str, str]] = field(default_factory=list)
    """Every call's arguments."""

    async def __call__(self, question: str, memory: str) -> Answer:
        """Call the function; a plain string becomes an Answer (``\\boxed{}`` content extracted)."""
        self.calls.append((question, memory))
        started = time.perf_counter()
        value = await _call(self.fn, question, memory)
        if isinstance(value, Answer):
            return value
        if isinstance(value, str):
            return Answer(
                text=value,
                extracted=extract_boxed(value),
                usage=Usage(latency_s=time.perf_counter() - started),
            )
        raise TypeError(
            f"answerer function returned {type(value).__name__}; return a str or an agentmem.Answer"
        )


@dataclass(kw_only=True)
class FunctionRewardModel:
    """A reward model backed by ``score(update) -> float | Reward`` (and optionally
    ``compare(pair) -> "A" | "B" | PairwiseVerdict``).

    A float outside [0, 1] raises :class:`~agentmem.exceptions.RewardRangeError`, exactly as a
    real reward model would.
    """

    score: Callable[[UpdateContext], Any]
    """Pointwise scorer (sync or async)."""
    compare_fn: Callable[[PairInput], Any] | None = None
    """Pairwise comparison; without one, both trajectories are compared by ``score`` on their text."""
    name: str = "function"
    """Scorer name written on every Reward."""
    spec: RMSpec = field(default_factory=lambda: RMSpec(name="function"))
    """Registry-style spec (name ``function``)."""
    calls: list[UpdateContext] = field(default_factory=list)
    """Every update scored."""

    def __post_init__(self) -> None:
        if self.spec.name != self.name:
            self.spec = RMSpec(name=self.name)

    async def score_update(self, update: UpdateContext) -> Reward:
        """Score one update with the function."""
        self.calls.append(update)
        started = time.perf_counter()
        value = await _call(self.score, update)
        if isinstance(value, Reward):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(
                f"reward function returned {type(value).__name__}; return a float in [0, 1] or a rewards.Reward"
            )
        checked_value(value, f"reward model {self.name!r}")
        return Reward(
            value=float(value),
            scorer=self.name,
            rationale=f"{self.name} scored {value:.3f}",
            latency_s=time.perf_counter() - started,
        )

    async def compare(self, pair: PairInput) -> PairwiseVerdict:
        """Compare with ``compare_fn``, or by scoring each trajectory text as a candidate."""
        if self.compare_fn is not None:
            value = await _call(self.compare_fn, pair)
            if isinstance(value, PairwiseVerdict):
                return value
            if value in ("A", "B", "tie"):
                return PairwiseVerdict(winner=value, scorer=self.name)
            raise TypeError(
                f"compare function returned {value!r}; return 'A', 'B', 'tie' or a PairwiseVerdict"
            )
        a = await self.score_update(
            UpdateContext(
                question=pair.question, previous_memory="", chunk="", candidate=pair.trajectory_a
            )
        )
        b = await self.score_update(
            UpdateContext(
                question=pair.question, previous_memory="", chunk="", candidate=pair.trajectory_b
            )
        )
        winner = "A" if a.value > b.value else "B" if b.value > a.value else "tie"
        return PairwiseVerdict(
            winner=winner,
            scorer=self.name,
            score_a=a.value,
            score_b=b.value,
            confidence=0.5 + abs(a.value - b.value) / 2,
        )
