"""Memory pipelines built from two composition primitives (``chain`` and ``fork``)."""

from __future__ import annotations

from agentmem._pipeline._builders import build_pipeline, mixed, parallel, sequential
from agentmem._pipeline._chunking import chunk_document, split_groups
from agentmem._pipeline._context import Branch, RunContext
from agentmem._pipeline._limits import DEFAULT_LIMITS, Limiters
from agentmem._pipeline._pipeline import PATTERNS, RESUME_KEYS, Pipeline, label_of
from agentmem._pipeline._stages import Stage, chain, fork, update
from agentmem._pipeline._usage import RunUsage, run_usage

__all__ = [
    "DEFAULT_LIMITS",
    "PATTERNS",
    "RESUME_KEYS",
    "Branch",
    "Limiters",
    "Pipeline",
    "RunContext",
    "RunUsage",
    "Stage",
    "build_pipeline",
    "chain",
    "chunk_document",
    "fork",
    "label_of",
    "mixed",
    "parallel",
    "run_usage",
    "sequential",
    "split_groups",
    "update",
]
