"""``best-of-N``: N candidates proposed and scored concurrently; the reward model picks."""

from __future__ import annotations

from dataclasses import dataclass, field

from agentmem.exceptions import UserError
from agentmem.policies._base import Outcome, Propose, Score
from agentmem.policies._run_one import decide_one
from agentmem.policies._spec import PolicySpec

__all__ = ["BestOfN"]


@dataclass(kw_only=True)
class BestOfN:
    """Sample ``n`` candidates at once, score each as soon as it arrives, keep the best.

    Ties go to the lowest candidate index, so a run is reproducible whatever order the calls
    return in. Wall time is about one model call plus one RM call (both bounded by the pipeline's
    named limiters), not ``n`` of each. A candidate whose proposal or score fails is listed in the
    step's ``errors``; the others still compete.
    """

    n: int = 4
    """Candidates per step (>= 1)."""
    label: str = field(default="")
    """Spec string (``best-of-<n>``)."""

    def __post_init__(self) -> None:
        if not isinstance(self.n, int) or isinstance(self.n, bool) or self.n < 1:
            raise UserError(f"best-of-N needs N >= 1 candidates, got {self.n!r}; try 'best-of-4'")
        self.label = self.label or f"best-of-{self.n}"

    @property
    def policy_spec(self) -> PolicySpec:
        """This policy in the shared vocabulary."""
        return PolicySpec(kind="best-of-n", n=self.n)

    async def decide(self, propose: Propose, score: Score) -> Outcome:
        """Propose and score ``n`` candidates concurrently; decision ``selected``."""
        return await decide_one(self.policy_spec, propose, score)
