"""What the dialogue memories store and return: memory items, history events, operations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = [
    "AddResult",
    "EventStatus",
    "MemoryEvent",
    "MemoryItem",
    "MemoryKind",
    "OpName",
    "OpOutcome",
    "ProposedOp",
    "result_from_json",
    "result_to_json",
    "text_hash",
]

OpName = Literal["ADD", "UPDATE", "DELETE", "NOOP"]
"""What a proposed operation does to the store."""

MemoryKind = Literal["fact", "note"]
"""Mem0-style fact or A-Mem-style note."""

EventStatus = Literal["pending", "applied", "rejected"]
"""``pending``: intent written, not yet applied to the vector index (repaired on restart);
``applied``: done; ``rejected``: the reward model (or the policy) turned it down."""


def text_hash(text: str) -> str:
    """MD5 of the normalised text (the ``hash`` field of Mem0-style dumps; for dedup, not security)."""
    return hashlib.md5(" ".join(text.split()).lower().encode()).hexdigest()


class MemoryItem(BaseModel):
    """One memory as it is now (or was, for a closed version)."""

    id: str
    """Stable identifier across versions (a UUID string)."""
    text: str
    """The fact, or the note's content."""
    kind: MemoryKind = "fact"
    """Fact or note."""
    tenant_id: str
    """Scope: tenant."""
    user_id: str
    """Scope: user."""
    agent_id: str | None = None
    """Scope: agent."""
    run_id: str | None = None
    """Scope: run."""
    hash: str = ""
    """``text_hash(text)``."""
    version: int = 1
    """1 for the first text, +1 at each UPDATE."""
    metadata: dict[str, Any] = Field(default_factory=dict)
    """Free-form caller data (never identity)."""
    created_at: datetime
    """When the memory was first written."""
    updated_at: datetime
    """When this version was written."""
    valid_to: datetime | None = None
    """When this version was superseded or deleted (None while current)."""
    context: str = ""
    """Notes: one-sentence context."""
    keywords: list[str] = Field(default_factory=list)
    """Notes: keywords."""
    tags: list[str] = Field(default_factory=list)
    """Notes: category tags."""
    links: list[str] = Field(default_factory=list)
    """Notes: ids of linked notes."""
    score: float | None = None
    """Search similarity, when returned by ``search``."""

    @property
    def live(self) -> bool:
        """True while this version is current."""
        return self.valid_to is None


class MemoryEvent(BaseModel):
    """One row of the history: an operation that was applied, or proposed and rejected."""

    id: int
    """Sequence number (monotonic per database)."""
    memory_id: str | None
    """The memory it touched (None for a rejected ADD)."""
    scope_key: str
    """Canonical scope string."""
    op: str
    """ADD, UPDATE, DELETE, NOOP, LINK, EVOLVE or FORGET."""
    status: EventStatus
    """Pending, applied or rejected."""
    actor: str
    """Who asked for it: ``user``, ``agent``, ``api`` or ``repair``."""
    old_text: str | None = None
    """Text before."""
    new_text: str | None = None
    """Text after (or proposed, when rejected)."""
    score: float | None = None
    """Reward-model score of the operation."""
    rationale: str = ""
    """The reward model's reason (and the proposer's, when given)."""
    scorer: str = ""
    """Reward-model label."""
    request_id: str = ""
    """The add() call it belongs to."""
    attempt: int = 0
    """Revision round under the gate policy."""
    created_at: datetime
    """When the intent was written."""
    applied_at: datetime | None = None
    """When it reached the vector index."""


@dataclass(kw_only=True)
class ProposedOp:
    """An operation proposed by the model, after the integer ids are mapped back."""

    op: OpName
    """What to do."""
    text: str = ""
    """New text (ADD, UPDATE); the fact it concerns otherwise."""
    target: str | None = None
    """Memory id for UPDATE, DELETE and NOOP (None for ADD)."""
    old_text: str | None = None
    """Current text of the target."""
    reason: str = ""
    """The proposer's own reason, when it gives one."""
    fact_index: int = 0
    """Which extracted fact it answers (for best-of-N selection)."""
    attrs: dict[str, Any] | None = None
    """Notes: the proposed context/tags of a neighbour (evolution)."""
    target_version: int | None = None
    """The version of the target the proposer saw (the commit's compare-and-swap)."""


@dataclass(kw_only=True)
class OpOutcome:
    """What happened to one proposed operation."""

    op: ProposedOp
    """The operation."""
    status: EventStatus
    """Applied or rejected."""
    memory_id: str | None
    """Memory written or touched."""
    score: float | None = None
    """Its reward."""
    rationale: str = ""
    """Why it scored so."""
    attempts: int = 1
    """Proposals tried for it (gate policy)."""


@dataclass(kw_only=True)
class AddResult:
    """The outcome of one ``add()`` call."""

    request_id: str
    """Identifier of the call (its idempotency key when one was given)."""
    facts: list[str] = field(default_factory=list)
    """What was extracted from the messages."""
    outcomes: list[OpOutcome] = field(default_factory=list)
    """Every proposed operation and what became of it."""
    replayed: bool = False
    """True when an earlier call with the same idempotency key is being returned."""

    @property
    def applied(self) -> list[OpOutcome]:
        """Operations that changed (or confirmed) the store."""
        return [o for o in self.outcomes if o.status == "applied"]

    @property
    def rejected(self) -> list[OpOutcome]:
        """Operations the reward model turned down."""
        return [o for o in self.outcomes if o.status == "rejected"]


def result_to_json(r: AddResult) -> dict[str, Any]:
    return {
        "request_id": r.request_id,
        "facts": r.facts,
        "outcomes": [
            {
                "op": o.op.op,
                "text": o.op.text,
                "target": o.op.target,
                "old_text": o.op.old_text,
                "reason": o.op.reason,
                "fact_index": o.op.fact_index,
                "attrs": o.op.attrs,
                "status": o.status,
                "memory_id": o.memory_id,
                "score": o.score,
                "rationale": o.rationale,
                "attempts": o.attempts,
            }
            for o in r.outcomes
        ],
    }


def result_from_json(d: dict[str, Any], *, replayed: bool) -> AddResult:
    outs = [
        OpOutcome(
            op=ProposedOp(
                op=o["op"],
                text=o["text"],
                target=o["target"],
                old_text=o["old_text"],
                reason=o["reason"],
                fact_index=o["fact_index"],
                attrs=o.get("attrs"),
            ),
            status=o["status"],
            memory_id=o["memory_id"],
            score=o["score"],
            rationale=o["rationale"],
            attempts=o["attempts"],
        )
        for o in d.get("outcomes", [])
    ]
    return AddResult(
        request_id=d["request_id"], facts=list(d.get("facts", [])), outcomes=outs, replayed=replayed
    )
