"""The one policy vocabulary, shared by pipelines (``agentmem run``) and dialogue memory
(``agentmem chat``, :class:`agentmem.memory.FactsMemory`, :class:`agentmem.memory.NotesMemory`).

Spec strings, parts separated by ``:``::

    score                               score every update, commit it
    best-of-N                           N candidates at once, commit the best-scored one
    gate[:THRESHOLD[:ATTEMPTS]]         commit when the score >= THRESHOLD, else revise from the
                                        reward model's rationale, ATTEMPTS rounds in all
    gate[:THRESHOLD[:ATTEMPTS]]:best-of-N   each gate round is a best-of-N
    ...:keep-best | ...:refuse          what a gate does when no round passes: commit the best
                                        attempt anyway (flagged) or refuse the update

``best-of-n`` written literally means the caller's default N (4). Numbers may also come from
keyword arguments (``--threshold``, ``--max-attempts``); giving one both ways with different
values is an error rather than a silent choice.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

from agentmem.exceptions import UnknownNameError, UserError

__all__ = ["KNOWN_POLICIES", "POLICY_HELP", "OnFailure", "PolicyKind", "PolicySpec", "parse_policy"]

PolicyKind = Literal["score", "best-of-n", "gate"]
"""The three policies."""

OnFailure = Literal["keep-best", "refuse"]
"""What a gate does when no attempt passes."""

KNOWN_POLICIES = (
    "score",
    "best-of-N",
    "gate",
    "gate:THRESHOLD:ATTEMPTS",
    "gate:best-of-N",
    "gate:THRESHOLD:ATTEMPTS:best-of-N:refuse",
)
"""Spec forms, for help texts and suggestions."""

POLICY_HELP = (
    "score | best-of-N | gate[:THRESHOLD[:ATTEMPTS]][:best-of-N][:keep-best|refuse] "
    "(e.g. gate:0.6:3, gate:best-of-4, gate:0.6:3:refuse)"
)
"""The spec syntax in one line, for ``--policy`` help texts (run and chat share it)."""

T = TypeVar("T")
N = TypeVar("N", int, float)

_BEST_OF = re.compile(r"best[-_ ]?of[-_ ]?(\d+|n)", re.IGNORECASE)
_SUGGEST = ["score", "best-of-4", "gate", "gate:0.6:3", "gate:best-of-4", "gate:0.6:3:refuse"]


@dataclass(frozen=True, kw_only=True)
class PolicySpec:
    """A parsed policy: which one, and its numbers."""

    kind: PolicyKind = "gate"
    """score, best-of-n or gate."""
    n: int = 1
    """Candidates per round (best-of-N; a gate round samples N too)."""
    threshold: float = 0.5
    """Minimum reward to commit (gate)."""
    max_attempts: int = 3
    """Gate rounds in all, the first included."""
    on_failure: OnFailure = "keep-best"
    """Gate with no passing round: commit the best attempt (flagged) or refuse the update."""

    def __post_init__(self) -> None:
        t = self.threshold
        if (  # runtime checks: callers pass values from the command line or untyped code
            not isinstance(t, int | float)  # pyright: ignore[reportUnnecessaryIsInstance]
            or isinstance(t, bool)
            or math.isnan(t)
            or not 0.0 <= t <= 1.0
        ):
            raise UserError(
                f"gate threshold must be a number in [0, 1], got {t!r}; e.g. gate:0.6 or --threshold 0.6"
            )
        n, attempts = self.n, self.max_attempts
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise UserError(f"best-of-N needs N >= 1 candidates, got {n!r}; try 'best-of-4'")
        if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 1:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise UserError(
                f"gate max_attempts must be an integer >= 1, got {attempts!r}; e.g. gate:0.5:3 or --max-attempts 3"
            )
        if self.on_failure not in ("keep-best", "refuse"):
            raise UserError(
                f"on-failure must be keep-best or refuse, got {self.on_failure!r}; e.g. gate:0.6:3:refuse"
            )

    @property
    def label(self) -> str:
        """The spec string that rebuilds this policy exactly."""
        if self.kind == "score":
            return "score"
        if self.kind == "best-of-n":
            return f"best-of-{self.n}"
        parts = ["gate", f"{self.threshold:g}", str(self.max_attempts)]
        if self.n > 1:
            parts.append(f"best-of-{self.n}")
        parts.append(self.on_failure)
        return ":".join(parts)

    @property
    def rounds(self) -> int:
        """Rounds the policy may take (1 unless gate)."""
        return self.max_attempts if self.kind == "gate" else 1

    @property
    def gate_threshold(self) -> float | None:
        """The threshold when gating, else None (score and best-of-N never block)."""
        return self.threshold if self.kind == "gate" else None


def parse_policy(
    spec: str | PolicySpec | None,
    *,
    default: PolicySpec,
    n: int | None = None,
    threshold: float | None = None,
    max_attempts: int | None = None,
    on_failure: OnFailure | None = None,
) -> PolicySpec:
    """Parse a spec string; numbers missing from it come from the keywords, then ``default``.

    Raises:
        UnknownNameError: no policy has that name (the closest form is suggested).
        UserError: a number is malformed or out of range, or given twice with different values.
    """
    if isinstance(spec, PolicySpec):
        return spec
    if spec is None:
        spec = default.label if default.kind != "gate" else "gate"
    if not isinstance(spec, str) or not spec.strip():  # pyright: ignore[reportUnnecessaryIsInstance]
        raise UserError(
            f"policy spec must be a non-empty string, got {spec!r}; try 'score', 'best-of-4' or 'gate'"
        )
    text = spec.strip().lower()
    parts = [p.strip() for p in text.split(":")]
    head, rest = parts[0], parts[1:]
    kw_n = n  # only for "best-of-n" written literally
    if head == "score" and not rest:
        return PolicySpec(kind="score")
    if head != "gate":
        if rest:
            raise UnknownNameError("policy", spec, _SUGGEST)
        count = _best_of(head, spec, kw_n or 4)
        return PolicySpec(kind="best-of-n", n=count)
    # gate[:threshold[:attempts]][:best-of-N|score][:keep-best|refuse]
    found_t: float | None = None
    found_a: int | None = None
    found_n: int | None = None
    found_f: OnFailure | None = None
    numbers = 0
    for part in rest:
        if part in ("keep-best", "refuse"):
            found_f = part  # type: ignore[assignment]
        elif part == "score":
            found_n = 1
        elif _BEST_OF.fullmatch(part):
            found_n = _best_of(part, spec, kw_n or 4)
        elif part == "" and numbers < 2:
            numbers += 1  # "gate::3": threshold left to its default
        elif numbers == 0:
            found_t = _number(part, float, spec, "THRESHOLD")
            numbers = 1
        elif numbers == 1:
            found_a = _number(part, int, spec, "ATTEMPTS")
            numbers = 2
        else:
            raise UnknownNameError("policy", spec, _SUGGEST)
    return replace(
        default,
        kind="gate",
        n=found_n or 1,
        threshold=_merge("threshold", found_t, threshold, default.threshold),
        max_attempts=_merge("attempts", found_a, max_attempts, default.max_attempts),
        on_failure=_merge("on-failure", found_f, on_failure, default.on_failure),
    )


def _merge(name: str, in_spec: T | None, keyword: T | None, default: T) -> T:
    if in_spec is not None and keyword is not None and in_spec != keyword:
        raise UserError(
            f"the policy spec says {name} {in_spec!r} but the option says {keyword!r}; give it once"
        )
    for value in (in_spec, keyword):
        if value is not None:
            return value
    return default


def _number(part: str, kind: Callable[[str], N], spec: str, what: str) -> N:
    try:
        return kind(part)
    except ValueError:
        raise UserError(
            f"bad {what} {part!r} in policy {spec!r}; use gate:THRESHOLD:ATTEMPTS, e.g. gate:0.6:3"
        ) from None


def _best_of(text: str, spec: str, default_n: int) -> int:
    m = _BEST_OF.fullmatch(text)
    if m is None:
        raise UnknownNameError("policy", spec, _SUGGEST)
    return default_n if m.group(1).lower() == "n" else int(m.group(1))
