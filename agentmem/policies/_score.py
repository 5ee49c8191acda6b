"""``score``: propose once, score it, commit it. Never blocks an update."""

from __future__ import annotations

from dataclasses import dataclass

from agentmem.policies._base import Outcome, Propose, Score
from agentmem.policies._run_one import decide_one
from agentmem.policies._spec import PolicySpec

__all__ = ["ScorePolicy"]


@dataclass(kw_only=True)
class ScorePolicy:
    """Score every update and keep it whatever the score (observability without gating)."""

    label: str = "score"
    """Spec string."""

    @property
    def policy_spec(self) -> PolicySpec:
        """This policy in the shared vocabulary."""
        return PolicySpec(kind="score")

    async def decide(self, propose: Propose, score: Score) -> Outcome:
        """One proposal, one score, decision ``accepted``."""
        return await decide_one(self.policy_spec, propose, score)
