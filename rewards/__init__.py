"""Reward models for memory updates and trajectories, behind one protocol."""

from __future__ import annotations

from rewards._types import (
    PairInput,
    PairKind,
    PairwiseVerdict,
    Reward,
    RewardModel,
    RMSpec,
    UpdateContext,
    Winner,
    checked_value,
)

__all__ = [
    "PairInput",
    "PairKind",
    "PairwiseVerdict",
    "RMSpec",
    "Reward",
    "RewardModel",
    "UpdateContext",
    "Winner",
    "checked_value",
]

from rewards._orders import combine_orders, flip  # noqa: E402
from rewards._registry import DEFAULT_RM, known_reward_models, make_reward_model, register  # noqa: E402

__all__ += ["combine_orders", "flip", "DEFAULT_RM", "known_reward_models", "make_reward_model", "register"]
