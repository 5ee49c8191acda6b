"""Position bias and order consistency over many pairwise verdicts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rewards._types import PairwiseVerdict

__all__ = ["PositionStats", "position_stats"]


@dataclass(frozen=True, kw_only=True)
class PositionStats:
    """How much a judge's verdicts depend on which trajectory it reads first."""

    decided: int
    """Judge calls with an A/B verdict (each order counts once in both-orders mode)."""
    p_first: float | None
    """Share of those calls that picked the trajectory shown first."""
    position_bias: float | None
    """``p_first - 0.5``: 0 is unbiased, +0.5 always picks the first, -0.5 always the second."""
    pairs_both_orders: int
    """Pairs judged in both orders with a verdict in each."""
    consistency: float | None
    """Share of those pairs whose two verdicts agree once the swap is undone."""


def position_stats(verdicts: Iterable[PairwiseVerdict]) -> PositionStats:
    """Position bias (P(first) - 0.5) and consistency across ``verdicts``.

    Both-orders verdicts (``evidence["orders"]``, as written by :func:`rewards.combine_orders`)
    contribute both calls and a consistency observation; single-order verdicts contribute one
    call in which A was shown first (with the benchmark's random A/B assignment, P(first) is
    then the judge's preference for the first slot).
    """
    first = decided = both = agree = 0
    for v in verdicts:
        orders = v.evidence.get("orders") if isinstance(v.evidence, dict) else None
        if isinstance(orders, dict) and "ab" in orders and "ba" in orders:
            ab, ba = orders["ab"], orders["ba"]
            for w in (ab, ba):  # in each call, "A" is the trajectory shown first
                if w in ("A", "B"):
                    decided += 1
                    first += w == "A"
            if ab in ("A", "B") and ba in ("A", "B"):
                both += 1
                agree += ab != ba  # (B,A) frame: agreeing orders name opposite letters
        elif v.winner in ("A", "B"):
            decided += 1
            first += v.winner == "A"
    p_first = first / decided if decided else None
    return PositionStats(
        decided=decided,
        p_first=p_first,
        position_bias=(p_first - 0.5) if p_first is not None else None,
        pairs_both_orders=both,
        consistency=agree / both if both else None,
    )
