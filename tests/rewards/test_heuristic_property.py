"""Scores stay in [0, 1] and verdicts flip with the order, whatever the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rewards import PairInput, UpdateContext
from rewards.heuristic import HeuristicRM

RM = HeuristicRM()
text = st.lists(
    st.sampled_from(
        [
            *list("abcXYZ019 .,:\n<>/[]{}'\"_-"),
            "Updated memory:",
            "<updated_memory>",
            "I have composed the following section.",
            "'memory': ",
            "Step 1:",
            "\\boxed{",
            "[Question]",
            "Query:",
            "John",
            "1847",
            "</section>",
            "<section>",
            "Part 1:",
        ]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(q=text, a=text, b=text, kind=st.sampled_from(["understanding", "generation"]))
def test_compare_in_range_and_antisymmetric(q: str, a: str, b: str, kind: str) -> None:
    v1 = RM.compare_sync(PairInput(question=q, trajectory_a=a, trajectory_b=b, kind=kind))  # type: ignore[arg-type]
    v2 = RM.compare_sync(PairInput(question=q, trajectory_a=b, trajectory_b=a, kind=kind))  # type: ignore[arg-type]
    for v in (v1, v2):
        assert v.score_a is not None and v.score_b is not None
        assert 0.0 <= v.score_a <= 1.0 and 0.0 <= v.score_b <= 1.0
        assert 0.5 <= v.confidence <= 1.0
    if a != b:
        assert {v1.winner, v2.winner} == {"A", "B"}


@settings(max_examples=150, deadline=None)
@given(
    q=text,
    prev=text,
    chunk=text,
    cand=text,
    kind=st.sampled_from(["update", "fusion", "answer"]),
    budget=st.one_of(st.none(), st.integers(min_value=1, max_value=50)),
)
def test_score_update_in_range(
    q: str, prev: str, chunk: str, cand: str, kind: str, budget: int | None
) -> None:
    r = RM.score_update_sync(
        UpdateContext(
            question=q,
            previous_memory=prev,
            chunk=chunk,
            candidate=cand,
            kind=kind,
            memory_budget_tokens=budget,
        )  # type: ignore[arg-type]
    )
    assert 0.0 <= r.value <= 1.0
