"""Update policies built from spec strings.

score                  score every update, keep it
best-of-4              4 candidates concurrently, the RM picks (any N >= 1; best-of-n = best-of-4)
gate                   accept if score >= threshold, else revise from feedback
gate:best-of-4         a gate whose every round is a best-of-4
"""

from __future__ import annotations

import re

from agentmem.exceptions import UnknownNameError, UserError
from agentmem.policies._base import UpdatePolicy
from agentmem.policies._best_of import BestOfN
from agentmem.policies._gate import Gate
from agentmem.policies._score import ScorePolicy

__all__ = ["KNOWN_POLICIES", "make_policy"]

KNOWN_POLICIES = ("score", "best-of-N", "gate", "gate:best-of-N")
"""Spec forms, for help texts and suggestions (N is a number)."""

_BEST_OF = re.compile(r"best[-_ ]?of[-_ ]?(\d+|n)", re.IGNORECASE)


def make_policy(
    spec: str = "score", *, n: int = 4, threshold: float = 0.5, max_attempts: int = 3
) -> UpdatePolicy:
    """Build a policy from its spec string.

    Args:
        spec: ``score``, ``best-of-<N>``, ``gate`` or ``gate:best-of-<N>``.
        n: N for ``best-of-n`` written literally.
        threshold: gate threshold in [0, 1].
        max_attempts: gate rounds, the first proposal included.

    Raises:
        UnknownNameError: the spec names no policy (the closest form is suggested).
        UserError: a number in the spec is out of range.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise UserError(
            f"policy spec must be a non-empty string, got {spec!r}; try 'score', 'best-of-4' or 'gate'"
        )
    text = spec.strip().lower()
    head, _, inner = text.partition(":")
    if head == "score" and not inner:
        return ScorePolicy()
    if head == "gate":
        inner_policy = _best_of(inner, n, spec) if inner and inner != "score" else BestOfN(n=1)
        return Gate(threshold=threshold, max_attempts=max_attempts, inner=inner_policy)
    if not inner:
        return _best_of(head, n, spec)
    raise UnknownNameError("policy", spec, KNOWN_POLICIES)


def _best_of(text: str, n: int, spec: str) -> BestOfN:
    m = _BEST_OF.fullmatch(text)
    if m is None:
        raise UnknownNameError("policy", spec, KNOWN_POLICIES)
    count = n if m.group(1).lower() == "n" else int(m.group(1))
    return BestOfN(n=count)
