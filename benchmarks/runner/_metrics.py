"""Accuracy buckets with Wilson 95% intervals, and the exact paired test used by ``compare``."""

from __future__ import annotations

import math
from collections.abc import Iterable

from benchmarks.runner._results import Bucket

__all__ = ["bucket", "mcnemar_exact", "wilson"]

_Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = _Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (n >= 1), clipped to [0, 1]."""
    if n <= 0:
        raise ValueError(f"wilson interval needs n >= 1, got {n!r}")
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, round(centre - half, 6)), min(1.0, round(centre + half, 6)))


def bucket(outcomes: Iterable[bool]) -> Bucket:
    """Accuracy and Wilson interval of a sequence of right/wrong outcomes."""
    values = list(outcomes)
    n = len(values)
    if n == 0:
        return Bucket(n=0, accuracy=None, ci95=None)
    k = sum(values)
    return Bucket(n=n, accuracy=round(k / n, 6), ci95=wilson(k, n))


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar (sign) test on discordant pairs.

    ``b``: pairs run A got right and run B wrong; ``c``: the reverse. Under the null both are
    equally likely, so min(b, c) is Binomial(b + c, 1/2); the p-value doubles its lower tail
    (capped at 1). No discordant pairs gives p = 1.
    """
    n = b + c
    if n == 0:
        return 1.0
    k = min(b, c)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)
