"""What an update policy is: given a way to propose and a way to score, decide one step.

A policy never talks to the model or the reward model directly. The pipeline hands it two
coroutine functions -- ``propose(feedback)`` returns one new candidate (the updater, behind the
model limiter) and ``score(candidate)`` returns its reward (the RM, behind the RM limiter) -- and
the policy returns every attempt it made, which one to commit, and why.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from agentmem._types import Attempt, Candidate, Decision

if TYPE_CHECKING:
    from rewards._types import Reward

__all__ = [
    "Outcome",
    "Propose",
    "Score",
    "UpdatePolicy",
    "best_index",
    "current_attempt",
    "format_feedback",
    "proposal_index",
    "trial_key",
]

proposal_index: ContextVar[int] = ContextVar("agentmem_proposal_index", default=0)
"""Index of the proposal being made within the current step (0 = the first), set by the pipeline
around each updater/fuser call. A deterministic updater can use it to vary its proposals, so
best-of-N and revisions get real alternatives (see :class:`agentmem.updaters.ExtractiveUpdater`)."""


trial_key: ContextVar[tuple[int, int] | None] = ContextVar("agentmem_trial_key", default=None)
"""(round, sample) of the attempt being proposed and scored, set by the policy core: lets the
pipeline record each paid attempt and reuse it on resume."""


def current_attempt() -> int:
    """The :data:`proposal_index` of the call in progress (0 outside a pipeline)."""
    return proposal_index.get()


Propose = Callable[[str | None], Awaitable[Candidate]]
"""Ask the updater for one candidate, optionally with the judge's feedback on a rejected one."""

Score = Callable[[Candidate], Awaitable["Reward"]]
"""Have the reward model score one candidate in the step's context."""


@dataclass(kw_only=True)
class Outcome:
    """What a policy decided for one step."""

    attempts: list[Attempt]
    """Every candidate tried, in the order proposed, with its reward."""
    chosen: int
    """Index into ``attempts`` of the committed one."""
    decision: Decision
    """How it was chosen."""
    errors: list[str] = field(default_factory=list)
    """Attempts that raised (round, sample, error); the others still competed."""

    @property
    def best(self) -> Attempt:
        """The committed attempt."""
        return self.attempts[self.chosen]


@runtime_checkable
class UpdatePolicy(Protocol):
    """Decides which candidate a step commits."""

    label: str
    """Spec string that rebuilds this policy with :func:`agentmem.policies.make_policy`."""

    async def decide(self, propose: Propose, score: Score) -> Outcome:
        """Propose, score, and choose; record every attempt."""
        ...


def best_index(attempts: list[Attempt], start: int = 0) -> int:
    """Index of the highest-scoring attempt at or after ``start``; ties go to the earliest."""
    best = start
    for i in range(start + 1, len(attempts)):
        if attempts[i].reward.value > attempts[best].reward.value:
            best = i
    return best


def format_feedback(attempt: Attempt, threshold: float) -> str:
    """Feedback for a revision: the rejected memory, its score and the reward model's rationale."""
    reward = attempt.reward
    why = reward.rationale.strip() or "no rationale given"
    return (
        f"A reviewer scored your previous update {reward.value:.2f} (needs >= {threshold:.2f}).\n"
        f"Reviewer's rationale: {why}\n"
        f"Rejected update:\n{attempt.candidate.text}"
    )
