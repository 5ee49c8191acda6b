"""agentmem: long-memory LLM agents whose every memory update is scored by a reward model."""

from __future__ import annotations

__version__ = "0.1.0"

from agentmem._types import (
    Answer,
    Answerer,
    Attempt,
    Candidate,
    Chunk,
    Decision,
    Fuser,
    Pattern,
    Step,
    Trajectory,
    Updater,
    Usage,
)
from agentmem.exceptions import AgentmemError, UserError

__all__ = [
    "AgentmemError",
    "Answer",
    "Answerer",
    "Attempt",
    "Candidate",
    "Chunk",
    "Decision",
    "Fuser",
    "Pattern",
    "Step",
    "Trajectory",
    "Updater",
    "Usage",
    "UserError",
    "__version__",
]
