"""The ordering protocol must match the official evaluator's use of the global ``random`` module."""

from __future__ import annotations

import random

import pytest

from benchmarks.runner import protocol_slots


def _official(records: list[str], sample: int | None = None) -> list[tuple[str, str]]:
    """The official preprocess, restated: seed 42, optional random.sample, shuffle, per-pair order."""
    random.seed(42)
    dataset = list(records)
    if sample:
        dataset = random.sample(dataset, sample)
    random.shuffle(dataset)
    out = []
    for rec in dataset:
        order = [0, 1]
        random.shuffle(order)
        answers = ["chosen", "rejected"]
        out.append((rec, answers[order[0]]))  # what sits in the Agent A slot
    return out


@pytest.mark.parametrize("n", [1, 2, 7, 240, 1001])
def test_slots_equal_the_official_shuffle_and_orders(n: int) -> None:
    records = [f"rec{i}" for i in range(n)]
    expected = [(rec, "A" if in_a == "chosen" else "B") for rec, in_a in _official(records)]
    got = [(f"rec{s.index}", s.chosen_as) for s in protocol_slots(n)]
    assert got == expected


@pytest.mark.parametrize(("n", "k"), [(100, 10), (50, 50), (9, 1)])
def test_limit_reproduces_the_official_random_sample(n: int, k: int) -> None:
    records = [f"rec{i}" for i in range(n)]
    expected = [
        (rec, "A" if in_a == "chosen" else "B") for rec, in_a in _official(records, sample=k)
    ]
    got = [(f"rec{s.index}", s.chosen_as) for s in protocol_slots(n, limit=k)]
    assert got == expected


def test_limit_above_the_file_size_keeps_everything() -> None:
    assert [s.index for s in protocol_slots(5, limit=50)] == [s.index for s in protocol_slots(5)]


def test_both_slots_occur_and_ranks_are_the_judging_order() -> None:
    slots = protocol_slots(200)
    assert [s.rank for s in slots] == list(range(200))
    n_a = sum(s.chosen_as == "A" for s in slots)
    assert 70 < n_a < 130
    assert sorted(s.index for s in slots) == list(range(200))


def test_global_random_state_is_untouched() -> None:
    random.seed(7)
    expected = random.random()
    random.seed(7)
    protocol_slots(100)
    assert random.random() == expected
