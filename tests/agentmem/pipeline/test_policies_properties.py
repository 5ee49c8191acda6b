"""Policy invariants over arbitrary scores (hypothesis)."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from agentmem._types import Candidate
from agentmem.policies import BestOfN, Gate
from rewards import Reward

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def run(policy: object, values: list[float]) -> object:
    it = iter(range(len(values)))

    async def propose(feedback: str | None) -> Candidate:
        return Candidate(text=str(next(it)), feedback=feedback)

    async def score(c: Candidate) -> Reward:
        return Reward(value=values[int(c.text)])

    return asyncio.run(policy.decide(propose, score))  # type: ignore[attr-defined]


@settings(max_examples=80, deadline=None)
@given(values=st.lists(unit, min_size=1, max_size=6))
def test_best_of_n_commits_the_first_maximum_and_keeps_every_candidate(values: list[float]) -> None:
    out = run(BestOfN(n=len(values)), values)
    assert [a.reward.value for a in out.attempts] == values  # type: ignore[attr-defined]
    assert out.chosen == values.index(max(values))  # type: ignore[attr-defined]


@settings(max_examples=80, deadline=None)
@given(values=st.lists(unit, min_size=5, max_size=5), threshold=unit, attempts=st.integers(1, 5))
def test_gate_stops_at_the_first_pass_or_keeps_the_best_and_says_so(
    values: list[float], threshold: float, attempts: int
) -> None:
    out = run(Gate(threshold=threshold, max_attempts=attempts), values)
    tried = [a.reward.value for a in out.attempts]  # type: ignore[attr-defined]
    passing = [i for i, v in enumerate(values[:attempts]) if v >= threshold]
    if passing:
        first = passing[0]
        assert len(tried) == first + 1 and out.chosen == first  # type: ignore[attr-defined]
        assert out.decision == ("accepted" if first == 0 else "accepted_after_revision")  # type: ignore[attr-defined]
    else:
        assert len(tried) == attempts
        assert out.chosen == tried.index(max(tried)) and out.decision == "accepted_below_threshold"  # type: ignore[attr-defined]
    assert [a.round for a in out.attempts] == list(range(len(tried)))  # type: ignore[attr-defined]
    assert all((a.candidate.feedback is None) == (a.round == 0) for a in out.attempts)  # type: ignore[attr-defined]
