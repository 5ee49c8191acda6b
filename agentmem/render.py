"""Render memory runs in MemRewardBench's published trajectory text (arXiv 2601.11969).

Reward models judge trajectories as text. The benchmark's judges saw one layout, so our runtime
traces are rendered the same way and can be exported as benchmark pairs:

* a *sequential* run is a list of ``Step N:`` blocks, each with ``<problem>``, ``<memory>``
  (``No previous memory`` at the first step), ``<section>``, ``<wrong_updated_memories>``
  (``No wrong updated memory`` when the first proposal was kept) and the new memory under
  ``Updated memory:`` in ``<updated_memory>``; then the answer block;
* a *parallel* or *mixed* run opens with the workflow sentence, lists ``Part 1:``, ``Part 2:`` …
  (each a sequence of steps), then the summarisation component (the N part memories and their
  fusion), then "Based on the memory, the process of obtaining the answer is as follows:" with
  the sequential tail (mixed runs) and the answer block;
* dialogue memory systems store a final memory instead: a Mem0-style dump (the Python ``repr`` of
  a list of dicts) or A-Mem-style notes.

The string-level functions (:func:`render_step`, :func:`render_sequential`,
:func:`render_parallel`, :func:`render_answer`) are what the offline generator uses;
:func:`render_trajectory` maps an :class:`agentmem.Trajectory` onto them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agentmem._types import Step, Trajectory
from agentmem.exceptions import UserError

__all__ = [
    "NO_PREVIOUS_MEMORY",
    "NO_WRONG_MEMORY",
    "PARALLEL_ANSWER_INTRO",
    "PARALLEL_INTRO",
    "PARALLEL_SUMMARY_INTRO",
    "AMemNote",
    "Mem0Entry",
    "PartMemories",
    "StepText",
    "mem0_hash",
    "render_amem_notes",
    "render_answer",
    "render_mem0_dump",
    "render_parallel",
    "render_sequential",
    "render_step",
    "render_trajectory",
    "steps_in_order",
]

NO_PREVIOUS_MEMORY = "No previous memory"
NO_WRONG_MEMORY = "No wrong updated memory"
PARALLEL_INTRO = (
    "The entire agent workflow consists of parallel processing components and a summarization "
    "processing component.\nEach parallel processing component is as follows:\n"
)
PARALLEL_SUMMARY_INTRO = (
    "After processing in parallel, the summarization processing component is as follows:\n"
)
PARALLEL_ANSWER_INTRO = "Based on the memory, the process of obtaining the answer is as follows:\n"


@dataclass(frozen=True, kw_only=True)
class StepText:
    """One memory update as text: what the agent read, what it wrote, what was thrown away."""

    previous_memory: str
    """Memory before the step ('' at the first step: rendered as ``No previous memory``)."""
    section: str
    """The chunk read ('' renders as ``None``, as the published answer blocks do)."""
    updated_memory: str
    """The committed new memory."""
    wrong_memories: Sequence[str] = ()
    """Proposals that were rejected before the committed one (oldest first)."""


@dataclass(frozen=True, kw_only=True)
class PartMemories:
    """The summarisation component of a parallel run."""

    memories: Sequence[str]
    """Final memory of each parallel part, in part order."""
    summary: str
    """The fused memory."""


def _wrap_memory(text: str) -> str:
    return f"<updated_memory>\n{text}\n</updated_memory>"


def render_step(number: int, question: str, step: StepText) -> str:
    """One ``Step N:`` block (ends with the blank lines that separate blocks)."""
    if number < 1:
        raise UserError(f"step numbers start at 1, got {number!r}")
    return f"Step {number}:\n\n{_step_body(question, step, answer=None)}\n\n\n\n"


def _step_body(question: str, step: StepText, *, answer: str | None) -> str:
    previous = _wrap_memory(step.previous_memory) if step.previous_memory else NO_PREVIOUS_MEMORY
    wrong = "\n".join(_wrap_memory(w) for w in step.wrong_memories) or NO_WRONG_MEMORY
    updated = answer if answer is not None else _wrap_memory(step.updated_memory)
    return (
        f"<problem> \n{question}\n</problem>\n\n"
        f"<memory>\n{previous}\n</memory>\n\n\n"
        f"<section>\n{step.section or 'None'}\n</section>\n\n\n"
        f"<wrong_updated_memories>\n{wrong}\n</wrong_updated_memories>\n\n\n"
        f"Updated memory:\n{updated}"
    )


def render_answer(question: str, memory: str, answer: str) -> str:
    """The final answer block: the memory read (no new section) and the answer text."""
    body = _step_body(
        question, StepText(previous_memory=memory, section="", updated_memory=""), answer=answer
    )
    return f"{body}\n"


def render_sequential(question: str, steps: Sequence[StepText], answer: str | None) -> str:
    """A whole sequential run: the steps, then (when given) the answer read off the last memory."""
    text = "".join(render_step(i, question, s) for i, s in enumerate(steps, 1))
    if answer is not None:
        final = steps[-1].updated_memory if steps else ""
        text += PARALLEL_ANSWER_INTRO + "\n" + render_answer(question, final, answer)
    return text


def render_parallel(
    question: str,
    parts: Sequence[Sequence[StepText]],
    summary: PartMemories,
    answer: str | None,
    *,
    tail: Sequence[StepText] = (),
) -> str:
    """A parallel run (``tail`` empty) or a mixed one (``tail`` = the sequential steps after fusion)."""
    if len(parts) < 2:
        raise UserError(f"a parallel run needs at least 2 parts, got {len(parts)!r}")
    if len(summary.memories) != len(parts):
        raise UserError(
            f"the summary lists {len(summary.memories)} part memories for {len(parts)} parts; "
            "pass one final memory per part"
        )
    out = [PARALLEL_INTRO]
    for p, steps in enumerate(parts, 1):
        out.append(f"Part {p}:\n")
        out.extend(render_step(i, question, s) for i, s in enumerate(steps, 1))
    out.append(PARALLEL_SUMMARY_INTRO)
    out.append(f"There are {len(parts)} processed components (Memories):\n")
    for p, mem in enumerate(summary.memories, 1):
        out.append(f"Part {p}:\n {_wrap_memory(mem)}\n")
    out.append(f"The summarization of them is as follows:\n{_wrap_memory(summary.summary)}\n")
    out.append(PARALLEL_ANSWER_INTRO)
    out.extend(render_step(i, question, s) for i, s in enumerate(tail, 1))
    if answer is not None:
        final = tail[-1].updated_memory if tail else summary.summary
        out.append("\n" + render_answer(question, final, answer))
    return "".join(out)


# --------------------------------------------------------------------------- runtime trajectories


def _step_text(step: Step) -> StepText:
    return StepText(
        previous_memory=step.previous_memory,
        section=step.chunk.text if step.chunk is not None else "",
        updated_memory=step.memory,
        wrong_memories=[a.candidate.text for a in step.rejected],
    )


def steps_in_order(trajectory: Trajectory) -> list[Step]:
    """The steps in the order the pipeline defines, whatever order they were committed in:
    before the fusion, every update by (group, index); then the fusion; then the sequential tail
    by index; the answer last."""
    steps = list(trajectory.steps)
    fusion_at = next((i for i, s in enumerate(steps) if s.kind == "fusion"), None)
    if fusion_at is None:
        return sorted(steps, key=lambda s: (s.kind == "answer", s.group, s.index))
    before = sorted(steps[:fusion_at], key=lambda s: (s.kind == "answer", s.group, s.index))
    after = sorted(steps[fusion_at + 1 :], key=lambda s: (s.kind == "answer", s.index))
    return [*before, steps[fusion_at], *after]


def render_trajectory(trajectory: Trajectory) -> str:
    """Render a run in the published layout (the answer block only when the run has an answer).

    Parallel parts are the update steps committed before the fusion step, grouped by
    ``Step.group`` (parts in group order, whatever order they were committed in) and sorted by
    ``Step.index``; a mixed run's
    sequential tail is the update steps after the fusion.
    """
    answer = trajectory.answer.text if trajectory.answer is not None else None
    updates = [s for s in trajectory.steps if s.kind == "update"]
    if trajectory.pattern == "sequential":
        ordered = sorted(updates, key=lambda s: s.index)
        return render_sequential(trajectory.question, [_step_text(s) for s in ordered], answer)
    fusion_at = next((i for i, s in enumerate(trajectory.steps) if s.kind == "fusion"), None)
    if fusion_at is None:
        raise UserError(
            f"run {trajectory.run_id!r} is {trajectory.pattern} but has no fusion step; "
            "render it once its parallel parts have been fused"
        )
    before = [s for s in trajectory.steps[:fusion_at] if s.kind == "update"]
    tail = sorted(
        (s for s in trajectory.steps[fusion_at + 1 :] if s.kind == "update"), key=lambda s: s.index
    )
    groups: dict[int, list[Step]] = {}
    for s in before:
        groups.setdefault(s.group, []).append(s)
    parts = [sorted(groups[g], key=lambda s: s.index) for g in sorted(groups)]
    summary = PartMemories(
        memories=[g[-1].memory for g in parts], summary=trajectory.steps[fusion_at].memory
    )
    return render_parallel(
        trajectory.question,
        [[_step_text(s) for s in g] for g in parts],
        summary,
        answer,
        tail=[_step_text(s) for s in tail],
    )


# --------------------------------------------------------------------------- dialogue memory stores


def mem0_hash(memory: str) -> str:
    """The content hash Mem0 stores with each memory (MD5 hex digest of the text)."""
    return hashlib.md5(memory.encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass(frozen=True, kw_only=True)
class Mem0Entry:
    """One memory in a Mem0-style store dump."""

    id: str
    """Memory id (a UUID string in Mem0)."""
    memory: str
    """The stored fact."""
    created_at: str
    """ISO-8601 timestamp with offset."""
    user_id: str
    """Owner."""
    updated_at: str | None = None
    """ISO-8601 timestamp of the last update (None if never updated)."""
    metadata: Mapping[str, Any] | None = None
    """Free-form metadata (None in the published dumps)."""
    hash: str = ""
    """Content hash ('' = computed with :func:`mem0_hash`)."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """More keys appended after ``user_id`` (the published dumps sometimes carry ``role``)."""

    def as_dict(self) -> dict[str, Any]:
        """The dict Mem0 returns, keys in Mem0's order."""
        out: dict[str, Any] = {
            "id": self.id,
            "memory": self.memory,
            "hash": self.hash or mem0_hash(self.memory),
            "metadata": dict(self.metadata) if self.metadata is not None else None,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "user_id": self.user_id,
        }
        out.update(self.extra)
        return out


def render_mem0_dump(entries: Sequence[Mem0Entry | Mapping[str, Any]]) -> str:
    """A Mem0 store as the published records show it: the Python ``repr`` of a list of dicts.

    An empty store renders as ``''`` (the published data has empty ``rejected`` trajectories for
    memory systems that stored nothing), not ``[]``.
    """
    rows = [e.as_dict() if isinstance(e, Mem0Entry) else dict(e) for e in entries]
    for i, row in enumerate(rows):
        if "memory" not in row:
            raise UserError(f"Mem0 entry {i} has no 'memory' key: {row!r}")
    return repr(rows) if rows else ""


@dataclass(frozen=True, kw_only=True)
class AMemNote:
    """One A-Mem (Zettelkasten-style) memory note."""

    content: str
    """The note's text."""
    context: str
    """One-sentence description of the situation the note comes from."""
    keywords: Sequence[str]
    """Salient terms."""
    tags: Sequence[str]
    """Categories."""
    timestamp: str
    """When it was written (A-Mem uses YYYYMMDDHHMM)."""


def render_amem_notes(notes: Sequence[AMemNote]) -> str:
    """A-Mem notes as text: one block per note with Content/Context/Keywords/Tags/Timestamp."""
    blocks = [
        f"Memory {i}:\nContent: {n.content}\nContext: {n.context}\n"
        f"Keywords: {list(n.keywords)!r}\nTags: {list(n.tags)!r}\nTimestamp: {n.timestamp}"
        for i, n in enumerate(notes, 1)
    ]
    return "\n\n".join(blocks)
