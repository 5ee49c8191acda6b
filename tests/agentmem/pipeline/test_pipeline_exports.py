"""The public names of the pipeline packages match their __all__ (fails when it drifts)."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    "module", ["agentmem._pipeline", "agentmem.policies", "agentmem.updaters", "agentmem.testing"]
)
def test_all_lists_exactly_the_public_names(module: str) -> None:
    mod = importlib.import_module(module)
    public = {
        n
        for n, v in vars(mod).items()
        if not n.startswith("_") and getattr(v, "__module__", "").startswith(module + ".")
    }
    assert public <= set(mod.__all__), f"not in __all__: {public - set(mod.__all__)}"
    assert all(hasattr(mod, n) for n in mod.__all__)


def test_importing_the_pipeline_and_cli_stays_light() -> None:
    import subprocess
    import sys

    code = "import sys, agentmem._pipeline, agentmem.cli._run, agentmem.testing; print('litellm' in sys.modules, 'pydantic_ai' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False False"
