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
    """Context, keywords and tags for a new note."""

    async def __call__(self, content: str) -> NoteAttrs: ...


@runtime_checkable
class EvolutionProposer(Protocol):
    """Links and neighbour updates for a new note."""

    async def __call__(
        self, note: str, attrs: NoteAttrs, neighbours: Sequence[tuple[int, MemoryItem]]
    ) -> Evolution: ...


def render_note(text: str, context: str, keywords: Sequence[str], tags: Sequence[str]) -> str:
    """A note as the reward model and the A-Mem layout see it."""
    return (
        f"Content: {text}\nContext: {context}\nKeywords: {list(keywords)!r}\nTags: {list(tags)!r}"
    )


@dataclass(kw_only=True)
class WordNoteBuilder:
    """Offline builder: keywords are the most frequent content words, context the first sentence."""

    n_keywords: int = 5
    """Keywords kept."""

    async def __call__(self, content: str) -> NoteAttrs:
        words = [
            w for w in re.findall(r"[a-z0-9']+", content.lower()) if w in content_words(content)
        ]
        keywords = [w for w, _ in Counter(words).most_common(self.n_keywords)]
        first = re.split(r"(?<=[.!?])\s+", content.strip())[0][:160]
        return NoteAttrs(context=f"The user said: {first}", keywords=keywords, tags=[])


@dataclass(kw_only=True)
class OverlapEvolution:
    """Offline evolution: link neighbours sharing enough content words; no neighbour updates."""

    min_overlap: float = 0.2
    """Jaccard overlap needed for a link."""

    async def __call__(
        self, note: str, attrs: NoteAttrs, neighbours: Sequence[tuple[int, MemoryItem]]
    ) -> Evolution:
        nw = content_words(note)
        links: list[int | str] = []
        for ref, item in neighbours:
            iw = content_words(item.text)
            if nw | iw and len(nw & iw) / len(nw | iw) >= self.min_overlap:
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

    async def __call__(self, content: str) -> NoteAttrs:
        from agentmem.memory._llm_steps import ask_json

        return await ask_json(self.client, _BUILD_PROMPT, f"Note:\n{content}", NoteAttrs)


@dataclass(kw_only=True)
class LLMEvolutionProposer:
    """Links and neighbour updates with one model call."""

    client: LLMClient
    """Model client."""

    async def __call__(
        self, note: str, attrs: NoteAttrs, neighbours: Sequence[tuple[int, MemoryItem]]
    ) -> Evolution:
        from agentmem.memory._llm_steps import ask_json

        if not neighbours:
            return Evolution()
        shown = "\n\n".join(
            f"[{ref}]\n{render_note(n.text, n.context, n.keywords, n.tags)}"
            for ref, n in neighbours
        )
        user = f"NEW note:\n{render_note(note, attrs.context, attrs.keywords, attrs.tags)}\n\nNEIGHBOURS:\n{shown}"
        return await ask_json(self.client, _EVOLVE_PROMPT, user, Evolution)
