"""Calibrated confidence of a heuristic verdict: the accuracy measured at its score margin.

A verdict's confidence is the share of correct verdicts among judgments with a similar margin
(``|score_a - score_b|``), read off a monotone table. The table below was fitted with
``python -m rewards.heuristic.fit_confidence`` on generated data the heuristic was never changed
for: a fresh-seed suite (``agentmem bench generate --seed 101``), both orders. On other data a
margin may be worth less (see the README: the heuristic is weaker on data unlike the generator's),
which is why the cascade escalates the low-margin verdicts rather than trusting any of them blindly.

Reliability on held-out data is reported by ``fit_confidence --check DIR``.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

__all__ = ["CONFIDENCE_TABLE", "calibrated_confidence", "fit_table"]

CONFIDENCE_TABLE: tuple[tuple[float, float], ...] = (
    # (margin upper bound, accuracy of verdicts with a margin up to that bound); fitted on 400
    # judgments of `agentmem bench generate --seed 101` (200 pairs, both orders), scorer v3
    (0.044444, 0.6346),
    (0.094016, 0.8654),
    (float("inf"), 0.9808),
)
"""Monotone: a larger margin never means a lower confidence.

Kept under scorer v6 on purpose: refitted on the same seed under v6 the table would read
((0.0215, 0.596), (0.1226, 0.971), (inf, 0.981)) -- 0.97 for margins of 0.02-0.12 -- while the
misses of v6's hand-written sets at their first judgment sat at margins of 0.03-0.13. Generated
data flatters a margin; the more cautious v3 table escalates more of what the heuristic gets
wrong on data unlike the generator's."""


def calibrated_confidence(
    margin: float, table: Sequence[tuple[float, float]] | None = None
) -> float:
    """Confidence in [0.5, 1] of a verdict with score margin ``margin`` (0.5 for a tie)."""
    if margin == 0:
        return 0.5  # equal scores: the verdict is a coin flip, whatever the table says
    rows = CONFIDENCE_TABLE if table is None else table
    bounds = [b for b, _ in rows]
    i = min(bisect.bisect_left(bounds, abs(margin)), len(rows) - 1)
    return max(0.5, min(1.0, rows[i][1]))


def fit_table(
    points: Sequence[tuple[float, bool]], bins: int = 8
) -> tuple[tuple[float, float], ...]:
    """A monotone (margin bound, accuracy) table from (|margin|, correct) points.

    Points are cut into ``bins`` groups of equal size by margin; each group's accuracy (with
    Laplace's rule of succession, so no finite sample claims certainty) is then made
    non-decreasing by pooling adjacent violators (isotonic regression), clipped to [0.5, 1] (a
    margin of 0 is a tie: a coin flip), and runs of equal accuracy are merged.
    """
    pts = sorted((abs(m), bool(c)) for m, c in points)
    if not pts:
        return ((float("inf"), 0.5),)
    size = max(1, len(pts) // bins)
    groups = [pts[i : i + size] for i in range(0, len(pts), size)]
    if len(groups) > 1 and len(groups[-1]) < size // 2:
        groups[-2].extend(groups.pop())
    blocks: list[list[float]] = []  # [weight, correct, upper bound]
    for g in groups:
        blocks.append([float(len(g)), float(sum(c for _, c in g)), g[-1][0]])
        while len(blocks) > 1 and _rate(blocks[-2]) > _rate(blocks[-1]):
            w, c, b = blocks.pop()
            blocks[-1][0] += w
            blocks[-1][1] += c
            blocks[-1][2] = b
    table: list[tuple[float, float]] = []
    for block in blocks:
        acc = round(max(0.5, min(1.0, _rate(block))), 4)
        if table and table[-1][1] == acc:
            table.pop()
        table.append((round(block[2], 6), acc))
    table[-1] = (float("inf"), table[-1][1])
    return tuple(table)


def _rate(block: list[float]) -> float:
    """Laplace's estimate of the accuracy of a block [weight, correct, bound]."""
    return (block[1] + 1) / (block[0] + 2)
