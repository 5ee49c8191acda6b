"""Memory updaters (Φ), fusers (g) and answerers: the offline extractive baseline and the
LLM-backed MemAgent recipe."""

from __future__ import annotations

from agentmem.updaters._extractive import (
    EXTRACTIVE_LABEL,
    ExtractiveAnswerer,
    ExtractiveFuser,
    ExtractiveUpdater,
    select_within_budget,
)
from agentmem.updaters._llm import LLMAnswerer, LLMFuser, LLMUpdater, llm_components
from agentmem.updaters._prompts import NO_MEMORY, Templates, extract_boxed, extract_memory

__all__ = [
    "EXTRACTIVE_LABEL",
    "NO_MEMORY",
    "ExtractiveAnswerer",
    "ExtractiveFuser",
    "ExtractiveUpdater",
    "LLMAnswerer",
    "LLMFuser",
    "LLMUpdater",
    "Templates",
    "extract_boxed",
    "extract_memory",
    "llm_components",
    "select_within_budget",
]
