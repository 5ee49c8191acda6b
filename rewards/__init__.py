"""Reward models for memory updates and trajectories, behind one protocol.

``make_reward_model("heuristic")`` (the offline default), ``"llm:<litellm model>"``,
``"cascade:heuristic>llm:<model>"``, ``"ensemble:a,b[,w1,w2]"`` or a third-party name from the
``agentmem.reward_models`` entry point; see :mod:`rewards._registry`.
"""

from __future__ import annotations

from rewards._orders import combine_orders, flip
from rewards._registry import DEFAULT_RM, known_reward_models, make_reward_model, register
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
    "DEFAULT_RM",
    "PairInput",
    "PairKind",
    "PairwiseVerdict",
    "RMSpec",
    "Reward",
    "RewardModel",
    "UpdateContext",
    "Winner",
    "checked_value",
    "combine_orders",
    "flip",
    "known_reward_models",
    "make_reward_model",
    "register",
]
