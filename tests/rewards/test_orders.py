from __future__ import annotations

import pytest

from rewards import PairwiseVerdict, combine_orders, flip


def v(
    winner: str, conf: float = 0.9, a: float | None = None, b: float | None = None
) -> PairwiseVerdict:
    return PairwiseVerdict(
        winner=winner, confidence=conf, score_a=a, score_b=b, scorer="t", raw=(winner,)
    )  # type: ignore[arg-type]


def test_flip_swaps_winner_and_scores() -> None:
    f = flip(v("A", a=0.8, b=0.2))
    assert (f.winner, f.score_a, f.score_b) == ("B", 0.2, 0.8)


@pytest.mark.parametrize(
    ("ab", "ba", "expected"),
    [
        ("A", "B", "A"),  # consistent: A first, then A (shown as B) second
        ("B", "A", "B"),
        ("A", "A", "tie"),  # always the first position: position bias -> tie
        ("B", "B", "tie"),
        ("unparsed", "B", "A"),
        ("A", "unparsed", "A"),
        ("unparsed", "unparsed", "unparsed"),
    ],
)
def test_combine_orders(ab: str, ba: str, expected: str) -> None:
    out = combine_orders(v(ab), v(ba))
    assert out.winner == expected
    assert out.raw == (ab, ba)
    assert out.evidence["agree"] == (
        expected not in ("tie",) and ab != "unparsed" and ba != "unparsed"
    )


def test_disagreement_has_low_confidence() -> None:
    assert combine_orders(v("A", 0.99), v("A", 0.99)).confidence == 0.5
    assert combine_orders(v("A", 0.9), v("B", 0.7)).confidence == pytest.approx(0.8)
