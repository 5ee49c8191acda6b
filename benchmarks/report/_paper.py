"""The paper's published numbers (arXiv 2601.11969, Tables 3 and 6), shipped as package data.

They were measured on the real 2,400-pair data; beside a run on another suite they are a
reference point, not a sample-for-sample comparison.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from agentmem.exceptions import UnknownNameError

__all__ = ["PAPER_NOTE", "paper_by_length", "paper_by_setting", "paper_models", "paper_tables"]

PAPER_NOTE = (
    "paper = published accuracy from the MemRewardBench paper (arXiv 2601.11969, Tables 3 and 6) on the "
    "real 2,400-pair data; not comparable sample-for-sample with other data"
)


@functools.cache
def paper_tables() -> dict[str, Any]:
    """The shipped ``benchmarks/data/paper-tables.json``."""
    text = (
        resources.files("benchmarks").joinpath("data/paper-tables.json").read_text(encoding="utf-8")
    )
    return dict(json.loads(text))


def paper_models() -> list[str]:
    """Models with a Table 3 row."""
    return list(paper_tables()["table3"])


def paper_by_setting(model: str) -> dict[str, float]:
    """Table 3 row of ``model`` as fractions: 10 settings, ``LCR``/``MTD``/``LFG`` averages, ``overall``."""
    tables = paper_tables()
    rows: dict[str, list[float]] = tables["table3"]
    if model not in rows:
        raise UnknownNameError("paper model", model, rows)
    out: dict[str, float] = {}
    for col, value in zip(tables["table3_columns"], rows[model], strict=True):
        renames = {"LCR-Avg": "LCR", "MTD-Avg": "MTD", "LFG-Avg": "LFG", "Avg": "overall"}
        key = renames.get(str(col), str(col))
        out[key] = value / 100
    return out


def paper_by_length(model: str) -> dict[str, float]:
    """Table 6 row of ``model`` as fractions keyed by length (``{}`` when the table lacks it)."""
    table = paper_tables()["table6_by_length"]
    # Table 6 spells two names differently from Table 3.
    key = {"Gemini3-Pro": "Gemini-3-Pro"}.get(model, model)
    row = table.get(key)
    if row is None:
        return {}
    return {k: v / 100 for k, v in zip(table["_lengths"], row, strict=True) if k != "Avg"}
