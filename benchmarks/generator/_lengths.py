"""What a context length means in the generated suite, and how a question is fitted to it.

A record of length ``L`` (``8k`` = 8 × 1024 tokens, … ``128k`` = 128 × 1024) has a ``question``
(instruction + the whole long context + the query) whose cl100k_base token count lies in
``[0.85 × L, 1.0 × L]``. The generator aims at a random point in ``[0.88, 0.97] × L`` and then
adjusts the filler until the exact count is inside the band; the token counts are stored in
``meta.tokens``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from agentmem.exceptions import UserError
from agentmem.tokens import count_tokens

__all__ = [
    "HIGH",
    "LENGTHS",
    "LOW",
    "check_lengths",
    "fit_to_length",
    "length_tokens",
    "target_tokens",
]

LENGTHS: tuple[str, ...] = ("8k", "16k", "32k", "64k", "128k")
LOW = 0.85
"""Lower bound of the band, as a fraction of the nominal length."""
HIGH = 1.0
"""Upper bound of the band."""


def length_tokens(length: str) -> int:
    """Nominal size in tokens: ``"8k"`` -> 8192."""
    if length not in LENGTHS:
        raise UserError(f"unknown length {length!r}; use one of {', '.join(LENGTHS)}")
    return int(length[:-1]) * 1024


def check_lengths(lengths: Sequence[str] | str) -> tuple[str, ...]:
    """Validate a list of lengths (or a comma-separated string), keeping the given order."""
    items = [s.strip() for s in lengths.split(",")] if isinstance(lengths, str) else list(lengths)
    if not items:
        raise UserError("lengths is empty; pass at least one of " + ", ".join(LENGTHS))
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise UserError(f"length {item!r} must be a string like '8k'")
        norm = item.strip().lower()
        length_tokens(norm)
        if norm in out:
            raise UserError(f"length {norm!r} is listed twice")
        out.append(norm)
    return tuple(out)


def target_tokens(rng: random.Random, length: str) -> int:
    """A random target inside the band (with room for the fitting error)."""
    n = length_tokens(length)
    return rng.randint(int(0.88 * n), int(0.97 * n))


def fit_to_length(
    build: Callable[[int], str], n_filler: int, length: str, *, step: int = 1
) -> tuple[str, int, int]:
    """Find a filler amount whose built text falls inside the band.

    ``build(k)`` returns the text with ``k`` filler units (sentences, turns, lines…), monotone in
    ``k``; ``n_filler`` is the first guess. Returns ``(text, k, tokens)``.
    """
    n = length_tokens(length)
    lo_t, hi_t = math.ceil(LOW * n), int(HIGH * n)
    k = max(0, n_filler)
    for _ in range(40):
        text = build(k)
        t = count_tokens(text)
        if lo_t <= t <= hi_t:
            return text, k, t
        mid = (lo_t + hi_t) / 2
        # Proportional correction on the filler units, at least one step each time.
        per_unit = max(t / max(k, 1), 1.0)
        delta = round((mid - t) / per_unit)
        if delta == 0:
            delta = step if t < lo_t else -step
        k = max(0, k + delta)
    raise UserError(
        f"could not fit a {length} context (last size {t} tokens); report this as a bug"
    )
