"""The heuristic's confidence is the accuracy measured at its margin, and the cascade uses it."""

from __future__ import annotations

import pytest
from heuristic_builders import mem0, steps

from agentmem.testing import FakeOpenAIServer
from rewards import PairInput, make_reward_model
from rewards.cascade import CascadeRM
from rewards.heuristic import HeuristicRM
from rewards.heuristic._confidence import CONFIDENCE_TABLE, calibrated_confidence, fit_table


def test_the_shipped_table_is_monotone_and_never_certain() -> None:
    accs = [a for _, a in CONFIDENCE_TABLE]
    bounds = [b for b, _ in CONFIDENCE_TABLE]
    assert accs == sorted(accs) and bounds == sorted(bounds) and bounds[-1] == float("inf")
    assert accs[0] >= 0.5 and accs[-1] < 1.0
    assert calibrated_confidence(0.001) == accs[0] and calibrated_confidence(-5.0) == accs[-1]
    # equal scores are a coin flip, which a cascade must always escalate
    assert calibrated_confidence(0.0) == 0.5


def test_fitting_pools_violators_and_smooths() -> None:
    # small margins right half the time, mid margins wrong more often (a violator), large right
    pts = [(0.01, i % 2 == 0) for i in range(20)]
    pts += [(0.05, i % 4 == 0) for i in range(20)]
    pts += [(0.3, True) for _ in range(20)]
    table = fit_table(pts, bins=3)
    accs = [a for _, a in table]
    assert accs == sorted(accs) and accs[-1] == pytest.approx(21 / 22, abs=1e-4)
    assert fit_table([]) == ((float("inf"), 0.5),)


def _pair(store_a: str, store_b: str) -> PairInput:
    q = (
        "Two memory systems stored this chat.\nConversation:\n"
        "Ana: I work as a carpenter.\nBen: Nice.\n"
        "Ana: Career change: no more carpenter work, I'm a pharmacist now.\nBen: Good luck!\n"
        "Query: What is Ana's job now?"
    )
    return PairInput(question=q, trajectory_a=store_a, trajectory_b=store_b)


async def test_verdict_confidence_follows_the_margin() -> None:
    rm = HeuristicRM()
    clear = await rm.compare(_pair(mem0(["Ana is a pharmacist now"]), mem0(["Ana is a carpenter"])))
    same = await rm.compare(
        _pair(mem0(["Ana is a pharmacist now"]), mem0(["Ana is a pharmacist now"]))
    )
    assert clear.winner == "A" and clear.confidence == calibrated_confidence(
        (clear.score_a or 0) - (clear.score_b or 0)
    )
    assert same.confidence == 0.5 < clear.confidence  # identical stores: a coin flip


async def test_cascade_escalates_what_the_heuristic_cannot_decide(
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.handler = lambda req: "[[B]]"
    rm = make_reward_model("cascade:heuristic>llm:openai/fake", api_base=fake_openai.base_url)
    assert isinstance(rm, CascadeRM)
    sure = await rm.compare(_pair(mem0(["Ana is a pharmacist now"]), mem0(["Ana is a carpenter"])))
    unsure = await rm.compare(
        _pair(mem0(["Ana is a pharmacist now"]), mem0(["Ana is a pharmacist now"]))
    )
    await rm.expensive.aclose()  # type: ignore[attr-defined]
    assert sure.evidence["escalated"] is False and sure.winner == "A"
    assert unsure.evidence["escalated"] is True and unsure.winner == "B"
    assert len(fake_openai.chat_requests) == 1 and rm.escalation_rate == pytest.approx(0.5)


def test_a_verdict_the_wording_checks_lead_is_never_confident() -> None:
    from rewards.heuristic._model import INDIRECT_CONFIDENCE

    ques = "What did the museum buy at the auction?"
    q = (
        "Museum news.\n\nAt the spring auction the museum bought a tin toy train. It is on show "
        f"in the hall.\n\nQuestion: {ques}"
    )
    plain = steps(
        ["Bought: a tin toy train, on show in the hall."], "\\boxed{a tin toy train}", ques
    )
    embellished = steps(
        ["Bought: a tin toy train, made by Hartwell Brothers of Leeds, on show in the hall."],
        "\\boxed{a tin toy train}",
        ques,
    )
    v = HeuristicRM().compare_sync(
        PairInput(question=q, trajectory_a=plain, trajectory_b=embellished)
    )
    assert v.winner == "A" and v.confidence == INDIRECT_CONFIDENCE < 0.75
    # a margin that alone would be trusted
    assert calibrated_confidence((v.score_a or 0) - (v.score_b or 0)) >= 0.75


def test_a_verdict_led_by_a_dropped_fact_is_not_confident() -> None:
    from rewards.heuristic._model import _indirectly_led
    from rewards.heuristic._pairwise import score_pair

    # A kept every evidence fact, B dropped one: only an indirect sign separates them
    led = score_pair(
        {"facts_dropped": 0.0, "latest_kept": 1.0}, {"facts_dropped": 1.0, "latest_kept": 1.0}
    )
    assert _indirectly_led(led, "A")
    # the latest word kept is direct evidence, even against a dropped fact
    direct = score_pair(
        {"facts_dropped": 0.5, "latest_kept": 1.0}, {"facts_dropped": 0.0, "latest_kept": 0.0}
    )
    assert not _indirectly_led(direct, "A")
