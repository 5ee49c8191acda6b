"""How the facts memory turns proposals into decisions: mapping integer ids back, the write
policies' selection rules, conflict resolution, and the changes to commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentmem.memory._records import EventStatus, MemoryItem, OpOutcome, ProposedOp, text_hash
from agentmem.memory._steps import RawOp
from agentmem.memory._store import Change
from rewards import Reward

__all__ = ["Scored", "change_for", "outcome", "passes", "remap", "resolve_conflicts", "select_best"]

_OPS = ("ADD", "UPDATE", "DELETE", "NOOP")


@dataclass(kw_only=True)
class Scored:
    """A proposed operation with its reward (None for NOOP) and revision round."""

    op: ProposedOp
    reward: Reward | None
    attempt: int
    error: str = ""


def remap(
    r: RawOp,
    n: int,
    facts: list[str],
    by_ref: dict[int, MemoryItem],
    by_hash: dict[str, MemoryItem],
) -> ProposedOp:
    event = r.event.strip().upper()
    fact_index = (
        r.fact if r.fact is not None and 0 <= r.fact < len(facts) else min(n, len(facts) - 1)
    )
    text = " ".join(r.text.split()) or facts[fact_index]
    if event not in _OPS:
        return ProposedOp(
            op="NOOP",
            text=text,
            fact_index=fact_index,
            reason=f"invalid: unknown operation {r.event!r}",
        )
    if event == "ADD":
        dup = by_hash.get(text_hash(text))
        if dup is not None:  # an exact copy of a current memory is not a new memory
            return ProposedOp(
                op="NOOP",
                text=text,
                target=dup.id,
                old_text=dup.text,
                fact_index=fact_index,
                reason="identical to an existing memory",
            )
        return ProposedOp(op="ADD", text=text, fact_index=fact_index, reason=r.reason)
    try:
        ref = int(str(r.ref).strip())
    except ValueError:
        ref = -1
    target = by_ref.get(ref)
    if target is None:
        if event == "NOOP":
            return ProposedOp(op="NOOP", text=text, fact_index=fact_index, reason=r.reason)
        return ProposedOp(
            op="NOOP",
            text=text,
            fact_index=fact_index,
            reason=f"invalid: {event} refers to id {r.ref!r}, which is not one of the memories shown (0..{len(by_ref) - 1})",
        )
    if event == "UPDATE" and text_hash(text) == target.hash:
        event = "NOOP"
    return ProposedOp(
        op=event,
        text=text,
        target=target.id,
        old_text=target.text,
        fact_index=fact_index,
        reason=r.reason,
    )  # type: ignore[arg-type]


def passes(s: Scored, threshold: float) -> bool:
    if s.error:
        return False
    return s.reward is None or s.reward.value >= threshold


def outcome(s: Scored, status: EventStatus) -> OpOutcome:
    rationale = s.error or (s.reward.rationale if s.reward else s.op.reason)
    return OpOutcome(
        op=s.op,
        status=status,
        memory_id=s.op.target if status == "applied" else None,  # type: ignore[arg-type]
        score=s.reward.value if s.reward else None,
        rationale=rationale,
        attempts=s.attempt + 1,
    )


def resolve_conflicts(outcomes: list[OpOutcome]) -> list[OpOutcome]:
    """At most one applied operation per memory, and no two ADDs of the same text."""
    touched: set[str] = set()
    added: set[str] = set()
    for o in outcomes:
        if o.status != "applied":
            continue
        if o.op.op in ("UPDATE", "DELETE") and o.op.target:
            if o.op.target in touched:
                o.status, o.memory_id = "rejected", None
                o.rationale = (
                    f"conflicts with an earlier operation on the same memory; {o.rationale}"
                )
            touched.add(o.op.target)
        elif o.op.op == "ADD":
            h = text_hash(o.op.text)
            if h in added:
                o.status, o.memory_id = "rejected", None
                o.rationale = "duplicate of another ADD in the same call"
            added.add(h)
    return outcomes


def select_best(facts: list[str], proposals: list[list[Scored]]) -> list[OpOutcome]:
    """Per fact, the best-scored operation across samples (ties: earliest sample); the rest rejected."""
    out: list[OpOutcome] = []
    for i in range(len(facts)):
        cands = [s for p in proposals for s in p if s.op.fact_index == i]
        valid = [s for s in cands if not s.error]
        scored = [s for s in valid if s.reward is not None]
        best = (
            max(scored, key=lambda s: s.reward.value if s.reward else 0.0)
            if scored
            else (valid[0] if valid else None)
        )
        for s in cands:
            out.append(outcome(s, "applied" if s is best else "rejected"))
            if s is not best and not s.error:
                out[-1].rationale = f"not selected (best-of-{len(proposals)}): {out[-1].rationale}"
    return out


def change_for(
    o: OpOutcome, request_id: str, actor: str, metadata: dict[str, Any] | None, scorer: str
) -> Change:
    op = o.op
    if o.status == "rejected":
        return Change(
            op=op.op,
            memory_id=None,
            text=op.text,
            status="rejected",
            actor=actor,
            score=o.score,
            rationale=o.rationale,
            scorer=scorer,
            request_id=request_id,
            attempt=o.attempts - 1,
        )
    return Change(
        op=op.op,
        memory_id=o.memory_id,
        text=op.text if op.op != "DELETE" else None,
        metadata=dict(metadata or {}) if op.op == "ADD" else None,
        actor=actor,
        score=o.score,
        rationale=o.rationale,
        scorer=scorer if o.score is not None else "",
        request_id=request_id,
        attempt=o.attempts - 1,
    )
