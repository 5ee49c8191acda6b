"""Pipeline update policies built from spec strings (the shared vocabulary, see ``_spec``).

score                  score every update, keep it
best-of-4              4 candidates concurrently, the RM picks (any N >= 1; best-of-n = best-of-4)
gate                   accept if score >= threshold, else revise from feedback
gate:0.7:5             threshold 0.7, five rounds
gate:best-of-4         a gate whose every round is a best-of-4
gate:0.7:5:refuse      no round passed: keep the previous memory instead of the best attempt
"""

from __future__ import annotations

from agentmem.policies._base import UpdatePolicy
from agentmem.policies._best_of import BestOfN
from agentmem.policies._gate import Gate
from agentmem.policies._score import ScorePolicy
from agentmem.policies._spec import KNOWN_POLICIES, OnFailure, PolicySpec, parse_policy

__all__ = ["KNOWN_POLICIES", "make_policy"]

PIPELINE_DEFAULT = PolicySpec(kind="gate", threshold=0.5, max_attempts=3, on_failure="keep-best")
"""Gate defaults for pipelines: a step must commit something, so a gate keeps its best attempt."""


def make_policy(
    spec: str | PolicySpec = "score",
    *,
    n: int = 4,
    threshold: float | None = None,
    max_attempts: int | None = None,
    on_failure: OnFailure | None = None,
) -> UpdatePolicy:
    """Build a pipeline policy from its spec string (the vocabulary of :mod:`agentmem.policies._spec`).

    Args:
        spec: ``score``, ``best-of-<N>``, ``gate[:THRESHOLD[:ATTEMPTS]][:best-of-<N>][:keep-best|refuse]``.
        n: N for ``best-of-n`` written literally.
        threshold: gate threshold in [0, 1] (default 0.5) when the spec does not give one.
        max_attempts: gate rounds, the first proposal included (default 3).
        on_failure: gate with no passing round: ``keep-best`` (default) or ``refuse``.

    Raises:
        UnknownNameError: the spec names no policy (the closest form is suggested).
        UserError: a number is out of range, or given both in the spec and as a keyword.
    """
    p = parse_policy(
        spec,
        default=PIPELINE_DEFAULT,
        n=n,
        threshold=threshold,
        max_attempts=max_attempts,
        on_failure=on_failure,
    )
    return policy_for(p)


def policy_for(p: PolicySpec) -> UpdatePolicy:
    """The pipeline policy object of a parsed spec."""
    if p.kind == "score":
        return ScorePolicy()
    if p.kind == "best-of-n":
        return BestOfN(n=p.n)
    return Gate(
        threshold=p.threshold,
        max_attempts=p.max_attempts,
        inner=BestOfN(n=p.n),
        on_failure=p.on_failure,
    )
