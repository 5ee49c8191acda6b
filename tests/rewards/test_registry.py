from __future__ import annotations

import pytest

from agentmem.exceptions import UnknownNameError, UserError
from rewards import (
    PairInput,
    PairwiseVerdict,
    Reward,
    RMSpec,
    UpdateContext,
    make_reward_model,
    register,
)
from rewards._types import checked_value


class _Const:
    def __init__(self, arg: str) -> None:
        self.spec = RMSpec(name="const-test", args={"arg": arg})

    async def score_update(self, update: UpdateContext) -> Reward:
        return Reward(value=float(self.spec.args["arg"] or 0.5), scorer="const-test")

    async def compare(self, pair: PairInput) -> PairwiseVerdict:
        return PairwiseVerdict(winner="A", scorer="const-test")


register("const-test", "constant scores for tests")(lambda arg, **_: _Const(arg))


async def test_spec_string_builds_registered_model() -> None:
    rm = make_reward_model("const-test:0.25")
    r = await rm.score_update(
        UpdateContext(question="q", previous_memory="", chunk="c", candidate="m")
    )
    assert r.value == 0.25
    assert rm.spec.args == {"arg": "0.25"}


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(UnknownNameError, match=r"'const-tset'.*did you mean 'const-test'"):
        make_reward_model("const-tset")


def test_blank_spec_is_a_user_error() -> None:
    with pytest.raises(UserError, match="empty"):
        make_reward_model("   ")


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), float("inf")])
def test_rewards_outside_unit_interval_are_refused(bad: float) -> None:
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        Reward(value=bad, scorer="x")
    with pytest.raises(ValueError, match="my-rm"):
        checked_value(bad, "my-rm")
