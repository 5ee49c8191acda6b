"""Both-orders judging: ask once with (A, B), once with (B, A), and combine.

LLM judges prefer whichever trajectory they read first or second (the benchmark's Table 9 shows
gaps of up to 28 points between chosen-first and rejected-first). Judging both orders and keeping
only verdicts that survive the swap removes that bias; disagreement becomes an explicit tie.
"""

from __future__ import annotations

from dataclasses import replace

from rewards._types import PairwiseVerdict, Winner

__all__ = ["combine_orders", "flip"]

_FLIP: dict[Winner, Winner] = {"A": "B", "B": "A", "tie": "tie", "unparsed": "unparsed"}


def flip(verdict: PairwiseVerdict) -> PairwiseVerdict:
    """Express a verdict given on (B, A) in the (A, B) frame."""
    return replace(
        verdict,
        winner=_FLIP[verdict.winner],
        score_a=verdict.score_b,
        score_b=verdict.score_a,
    )


def combine_orders(ab: PairwiseVerdict, ba: PairwiseVerdict) -> PairwiseVerdict:
    """Combine a verdict on (A, B) with a verdict on the swapped pair (B, A), both as returned.

    Agreeing orders give the verdict (confidence = the mean of both); disagreeing orders give a
    tie with low confidence; if one order is unparsed the other decides with halved confidence;
    both unparsed stays unparsed. The result is in the (A, B) frame.
    """
    ba_in_ab = flip(ba)
    w1, w2 = ab.winner, ba_in_ab.winner
    conf = (ab.confidence + ba_in_ab.confidence) / 2
    if w1 == w2:
        winner, confidence, how = w1, conf, "orders agree"
    elif w1 == "unparsed" or w2 == "unparsed":
        winner = w2 if w1 == "unparsed" else w1
        confidence = 0.5 + ((ab if w1 != "unparsed" else ba_in_ab).confidence - 0.5) / 2
        how = "one order unparsed"
    elif "tie" in (w1, w2):
        winner = w2 if w1 == "tie" else w1
        confidence = 0.5 + abs(conf - 0.5) / 2
        how = "one order tied"
    else:
        winner, confidence, how = "tie", 0.5, "orders disagree (position bias)"
    score_a = _mean(ab.score_a, ba_in_ab.score_a)
    score_b = _mean(ab.score_b, ba_in_ab.score_b)
    return PairwiseVerdict(
        winner=winner,
        confidence=confidence,
        rationale=f"{how}: (A,B) -> {w1}, (B,A) -> {ba.winner} (= {w2} in the A,B frame). "
        f"[A,B] {ab.rationale} [B,A] {ba.rationale}",
        scorer=ab.scorer,
        version=ab.version,
        score_a=score_a,
        score_b=score_b,
        raw=ab.raw + ba.raw,
        latency_s=ab.latency_s + ba.latency_s,
        tokens=ab.tokens + ba.tokens,
        cost=ab.cost + ba.cost,
        evidence={
            "orders": {"ab": w1, "ba": ba.winner},
            "agree": w1 == w2 and w1 != "unparsed",
            "ab": ab.evidence,
            "ba": ba.evidence,
        },
    )


def _mean(x: float | None, y: float | None) -> float | None:
    vals = [v for v in (x, y) if v is not None]
    return sum(vals) / len(vals) if vals else None
