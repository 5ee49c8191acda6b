"""``score``: propose once, score it, commit it. Never blocks an update."""

from __future__ import annotations

from dataclasses import dataclass

from agentmem._types import Attempt
from agentmem.policies._base import Outcome, Propose, Score

__all__ = ["ScorePolicy"]


@dataclass(kw_only=True)
class ScorePolicy:
    """Score every update and keep it whatever the score (observability without gating)."""

    label: str = "score"
    """Spec string."""

    async def decide(self, propose: Propose, score: Score) -> Outcome:
        """One proposal, one score, decision ``accepted``."""
        candidate = await propose(None)
        reward = await score(candidate)
        return Outcome(
            attempts=[Attempt(candidate=candidate, reward=reward)], chosen=0, decision="accepted"
        )
