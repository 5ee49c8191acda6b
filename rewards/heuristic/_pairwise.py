"""Pairwise scoring: normalise each feature over the pair, weigh, and compare.

For a penalty feature with values a and b, each side's penalty is ``v / (max(a, b) + smooth)``;
a quality feature is turned into its deficit ``1 - v`` first. A side's score is
``1 - sum(weight * penalty) / sum(weight)`` over the features either side has, so it lies in
[0, 1] and the side with fewer, smaller problems wins. The margin is the score difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rewards.heuristic._features import FEATURES

__all__ = ["PairScore", "score_pair"]


@dataclass(kw_only=True)
class PairScore:
    """Both sides' scores and the per-feature breakdown."""

    score_a: float
    """Score of A in [0, 1]."""
    score_b: float
    """Score of B in [0, 1]."""
    rows: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per feature: raw values ``a``/``b``, penalties ``pa``/``pb``, ``weight`` and the signed
    ``contribution`` to ``score_a - score_b``."""


def score_pair(
    fa: dict[str, float], fb: dict[str, float], weights: dict[str, float] | None = None
) -> PairScore:
    """Score two feature dicts against each other (symmetric: swapping them swaps the scores)."""
    names = [n for n in FEATURES if n in fa or n in fb]
    rows: dict[str, dict[str, float]] = {}
    total_w = 0.0
    pen_a = pen_b = 0.0
    for n in names:
        spec = FEATURES[n]
        w = spec.weight if weights is None else weights.get(n, spec.weight)
        if w <= 0:
            continue
        a, b = fa.get(n, 0.0), fb.get(n, 0.0)
        if spec.direction == "quality":
            if n not in fa:
                a = 1.0
            if n not in fb:
                b = 1.0
            da, db = max(0.0, 1.0 - a), max(0.0, 1.0 - b)
        else:
            da, db = max(0.0, a), max(0.0, b)
        top = max(da, db) + spec.smooth
        pa, pb = da / top, db / top
        total_w += w
        pen_a += w * pa
        pen_b += w * pb
        rows[n] = {"a": a, "b": b, "pa": pa, "pb": pb, "weight": w}
    if total_w == 0:
        return PairScore(score_a=1.0, score_b=1.0, rows=rows)
    for r in rows.values():
        r["contribution"] = r["weight"] * (r["pb"] - r["pa"]) / total_w
    return PairScore(score_a=1.0 - pen_a / total_w, score_b=1.0 - pen_b / total_w, rows=rows)
