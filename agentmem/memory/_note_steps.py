"""The model steps of a notes memory: note attributes and evolution (links and neighbour
updates), as protocols, with offline and LLM-backed versions."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from agentmem.memory._records import MemoryItem
from agentmem.memory._steps import content_words

if TYPE_CHECKING:
    from agentmem.llm import LLMClient

__all__ = [
    "Evolution",
    "EvolutionProposer",
    "LLMEvolutionProposer",
    "LLMNoteBuilder",
    "NeighbourUpdate",
    "NoteAttrs",
    "NoteBuilder",
    "OverlapEvolution",
    "WordNoteBuilder",
    "render_note",
]


class NoteAttrs(BaseModel):
    """What a note builder returns."""

    context: str = ""
    """One sentence: the situation the note comes from."""
    keywords: list[str] = Field(default_factory=list)
    """Salient terms."""
    tags: list[str] = Field(default_factory=list)
    """Categories."""


class NeighbourUpdate(BaseModel):
    """A proposed change to a retrieved neighbour."""

    id: int | str
    """Temporary integer id of the neighbour."""
    context: str | None = None
    """New context, if it changes."""
    tags: list[str] | None = None
    """New tags, if they change."""


class Evolution(BaseModel):
    """Links from the new note, and updates of its neighbours."""

    links: list[int | str] = Field(default_factory=list)
    """Temporary ids of neighbours to link with."""
    updates: list[NeighbourUpdate] = Field(default_factory=list)
    """Neighbour updates."""


@runtime_checkable
class NoteBuilder(Protocol):
    """Context, keywords and tags for a new note.

    ``feedback``: the reward model's verdict on the previous attempt (revise from it);
    ``sample``: index of the proposal within a best-of-N round (vary with it)."""

    async def __call__(
        self, content: str, *, feedback: str | None = None, sample: int = 0
    ) -> NoteAttrs: ...


@runtime_checkable
class EvolutionProposer(Protocol):
    """Links and neighbour updates for a new note (``feedback`` and ``sample`` as for
    :class:`NoteBuilder`; the feedback names each weak link as ``[id]``)."""

    async def __call__(
        self,
        note: str,
        attrs: NoteAttrs,
        neighbours: Sequence[tuple[int, MemoryItem]],
        *,
        feedback: str | None = None,
        sample: int = 0,
    ) -> Evolution: ...


_UNSUPPORTED = re.compile(r"invent|unsupported|no source|not in the|contradict|halluc", re.I)
_INCOMPLETE = re.compile(r"miss|lost|drop|omit|incomplete|vague|too short|empty", re.I)
_WEAK_REF = re.compile(r"\[(\d+)\]")


def render_note(text: str, context: str, keywords: Sequence[str], tags: Sequence[str]) -> str:
    """A note as the reward model and the A-Mem layout see it."""
    return (
        f"Content: {text}\nContext: {context}\nKeywords: {list(keywords)!r}\nTags: {list(tags)!r}"
    )


@dataclass(kw_only=True)
class WordNoteBuilder:
    """Offline builder: keywords are the most frequent content words, context a sentence of the
    note.

    Revisions follow the reviewer's rationale: a context or keyword it calls unsupported gives
    way to the note's own first sentence, verbatim, and keywords only from it; a note it calls
    incomplete gets more keywords and two sentences of context. Best-of-N samples take the
    context from the next sentence and keep one keyword more per sample."""

    n_keywords: int = 5
    """Keywords kept."""

    async def __call__(
        self, content: str, *, feedback: str | None = None, sample: int = 0
    ) -> NoteAttrs:
        sentences = [x for x in re.split(r"(?<=[.!?])\s+", content.strip()) if x]
        n = self.n_keywords + sample
        context_of = sentences[sample % len(sentences)] if sentences else ""
        prefix = "The user said: "
        if feedback:
            if _UNSUPPORTED.search(feedback):
                prefix, context_of = "", sentences[0] if sentences else ""
                content = context_of or content
            if _INCOMPLETE.search(feedback):
                n += 3
                context_of = " ".join(sentences[:2])
        words = [
            w for w in re.findall(r"[a-z0-9']+", content.lower()) if w in content_words(content)
        ]
        keywords = [w for w, _ in Counter(words).most_common(n)]
        return NoteAttrs(context=f"{prefix}{context_of[:240]}", keywords=keywords, tags=[])


@dataclass(kw_only=True)
class OverlapEvolution:
    """Offline evolution: link neighbours sharing enough content words; no neighbour updates.

    A revision drops the links the reviewer's feedback names (``[id]``) and asks for more
    overlap; best-of-N sample ``k`` asks for ``min_overlap x (1 + k/2)``."""

    min_overlap: float = 0.2
    """Jaccard overlap needed for a link."""

    async def __call__(
        self,
        note: str,
        attrs: NoteAttrs,
        neighbours: Sequence[tuple[int, MemoryItem]],
        *,
        feedback: str | None = None,
        sample: int = 0,
    ) -> Evolution:
        need = self.min_overlap * (1 + sample / 2)
        weak: set[int] = set()
        if feedback:
            weak = {int(x) for x in _WEAK_REF.findall(feedback)}
            need *= 1.5
        nw = content_words(note)
        links: list[int | str] = []
        for ref, item in neighbours:
            iw = content_words(item.text)
            if ref not in weak and nw | iw and len(nw & iw) / len(nw | iw) >= need:
                links.append(ref)
        return Evolution(links=links)


_BUILD_PROMPT = """\
You write memory notes. For the note below give a one-sentence context (the situation it comes \
from), up to 6 keywords and up to 4 category tags, using only what the note says.
Answer with a JSON object only: {"context": "...", "keywords": ["..."], "tags": ["..."]}"""

_EVOLVE_PROMPT = """\
You organise a network of memory notes. Given a NEW note and its NEIGHBOURS (numbered), decide \
which neighbours the new note should link to (they are about the same thing), and whether any \
neighbour's context or tags should change in the light of the new note. Use only the numbers shown; \
change nothing that the notes do not support.
Answer with a JSON object only:
{"links": [0], "updates": [{"id": 0, "context": "...", "tags": ["..."]}]}"""


@dataclass(kw_only=True)
class LLMNoteBuilder:
    """Note attributes with one model call."""

    client: LLMClient
    """Model client."""

    sample_temperature: float = 0.7
    """Temperature of best-of-N samples after the first."""

    async def __call__(
        self, content: str, *, feedback: str | None = None, sample: int = 0
    ) -> NoteAttrs:
        from agentmem.memory._llm_steps import ask_json

        user = f"Note:\n{content}"
        if feedback:
            user += (
                f"\n\nA reviewer rejected your previous attributes:\n{feedback}\nFix what it names."
            )
        temp = 0.0 if sample == 0 else self.sample_temperature
        return await ask_json(
            self.client, _BUILD_PROMPT, user, NoteAttrs, temperature=temp, seed=sample or None
        )


@dataclass(kw_only=True)
class LLMEvolutionProposer:
    """Links and neighbour updates with one model call."""

    client: LLMClient
    """Model client."""

    sample_temperature: float = 0.7
    """Temperature of best-of-N samples after the first."""

    async def __call__(
        self,
        note: str,
        attrs: NoteAttrs,
        neighbours: Sequence[tuple[int, MemoryItem]],
        *,
        feedback: str | None = None,
        sample: int = 0,
    ) -> Evolution:
        from agentmem.memory._llm_steps import ask_json

        if not neighbours:
            return Evolution()
        shown = "\n\n".join(
            f"[{ref}]\n{render_note(n.text, n.context, n.keywords, n.tags)}"
            for ref, n in neighbours
        )
        user = f"NEW note:\n{render_note(note, attrs.context, attrs.keywords, attrs.tags)}\n\nNEIGHBOURS:\n{shown}"
        if feedback:
            user += (
                f"\n\nA reviewer rejected your previous proposal:\n{feedback}\nFix what it names."
            )
        temp = 0.0 if sample == 0 else self.sample_temperature
        return await ask_json(
            self.client, _EVOLVE_PROMPT, user, Evolution, temperature=temp, seed=sample or None
        )
