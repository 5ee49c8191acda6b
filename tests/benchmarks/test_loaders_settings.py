from __future__ import annotations

import pytest

from benchmarks.settings import (
    LENGTHS,
    SETTINGS,
    TASK_GROUPS,
    UNMAPPED,
    canonical_length,
    canonical_setting,
    task_group,
)


@pytest.mark.parametrize(
    ("task", "subtask", "expected"),
    [
        # the naming schemes of the published files (DESIGN.md)
        ("P-Noise", "qa7-parallel3-self_correct", "Mixed-Noise"),
        ("P-Drop", None, "Mixed-Drop"),
        ("S-Noise", None, "Sequential-Noise"),
        ("S-Drop", None, "Sequential-Drop"),
        ("Mem0-Out", "mem0_Conflict_Resolution_easy", "Mem0-Out"),
        ("Mem0-Out", "mem0_locomo_easy", "Mem0-Out"),
        ("Mem0-MEM", "mem0_locomo_hard", "Mem0-Mem"),
        ("A-Mem-Out", None, "A-Mem-Out"),
        (None, "a_mem_locomo_hard", "A-Mem-Mem"),
        ("parallel", "longeval_blog_parallel", "LongForm-Parallel"),
        ("sequential", "longeval_wikipedia_sequantial", "LongForm-Sequential"),
        ("parallel", None, "LongForm-Parallel"),
        ("sequential", None, "LongForm-Sequential"),
        ("parallel-self_correct", None, "Mixed-Noise"),
        ("parallel-wrong_answer", None, "Mixed-Drop"),
        (None, "longmit-parallel2-wrong_answer", "Mixed-Drop"),
        (None, "longmit-sequential-wrong_answer", "Sequential-Drop"),
        # the generator's names
        ("S-Noise", "babi-qa1-sequential-self_correct", "Sequential-Noise"),
        ("P-Drop", "docqa-parallel2-wrong_answer", "Mixed-Drop"),
        ("A-Mem-MEM", "a_mem_synth_hard", "A-Mem-Mem"),
        ("sequential", "longeval_diary_sequential", "LongForm-Sequential"),
        # a reasoning subtask beats the bare pattern of the task
        ("parallel", "qa7-parallel3-self_correct", "Mixed-Noise"),
    ],
)
def test_published_names_map_to_canonical_settings(
    task: str | None, subtask: str | None, expected: str
) -> None:
    assert canonical_setting(task, subtask) == expected


@pytest.mark.parametrize(
    ("task", "subtask"),
    [
        ("mystery", None),
        (None, None),
        ("Mem0", None),  # family without Out/Mem
        ("Mem0-Out", "mem0_locomo_hard"),  # contradictory clues: never guess
        ("S-Noise", "qa1-parallel2-self_correct"),
        ("P-Noise", "qa1-parallel2-wrong_answer"),
    ],
)
def test_unknown_or_contradictory_names_are_unmapped(task: str | None, subtask: str | None) -> None:
    assert canonical_setting(task, subtask) == UNMAPPED


def test_canonical_names_map_to_themselves_in_any_case() -> None:
    for s in SETTINGS:
        assert canonical_setting(s) == s
        assert canonical_setting(s.upper()) == s


def test_bare_pattern_in_the_reasoning_file_is_not_guessed_as_long_form() -> None:
    assert canonical_setting("parallel", None, file_name="Long-context_Reasoning.jsonl") == UNMAPPED
    assert (
        canonical_setting("parallel", None, file_name="Long-form_Generation.jsonl")
        == "LongForm-Parallel"
    )


def test_task_groups_cover_the_ten_settings_once() -> None:
    members = [s for group in TASK_GROUPS.values() for s in group]
    assert sorted(members) == sorted(SETTINGS) and len(SETTINGS) == 10
    assert task_group("Mem0-Mem") == "MTD" and task_group("LongForm-Parallel") == "LFG"
    assert task_group(UNMAPPED) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("8k", "8k"),
        ("8K", "8k"),
        (8192, "8k"),
        ("131072", "128k"),
        ("32 K", "32k"),
        ("4k", "4k"),
        (None, "unknown"),
        ("", "unknown"),
        ("long", "long"),
    ],
)
def test_lengths_normalise(value: object, expected: str) -> None:
    assert canonical_length(value) == expected
    assert LENGTHS == ("8k", "16k", "32k", "64k", "128k")
