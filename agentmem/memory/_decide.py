"""How the facts memory turns proposals into decisions: mapping integer ids back, the write
policies' selection rules, conflict resolution, and the changes to commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agentmem.memory._records import MemoryItem, OpOutcome, ProposedOp, text_hash
from agentmem.memory._steps import RawOp
from agentmem.memory._store import Change
from agentmem.policies._core import SlotOutcome
from agentmem.policies._spec import PolicySpec

__all__ = [
    "InvalidProposal",
    "change_for",
    "outcomes_of",
    "raise_if_unproposed",
    "remap",
    "resolve_conflicts",
]

_OPS = ("ADD", "UPDATE", "DELETE", "NOOP")


class InvalidProposal(ValueError):
    """The proposer's operation cannot be applied (unknown op, unknown id); recorded, not raised."""


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
        op=event,  # type: ignore[arg-type]
        text=text,
        target=target.id,
        old_text=target.text,
        fact_index=fact_index,
        reason=r.reason,
        target_version=target.version,
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


def raise_if_unproposed(decided: Iterable[SlotOutcome[Any]]) -> None:
    """Raise when some slot got no candidate at all because every attempt raised (a model call
    failing, not an invalid proposal): nothing has been committed, so the caller can retry the
    whole add() -- with its idempotency key -- instead of getting a silently partial write."""
    errors = [
        e
        for d in decided
        if d.decision == "failed"
        for e in d.errors
        if not isinstance(e, InvalidProposal)
    ]
    if errors:
        first = errors[0]
        first.add_note(
            f"every attempt to propose a write failed ({len(errors)} error(s)); nothing was "
            "written -- retry the call (with the same idempotency_key if you gave one)"
        )
        raise first


def outcomes_of(
    decided: SlotOutcome[tuple[ProposedOp, ...]], fact: str, index: int, policy: PolicySpec
) -> list[OpOutcome]:
    """Every attempt for one fact as outcomes: the committed one applied, the rest rejected with
    the reason (its score, not selected, or the error that stopped it)."""
    out: list[OpOutcome] = []
    for k, t in enumerate(decided.trials):
        chosen = k == decided.chosen
        ops = t.candidate or (ProposedOp(op="NOOP", text=fact, fact_index=index),)
        for op in ops:
            if t.error is not None:
                why = (
                    str(t.error)
                    if isinstance(t.error, InvalidProposal)
                    else (f"failed: {type(t.error).__name__}: {t.error}")
                )
            else:
                assert t.reward is not None
                why = t.reward.rationale or op.reason
                if not chosen and decided.decision == "selected":
                    why = f"not selected (best-of-{policy.n}): {why}"
                elif (
                    not chosen
                    and decided.decision == "refused"
                    and t.round == max(x.round for x in decided.trials)
                ):
                    why = (
                        f"below the gate ({policy.threshold:g}) after {t.round + 1} attempts: {why}"
                    )
            out.append(
                OpOutcome(
                    op=op,
                    status="applied" if chosen else "rejected",
                    memory_id=op.target if chosen else None,
                    score=t.reward.value if t.reward is not None else None,
                    rationale=why,
                    attempts=t.round + 1,
                )
            )
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
        expected_version=op.target_version if op.op in ("UPDATE", "DELETE") else None,
    )
