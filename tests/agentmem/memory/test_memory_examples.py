"""The examples run offline end to end (they start their own fake model server)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (
            "facts_memory.py",
            [
                "REJECTED ADD    'User owns a yacht in Monaco'",
                "User lives in Porto  (v2",
                "1 MemRewardBench pair(s) exported",
            ],
        ),
        (
            "notes_memory.py",
            ["REJECTED evolve", "links=[", "1 MemRewardBench pair(s) exported (A-Mem-MEM)"],
        ),
    ],
)
def test_example_runs_offline(script: str, expected: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    for line in expected:
        assert line in proc.stdout
