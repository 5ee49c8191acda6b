"""The heuristic RM reads the published layouts (the seven real records) by content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rewards.heuristic import parse_trajectory

# The repository ships a copy of the seven published records next to the benchmark tests.
SAMPLES = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "memrewardbench-samples"
if not SAMPLES.is_dir():
    SAMPLES = Path("/work/shared/data/memrewardbench-samples")


def records(name: str) -> list[dict[str, object]]:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"published samples not found at {path}")
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def test_parallel_reasoning_layout_groups_fusion_and_answer() -> None:
    rec = records("Long-context_Reasoning.jsonl")[0]
    chosen = parse_trajectory(str(rec["chosen"]))
    rejected = parse_trajectory(str(rec["rejected"]))
    assert chosen.layout == rejected.layout == "reasoning"
    kinds = [s.kind for s in chosen.steps]
    assert kinds == ["update"] * 6 + ["fusion", "answer"]
    assert [s.group for s in chosen.steps if s.kind == "update"] == [1, 1, 2, 2, 3, 3]
    assert "\\boxed{0}" in chosen.answer
    # Noise: the rejected side carries rejected attempts, the chosen side none.
    assert sum(1 for s in rejected.steps if s.wrong) == 4
    assert not any(s.wrong for s in chosen.steps)
    # Sections are slices of the original text, and the first step starts from no memory.
    first = chosen.steps[0]
    assert first.previous == ""
    assert chosen.section(first).strip().startswith("Her heart is in")


def test_mem0_layouts_including_empty_rejected() -> None:
    recs = records("Multi-turn_Dialogue_Understanding.jsonl")
    empty = parse_trajectory(str(recs[0]["rejected"]))
    assert empty.layout == "empty" and empty.items == []
    store = parse_trajectory(str(recs[1]["chosen"]))
    assert store.layout == "dialogue"
    assert "We're traveling through Lake Tahoe" in store.items
    dump = parse_trajectory(str(recs[2]["rejected"]))
    assert all(item.startswith("[") and " says: " in item for item in dump.items)


def test_longform_layout_sections_and_restated_instruction() -> None:
    rec = records("Long-form_Generation.jsonl")[0]
    t = parse_trajectory(str(rec["chosen"]), kind="generation")
    assert t.layout == "longform" and len(t.segments) == 6
    assert t.segments[0].restated.startswith("```json")
    assert t.segments[1].text.startswith("### The ReSpAct Framework")
    assert "Based on the title" not in t.segments[1].text


@pytest.mark.parametrize(
    ("text", "layout", "n"),
    [
        ("", "empty", 0),
        ("   \n", "empty", 0),
        ("[]", "dialogue", 0),
        (
            '[{"memory": "Likes tea", "id": "1"}, {"memory": "Lives in Oslo", "id": "2"}]',
            "dialogue",
            2,
        ),
        (
            "Content: Likes tea\nContext: drinks\nKeywords: ['tea']\nTags: ['food']\n\nContent: Lives in Oslo\nTags: []",
            "dialogue",
            2,
        ),
        ("just one plain memory", "plain", 1),
    ],
)
def test_other_layouts(text: str, layout: str, n: int) -> None:
    t = parse_trajectory(text)
    assert t.layout == layout and len(t.items) == n


def test_tagged_memories_without_step_markers() -> None:
    text = (
        "<memory>\nNo previous memory\n</memory>\n<updated_memory>A met B.</updated_memory>\n"
        "<memory><updated_memory>A met B.</updated_memory></memory>\n"
        "<updated_memory>A met B. C left.</updated_memory>"
    )
    t = parse_trajectory(text)
    assert t.layout == "reasoning"
    assert [(s.previous, s.updated) for s in t.steps] == [
        ("", "A met B."),
        ("A met B.", "A met B. C left."),
    ]
