"""The write policy of a dialogue memory: the shared policy vocabulary with memory defaults.

Same spec strings as pipelines (see :mod:`agentmem.policies._spec`): ``score``, ``best-of-N``,
``gate[:THRESHOLD[:ATTEMPTS]][:best-of-N][:keep-best|refuse]``. For memory the default is
``gate:0.5:2:refuse``: a write the reward model never passes is *not* applied and is recorded
as ``rejected`` with its score and reason (a memory store can always decline a write; a
pipeline step cannot, so pipelines default to ``keep-best``).
"""

from __future__ import annotations

from agentmem.policies._spec import OnFailure, PolicySpec, parse_policy

__all__ = ["MEMORY_DEFAULT", "WritePolicy"]

MEMORY_DEFAULT = PolicySpec(kind="gate", threshold=0.5, max_attempts=2, on_failure="refuse")
"""``gate:0.5:2:refuse``."""


class WritePolicy(PolicySpec):
    """A :class:`~agentmem.policies.PolicySpec` parsed with the memory defaults."""

    @classmethod
    def parse(
        cls,
        spec: str | PolicySpec | None,
        *,
        threshold: float | None = None,
        max_attempts: int | None = None,
        on_failure: OnFailure | None = None,
    ) -> PolicySpec:
        """Build a policy from a spec string (``None`` = ``gate:0.5:2:refuse``)."""
        if spec is None:
            spec = "gate"
        return parse_policy(
            spec,
            default=MEMORY_DEFAULT,
            threshold=threshold,
            max_attempts=max_attempts,
            on_failure=on_failure,
        )
