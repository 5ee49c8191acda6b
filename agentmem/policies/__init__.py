"""Update policies: how the reward model in the loop decides which memory update to commit."""

from __future__ import annotations

from agentmem.policies._base import (
    Outcome,
    Propose,
    Score,
    UpdatePolicy,
    best_index,
    current_attempt,
    format_feedback,
    proposal_index,
    trial_key,
)
from agentmem.policies._best_of import BestOfN
from agentmem.policies._core import SlotOutcome, Trial, decide_slots
from agentmem.policies._gate import Gate
from agentmem.policies._make import make_policy, policy_for
from agentmem.policies._score import ScorePolicy
from agentmem.policies._spec import KNOWN_POLICIES, OnFailure, PolicySpec, parse_policy
from agentmem.policies._tasks import gather_all

__all__ = [
    "KNOWN_POLICIES",
    "BestOfN",
    "Gate",
    "OnFailure",
    "Outcome",
    "PolicySpec",
    "Propose",
    "Score",
    "ScorePolicy",
    "SlotOutcome",
    "Trial",
    "UpdatePolicy",
    "best_index",
    "current_attempt",
    "decide_slots",
    "format_feedback",
    "gather_all",
    "make_policy",
    "parse_policy",
    "policy_for",
    "proposal_index",
    "trial_key",
]
