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

__all__ = [
    "EXTRACTIVE_LABEL",
    "ExtractiveAnswerer",
    "ExtractiveFuser",
    "ExtractiveUpdater",
    "select_within_budget",
]
