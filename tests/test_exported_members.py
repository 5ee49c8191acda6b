"""Every public package declares ``__all__``; every name in it exists and the list has no repeats."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = [
    "agentmem",
    "agentmem.agent",
    "agentmem.exceptions",
    "agentmem.llm",
    "agentmem.memory",
    "agentmem.policies",
    "agentmem.store",
    "agentmem.testing",
    "agentmem.updaters",
    "rewards",
    "rewards.heuristic",
    "rewards.llm_judge",
    "benchmarks.generator",
    "benchmarks.loaders",
    "benchmarks.runner",
]


@pytest.mark.parametrize("name", PUBLIC)
def test_all_is_declared_and_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported, f"{name} has no __all__"
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names missing attributes: {missing}"


@pytest.mark.parametrize("name", PUBLIC)
def test_public_classes_and_functions_are_exported(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(getattr(module, "__all__", ()))
    own = [
        n
        for n, obj in vars(module).items()
        if not n.startswith("_")
        and callable(obj)
        and getattr(obj, "__module__", "").startswith(name)
        and not isinstance(obj, type(importlib))
    ]
    drift = sorted(set(own) - exported)
    assert not drift, f"{name} defines or re-exports public names missing from __all__: {drift}"
