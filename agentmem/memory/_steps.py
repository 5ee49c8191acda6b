"""The two model steps of a facts memory, as protocols, plus offline and function-backed versions.

* a :class:`FactExtractor` reads the new messages and returns candidate facts;
* an :class:`OpProposer` sees those facts and the related memories -- under *temporary integer
  ids*, so the model cannot invent or mistype a real id -- and proposes ADD / UPDATE / DELETE /
  NOOP per fact. The memory maps the integers back to real ids and refuses unknown ones.

LLM-backed versions live in :mod:`agentmem.memory._llm_steps`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "FactExtractor",
    "FunctionExtractor",
    "FunctionProposer",
    "LexicalProposer",
    "Message",
    "OpProposer",
    "RawOp",
    "Related",
    "SentenceExtractor",
    "call_step",
    "content_words",
]

Message = Mapping[str, Any]
"""A chat message: ``{"role": "user" | "assistant" | ..., "content": str}``."""


@dataclass(frozen=True, kw_only=True)
class Related:
    """An existing memory as the proposer sees it."""

    ref: int
    """Temporary integer id, valid for one proposal only."""
    text: str
    """Its current text."""


@dataclass(frozen=True, kw_only=True)
class RawOp:
    """An operation as proposed, before its integer id is mapped back."""

    event: str
    """ADD, UPDATE, DELETE or NOOP (case-insensitive; anything else is refused)."""
    ref: int | str | None = None
    """Integer id of the related memory (UPDATE, DELETE, NOOP)."""
    text: str = ""
    """The new text (ADD, UPDATE) or the fact concerned."""
    fact: int | None = None
    """Index of the fact this operation answers."""
    reason: str = ""
    """The proposer's reason, if given."""


@runtime_checkable
class FactExtractor(Protocol):
    """Extract candidate facts from the new messages."""

    async def __call__(self, messages: Sequence[Message]) -> list[str]:
        """Short, self-contained facts (third person, about the user)."""
        ...


@runtime_checkable
class OpProposer(Protocol):
    """Propose operations for new facts against related memories."""

    async def __call__(
        self,
        facts: Sequence[str],
        related: Sequence[Related],
        *,
        feedback: str | None = None,
        sample: int = 0,
    ) -> list[RawOp]:
        """One or more operations per fact. ``feedback``: why a previous proposal was rejected;
        ``sample``: index of the proposal in best-of-N (vary sampling with it)."""
        ...


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _accepts(fn: Any, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


async def call_step(fn: Any, *args: Any, feedback: str | None, sample: int) -> Any:
    """Call a proposer, builder or evolver with ``feedback`` and ``sample`` when it takes them
    (a plain user function written without them still works: it is called without them, so its
    revisions and best-of-N samples are whatever it returns)."""
    kwargs = {k: v for k, v in (("feedback", feedback), ("sample", sample)) if _accepts(fn, k)}
    return await _maybe_await(fn(*args, **kwargs))


@dataclass(kw_only=True)
class FunctionExtractor:
    """A :class:`FactExtractor` from a plain function (sync or async) -- a test double users can use."""

    fn: Callable[[Sequence[Message]], list[str] | Awaitable[list[str]]]
    """``fn(messages) -> facts``."""

    async def __call__(self, messages: Sequence[Message]) -> list[str]:
        return list(await _maybe_await(self.fn(messages)))


@dataclass(kw_only=True)
class FunctionProposer:
    """An :class:`OpProposer` from a plain function ``fn(facts, related, feedback) -> list[RawOp | dict]``."""

    fn: Callable[..., Any]
    """Sync or async; dicts are read as RawOp fields (``event``, ``id``/``ref``, ``text``, ``fact``)."""

    async def __call__(
        self,
        facts: Sequence[str],
        related: Sequence[Related],
        *,
        feedback: str | None = None,
        sample: int = 0,
    ) -> list[RawOp]:
        out = await _maybe_await(self.fn(list(facts), list(related), feedback))
        return [o if isinstance(o, RawOp) else raw_op_from_dict(o) for o in out]


def raw_op_from_dict(d: Mapping[str, Any]) -> RawOp:
    """Read a model's or function's dict (``id`` or ``ref`` for the integer id)."""
    ref = d.get("ref", d.get("id"))
    fact = d.get("fact")
    return RawOp(
        event=str(d.get("event") or d.get("op") or ""),
        ref=ref if ref not in ("", "null", "None") else None,
        text=str(d.get("text") or d.get("memory") or ""),
        fact=int(fact) if isinstance(fact, int | str) and str(fact).lstrip("-").isdigit() else None,
        reason=str(d.get("reason") or ""),
    )


_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "i",
        "me",
        "my",
        "mine",
        "you",
        "your",
        "user",
        "he",
        "she",
        "it",
        "its",
        "they",
        "them",
        "their",
        "we",
        "our",
        "this",
        "that",
        "these",
        "those",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "not",
        "no",
        "so",
        "as",
        "by",
        "from",
        "about",
        "into",
        "than",
        "then",
        "there",
        "here",
        "very",
        "really",
        "just",
        "also",
        "now",
    ]
)


def content_words(text: str) -> set[str]:
    """Lower-case content words (stop words and 1-letter tokens removed)."""
    return {w for w in re.findall(r"[a-z0-9']+", text.lower()) if len(w) > 1 and w not in _STOP}


_SENT = re.compile(r"(?<=[.!?])\s+")


@dataclass(kw_only=True)
class SentenceExtractor:
    """Offline extractor: each declarative sentence of the user's messages is a candidate fact.

    No model, no download. Questions, greetings and sentences under ``min_words`` words are skipped.
    """

    min_words: int = 3
    """Shortest sentence kept."""

    async def __call__(self, messages: Sequence[Message]) -> list[str]:
        facts: list[str] = []
        for m in messages:
            if m.get("role") != "user":
                continue
            for sent in _SENT.split(str(m.get("content") or "").strip()):
                s = sent.strip()
                if not s or s.endswith("?") or len(s.split()) < self.min_words:
                    continue
                facts.append(s.rstrip("."))
        return facts


@dataclass(kw_only=True)
class LexicalProposer:
    """Offline proposer: NOOP for a known fact, UPDATE of the closest memory when they overlap
    enough (same subject, new value), ADD otherwise.

    It has alternatives for every fact -- ADD, UPDATE of the closest memory, UPDATE of the next
    closest, NOOP -- in order of fit. Best-of-N sample ``k`` proposes the ``k``-th alternative.
    A revision reads the reviewer's verdict on the fact (the feedback line that quotes it): the
    rejected operation is not proposed again, and the rationale picks the repair -- a duplicate
    or repetition calls for UPDATE of the closest memory (when the fact adds detail to it) or
    NOOP instead of ADD; lost or dropped facts call for ADD instead of UPDATE or DELETE; an
    unsupported or contradicted claim calls for NOOP.
    """

    update_overlap: float = 0.4
    """Jaccard overlap of content words above which a fact updates the related memory."""

    async def __call__(
        self,
        facts: Sequence[str],
        related: Sequence[Related],
        *,
        feedback: str | None = None,
        sample: int = 0,
    ) -> list[RawOp]:
        rel_words = [(r, content_words(r.text)) for r in related]
        ops: list[RawOp] = []
        for i, fact in enumerate(facts):
            fw = content_words(fact)
            ranked = sorted(
                ((len(fw & rw) / len(fw | rw) if fw | rw else 0.0, r) for r, rw in rel_words),
                key=lambda x: -x[0],
            )
            options = self._options(i, fact, ranked)
            verdict = _verdict_on(fact, feedback)
            if verdict is not None:
                novel = bool(ranked) and bool(fw - content_words(ranked[0][1].text))
                options = _repair(options, verdict, novel=novel)
            ops.append(options[sample % len(options)])
        return ops

    def _options(self, i: int, fact: str, ranked: list[tuple[float, Related]]) -> list[RawOp]:
        """Every reasonable operation for one fact, the best fit first."""
        add = RawOp(event="ADD", text=fact, fact=i, reason="new information")
        if not ranked:
            return [add]
        (j, best), rest = ranked[0], ranked[1:]
        noop = RawOp(event="NOOP", ref=best.ref, text=fact, fact=i, reason="already known")
        update = RawOp(
            event="UPDATE", ref=best.ref, text=fact, fact=i, reason="same subject, new detail"
        )
        if j >= 0.999:
            opts = [noop, update, add]
        elif j >= self.update_overlap:
            opts = [update, add, noop]
        else:
            opts = [add, update, noop]
        if rest and rest[0][0] > 0:
            opts.append(
                RawOp(
                    event="UPDATE",
                    ref=rest[0][1].ref,
                    text=fact,
                    fact=i,
                    reason="same subject as the next closest memory",
                )
            )
        return opts


_DUPLICATE = re.compile(r"dup|repeat|redundan|already|same as", re.I)
_LOST = re.compile(r"lost|drop|missing|missed|removed|forgot|empty", re.I)
_UNSUPPORTED = re.compile(r"invent|unsupported|no source|contradict|halluc|not stated", re.I)
_REJECTED_OP = re.compile(r"\b(ADD|UPDATE|DELETE|NOOP)\b")


def _verdict_on(fact: str, feedback: str | None) -> str | None:
    """The feedback line about this fact (feedback quotes each fact it rejects)."""
    if not feedback:
        return None
    for line in feedback.splitlines():
        if repr(fact) in line or f'"{fact}"' in line:
            return line
    return None


def _repair(options: list[RawOp], verdict: str, *, novel: bool) -> list[RawOp]:
    """Options re-ordered by what the verdict asks for, the rejected operation last.

    ``novel``: the fact says something the closest memory does not (then a duplicate is
    repaired by UPDATE, which keeps the new detail, rather than by NOOP)."""
    m = _REJECTED_OP.search(verdict.split(":", 1)[-1])
    rejected = m.group(1) if m else None
    why = verdict.split("reviewer:", 1)[-1]
    if _DUPLICATE.search(why) and novel:
        prefer = ["UPDATE", "NOOP", "ADD"]
    elif _UNSUPPORTED.search(why) or _DUPLICATE.search(why):
        prefer = ["NOOP", "UPDATE", "ADD"]
    elif _LOST.search(why):
        prefer = ["ADD", "UPDATE", "NOOP"]
    else:
        prefer = []
    order = {op: k for k, op in enumerate(prefer)}
    ranked = sorted(
        options,
        key=lambda o: (o.event == rejected, order.get(o.event, len(prefer))),
    )
    return ranked
