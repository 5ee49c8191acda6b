"""The MemRewardBench suite (arXiv 2601.11969): loaders, generator, runner, reports."""

from __future__ import annotations

__all__: list[str] = []
