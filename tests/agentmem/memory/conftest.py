"""Fixtures for the dialogue-memory tests: a grounding reward model and scripted model steps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from agentmem.memory import (
    FactsMemory,
    FunctionExtractor,
    FunctionProposer,
    WritePolicy,
    content_words,
    open_store,
)
from rewards import PairInput, PairwiseVerdict, Reward, RMSpec, UpdateContext

_SUBJECTS = {"alic", "bob", "user", "caro", "dave", "cont", "keyw", "tags", "link", "said"}


def _stems(text: str) -> set[str]:
    return {w[:4] for w in content_words(text)} - _SUBJECTS


@dataclass(kw_only=True)
class GroundingRM:
    """Scores a memory write by how many of its new content words occur in the conversation.

    A fact the conversation does not support (a hallucination) scores low; a grounded one high.
    """

    spec: RMSpec = field(default_factory=lambda: RMSpec(name="grounding-test"))
    calls: list[UpdateContext] = field(default_factory=list)

    async def score_update(self, update: UpdateContext) -> Reward:
        self.calls.append(update)
        new = _stems(update.candidate) - _stems(update.previous_memory)
        if not new:
            return Reward(
                value=0.8, rationale="removes or keeps information", scorer="grounding-test"
            )
        grounded = new & _stems(update.chunk)
        value = len(grounded) / len(new)
        missing = sorted(new - grounded)
        return Reward(
            value=value,
            rationale=f"unsupported words: {missing}" if missing else "grounded",
            scorer="grounding-test",
        )

    async def compare(self, pair: PairInput) -> PairwiseVerdict:
        return PairwiseVerdict(winner="A", scorer="grounding-test")


@dataclass(kw_only=True)
class Script:
    """Scripted extractor and proposer: tests set ``facts`` and ``ops`` (or functions) per call."""

    facts: Callable[[list[dict[str, Any]]], list[str]] = lambda msgs: [
        m["content"] for m in msgs if m["role"] == "user"
    ]
    ops: Callable[[list[str], list[Any], str | None], list[dict[str, Any]]] = (
        lambda facts, related, fb: [
            {"event": "ADD", "text": f, "fact": i} for i, f in enumerate(facts)
        ]
    )
    seen_messages: list[list[dict[str, Any]]] = field(default_factory=list)
    seen_related: list[list[Any]] = field(default_factory=list)
    seen_feedback: list[str | None] = field(default_factory=list)

    def extract(self, msgs: Any) -> list[str]:
        self.seen_messages.append([dict(m) for m in msgs])
        return self.facts(list(msgs))

    def propose(self, facts: list[str], related: list[Any], fb: str | None) -> list[dict[str, Any]]:
        self.seen_related.append(list(related))
        self.seen_feedback.append(fb)
        return self.ops(facts, related, fb)


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def rm() -> GroundingRM:
    return GroundingRM()


@pytest.fixture
def make_memory(tmp_path: Path, script: Script, rm: GroundingRM) -> Callable[..., FactsMemory]:
    def make(policy: str = "gate:0.5:2", path: Path | None = None, **store_kw: Any) -> FactsMemory:
        store = open_store(path or tmp_path / "mem", **store_kw)
        return FactsMemory(
            store=store,
            extractor=FunctionExtractor(fn=script.extract),
            proposer=FunctionProposer(fn=script.propose),
            reward_model=rm,
            policy=WritePolicy.parse(policy),
        )

    return make


@pytest.fixture
async def memory(make_memory: Callable[..., FactsMemory]) -> AsyncIterator[FactsMemory]:
    async with make_memory() as mem:
        yield mem
