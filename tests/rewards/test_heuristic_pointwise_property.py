"""Properties of the pointwise score over generated inputs: range, determinism, and that copying
what the user said passes the gate while adding someone nobody mentioned fails it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rewards import UpdateContext
from rewards.heuristic import HeuristicRM

RM = HeuristicRM()

pieces = st.sampled_from(
    [
        *list("abcXYZ019 .,:;!?\n-*'\"()"),
        "user: ",
        "- ",
        "Content: ",
        "Keywords: ['a']",
        "Memory 1: ",
        "User ",
        "The user ",
        "I am Alice. ",
        "Alice",
        "Lisbon",
        "Madrid",
        " lives in ",
        " does not ",
        " and ",
        "three ",
        "45",
        "1847",
        "nothing",
        "section ",
        "Putting this together: ",
        "\\boxed{",
    ]
)
text = st.lists(pieces, max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(
    q=text,
    prev=text,
    chunk=text,
    cand=text,
    kind=st.sampled_from(["update", "fusion", "answer"]),
    budget=st.one_of(st.none(), st.integers(min_value=1, max_value=60)),
)
def test_score_in_range_and_deterministic(
    q: str, prev: str, chunk: str, cand: str, kind: str, budget: int | None
) -> None:
    u = UpdateContext(
        question=q,
        previous_memory=prev,
        chunk=chunk,
        candidate=cand,
        kind=kind,  # type: ignore[arg-type]
        memory_budget_tokens=budget,
    )
    r = RM.score_update_sync(u)
    assert 0.0 <= r.value <= 1.0
    assert all(0.0 <= p <= 1.0 for p in r.evidence["penalties"].values())
    assert RM.score_update_sync(u).value == r.value


SAID = [
    "I live in Lisbon.",
    "I work as a nurse at the central hospital.",
    "My sister Ana plays the cello.",
    "I have 3 cats.",
    "We are planning a trip to Kyoto in April.",
    "I prefer tea to coffee.",
]
QUESTION = "Keep durable facts about the user."


@settings(max_examples=80, deadline=None)
@given(
    said=st.lists(st.sampled_from(SAID), min_size=1, max_size=6, unique=True),
    kept=st.data(),
    name=st.from_regex(
        r"[BDFGHJKMNPQRTVWZ][aeiou][bdfgklmnprtvz][aeiou][bdfgklmnprtvz]", fullmatch=True
    ),
)
def test_copying_passes_and_an_unmentioned_person_fails(
    said: list[str], kept: st.DataObject, name: str
) -> None:
    chunk = "\n".join(f"user: {s}" for s in said)
    facts = kept.draw(st.lists(st.sampled_from(said), min_size=1, unique=True))
    faithful = "\n".join(f"- {f}" for f in facts)
    base = RM.score_update_sync(
        UpdateContext(question=QUESTION, previous_memory="", chunk=chunk, candidate=faithful)
    )
    assert base.value >= 0.8, base.rationale
    invented = RM.score_update_sync(
        UpdateContext(
            question=QUESTION,
            previous_memory="",
            chunk=chunk,
            candidate=f"{faithful}\n- User is married to {name}.",
        )
    )
    assert invented.value < 0.5, invented.rationale
    assert invented.evidence["features"]["invented_names"] >= 1.0
