"""USD cost of a call from litellm's bundled price map, read as JSON (importing litellm costs seconds)."""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

__all__ = ["call_cost", "max_input_tokens", "model_supports", "price_of"]

_PRICE_FILE = "model_prices_and_context_window_backup.json"


@functools.cache
def _price_map() -> dict[str, Any]:
    spec = importlib.util.find_spec("litellm")
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root) / _PRICE_FILE
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
    return {}


@functools.cache
def price_of(model: str) -> tuple[float, float] | None:
    """(input, output) USD per token for a litellm model string, or None when unknown."""
    prices = _price_map()
    candidates = [model]
    if "/" in model:
        candidates.append(model.split("/", 1)[1])
    for name in candidates:
        entry = prices.get(name)
        if isinstance(entry, dict) and "input_cost_per_token" in entry:
            return float(entry.get("input_cost_per_token") or 0.0), float(
                entry.get("output_cost_per_token") or 0.0
            )
    return None


def call_cost(model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """USD for one call, 0.0 when the model's price is not in the map (self-hosted, fake, new)."""
    price = price_of(model)
    if price is None:
        return 0.0
    return prompt_tokens * price[0] + completion_tokens * price[1]


@functools.cache
def max_input_tokens(model: str) -> int | None:
    """The model's input window from litellm's map (``max_input_tokens``), None when unknown."""
    prices = _price_map()
    for name in (model, model.split("/", 1)[1] if "/" in model else model):
        entry = prices.get(name)
        if isinstance(entry, dict):
            value = entry.get("max_input_tokens") or entry.get("max_tokens")
            if isinstance(value, int) and value > 0:
                return value
    return None


def model_supports(model: str, feature: str) -> bool | None:
    """litellm's ``supports_<feature>`` flag for a model (e.g. ``response_schema``), None when unknown."""
    prices = _price_map()
    for name in (model, model.split("/", 1)[1] if "/" in model else model):
        entry = prices.get(name)
        if isinstance(entry, dict) and f"supports_{feature}" in entry:
            return bool(entry[f"supports_{feature}"])
    return None
