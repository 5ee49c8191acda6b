"""How proposed memory operations are chosen: score, best-of-N, gate-and-revise.

``score``       score every operation, apply all of them (scores are recorded, nothing blocks);
``best-of-N``   N proposals sampled concurrently, per fact the best-scored operation is applied;
``gate``        apply an operation only if its score ≥ threshold, else ask the proposer to revise
                with the reward model's rationale, up to ``max_attempts``; an operation that never
                passes is *not* applied and is recorded as ``rejected`` with its score and reason.

Spec strings: ``score``, ``gate``, ``gate:0.6``, ``gate:0.6:3`` (threshold, attempts), ``best-of-4``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from agentmem.exceptions import UnknownNameError, UserError

__all__ = ["WritePolicy", "WritePolicyName"]

WritePolicyName = Literal["score", "best-of-n", "gate"]


@dataclass(frozen=True, kw_only=True)
class WritePolicy:
    """The policy applied to proposed memory writes."""

    name: WritePolicyName = "gate"
    """Which policy."""
    n: int = 1
    """Proposals per call (best-of-N)."""
    threshold: float = 0.5
    """Minimum reward to apply an operation (gate)."""
    max_attempts: int = 2
    """Proposals per operation, the first included (gate)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise UserError(f"gate threshold must be in [0, 1], got {self.threshold!r}")
        if self.n < 1 or self.max_attempts < 1:
            raise UserError(
                f"best-of-N needs N >= 1 and gate max_attempts >= 1, got n={self.n!r}, max_attempts={self.max_attempts!r}"
            )

    @property
    def label(self) -> str:
        """The spec string that rebuilds this policy."""
        if self.name == "best-of-n":
            return f"best-of-{self.n}"
        if self.name == "gate":
            return f"gate:{self.threshold:g}:{self.max_attempts}"
        return "score"

    @classmethod
    def parse(cls, spec: str | WritePolicy | None) -> WritePolicy:
        """Build a policy from a spec string (``None`` = ``gate``)."""
        if isinstance(spec, WritePolicy):
            return spec
        s = (spec or "gate").strip().lower()
        if s == "score":
            return cls(name="score")
        m = re.fullmatch(r"best-of-(\d+)", s)
        if m:
            return cls(name="best-of-n", n=int(m.group(1)))
        if s == "best-of-n":
            return cls(name="best-of-n", n=4)
        if s == "gate" or s.startswith("gate:"):
            parts = s.split(":")[1:]
            try:
                threshold = float(parts[0]) if parts and parts[0] else 0.5
                attempts = int(parts[1]) if len(parts) > 1 else 2
            except ValueError:
                raise UserError(
                    f"bad gate policy {spec!r}; use gate, gate:THRESHOLD or gate:THRESHOLD:ATTEMPTS, e.g. gate:0.6:3"
                ) from None
            return cls(name="gate", threshold=threshold, max_attempts=attempts)
        raise UnknownNameError("memory write policy", s, ["score", "gate", "gate:0.6", "best-of-4"])
