"""The public names of agentmem.llm and rewards.llm_judge match their __all__."""

from __future__ import annotations

import importlib
import types

import pytest


@pytest.mark.parametrize("package", ["agentmem.llm", "rewards.llm_judge"])
def test_all_matches_public_names(package: str) -> None:
    mod = importlib.import_module(package)
    public = {
        name
        for name, value in vars(mod).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"
    }
    assert sorted(public) == sorted(mod.__all__)


def test_importing_the_client_does_not_import_litellm() -> None:
    import subprocess
    import sys

    code = "import sys, agentmem.llm, rewards.llm_judge; print('litellm' in sys.modules, 'aiohttp' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False"]
