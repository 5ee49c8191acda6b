"""The published trajectory layout: what reward models and the benchmark's judges read."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from inline_snapshot import snapshot

from agentmem import Answer, Attempt, Candidate, Chunk, Step, Trajectory, UserError
from agentmem.render import (
    AMemNote,
    Mem0Entry,
    PartMemories,
    StepText,
    mem0_hash,
    render_amem_notes,
    render_mem0_dump,
    render_parallel,
    render_sequential,
    render_step,
    render_trajectory,
)
from rewards._types import Reward

SAMPLES = Path("/work/shared/data/memrewardbench-samples")
Q = "Where is the milk?"


def _attempt(text: str, value: float = 0.9) -> Attempt:
    return Attempt(candidate=Candidate(text=text), reward=Reward(value=value, scorer="t"))


def _step(
    group: int, index: int, prev: str, chunk: str | None, texts: list[str], kind: str = "update"
) -> Step:
    return Step(
        kind=kind,  # type: ignore[arg-type]
        group=group,
        index=index,
        previous_memory=prev,
        chunk=Chunk(index=index, text=chunk, tokens=3) if chunk is not None else None,
        attempts=[_attempt(t, 0.2) for t in texts[:-1]] + [_attempt(texts[-1])],
        chosen=len(texts) - 1,
        decision="accepted" if len(texts) == 1 else "accepted_after_revision",
    )


def test_first_step_says_no_previous_memory_and_no_wrong_memory() -> None:
    text = render_step(
        1,
        Q,
        StepText(
            previous_memory="", section="John took the milk.", updated_memory="John has the milk."
        ),
    )
    assert text == snapshot("""\
Step 1:

<problem> \n\
Where is the milk?
</problem>

<memory>
No previous memory
</memory>


<section>
John took the milk.
</section>


<wrong_updated_memories>
No wrong updated memory
</wrong_updated_memories>


Updated memory:
<updated_memory>
John has the milk.
</updated_memory>



""")


def test_rejected_proposals_are_listed_as_wrong_updated_memories() -> None:
    step = StepText(
        previous_memory="John has the milk.",
        section="John went to the garden.",
        updated_memory="John has the milk; he is in the garden.",
        wrong_memories=["The milk is in the kitchen.", "John has no milk."],
    )
    text = render_step(2, Q, step)
    assert "<memory>\n<updated_memory>\nJohn has the milk.\n</updated_memory>\n</memory>" in text
    assert text.count("<updated_memory>") == 4
    wrong = text.split("<wrong_updated_memories>\n")[1].split("\n</wrong_updated_memories>")[0]
    assert wrong == snapshot("""\
<updated_memory>
The milk is in the kitchen.
</updated_memory>
<updated_memory>
John has no milk.
</updated_memory>\
""")


def test_sequential_run_ends_with_the_answer_read_off_the_last_memory() -> None:
    steps = [
        StepText(previous_memory="", section="c1", updated_memory="m1"),
        StepText(previous_memory="m1", section="c2", updated_memory="m2"),
    ]
    text = render_sequential(Q, steps, "The milk is in the garden.\n\n\\boxed{garden}")
    assert text.startswith("Step 1:\n\n")
    assert "Step 2:" in text
    tail = text.split("Based on the memory, the process of obtaining the answer is as follows:\n")[
        1
    ]
    assert tail == snapshot("""\

<problem> \n\
Where is the milk?
</problem>

<memory>
<updated_memory>
m2
</updated_memory>
</memory>


<section>
None
</section>


<wrong_updated_memories>
No wrong updated memory
</wrong_updated_memories>


Updated memory:
The milk is in the garden.

\\boxed{garden}
""")


def test_parallel_layout_lists_parts_summary_and_answer() -> None:
    parts = [
        [StepText(previous_memory="", section="a", updated_memory="ma")],
        [StepText(previous_memory="", section="b", updated_memory="mb")],
    ]
    text = render_parallel(
        Q, parts, PartMemories(memories=["ma", "mb"], summary="ma+mb"), "\\boxed{x}"
    )
    headers = [
        ln
        for ln in text.splitlines()
        if ln.startswith(("Part", "Step", "The ", "There", "After", "Based", "Each"))
    ]
    assert headers == snapshot(
        [
            "The entire agent workflow consists of parallel processing components and a summarization processing component.",
            "Each parallel processing component is as follows:",
            "Part 1:",
            "Step 1:",
            "Part 2:",
            "Step 1:",
            "After processing in parallel, the summarization processing component is as follows:",
            "There are 2 processed components (Memories):",
            "Part 1:",
            "Part 2:",
            "The summarization of them is as follows:",
            "Based on the memory, the process of obtaining the answer is as follows:",
        ]
    )
    assert (
        "The summarization of them is as follows:\n<updated_memory>\nma+mb\n</updated_memory>\n"
        in text
    )
    assert text.endswith("Updated memory:\n\\boxed{x}\n")


def test_parallel_needs_two_parts_and_one_memory_per_part() -> None:
    one = [[StepText(previous_memory="", section="a", updated_memory="m")]]
    with pytest.raises(UserError, match="at least 2 parts, got 1"):
        render_parallel(Q, one, PartMemories(memories=["m"], summary="s"), None)
    with pytest.raises(UserError, match="1 part memories for 2 parts"):
        render_parallel(Q, one * 2, PartMemories(memories=["m"], summary="s"), None)


def test_step_numbers_start_at_one() -> None:
    with pytest.raises(UserError, match="got 0"):
        render_step(0, Q, StepText(previous_memory="", section="", updated_memory=""))


def test_sequential_trajectory_renders_rejected_attempts_and_answer() -> None:
    traj = Trajectory(
        run_id="r1",
        question=Q,
        pattern="sequential",
        steps=[
            _step(0, 0, "", "John took the milk.", ["Mary has the milk.", "John has the milk."]),
            _step(
                0,
                1,
                "John has the milk.",
                "John went to the garden.",
                ["The milk is in the garden."],
            ),
        ],
        answer=Answer(text="\\boxed{garden}", extracted="garden"),
    )
    text = render_trajectory(traj)
    assert text == render_sequential(
        Q,
        [
            StepText(
                previous_memory="",
                section="John took the milk.",
                updated_memory="John has the milk.",
                wrong_memories=["Mary has the milk."],
            ),
            StepText(
                previous_memory="John has the milk.",
                section="John went to the garden.",
                updated_memory="The milk is in the garden.",
            ),
        ],
        "\\boxed{garden}",
    )
    assert text.count("No wrong updated memory") == 2  # step 2 and the answer block


def test_mixed_trajectory_groups_parts_and_puts_tail_after_fusion() -> None:
    # Commit order interleaves the two concurrent groups; the render regroups them.
    steps = [
        _step(1, 0, "", "a1", ["A1"]),
        _step(2, 0, "", "b1", ["B1"]),
        _step(2, 1, "B1", "b2", ["B2"]),
        _step(1, 1, "A1", "a2", ["A2"]),
        _step(0, 0, "A2\nB2", None, ["F"], kind="fusion"),
        _step(0, 0, "F", "c1", ["T1"]),
    ]
    traj = Trajectory(run_id="r2", question=Q, pattern="mixed", groups=2, steps=steps)
    text = render_trajectory(traj)
    part1, part2 = text.split("Part 1:\n")[1], text.split("Part 2:\n")[1]
    assert part1.index("a1") < part1.index("a2") < part1.index("Part 2:")
    assert (
        "b1" in part2.split("After processing")[0]
        and "a1" not in part2.split("After processing")[0]
    )
    summary = text.split("There are 2 processed components (Memories):\n")[1]
    assert summary.startswith(
        "Part 1:\n <updated_memory>\nA2\n</updated_memory>\nPart 2:\n <updated_memory>\nB2\n"
    )
    tail = text.split("Based on the memory, the process of obtaining the answer is as follows:\n")[
        1
    ]
    assert tail.startswith("Step 1:\n\n") and "<section>\nc1\n</section>" in tail
    assert "Updated memory:" in tail and not tail.rstrip().endswith(
        "None"
    )  # no answer yet: no answer block


def test_parallel_trajectory_without_fusion_is_a_user_error() -> None:
    traj = Trajectory(
        run_id="r3", question=Q, pattern="parallel", groups=2, steps=[_step(1, 0, "", "a", ["A"])]
    )
    with pytest.raises(UserError, match="'r3' is parallel but has no fusion step"):
        render_trajectory(traj)


def test_mem0_dump_is_a_python_repr_that_round_trips() -> None:
    entries = [
        Mem0Entry(
            id="id-1", memory="Moved to Lisbon", created_at="2023-05-01T10:00:00-07:00", user_id="u"
        ),
        Mem0Entry(
            id="id-2",
            memory="Partner's name is Ana",
            created_at="2023-05-02T10:00:00-07:00",
            updated_at="2023-06-02T10:00:00-07:00",
            user_id="u",
        ),
    ]
    text = render_mem0_dump(entries)
    assert text == snapshot(
        "[{'id': 'id-1', 'memory': 'Moved to Lisbon', 'hash': 'ed8550698d15339708a6cdfe0ca85884', 'metadata': None, 'created_at': '2023-05-01T10:00:00-07:00', 'updated_at': None, 'user_id': 'u'}, {'id': 'id-2', 'memory': \"Partner's name is Ana\", 'hash': 'bdfb66a9de377ebf353912d3255e9365', 'metadata': None, 'created_at': '2023-05-02T10:00:00-07:00', 'updated_at': '2023-06-02T10:00:00-07:00', 'user_id': 'u'}]"
    )
    rows = ast.literal_eval(text)
    assert rows[0]["hash"] == mem0_hash("Moved to Lisbon")
    assert list(rows[1]) == [
        "id",
        "memory",
        "hash",
        "metadata",
        "created_at",
        "updated_at",
        "user_id",
    ]


def test_empty_mem0_store_renders_as_empty_string_like_the_published_data() -> None:
    assert render_mem0_dump([]) == ""
    with pytest.raises(UserError, match="entry 0 has no 'memory' key"):
        render_mem0_dump([{"id": "x"}])


def test_published_mem0_dumps_have_the_same_shape() -> None:
    rec = json.loads(
        (SAMPLES / "Multi-turn_Dialogue_Understanding.jsonl").read_text().splitlines()[2]
    )
    published = ast.literal_eval(rec["chosen"])
    ours = ast.literal_eval(
        render_mem0_dump([Mem0Entry(id="i", memory="m", created_at="t", user_id="u")])
    )
    assert list(published[0])[:7] == list(ours[0])


def test_amem_notes_render_context_keywords_tags() -> None:
    notes = [
        AMemNote(
            content="Ana adopted a cat named Miso.",
            context="Ana talks about her new pet.",
            keywords=["cat", "Miso"],
            tags=["pets"],
            timestamp="202305011000",
        ),
        AMemNote(content="c2", context="x2", keywords=[], tags=["t"], timestamp="202305021000"),
    ]
    assert render_amem_notes(notes) == snapshot("""\
Memory 1:
Content: Ana adopted a cat named Miso.
Context: Ana talks about her new pet.
Keywords: ['cat', 'Miso']
Tags: ['pets']
Timestamp: 202305011000

Memory 2:
Content: c2
Context: x2
Keywords: []
Tags: ['t']
Timestamp: 202305021000\
""")


def test_layout_matches_the_published_step_block() -> None:
    """Our first step block has the same skeleton as a real record's first step."""
    rec = json.loads((SAMPLES / "Long-context_Reasoning.jsonl").read_text().splitlines()[0])
    real = rec["chosen"].split("Part 1:\n", 1)[1].split("Step 2:")[0]
    question = rec["meta"]["question"]
    section = real.split("<section>\n")[1].split("\n</section>")[0]
    memory = real.split("<updated_memory>\n")[1].split("\n</updated_memory>")[0]
    ours = render_step(
        1, question, StepText(previous_memory="", section=section, updated_memory=memory)
    )
    assert ours == real


def test_parallel_parts_follow_group_numbers_not_commit_order() -> None:
    # Group 2 finished first; Part 1 must still be group 1.
    steps = [
        _step(2, 0, "", "b1", ["B1"]),
        _step(1, 0, "", "a1", ["A1"]),
        _step(0, 0, "A1\nB1", None, ["F"], kind="fusion"),
    ]
    text = render_trajectory(
        Trajectory(run_id="r3", question=Q, pattern="parallel", groups=2, steps=steps)
    )
    assert text.index("Part 1:") < text.index("a1") < text.index("Part 2:") < text.index("b1")


def test_steps_in_order_follow_the_pipeline_not_the_commit_order() -> None:
    from agentmem.render import steps_in_order

    steps = [
        _step(2, 1, "", "b2", ["B2"]),
        _step(1, 0, "", "a1", ["A1"]),
        _step(2, 0, "", "b1", ["B1"]),
        _step(1, 1, "", "a2", ["A2"]),
        _step(0, 0, "A2\nB2", None, ["F"], kind="fusion"),
        _step(0, 1, "F", "t2", ["T2"]),
        _step(0, 0, "F", "t1", ["T1"]),
    ]
    traj = Trajectory(run_id="r4", question=Q, pattern="mixed", groups=2, steps=steps)
    order = [(s.kind, s.group, s.index) for s in steps_in_order(traj)]
    assert order == [
        ("update", 1, 0),
        ("update", 1, 1),
        ("update", 2, 0),
        ("update", 2, 1),
        ("fusion", 0, 0),
        ("update", 0, 0),
        ("update", 0, 1),
    ]
