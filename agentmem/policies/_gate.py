"""``gate``: accept an update when its score passes a threshold, else revise from the feedback.

This is the self-correct loop the MemRewardBench "Noise" data was built with: after each update a
judge rules on it; a rejected update is revised with the judge's rationale as feedback, up to a
maximum number of attempts. Every attempt is recorded with its round. When no attempt passes,
``on_failure`` decides: ``keep-best`` (default for pipelines) commits the best attempt and says so
(``accepted_below_threshold``); ``refuse`` keeps the previous memory (``refused``). Nothing is
dropped silently.

Each round is one proposal, or a best-of-N (``gate:best-of-4``) gated on its best candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agentmem.policies._base import Outcome, Propose, Score
from agentmem.policies._best_of import BestOfN
from agentmem.policies._run_one import decide_one
from agentmem.policies._spec import OnFailure, PolicySpec

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
    on_failure: OnFailure = "keep-best"
    """No round passed: commit the best attempt (``keep-best``) or keep the previous memory."""
    label: str = ""
    """Spec string (``gate``, ``gate:best-of-4``)."""

    def __post_init__(self) -> None:
        spec = self.policy_spec  # validates the numbers with the shared messages
        if not self.label:
            self.label = "gate" if self.inner.n == 1 else f"gate:{self.inner.label}"
            if spec.on_failure != "keep-best":
                self.label += f":{spec.on_failure}"

    @property
    def policy_spec(self) -> PolicySpec:
        """This policy in the shared vocabulary."""
        return PolicySpec(
            kind="gate",
            n=self.inner.n,
            threshold=self.threshold,
            max_attempts=self.max_attempts,
            on_failure=self.on_failure,
        )

    async def decide(self, propose: Propose, score: Score) -> Outcome:
        """Rounds of the inner policy until one passes or attempts run out."""
        return await decide_one(self.policy_spec, propose, score)
