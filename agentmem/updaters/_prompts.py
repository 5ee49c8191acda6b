"""Prompt templates of the LLM-backed components (the MemAgent recipe, in our own words).

MemAgent (arXiv 2507.02259) reads a long document in sections with a fixed-size memory that the
model overwrites after each section; the prompt carries the question in ``<problem>``, the current
memory in ``<memory>`` and the new text in ``<section>``, and the final answer goes in
``\\boxed{}``. The templates below follow that layout; every one is a ``str.format`` template and
can be replaced through :class:`Templates`.

Placeholders: ``{question}``, ``{memory}``, ``{chunk}``, ``{budget}`` (memory budget in tokens),
``{memories}`` (the fuser's rendered group memories), ``{feedback}`` (the feedback block, empty
unless a gate asked for a revision).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from string import Formatter

from agentmem.exceptions import UserError

__all__ = ["NO_MEMORY", "Templates", "extract_boxed", "extract_memory", "render_memories_block"]

NO_MEMORY = "No previous memory"
"""What ``<memory>`` holds at the first step (the benchmark's own wording for it)."""

UPDATE = """You are reading a long document one section at a time to answer a question. You can \
keep notes between sections, but only up to {budget} tokens of them: the notes below are all you \
will remember of earlier sections.

<problem>
{question}
</problem>

<memory>
{memory}
</memory>

<section>
{chunk}
</section>
{feedback}
Rewrite the memory so that it holds everything from the old memory and from this section that \
could help answer the problem: facts, names, numbers, dates and how they relate. Drop what cannot \
matter for the problem. Keep it under {budget} tokens. Reply with the new memory only."""

FUSE = """Several readers each read one part of a long document and kept notes for the same \
question. Merge their notes into one memory of at most {budget} tokens.

<problem>
{question}
</problem>

{memories}
{feedback}
Keep every fact that could help answer the problem, remove repetitions, and resolve conflicts in \
favour of later parts of the document. Reply with the merged memory only."""

ANSWER = """Answer the question using only your notes from reading a long document.

<problem>
{question}
</problem>

<memory>
{memory}
</memory>

Think briefly if needed, then give the final answer inside \\boxed{{}}."""

FEEDBACK = """
<feedback>
A reviewer rejected your previous attempt at this step. Take the review into account:
{feedback}
</feedback>
"""


@dataclass(frozen=True, kw_only=True)
class Templates:
    """The prompts of the LLM updater, fuser and answerer (``str.format`` templates)."""

    update: str = UPDATE
    """Φ: needs {question}, {memory}, {chunk}; may use {budget}, {feedback}."""
    fuse: str = FUSE
    """g: needs {question}, {memories}; may use {budget}, {feedback}."""
    answer: str = ANSWER
    """Answerer: needs {question}, {memory}."""
    feedback: str = FEEDBACK
    """Wraps the reviewer's feedback into {feedback}; needs {feedback}."""

    def __post_init__(self) -> None:
        required = {
            "update": {"question", "memory", "chunk"},
            "fuse": {"question", "memories"},
            "answer": {"question", "memory"},
            "feedback": {"feedback"},
        }
        allowed = {"question", "memory", "chunk", "budget", "memories", "feedback"}
        for f in fields(self):
            text = getattr(self, f.name)
            try:
                names = {n for _, n, _, _ in Formatter().parse(text) if n is not None}
            except ValueError as exc:
                raise UserError(
                    f"{f.name} template is not a valid format string ({exc}); escape literal braces as {{{{ }}}}"
                ) from exc
            missing = required[f.name] - names
            unknown = names - allowed
            if missing:
                raise UserError(
                    f"{f.name} template lacks {sorted(missing)}; it must contain "
                    + ", ".join("{" + n + "}" for n in sorted(required[f.name]))
                )
            if unknown:
                raise UserError(
                    f"{f.name} template uses unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(allowed)}"
                )


_BOXED = re.compile(r"\\boxed\{")
_TAGGED = re.compile(r"<(updated_memory|memory)>\s*(.*?)\s*</\1>", re.S)
_PREAMBLE = re.compile(r"^\s*(updated memory|new memory|memory|merged memory)\s*:\s*", re.I)


def extract_boxed(text: str) -> str:
    """Content of the last ``\\boxed{...}`` (nested braces allowed), else ``text`` stripped."""
    starts = [m.end() for m in _BOXED.finditer(text)]
    for start in reversed(starts):
        depth = 1
        for i in range(start, len(text)):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    return text[start:i].strip()
    return text.strip()


def extract_memory(text: str) -> str:
    """The memory in a model reply: inside ``<updated_memory>``/``<memory>`` tags when the model
    used them, without a leading "Updated memory:" label, stripped; ``<think>`` blocks removed."""
    text = re.sub(r"<think>.*?</think>", "", text, flags=re.S)
    tagged = _TAGGED.findall(text)
    if tagged:
        return tagged[-1][1].strip()
    return _PREAMBLE.sub("", text.strip(), count=1).strip()


def render_memories_block(memories: list[str]) -> str:
    """The fuser's view of the group memories."""
    return "\n\n".join(
        f'<memory part="{i}">\n{m or "(this part kept no notes)"}\n</memory>'
        for i, m in enumerate(memories, start=1)
    )
