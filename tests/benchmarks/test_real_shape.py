"""The bundled suite has the shape of the published records (measured by benchmarks.shape).

The seven published records pin the statistics below; the bundled suite must share them. The
records are used for checking only: no generator rule reads their contents.
"""

from __future__ import annotations

import functools
from collections import defaultdict

import pytest
from bench_helpers import SAMPLES

from benchmarks.generator import BUNDLED_SUITE_DIR
from benchmarks.loaders import load_records
from benchmarks.shape import PairShape, pair_shape, store_kind, surface_rules, wrong_blocks


@functools.cache
def real() -> tuple[PairShape, ...]:
    return tuple(pair_shape(r) for r in load_records([SAMPLES]))


@functools.cache
def suite() -> tuple[PairShape, ...]:
    return tuple(pair_shape(r) for r in load_records([BUNDLED_SUITE_DIR]))


def _by_setting(shapes: tuple[PairShape, ...]) -> dict[str, list[PairShape]]:
    out: dict[str, list[PairShape]] = defaultdict(list)
    for s in shapes:
        out[s.setting].append(s)
    return out


def test_published_records_measure_the_whole_pair_not_the_question() -> None:
    shapes = real()
    assert len(shapes) == 7
    for s in shapes:
        assert s.pair_ratio is not None and 0.5 <= s.pair_ratio <= 1.35, s
        assert 0.05 <= s.question_share <= 0.3, s  # the question is a minority of the pair


def test_published_noise_pairs_differ_only_by_the_rejected_sides_failed_attempts() -> None:
    noise = [s for s in real() if s.setting.endswith("Noise")]
    assert len(noise) == 2
    for s in noise:
        assert s.wrong_chosen == 0 and s.wrong_rejected >= 3 and s.same_outside_wrong is True


def test_published_dialogue_stores_include_empty_and_dump_rejected_sides() -> None:
    kinds = {(s.store_chosen, s.store_rejected) for s in real() if s.store_chosen}
    assert kinds == {("dump", "empty"), ("distilled", "dump")}


def test_published_long_form_plans_are_json_and_the_chosen_side_longer() -> None:
    longform = [s for s in real() if s.setting.startswith("LongForm")]
    assert {s.plan for s in longform} == {"json"}
    assert all(s.chosen_tokens > s.rejected_tokens for s in longform)


def test_suite_pairs_have_the_published_size_and_question_share() -> None:
    for setting, shapes in _by_setting(suite()).items():
        ratios = [s.pair_ratio or 0.0 for s in shapes]
        assert min(ratios) >= 0.5 and max(ratios) <= 1.0, setting
        shares = sorted(s.question_share for s in shapes)
        median = shares[len(shares) // 2]
        # published: 0.08-0.13 reasoning, 0.17-0.27 dialogue, 0.08-0.10 long-form
        assert 0.02 <= median <= 0.45, (setting, median)


def test_suite_noise_pairs_are_built_as_the_published_ones() -> None:
    for setting in ("Sequential-Noise", "Mixed-Noise"):
        shapes = _by_setting(suite())[setting]
        assert all(s.wrong_chosen == 0 < s.wrong_rejected for s in shapes)
        same = sum(bool(s.same_outside_wrong) for s in shapes)
        assert same >= 0.7 * len(shapes)  # the rest also repeat a memory segment


def test_suite_memories_grow_towards_the_budget_without_passing_it() -> None:
    reasoning = [s for s in suite() if s.setting.endswith(("Noise", "Drop"))]
    assert max(s.max_memory_tokens for s in reasoning) <= 1024
    long_ones = [s.max_memory_tokens for s in reasoning if s.length in ("64k", "128k")]
    assert sum(m >= 400 for m in long_ones) >= 0.75 * len(long_ones)  # far above v1's ~65


def test_suite_dialogue_stores_cover_the_published_kinds() -> None:
    by = _by_setting(suite())
    out = {(s.store_chosen, s.store_rejected) for k in ("Mem0-Out", "A-Mem-Out") for s in by[k]}
    mem = {(s.store_chosen, s.store_rejected) for k in ("Mem0-Mem", "A-Mem-Mem") for s in by[k]}
    assert {("dump", "empty"), ("distilled", "dump"), ("distilled", "distilled")} <= out
    assert {("distilled", "dump"), ("distilled", "distilled")} <= mem


def test_suite_long_form_has_both_published_shapes() -> None:
    for setting in ("LongForm-Sequential", "LongForm-Parallel"):
        plans = [s.plan for s in _by_setting(suite())[setting]]
        assert plans.count("json") >= 6 and plans.count("units") >= 4, plans


@pytest.mark.parametrize(
    ("setting", "rule", "low", "high"),
    [
        # where the published records show a rule deciding, the suite may let it decide too ...
        ("Sequential-Noise", "fewer-wrong-blocks", 1.0, 1.0),
        ("Mixed-Noise", "fewer-wrong-blocks", 1.0, 1.0),
        ("LongForm-Sequential", "longer", 0.6, 1.0),
        ("LongForm-Parallel", "longer", 0.6, 1.0),
        # ... and nowhere else may a surface rule do much better than chance
        ("Sequential-Drop", "longer", 0.35, 0.65),
        ("Mixed-Drop", "longer", 0.35, 0.65),
        ("Sequential-Drop", "fewer-wrong-blocks", 0.5, 0.5),
        ("Mem0-Out", "longer", 0.25, 0.75),
        ("Mem0-Mem", "longer", 0.25, 0.75),
        ("A-Mem-Out", "longer", 0.25, 0.75),
        ("A-Mem-Mem", "longer", 0.25, 0.75),
        ("Mem0-Out", "shorter", 0.25, 0.75),
        ("A-Mem-Mem", "shorter", 0.25, 0.75),
    ],
)
def test_surface_rules_separate_the_suite_about_as_much_as_the_published_records(
    setting: str, rule: str, low: float, high: float
) -> None:
    acc = surface_rules(suite())[setting][rule]
    assert low <= acc <= high, (setting, rule, acc)


def test_shape_helpers_on_small_inputs() -> None:
    block = "<wrong_updated_memories>\n{}\n</wrong_updated_memories>"
    assert wrong_blocks(block.format("No wrong updated memory") + block.format("x")) == 1
    conversation = (
        "[1:00 pm on 1 May, 2023] Speaker A says: hi\n[1:01 pm on 1 May, 2023] Speaker B says: yo"
    )
    dump = "[{'id': '1', 'memory': '[1:00 pm on 1 May, 2023] Speaker A says: hi'}]"
    assert store_kind(dump, conversation) == "dump"
    assert store_kind("[{'id': '1', 'memory': 'Likes pets'}]", conversation) == "distilled"
    assert store_kind("", conversation) == "empty"
    notes = (
        "Memory 1:\nContent: Speaker A says: hi\nContext: c\nKeywords: []\nTags: []\nTimestamp: 1"
    )
    assert store_kind(notes, conversation) == "dump"
