"""agentmem: long-memory LLM agents whose every memory update is scored by a reward model.

    import asyncio
    from agentmem import sequential

    pipeline = sequential(policy="gate", reward_model="heuristic")
    trajectory = asyncio.run(pipeline.run(open("book.txt").read(), "Where is the key?"))
    print(trajectory.answer.text)

The pipeline builders, policies, stores and dialogue memories are imported on first use, so
``import agentmem`` (and the CLI's ``--help``) stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING, Any

from agentmem._trace import RunInfo, TraceStore
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

if TYPE_CHECKING:
    from agentmem._logging import capture_events, configure_logging
    from agentmem._pipeline import (
        Pipeline,
        build_pipeline,
        chain,
        fork,
        mixed,
        parallel,
        run_usage,
        sequential,
    )
    from agentmem.export import export_pairs
    from agentmem.llm import LLMClient
    from agentmem.memory import FactsMemory, NotesMemory, Scope
    from agentmem.policies import BestOfN, Gate, ScorePolicy, make_policy
    from agentmem.render import render_trajectory
    from agentmem.store import InMemoryTraceStore, SQLTraceStore, open_trace_store

# name -> module that defines it (imported lazily by __getattr__)
_LAZY = {
    "Pipeline": "agentmem._pipeline",
    "build_pipeline": "agentmem._pipeline",
    "chain": "agentmem._pipeline",
    "fork": "agentmem._pipeline",
    "mixed": "agentmem._pipeline",
    "parallel": "agentmem._pipeline",
    "sequential": "agentmem._pipeline",
    "BestOfN": "agentmem.policies",
    "Gate": "agentmem.policies",
    "ScorePolicy": "agentmem.policies",
    "make_policy": "agentmem.policies",
    "InMemoryTraceStore": "agentmem.store",
    "SQLTraceStore": "agentmem.store",
    "open_trace_store": "agentmem.store",
    "export_pairs": "agentmem.export",
    "render_trajectory": "agentmem.render",
    "LLMClient": "agentmem.llm",
    "configure_logging": "agentmem._logging",
    "capture_events": "agentmem._logging",
    "run_usage": "agentmem._pipeline",
    "FactsMemory": "agentmem.memory",
    "NotesMemory": "agentmem.memory",
    "Scope": "agentmem.memory",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agentmem' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "AgentmemError",
    "Answer",
    "Answerer",
    "Attempt",
    "BestOfN",
    "Candidate",
    "Chunk",
    "Decision",
    "FactsMemory",
    "Fuser",
    "Gate",
    "InMemoryTraceStore",
    "LLMClient",
    "NotesMemory",
    "Pattern",
    "Pipeline",
    "RunInfo",
    "SQLTraceStore",
    "Scope",
    "ScorePolicy",
    "Step",
    "TraceStore",
    "Trajectory",
    "Updater",
    "Usage",
    "UserError",
    "__version__",
    "build_pipeline",
    "capture_events",
    "chain",
    "configure_logging",
    "export_pairs",
    "fork",
    "make_policy",
    "mixed",
    "open_trace_store",
    "parallel",
    "render_trajectory",
    "run_usage",
    "sequential",
]
