"""Building the heuristic RM by name, with its options and the standard overrides."""

from __future__ import annotations

import pytest

import rewards.heuristic as heuristic_pkg
from agentmem.exceptions import UserError
from rewards import DEFAULT_RM, RewardModel, known_reward_models, make_reward_model
from rewards.heuristic import HeuristicRM


def test_default_rm_is_the_heuristic() -> None:
    rm = make_reward_model(None)
    assert DEFAULT_RM == "heuristic" and isinstance(rm, HeuristicRM) and isinstance(rm, RewardModel)
    assert "heuristic" in known_reward_models()


def test_options_and_overrides_are_recorded() -> None:
    rm = make_reward_model("heuristic:mode=robust,tie=0.05", api_base="http://x", temperature=0.7)
    assert isinstance(rm, HeuristicRM)
    assert rm.spec.args == {"mode": "robust", "tie_margin": 0.05}
    assert make_reward_model("heuristic", mode="robust").spec.args["mode"] == "robust"  # type: ignore[attr-defined]
    assert make_reward_model("heuristic:robust").spec.args["mode"] == "robust"


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("heuristic:mode=fast", "mode must be 'compat' or 'robust', got 'fast'"),
        ("heuristic:tie=big", "tie must be a number in \\[0, 1\\], got 'big'"),
        ("heuristic:tie=2", "got '2'"),
        ("heuristic:colour=red", "unknown heuristic RM option 'colour'"),
        ("heuristic:fast", "not key=value"),
    ],
)
def test_bad_options_name_the_value_and_the_fix(spec: str, match: str) -> None:
    with pytest.raises(UserError, match=match):
        make_reward_model(spec)


def test_exported_members_match_all() -> None:
    public = {n for n in dir(heuristic_pkg) if not n.startswith("_")}
    modules = {
        n
        for n in public
        if n.startswith("_") or type(getattr(heuristic_pkg, n)).__name__ == "module"
    }
    assert set(heuristic_pkg.__all__) == public - modules - {
        "annotations",
        "register",
        "UserError",
        "Any",
    }
