"""``best-of-N``: N candidates proposed and scored concurrently; the reward model picks."""

from __future__ import annotations

from dataclasses import dataclass, field

from agentmem._types import Attempt, Candidate
from agentmem.exceptions import UserError
from agentmem.policies._base import Outcome, Propose, Score, best_index
from agentmem.policies._tasks import gather_all

__all__ = ["BestOfN"]


@dataclass(kw_only=True)
class BestOfN:
    """Sample ``n`` candidates at once, score each as soon as it arrives, keep the best.

    Ties go to the lowest candidate index, so a run is reproducible whatever order the calls
    return in. Wall time is about one model call plus one RM call (both bounded by the pipeline's
    named limiters), not ``n`` of each.
    """

    n: int = 4
    """Candidates per step (>= 1)."""
    label: str = field(default="")
    """Spec string (``best-of-<n>``)."""

    def __post_init__(self) -> None:
        if not isinstance(self.n, int) or isinstance(self.n, bool) or self.n < 1:
            raise UserError(f"best-of-N needs N >= 1 candidates, got {self.n!r}; try 'best-of-4'")
        self.label = self.label or f"best-of-{self.n}"

    async def decide(self, propose: Propose, score: Score) -> Outcome:
        """Propose and score ``n`` candidates concurrently; decision ``selected``."""
        return await self.sample(propose, score, feedback=None, round=0)

    async def sample(
        self, propose: Propose, score: Score, *, feedback: str | None, round: int
    ) -> Outcome:
        """One round of ``n`` concurrent proposals (used by the gate for its revisions too)."""

        async def one() -> Attempt:
            candidate: Candidate = await propose(feedback)
            return Attempt(candidate=candidate, reward=await score(candidate), round=round)

        attempts = await gather_all([one() for _ in range(self.n)])
        chosen = best_index(attempts)
        return Outcome(
            attempts=attempts, chosen=chosen, decision="selected" if self.n > 1 else "accepted"
        )
