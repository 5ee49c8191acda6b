"""The examples in examples/ run offline, as the README tells users to run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("pipeline_quickstart.py", "under the third step of the east staircase"),
        ("facts_memory.py", "pair(s) exported"),
        ("notes_memory.py", "pair(s) exported"),
    ],
)
def test_example_runs_offline(script: str, expected: str, tmp_path: Path) -> None:
    env = {**os.environ, "AGENTMEM_FORBID_NETWORK": "1", "HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert expected in out.stdout
