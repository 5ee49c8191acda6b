"""The reward-model contract: what a reward model is given and what it returns.

A reward model (RM) does two things behind one protocol:

* ``score_update(update)`` -- pointwise: how good is one proposed memory update, in its context
  (question, previous memory, the chunk it read). Used online by the pipelines' update policies.
* ``compare(pair)`` -- pairwise: which of two whole trajectories is better. Used offline by the
  MemRewardBench runner, and by anything that ranks complete runs.

Both return values carry a rationale a person can read and the evidence behind it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from agentmem.exceptions import RewardRangeError

__all__ = [
    "PairInput",
    "PairKind",
    "PairwiseVerdict",
    "RMSpec",
    "Reward",
    "RewardModel",
    "UpdateContext",
    "Winner",
    "checked_value",
]

Winner = Literal["A", "B", "tie", "unparsed"]
"""A pairwise outcome. ``tie`` only in robust mode; ``unparsed`` when no verdict could be read."""

PairKind = Literal["understanding", "generation"]
"""Which judge prompt applies: long-form generation, or everything else (reasoning, dialogue)."""


@dataclass(frozen=True, kw_only=True)
class RMSpec:
    """Enough to rebuild the exact reward model that produced a result."""

    name: str
    """Registry name, e.g. ``heuristic`` or ``llm``."""
    args: dict[str, Any] = field(default_factory=dict)
    """Constructor arguments (never secrets: API keys are not recorded)."""
    version: str = "1"
    """Scorer version; bump it whenever the same input could score differently."""

    @property
    def label(self) -> str:
        """The spec as a string a user could pass back to ``--rm``."""
        return str(self.args.get("spec_string") or self.name)


@dataclass(frozen=True, kw_only=True)
class Reward:
    """A pointwise score of one memory update."""

    value: float
    """In [0, 1]; higher is better."""
    rationale: str = ""
    """Why, in words a person can check."""
    scorer: str = ""
    """Name of the reward model that produced it."""
    version: str = "1"
    """That reward model's scorer version."""
    latency_s: float = 0.0
    """Wall time of the scoring call."""
    tokens: int = 0
    """Prompt + completion tokens spent (0 for offline scorers)."""
    cost: float = 0.0
    """Provider cost in USD when known."""
    evidence: dict[str, Any] = field(default_factory=dict)
    """Per-feature or per-call evidence behind the value."""

    def __post_init__(self) -> None:
        checked_value(self.value, self.scorer or "reward model")


@dataclass(frozen=True, kw_only=True)
class UpdateContext:
    """One proposed memory update, with what the updater saw when it proposed it."""

    question: str
    """The user's question (the ``<problem>``)."""
    previous_memory: str
    """Memory before the update ('' at the first step)."""
    chunk: str
    """The section of the document this step read ('' for a fusion or answer step)."""
    candidate: str
    """The proposed new memory."""
    step: int = 0
    """Index of the step within its group."""
    group: int = 0
    """Parallel group index (0 for sequential runs)."""
    kind: Literal["update", "fusion", "answer"] = "update"
    """What the candidate is: a chunk update, a fusion of parallel memories, or a final answer."""
    memory_budget_tokens: int | None = None
    """The memory budget the updater was given, when there is one."""
    history: tuple[str, ...] = ()
    """Earlier memories of the same group, oldest first (for redundancy checks)."""


@dataclass(frozen=True, kw_only=True)
class PairInput:
    """Two trajectories for the same question, to be compared."""

    question: str
    """Instruction plus the shared long context, exactly as the benchmark stores it."""
    trajectory_a: str
    """Rendered trajectory of Agent A (may be empty: a memory system that stored nothing)."""
    trajectory_b: str
    """Rendered trajectory of Agent B."""
    kind: PairKind = "understanding"
    """Which judge prompt applies."""
    setting: str | None = None
    """Canonical MemRewardBench setting when known (informational; RMs must not need it)."""
    pair_id: str | None = None
    """Stable identifier, for caches and logs."""


@dataclass(frozen=True, kw_only=True)
class PairwiseVerdict:
    """The outcome of comparing two trajectories."""

    winner: Winner
    """Which side is better, ``tie`` (robust mode only) or ``unparsed``."""
    confidence: float = 0.5
    """In [0, 1]: 0.5 is a coin flip, 1 is certain."""
    rationale: str = ""
    """Why, in words a person can check."""
    scorer: str = ""
    """Name of the reward model."""
    version: str = "1"
    """Its scorer version."""
    score_a: float | None = None
    """Pointwise-style score of A when the RM computes one (heuristic, soft log-prob scores)."""
    score_b: float | None = None
    """Same for B."""
    raw: tuple[str, ...] = ()
    """Raw judge outputs, one per call (per order in both-orders mode)."""
    latency_s: float = 0.0
    """Wall time of the comparison."""
    tokens: int = 0
    """Tokens spent."""
    cost: float = 0.0
    """Provider cost in USD when known."""
    evidence: dict[str, Any] = field(default_factory=dict)
    """Per-feature or per-call evidence (escalation, trimming, per-order verdicts, ...)."""


@runtime_checkable
class RewardModel(Protocol):
    """What every reward model implements. Both methods are coroutines."""

    spec: RMSpec
    """Name, arguments and version, recorded in every result."""

    async def score_update(self, update: UpdateContext) -> Reward:
        """Score one memory update in its context, in [0, 1]."""
        ...

    async def compare(self, pair: PairInput) -> PairwiseVerdict:
        """Say which of two trajectories is better."""
        ...


def checked_value(value: float, who: str) -> float:
    """Return ``value`` if it is a finite number in [0, 1], else raise RewardRangeError."""
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or math.isnan(value)
        or not 0.0 <= value <= 1.0
    ):
        raise RewardRangeError(
            f"{who} returned reward {value!r}, outside [0, 1]; a reward model must return a "
            "value in [0, 1] (rescale raw scores, e.g. with a sigmoid, before returning them)"
        )
    return float(value)
