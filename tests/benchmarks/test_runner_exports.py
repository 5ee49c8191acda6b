"""Each public benchmark package's __all__ lists exactly its public names (httpx-style drift check)."""

from __future__ import annotations

import importlib
import types

import pytest


@pytest.mark.parametrize("name", ["benchmarks.loaders", "benchmarks.runner", "benchmarks.report"])
def test_all_matches_the_public_names(name: str) -> None:
    module = importlib.import_module(name)
    public = {
        k
        for k, v in vars(module).items()
        if not k.startswith("_") and not isinstance(v, types.ModuleType) and k != "annotations"
    }
    assert sorted(module.__all__) == sorted(public)
