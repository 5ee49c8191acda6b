"""Offline, deterministic generator of MemRewardBench-style pairs for all ten settings.

``generate_suite(out_dir)`` writes ``Long-context_Reasoning.jsonl.xz``,
``Multi-turn_Dialogue_Understanding.jsonl.xz`` and ``Long-form_Generation.jsonl.xz`` in the
published record schema; ``generate_suite(BUNDLED_SUITE_DIR, **BUNDLED_ARGS)`` rebuilds the bundled
suite byte for byte. See ``benchmarks/data/README.md`` for what each setting contains.
"""

from __future__ import annotations

from benchmarks.generator._common import GENERATOR_VERSION
from benchmarks.generator._lengths import HIGH, LENGTHS, LOW, PAIR_HIGH, PAIR_LOW, length_tokens
from benchmarks.generator._suite import (
    BUNDLED_ARGS,
    BUNDLED_SUITE_DIR,
    FILES,
    SETTINGS_BY_FILE,
    generate_record,
    generate_suite,
    iter_records,
)

__all__ = [
    "BUNDLED_ARGS",
    "BUNDLED_SUITE_DIR",
    "FILES",
    "GENERATOR_VERSION",
    "HIGH",
    "LENGTHS",
    "LOW",
    "PAIR_HIGH",
    "PAIR_LOW",
    "SETTINGS_BY_FILE",
    "generate_record",
    "generate_suite",
    "iter_records",
    "length_tokens",
]
