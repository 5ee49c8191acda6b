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

from rewards._registry import DEFAULT_RM, known_reward_models, make_reward_model, register  # noqa: E402

__all__ += ["DEFAULT_RM", "known_reward_models", "make_reward_model", "register"]
