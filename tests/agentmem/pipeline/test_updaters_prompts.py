"""The MemAgent-style prompts as the model sees them (snapshots), and reading replies back."""

from __future__ import annotations

import pytest
from inline_snapshot import snapshot

from agentmem.updaters import Templates, extract_boxed, extract_memory
from agentmem.updaters._prompts import render_memories_block


def test_update_prompt_with_feedback() -> None:
    t = Templates()
    prompt = t.update.format(
        question="Where is the key?",
        memory="No previous memory",
        chunk="Mary took the key to the garden.",
        budget=1024,
        feedback=t.feedback.format(feedback="Reviewer: dropped the garden."),
    )
    assert prompt == snapshot(
        """\
You are reading a long document one section at a time to answer a question. You can keep notes between sections, but only up to 1024 tokens of them: the notes below are all you will remember of earlier sections.

<problem>
Where is the key?
</problem>

<memory>
No previous memory
</memory>

<section>
Mary took the key to the garden.
</section>

<feedback>
A reviewer rejected your previous attempt at this step. Take the review into account:
Reviewer: dropped the garden.
</feedback>

Rewrite the memory so that it holds everything from the old memory and from this section that could help answer the problem: facts, names, numbers, dates and how they relate. Drop what cannot matter for the problem. Keep it under 1024 tokens. Reply with the new memory only.\
"""
    )


def test_fuse_and_answer_prompts() -> None:
    t = Templates()
    fuse = t.fuse.format(
        question="Q?", memories=render_memories_block(["a", ""]), budget=64, feedback=""
    )
    assert fuse == snapshot(
        """\
Several readers each read one part of a long document and kept notes for the same question. Merge their notes into one memory of at most 64 tokens.

<problem>
Q?
</problem>

<memory part="1">
a
</memory>

<memory part="2">
(this part kept no notes)
</memory>

Keep every fact that could help answer the problem, remove repetitions, and resolve conflicts in favour of later parts of the document. Reply with the merged memory only.\
"""
    )
    assert t.answer.format(question="Q?", memory="m") == snapshot(
        """\
Answer the question using only your notes from reading a long document.

<problem>
Q?
</problem>

<memory>
m
</memory>

Think briefly if needed, then give the final answer inside \\boxed{}.\
"""
    )


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("so it is \\boxed{42}", "42"),
        ("\\boxed{1} then \\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),
        ("no box here ", "no box here"),
        ("\\boxed{unclosed", "\\boxed{unclosed"),
    ],
)
def test_extract_boxed_takes_the_last_complete_box(reply: str, answer: str) -> None:
    assert extract_boxed(reply) == answer


@pytest.mark.parametrize(
    ("reply", "memory"),
    [
        ("Updated memory: Mary has the key.", "Mary has the key."),
        (
            "<think>hmm</think>\n<updated_memory>\nMary has the key.\n</updated_memory>",
            "Mary has the key.",
        ),
        ("plain notes", "plain notes"),
    ],
)
def test_extract_memory_strips_labels_tags_and_reasoning(reply: str, memory: str) -> None:
    assert extract_memory(reply) == memory
