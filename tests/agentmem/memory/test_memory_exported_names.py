"""The public names of agentmem.memory and agentmem.agent: __all__ matches what the packages expose."""

from __future__ import annotations

import importlib
import types

import pytest


@pytest.mark.parametrize("package", ["agentmem.memory", "agentmem.agent"])
def test_all_lists_exactly_the_public_names(package: str) -> None:
    mod = importlib.import_module(package)
    public = {
        name
        for name, value in vars(mod).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"
    }
    assert sorted(mod.__all__) == sorted(public)
    for name in mod.__all__:
        assert getattr(mod, name) is not None
