"""Fixtures for the benchmark loader/runner/report/CLI tests (helpers live in bench_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench_helpers import SAMPLES, make_record, write_jsonl


@pytest.fixture
def samples() -> Path:
    """Folder of the three published files holding the seven real records."""
    return SAMPLES


@pytest.fixture
def small_suite(tmp_path: Path) -> Path:
    """Three files named like the published ones, 60 pairs over all 10 settings."""
    folder = tmp_path / "suite"
    reasoning = [
        ("S-Noise", "qa1-sequential-self_correct"),
        ("S-Drop", "qa2-sequential-wrong_answer"),
        ("P-Noise", "qa7-parallel3-self_correct"),
        ("P-Drop", "qa3-parallel2-wrong_answer"),
    ]
    dialogue = [
        ("Mem0-Out", "mem0_locomo_easy"),
        ("Mem0-MEM", "mem0_locomo_hard"),
        ("A-Mem-Out", "a_mem_locomo_easy"),
        ("A-Mem-MEM", "a_mem_locomo_hard"),
    ]
    longform = [("sequential", "longeval_blog_sequential"), ("parallel", "longeval_blog_parallel")]
    lengths = ["8k", "16k", "32k", "64k", "128k", "8k"]
    n = 0
    for fname, kinds in [
        ("Long-context_Reasoning.jsonl", reasoning),
        ("Multi-turn_Dialogue_Understanding.jsonl", dialogue),
        ("Long-form_Generation.jsonl", longform),
    ]:
        recs = []
        for task, sub in kinds:
            for j, length in enumerate(lengths):
                n += 1
                # every third pair has the chosen trajectory longer, so "shorter" is not always right
                long_chosen = n % 3 == 0
                recs.append(
                    make_record(
                        n,
                        task=task,
                        subtask=sub,
                        length=length,
                        chosen_len=30 if long_chosen else 10,
                        rejected_len=20,
                        meta={"j": j},
                    )
                )
        write_jsonl(folder / fname, recs)
    return folder
