"""Cascade: the cheap RM decides when it is sure; the expensive one only otherwise."""

from __future__ import annotations

import pytest
from composite_stubs import ScriptedRM

from agentmem.exceptions import UserError
from agentmem.testing import FakeOpenAIServer
from rewards import PairInput, UpdateContext, make_reward_model
from rewards.cascade import CascadeRM


def pair(i: int, conf: float) -> PairInput:
    return PairInput(question="q", trajectory_a="a", trajectory_b="b", pair_id=f"p{i}-{conf}")


async def test_escalates_only_unsure_verdicts_and_reports_the_rate() -> None:
    cheap = ScriptedRM(label="cheap", decide=lambda p: ("A", float(p.pair_id.split("-")[1])))  # type: ignore[union-attr]
    expensive = ScriptedRM(label="expensive", decide=lambda p: ("B", 0.9), tokens=100)
    rm = CascadeRM(cheap, expensive, min_confidence=0.8)
    confs = [0.95, 0.6, 0.85, 0.55]
    verdicts = [await rm.compare(pair(i, c)) for i, c in enumerate(confs)]
    assert [v.winner for v in verdicts] == ["A", "B", "A", "B"]
    assert [v.evidence["escalated"] for v in verdicts] == [False, True, False, True]
    assert len(expensive.calls) == 2 and rm.escalation_rate == pytest.approx(0.5)
    assert verdicts[1].tokens == 100 and "escalated to expensive" in verdicts[1].rationale
    assert verdicts[1].evidence["cheap"]["confidence"] == 0.6
    assert all(v.scorer == "cascade" for v in verdicts)


@pytest.mark.parametrize("cheap_winner", ["tie", "unparsed"])
async def test_ties_and_unparsed_always_escalate(cheap_winner: str) -> None:
    cheap = ScriptedRM(label="cheap", decide=lambda p: (cheap_winner, 1.0))  # type: ignore[arg-type,return-value]
    expensive = ScriptedRM(label="expensive", decide=lambda p: ("A", 0.7))
    verdict = await CascadeRM(cheap, expensive).compare(pair(0, 1.0))
    assert verdict.winner == "A" and verdict.evidence["escalated"] is True


async def test_pointwise_escalates_scores_near_the_middle() -> None:
    update = UpdateContext(question="q", previous_memory="", chunk="c", candidate="m")
    sure = CascadeRM(
        ScriptedRM(label="cheap", decide=lambda p: ("A", 1), value=0.9),
        ScriptedRM(label="exp", decide=lambda p: ("A", 1), value=0.2),
    )
    unsure = CascadeRM(
        ScriptedRM(label="cheap", decide=lambda p: ("A", 1), value=0.55),
        ScriptedRM(label="exp", decide=lambda p: ("A", 1), value=0.2),
    )
    assert (await sure.score_update(update)).value == 0.9
    escalated = await unsure.score_update(update)
    assert escalated.value == 0.2 and escalated.evidence == {
        "escalated": True,
        "cheap_value": 0.55,
        "expensive_evidence": {},
    }
    assert unsure.escalation_rate == 1.0 and sure.escalation_rate == 0.0


async def test_spec_string_builds_heuristic_then_llm(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.handler = lambda req: "[[B]] B keeps the date"
    rm = make_reward_model(
        "cascade:heuristic>llm:openai/fake", api_base=fake_openai.base_url, threshold=1.0001
    )
    assert isinstance(rm, CascadeRM)
    assert (
        rm.spec.label == "cascade:heuristic>llm:openai/fake"
        and rm.spec.args["threshold_source"] == "override"
    )
    verdict = await rm.compare(
        PairInput(question="When did it open?", trajectory_a="Step1: x", trajectory_b="Step1: y")
    )
    assert (
        verdict.winner == "B" and verdict.evidence["escalated"] is True
    )  # threshold above any confidence
    assert len(fake_openai.chat_requests) == 1
    await rm.expensive.aclose()  # type: ignore[attr-defined]


def test_malformed_cascade_specs() -> None:
    with pytest.raises(UserError, match=r"cascade:<cheap>><expensive>"):
        make_reward_model("cascade:heuristic")
    with pytest.raises(UserError, match="threshold"):
        make_reward_model("cascade:heuristic>heuristic", threshold="high")
    with pytest.raises(UserError, match=r"\[0.5, 1\]"):
        CascadeRM(
            ScriptedRM(label="a", decide=lambda p: ("A", 1)),
            ScriptedRM(label="b", decide=lambda p: ("A", 1)),
            min_confidence=0.2,
        )


async def test_aclose_closes_both_members() -> None:
    closed: list[str] = []

    class Closable(ScriptedRM):
        async def aclose(self) -> None:
            closed.append(self.label)

    rm = CascadeRM(
        Closable(label="cheap", decide=lambda p: ("A", 1.0)),
        Closable(label="exp", decide=lambda p: ("A", 1.0)),
    )
    await rm.aclose()
    assert closed == ["cheap", "exp"]
