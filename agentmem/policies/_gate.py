"""``gate``: accept an update when its score passes a threshold, else revise from the feedback.

This is the self-correct loop the MemRewardBench "Noise" data was built with: after each update a
judge rules on it; a rejected update is revised with the judge's rationale as feedback, up to a
maximum number of attempts. Every attempt is recorded with its round. When no attempt passes, the
best one is kept and the step says so (``accepted_below_threshold``): nothing is dropped silently.

The gate wraps an inner policy (``score`` by default, or ``best-of-N``: then each round samples N
candidates and gates on the best of them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from agentmem._types import Attempt
from agentmem.exceptions import UserError
from agentmem.policies._base import Outcome, Propose, Score, best_index, format_feedback
from agentmem.policies._best_of import BestOfN

__all__ = ["Gate"]


@dataclass(kw_only=True)
class Gate:
    """Accept if score >= threshold; otherwise revise with the RM's rationale as feedback."""

    threshold: float = 0.5
    """Minimum reward value to accept, in [0, 1]."""
    max_attempts: int = 3
    """Rounds in total, the first proposal included (>= 1)."""
    inner: BestOfN = field(default_factory=lambda: BestOfN(n=1))
    """What one round does: one proposal (default) or best-of-N."""
    label: str = ""
    """Spec string (``gate``, ``gate:best-of-4``)."""

    def __post_init__(self) -> None:
        t = self.threshold
        if (
            not isinstance(t, int | float)
            or isinstance(t, bool)
            or math.isnan(t)
            or not 0.0 <= t <= 1.0
        ):
            raise UserError(
                f"gate threshold must be a number in [0, 1], got {t!r}; try --threshold 0.5"
            )
        if (
            not isinstance(self.max_attempts, int)
            or isinstance(self.max_attempts, bool)
            or self.max_attempts < 1
        ):
            raise UserError(
                f"gate max_attempts must be an integer >= 1, got {self.max_attempts!r}; try --max-attempts 3"
            )
        if not self.label:
            self.label = "gate" if self.inner.n == 1 else f"gate:{self.inner.label}"

    async def decide(self, propose: Propose, score: Score) -> Outcome:
        """Rounds of the inner policy until one passes or attempts run out."""
        attempts: list[Attempt] = []
        feedback: str | None = None
        for round_ in range(self.max_attempts):
            outcome = await self.inner.sample(propose, score, feedback=feedback, round=round_)
            offset = len(attempts)
            attempts.extend(outcome.attempts)
            best = outcome.best
            if best.reward.value >= self.threshold:
                decision = "accepted" if round_ == 0 else "accepted_after_revision"
                return Outcome(attempts=attempts, chosen=offset + outcome.chosen, decision=decision)
            feedback = format_feedback(best, self.threshold)
        return Outcome(
            attempts=attempts, chosen=best_index(attempts), decision="accepted_below_threshold"
        )
