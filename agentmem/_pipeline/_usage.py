"""What a run cost: tokens and USD of every model call and every reward-model call."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from agentmem._types import Trajectory

__all__ = ["RunUsage", "run_usage"]


@dataclass(frozen=True, kw_only=True)
class RunUsage:
    """Totals over a trajectory: every attempt (committed or not), the fusion and the answer."""

    model_calls: int
    """Candidates proposed (updates, fusions, revisions) plus the answer call."""
    prompt_tokens: int
    """Tokens sent to the updater/fuser/answerer model."""
    completion_tokens: int
    """Tokens it returned."""
    model_cost: float
    """USD of those calls, when the provider's price is known."""
    rm_calls: int
    """Candidates scored by the reward model."""
    rm_tokens: int
    """Tokens the reward model spent (0 for offline reward models)."""
    rm_cost: float
    """USD of the reward-model calls."""

    @property
    def cost(self) -> float:
        """Total USD."""
        return self.model_cost + self.rm_cost

    def to_dict(self) -> dict[str, float | int]:
        """JSON-ready, with the total cost."""
        return {**asdict(self), "cost": self.cost}


def run_usage(trajectory: Trajectory) -> RunUsage:
    """Add up the usage recorded on a trajectory's attempts, rewards and answer."""
    attempts = [a for s in trajectory.steps for a in s.attempts]
    answer = trajectory.answer.usage if trajectory.answer is not None else None
    return RunUsage(
        model_calls=len(attempts) + (1 if answer is not None else 0),
        prompt_tokens=sum(a.candidate.usage.prompt_tokens for a in attempts)
        + (answer.prompt_tokens if answer else 0),
        completion_tokens=sum(a.candidate.usage.completion_tokens for a in attempts)
        + (answer.completion_tokens if answer else 0),
        model_cost=sum(a.candidate.usage.cost for a in attempts) + (answer.cost if answer else 0.0),
        rm_calls=len(attempts),
        rm_tokens=sum(a.reward.tokens for a in attempts),
        rm_cost=sum(a.reward.cost for a in attempts),
    )
