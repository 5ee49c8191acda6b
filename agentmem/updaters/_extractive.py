"""The offline extractive baseline: an updater, fuser and answerer that need no model.

It is a real, documented baseline, not a mock. The updater keeps, from the old memory plus the new
chunk, the sentences most relevant to the question (see :mod:`agentmem.updaters._lexical`) until
the memory budget in tokens is full (sentences with no relevance are never kept), and writes them back in reading order, one per line; newer
sentences win ties (later facts supersede earlier ones in state-tracking questions). The fuser
merges group memories the same way (de-duplicated and re-ranked). The answerer returns the most
relevant memory line, labelled as an extractive answer: it quotes, it does not reason.
"""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass

from agentmem._types import Answer, Candidate, Chunk, Usage
from agentmem.exceptions import UserError
from agentmem.policies import current_attempt
from agentmem.tokens import count_tokens
from agentmem.updaters._lexical import Scored, rank_sentences, sentences

__all__ = [
    "EXTRACTIVE_LABEL",
    "ExtractiveAnswerer",
    "ExtractiveFuser",
    "ExtractiveUpdater",
    "select_within_budget",
]

FOCUS = (0.0, 0.25, 0.5)
"""Best-of-N variants of the extractive updater: minimum score as a fraction of the best one."""

_INLINE_CHARS = 4000  # larger inputs are ranked in a worker thread, off the event loop

EXTRACTIVE_LABEL = "extractive (offline baseline, no model)"
"""How outputs of these components are labelled for people."""


def select_within_budget(
    ranked: list[Scored], budget_tokens: int, *, min_score: float = 0.0
) -> list[Scored]:
    """Greedily keep the best-scored sentences that fit in ``budget_tokens`` (one per line);
    returns them in reading order. Ties prefer later sentences (newer facts)."""
    order = sorted(ranked, key=lambda s: (-s.score, tuple(-x for x in s.order)))
    kept: list[Scored] = []
    used = 0
    for s in order:
        if s.score < min_score:
            break
        cost = count_tokens(s.text) + 1  # + the newline joining it
        if used + cost <= budget_tokens:
            kept.append(s)
            used += cost
    kept.sort(key=lambda s: s.order)
    while (
        kept and count_tokens("\n".join(s.text for s in kept)) > budget_tokens
    ):  # BPE merges across lines
        kept.remove(min(kept, key=lambda s: s.score))
    return kept


def _check_budget(memory_tokens: int) -> None:
    if not isinstance(memory_tokens, int) or isinstance(memory_tokens, bool) or memory_tokens < 1:
        raise UserError(
            f"memory budget must be an integer >= 1 token, got {memory_tokens!r}; MemAgent uses 1024"
        )


@dataclass(kw_only=True)
class ExtractiveUpdater:
    """Φ without a model: keep the question-relevant sentences of memory + chunk within budget.

    Sentences with no relevance at all are never kept (an unfilled budget beats a junk memory).
    With ``feedback`` (a gate revision) only sentences scoring at least half the best one are
    kept: a more focused revision. (The reviewer's words are not used as query terms: reviews
    name what is wrong as often as what is missing.)

    Proposals within one step (best-of-N, revisions) are *variants*, from complete to focused:
    proposal k of the step (:func:`agentmem.policies.current_attempt`, set by the pipeline) keeps
    sentences scoring at least ``FOCUS[k % 3]`` times the best score. So the reward model has a
    real choice to make, and a run stays deterministic and repeatable.
    """

    memory_tokens: int = 1024
    """Memory budget in tokens."""
    label: str = "extractive"
    """Label recorded in run configs."""

    def __post_init__(self) -> None:
        _check_budget(self.memory_tokens)

    async def __call__(
        self, question: str, memory: str, chunk: Chunk, *, feedback: str | None = None
    ) -> Candidate:
        """Propose the new memory (in a worker thread for large inputs: it is CPU work)."""
        started = time.perf_counter()
        variant = current_attempt()
        work = functools.partial(self._update, question, memory, chunk, feedback, variant)
        text = (
            await asyncio.to_thread(work)
            if len(memory) + len(chunk.text) > _INLINE_CHARS
            else work()
        )
        return Candidate(
            text=text, usage=Usage(latency_s=time.perf_counter() - started), feedback=feedback
        )

    def _update(
        self, question: str, memory: str, chunk: Chunk, feedback: str | None, variant: int = 0
    ) -> str:
        units = [(s, (0, i)) for i, s in enumerate(memory.splitlines()) if s.strip()]
        units += [(s, (1 + chunk.index, i)) for i, s in enumerate(sentences(chunk.text))]
        ranked = rank_sentences(question, units)
        floor = _floor(ranked, feedback)
        if ranked and variant % len(FOCUS):
            floor = max(floor, FOCUS[variant % len(FOCUS)] * max(s.score for s in ranked))
        kept = select_within_budget(ranked, self.memory_tokens, min_score=floor)
        return "\n".join(s.text for s in kept)


@dataclass(kw_only=True)
class ExtractiveFuser:
    """g without a model: merge group memories, de-duplicate, re-rank, keep within budget."""

    memory_tokens: int = 1024
    """Memory budget in tokens."""
    label: str = "extractive"
    """Label recorded in run configs."""

    def __post_init__(self) -> None:
        _check_budget(self.memory_tokens)

    async def __call__(
        self, question: str, memories: list[str], *, feedback: str | None = None
    ) -> Candidate:
        """Propose the fused memory (lines keep group order, then their order in the group)."""
        started = time.perf_counter()
        work = functools.partial(self._fuse, question, memories, feedback)
        text = await asyncio.to_thread(work) if sum(map(len, memories)) > _INLINE_CHARS else work()
        return Candidate(
            text=text, usage=Usage(latency_s=time.perf_counter() - started), feedback=feedback
        )

    def _fuse(self, question: str, memories: list[str], feedback: str | None) -> str:
        units = [
            (line, (g, i))
            for g, mem in enumerate(memories)
            for i, line in enumerate(mem.splitlines())
            if line.strip()
        ]
        ranked = rank_sentences(question, units)
        kept = select_within_budget(ranked, self.memory_tokens, min_score=_floor(ranked, feedback))
        return "\n".join(s.text for s in kept)


@dataclass(kw_only=True)
class ExtractiveAnswerer:
    """Answer with the memory line most relevant to the question, labelled as extractive."""

    label: str = "extractive"
    """Label recorded in run configs."""

    async def __call__(self, question: str, memory: str) -> Answer:
        """The best line (``extracted``), and a text that says how it was obtained."""
        started = time.perf_counter()
        units = [(line, (0, i)) for i, line in enumerate(memory.splitlines()) if line.strip()]
        ranked = rank_sentences(question, units)
        usage = Usage(latency_s=time.perf_counter() - started)
        if not ranked or max(s.score for s in ranked) <= 0:
            text = f"[{EXTRACTIVE_LABEL}] The memory holds nothing relevant to the question.\n\\boxed{{no answer found}}"
            return Answer(text=text, extracted="no answer found", usage=usage)
        best = max(ranked, key=lambda s: (s.score, s.order))  # ties: the newest line
        support = [
            s.text
            for s in sorted(ranked, key=lambda s: -s.score)[:3]
            if s is not best and s.score > 0
        ]
        lines = [f"[{EXTRACTIVE_LABEL}] The memory line most relevant to the question:", best.text]
        if support:
            lines += ["Other relevant lines:", *support]
        lines.append(f"\\boxed{{{best.text}}}")
        return Answer(text="\n".join(lines), extracted=best.text, usage=usage)


def _floor(ranked: list[Scored], feedback: str | None) -> float:
    """Lowest score worth keeping: any relevance at all; on a revision, half the best score."""
    if feedback and ranked:
        return max(1e-9, 0.5 * max(s.score for s in ranked))
    return 1e-9
