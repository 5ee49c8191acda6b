"""The function-backed doubles in agentmem.testing behave like real components."""

from __future__ import annotations

import pytest

from agentmem._types import Answer, Candidate, Chunk, Usage
from agentmem.exceptions import RewardRangeError
from agentmem.testing import FunctionAnswerer, FunctionFuser, FunctionRewardModel, FunctionUpdater
from rewards import PairInput, Reward, RewardModel, UpdateContext

CHUNK = Chunk(index=3, text="Mary took the key.", tokens=5)


async def test_sync_and_async_functions_and_full_objects() -> None:
    async def afn(q: str, m: str, c: Chunk, fb: str | None) -> Candidate:
        return Candidate(text="full", usage=Usage(prompt_tokens=7))

    sync = FunctionUpdater(fn=lambda q, m, c, fb: m + c.text)
    cand = await sync("Q", "old ", CHUNK, feedback="fix it")
    assert cand.text == "old Mary took the key." and cand.feedback == "fix it"
    assert sync.calls == [("Q", "old ", CHUNK, "fix it")]
    assert (await FunctionUpdater(fn=afn)("Q", "", CHUNK)).usage.prompt_tokens == 7

    fuser = FunctionFuser(fn=lambda q, ms, fb: "+".join(ms))
    assert (await fuser("Q", ["a", "b"])).text == "a+b"

    answer = await FunctionAnswerer(fn=lambda q, m: "thinking... \\boxed{garden}")("Q", "m")
    assert isinstance(answer, Answer) and answer.extracted == "garden"


async def test_wrong_return_types_are_named() -> None:
    with pytest.raises(
        TypeError, match=r"updater function returned int; return a str or an agentmem\.Candidate"
    ):
        await FunctionUpdater(fn=lambda q, m, c, fb: 3)("Q", "", CHUNK)
    with pytest.raises(TypeError, match="reward function returned str"):
        await FunctionRewardModel(score=lambda u: "high").score_update(
            UpdateContext(question="Q", previous_memory="", chunk="", candidate="x")
        )


async def test_reward_model_double_checks_the_range_and_satisfies_the_protocol() -> None:
    rm = FunctionRewardModel(score=lambda u: len(u.candidate) / 10, name="len")
    assert isinstance(rm, RewardModel) and rm.spec.name == "len"
    ctx = UpdateContext(question="Q", previous_memory="", chunk="", candidate="abcde")
    reward = await rm.score_update(ctx)
    assert isinstance(reward, Reward) and reward.value == 0.5 and reward.scorer == "len"
    with pytest.raises(RewardRangeError, match=r"'len' returned reward 1\.2"):
        await rm.score_update(
            UpdateContext(question="Q", previous_memory="", chunk="", candidate="x" * 12)
        )
    verdict = await rm.compare(PairInput(question="Q", trajectory_a="abc", trajectory_b="abcdef"))
    assert verdict.winner == "B" and verdict.score_a == pytest.approx(0.3)
    scripted = FunctionRewardModel(score=lambda u: 0.5, compare_fn=lambda p: "A")
    assert (
        await scripted.compare(PairInput(question="Q", trajectory_a="", trajectory_b=""))
    ).winner == "A"
