"""Helpers for the generator tests: the bundled suite, decompressed once per process."""

from __future__ import annotations

import functools
import json
import lzma
from typing import Any

from benchmarks.generator import BUNDLED_SUITE_DIR, FILES


@functools.cache
def bundled_lines() -> dict[str, list[bytes]]:
    """Raw JSONL lines of each bundled file, keyed by family (reasoning/dialogue/longform)."""
    return {
        family: lzma.decompress((BUNDLED_SUITE_DIR / name).read_bytes()).splitlines(keepends=True)
        for family, name in FILES.items()
    }


@functools.cache
def bundled_records() -> tuple[dict[str, Any], ...]:
    """Every bundled record, parsed, in file order (do not mutate)."""
    return tuple(json.loads(line) for lines in bundled_lines().values() for line in lines)
