"""Soft verdicts from token log-probabilities: P(A) vs P(B) at the verdict token."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Literal

from agentmem.llm import TokenLogprob

__all__ = ["soft_verdict"]

_VERDICT = re.compile(r"\[\[\s*([AB])\s*\]\]")
_THINK = re.compile(r"<(think|thinking|reasoning)>.*?(</\1>|$)", re.IGNORECASE | re.DOTALL)


def _letter(token: str) -> str | None:
    core = token.replace("[", "").replace("]", "").strip().upper()
    return core if core in ("A", "B") else None


def soft_verdict(
    logprobs: Sequence[TokenLogprob] | None, which: Literal["first", "last"]
) -> tuple[float, float] | None:
    """(P(A), P(B)) normalised over the two, read at the verdict token, or None.

    The reply is rebuilt from its tokens; the verdict is the first (compat: the verdict opens the
    reply) or the last (robust) ``[[A]]``/``[[B]]`` outside ``<think>`` blocks; the token holding
    its letter (``A``, ``[[A`` ...) is looked up and the alternatives' probabilities for the two
    letters are summed. None when there is no such token or no probability for either letter.
    """
    if not logprobs:
        return None
    starts: list[int] = []
    pos = 0
    for token, _, _ in logprobs:
        starts.append(pos)
        pos += len(token)
    text = "".join(t for t, _, _ in logprobs)
    hidden = [m.span() for m in _THINK.finditer(text)]
    matches = [m for m in _VERDICT.finditer(text) if not any(a <= m.start() < b for a, b in hidden)]
    if not matches:
        return None
    match = matches[0] if which == "first" else matches[-1]
    letter_at = match.start(1)
    index = next((i for i in range(len(starts) - 1, -1, -1) if starts[i] <= letter_at), None)
    if index is None:
        return None
    token, lp, alts = logprobs[index]
    options = dict(alts)
    options.setdefault(token, lp)
    p = {"A": 0.0, "B": 0.0}
    for alt, alt_lp in options.items():
        letter = _letter(alt)
        if letter is not None and alt_lp > -1e9:
            p[letter] += math.exp(alt_lp)
    total = p["A"] + p["B"]
    if total <= 0.0:
        return None
    return p["A"] / total, p["B"] / total
