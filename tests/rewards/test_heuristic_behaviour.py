"""The heuristic RM judges memory content: each test plants one defect a reviewer would punish."""

from __future__ import annotations

import pytest
from heuristic_builders import (
    CONTEXT,
    GOOD_ANSWER,
    GOOD_MEMORIES,
    QUERY,
    longform,
    longform_question,
    mem0,
    question,
    sequential,
)

from rewards import PairInput, UpdateContext, make_reward_model
from rewards.heuristic import HeuristicRM


@pytest.fixture
def rm() -> HeuristicRM:
    model = make_reward_model("heuristic")
    assert isinstance(model, HeuristicRM)
    return model


async def both_orders(
    rm: HeuristicRM, q: str, good: str, bad: str, kind: str = "understanding"
) -> None:
    """``good`` must win in both positions, and the verdict must flip with the order."""
    v1 = await rm.compare(PairInput(question=q, trajectory_a=good, trajectory_b=bad, kind=kind))  # type: ignore[arg-type]
    v2 = await rm.compare(PairInput(question=q, trajectory_a=bad, trajectory_b=good, kind=kind))  # type: ignore[arg-type]
    assert v1.winner == "A", v1.rationale
    assert v2.winner == "B", v2.rationale
    assert v1.score_a == pytest.approx(v2.score_b) and v1.score_b == pytest.approx(v2.score_a)


async def test_repeated_memory_segment_loses(rm: HeuristicRM) -> None:
    bad = list(GOOD_MEMORIES)
    bad[2] = bad[2] + " " + bad[2] + " " + bad[1]
    bad[3] = bad[3] + " " + bad[3]
    await both_orders(
        rm, question(), sequential(GOOD_MEMORIES, GOOD_ANSWER), sequential(bad, GOOD_ANSWER)
    )


async def test_carried_wrong_updates_lose(rm: HeuristicRM) -> None:
    wrongs = ["", "John grabbed a candle and a rope.", "John went to the chapel with the rope.", ""]
    await both_orders(
        rm,
        question(),
        sequential(GOOD_MEMORIES, GOOD_ANSWER),
        sequential(GOOD_MEMORIES, GOOD_ANSWER, wrongs=wrongs),
    )


async def test_invented_entity_and_number_lose(rm: HeuristicRM) -> None:
    bad = list(GOOD_MEMORIES)
    bad[3] = (
        "John grabbed the lantern, met Captain Rodriguez at 1847 Harbour Road and dropped the lantern in the garden."
    )
    await both_orders(
        rm, question(), sequential(GOOD_MEMORIES, GOOD_ANSWER), sequential(bad, GOOD_ANSWER)
    )


async def test_losing_the_evidence_loses(rm: HeuristicRM) -> None:
    bad = list(GOOD_MEMORIES)
    bad[3] = "Old Hans rang the chapel bell at noon."
    await both_orders(
        rm,
        question(),
        sequential(GOOD_MEMORIES, GOOD_ANSWER),
        sequential(bad, "The memory does not say. \\boxed{unknown}"),
    )


async def test_empty_store_loses_to_faithful_store(rm: HeuristicRM) -> None:
    conv = (
        "I will store the specific content of the following multi-turn conversation in two independent memory "
        "systems respectively; please answer the following questions based on the conversation information.\n"
        "        Conversation:\n"
        "[1:00 pm on 3 May, 2023] Speaker Ana says: I adopted a beagle named Biscuit last week!\n"
        "[2:00 pm on 9 May, 2023] Speaker Tom says: The weather was awful at the lake.\n"
        "        Query: What is the name of Ana's dog?"
    )
    await both_orders(
        rm, conv, mem0(["Adopted a beagle named Biscuit", "Weather was awful at the lake"]), ""
    )


async def test_raw_transcript_dump_loses_to_distilled_store(rm: HeuristicRM) -> None:
    lines = [
        "[1:00 pm on 3 May, 2023] Speaker Ana says: I adopted a beagle named Biscuit last week, he is so much fun to walk!",
        "[2:00 pm on 9 May, 2023] Speaker Tom says: The weather was awful at the lake yesterday, we stayed inside all day.",
    ]
    conv = "Conversation:\n" + "\n".join(lines) + "\n        Query: What is the name of Ana's dog?"
    await both_orders(
        rm, conv, mem0(["Adopted a beagle named Biscuit", "Stayed inside at the lake"]), mem0(lines)
    )


async def test_longform_numeric_violation_loses(rm: HeuristicRM) -> None:
    title = "The Founding of Northwind Mills"
    facts = {"founded_year": 1998, "employees": 250, "founder": "Ada Brook"}
    bullets = [
        "Northwind Mills was founded by Ada Brook in 1998.",
        "The mill employs 250 people in the valley.",
    ]
    q = longform_question(title, facts, bullets)
    restated = "Northwind Mills was founded by Ada Brook in 1998. The mill employs 250 people in the valley."
    good = longform(
        title,
        [
            (
                restated,
                "Ada Brook founded Northwind Mills in 1998. Today the mill employs 250 people in the valley.",
            )
        ],
    )
    bad = longform(
        title,
        [
            (
                restated,
                "Ada Brook founded Northwind Mills in 2004. Today the mill employs 900 people in the valley.",
            )
        ],
    )
    await both_orders(rm, q, good, bad, kind="generation")


async def test_verdict_carries_breakdown_and_spec(rm: HeuristicRM) -> None:
    wrongs = ["", "John grabbed a candle.", "", ""]
    v = await rm.compare(
        PairInput(
            question=question(),
            trajectory_a=sequential(GOOD_MEMORIES, GOOD_ANSWER, wrongs=wrongs),
            trajectory_b=sequential(GOOD_MEMORIES, GOOD_ANSWER),
        )
    )
    assert v.winner == "B"
    assert "wrong_steps" in v.evidence["decided_by"]
    assert "wrong/rejected updates: A 1 vs B 0" in v.rationale
    assert v.evidence["features"]["wrong_steps"]["a"] == 1.0
    assert 0.5 < v.confidence <= 1.0
    assert rm.spec.name == "heuristic" and rm.spec.args["mode"] == "compat"


async def test_robust_mode_ties_identical_trajectories() -> None:
    rm = make_reward_model("heuristic", mode="robust")
    t = sequential(GOOD_MEMORIES, GOOD_ANSWER)
    v = await rm.compare(PairInput(question=question(), trajectory_a=t, trajectory_b=t))
    assert v.winner == "tie" and v.confidence == 0.5
    compat = await make_reward_model("heuristic").compare(
        PairInput(question=question(), trajectory_a=t, trajectory_b=t)
    )
    assert compat.winner in ("A", "B")


async def test_score_update_penalises_invented_and_dropped_facts(rm: HeuristicRM) -> None:
    chunk = " ".join(CONTEXT[6:8])
    prev = GOOD_MEMORIES[2]
    good = await rm.score_update(
        UpdateContext(question=QUERY, previous_memory=prev, chunk=chunk, candidate=GOOD_MEMORIES[3])
    )
    invented = await rm.score_update(
        UpdateContext(
            question=QUERY,
            previous_memory=prev,
            chunk=chunk,
            candidate=GOOD_MEMORIES[3] + " Captain Rodriguez paid 1847 crowns for it.",
        )
    )
    dropped = await rm.score_update(
        UpdateContext(
            question=QUERY,
            previous_memory=prev,
            chunk=chunk,
            candidate="Old Hans rang the bell at noon.",
        )
    )
    repeated = await rm.score_update(
        UpdateContext(
            question=QUERY,
            previous_memory=prev,
            chunk=chunk,
            candidate=(GOOD_MEMORIES[3] + " ") * 3,
        )
    )
    empty = await rm.score_update(
        UpdateContext(question=QUERY, previous_memory=prev, chunk=chunk, candidate="")
    )
    assert good.value > invented.value, invented.rationale
    assert good.value > dropped.value, dropped.rationale
    assert good.value > repeated.value, repeated.rationale
    assert empty.value < 0.1 and empty.value < dropped.value
    assert good.scorer == "heuristic" and "invented_names" in invented.evidence["features"]


async def test_score_update_penalises_memory_over_budget(rm: HeuristicRM) -> None:
    base = UpdateContext(
        question=QUERY,
        previous_memory="",
        chunk=" ".join(CONTEXT[2:4]),
        candidate="John grabbed the lantern.",
        memory_budget_tokens=20,
    )
    long = UpdateContext(
        question=QUERY,
        previous_memory="",
        chunk=base.chunk,
        candidate="John grabbed the lantern. " + " ".join(CONTEXT[2:4]) * 3,
        memory_budget_tokens=20,
    )
    assert (await rm.score_update(base)).value > (await rm.score_update(long)).value


async def test_score_update_penalises_a_conflated_claim(rm: HeuristicRM) -> None:
    chunk = (
        "Flavia Kelmoor was born in Norlund. Lormoor is the capital of the province of Wesbrook."
    )
    q = "Where was Flavia Kelmoor born?"
    faithful = await rm.score_update(
        UpdateContext(
            question=q,
            previous_memory="",
            chunk=chunk,
            candidate="Flavia Kelmoor was born in Norlund.",
        )
    )
    conflated = await rm.score_update(
        UpdateContext(
            question=q,
            previous_memory="",
            chunk=chunk,
            candidate="Flavia Kelmoor was born in Lormoor.",
        )
    )
    assert conflated.evidence["features"]["unsupported_claims"] == 1.0
    assert faithful.evidence["features"]["unsupported_claims"] == 0.0
    assert faithful.value > conflated.value
