"""Ensemble: weighted vote of several reward models."""

from __future__ import annotations

import pytest
from composite_stubs import ScriptedRM

from agentmem.exceptions import UnknownNameError, UserError
from agentmem.testing import FakeOpenAIServer
from rewards import PairInput, UpdateContext, make_reward_model
from rewards._compose import split_members
from rewards.ensemble import EnsembleRM

PAIR = PairInput(question="q", trajectory_a="a", trajectory_b="b")


def rm(label: str, winner: str, conf: float = 0.8, value: float = 0.5) -> ScriptedRM:
    return ScriptedRM(label=label, decide=lambda p: (winner, conf), value=value)  # type: ignore[arg-type,return-value]


async def test_weighted_majority_wins() -> None:
    ens = EnsembleRM([rm("a", "A"), rm("b", "B"), rm("c", "B")], [0.5, 0.3, 0.1])
    verdict = await ens.compare(PAIR)
    assert verdict.winner == "A"  # 0.5 outweighs 0.4
    assert verdict.confidence == pytest.approx(0.5 + 0.5 * 0.5 / 0.9)
    assert [m["winner"] for m in verdict.evidence["members"]] == ["A", "B", "B"]
    assert (
        await EnsembleRM([rm("a", "A"), rm("b", "B"), rm("c", "B")]).compare(PAIR)
    ).winner == "B"  # equal weights


async def test_tied_vote_falls_back_to_confidence_then_to_tie_or_top_member() -> None:
    assert (await EnsembleRM([rm("a", "A", 0.9), rm("b", "B", 0.6)]).compare(PAIR)).winner == "A"
    even = [rm("a", "A", 0.7), rm("b", "B", 0.7)]
    assert (await EnsembleRM(even, mode="robust").compare(PAIR)).winner == "tie"
    compat = await EnsembleRM(even, [1.0, 1.0], mode="compat").compare(PAIR)
    assert compat.winner == "A" and "highest-weight member" in compat.rationale
    assert (
        await EnsembleRM([rm("a", "unparsed"), rm("b", "unparsed")]).compare(PAIR)
    ).winner == "unparsed"


async def test_abstaining_members_do_not_vote() -> None:
    verdict = await EnsembleRM([rm("a", "tie"), rm("b", "B")], [0.9, 0.1]).compare(PAIR)
    assert verdict.winner == "B"


async def test_pointwise_is_the_weighted_mean() -> None:
    ens = EnsembleRM([rm("a", "A", value=1.0), rm("b", "A", value=0.0)], [3, 1])
    reward = await ens.score_update(
        UpdateContext(question="q", previous_memory="", chunk="c", candidate="m")
    )
    assert reward.value == pytest.approx(0.75) and reward.scorer == "ensemble"


def test_member_splitting_keeps_member_arguments_together() -> None:
    known = {"heuristic", "llm", "cascade"}
    assert split_members("heuristic,llm:openai/x", known) == (["heuristic", "llm:openai/x"], None)
    assert split_members("heuristic:mode=robust,tie=0.02,llm:openai/x,0.7,0.3", known) == (
        ["heuristic:mode=robust,tie=0.02", "llm:openai/x"],
        [0.7, 0.3],
    )
    with pytest.raises(UserError, match="2 members but 1 weights"):
        split_members("heuristic,llm:x,0.5", known)
    with pytest.raises(UserError, match="empty member"):
        split_members("heuristic,,llm:x", known)


async def test_spec_string_with_weights(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.handler = lambda req: "[[B]]"
    ens = make_reward_model(
        "ensemble:heuristic,llm:openai/fake,0.2,0.8", api_base=fake_openai.base_url
    )
    assert isinstance(ens, EnsembleRM)
    assert ens.spec.args["members"] == ["heuristic", "llm:openai/fake"] and ens.spec.args[
        "weights"
    ] == [0.2, 0.8]
    verdict = await ens.compare(
        PairInput(question="When?", trajectory_a="Step1: a", trajectory_b="Step1: b")
    )
    assert verdict.winner == "B"  # the 0.8-weight judge outvotes the heuristic whatever it says
    await ens.members[1].aclose()  # type: ignore[attr-defined]


def test_bad_ensemble_specs() -> None:
    with pytest.raises(UserError, match="at least 2"):
        make_reward_model("ensemble:heuristic")
    with pytest.raises(UnknownNameError, match="did you mean 'heuristic'"):
        make_reward_model("ensemble:heuristic,heuristik:x")


async def test_aclose_reaches_members_that_hold_connections() -> None:
    closed: list[str] = []

    class Closable(ScriptedRM):
        async def aclose(self) -> None:
            closed.append(self.label)

    ens = EnsembleRM([Closable(label="a", decide=lambda p: ("A", 0.9)), rm("b", "B")])
    await ens.aclose()
    assert closed == ["a"]
