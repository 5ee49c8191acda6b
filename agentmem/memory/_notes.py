"""NotesMemory: A-Mem-style notes (content, context, keywords, tags, links, timestamps) whose
every change is scored before it is applied.

``add(content, scope=...)``: build the note's attributes → (under the scope's write lock) retrieve
the nearest notes → propose links to them and updates of their context/tags ("evolution"), with
the neighbours shown under temporary integer ids so changes can only touch the neighbours actually
retrieved → score the new note, every link and every neighbour update with the reward model →
apply what passes the gate (``score`` applies everything), record the rest as rejected.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from agentmem.exceptions import UserError
from agentmem.memory._base import ScoredMemory, open_parts
from agentmem.memory._conversation import clean_messages
from agentmem.memory._history import Request
from agentmem.memory._note_steps import (
    Evolution,
    EvolutionProposer,
    LLMEvolutionProposer,
    LLMNoteBuilder,
    NeighbourUpdate,
    NoteAttrs,
    NoteBuilder,
    OverlapEvolution,
    WordNoteBuilder,
    render_note,
)
from agentmem.memory._policy import WritePolicy
from agentmem.memory._records import (
    AddResult,
    MemoryItem,
    OpOutcome,
    ProposedOp,
    result_from_json,
    result_to_json,
)
from agentmem.memory._scope import Scope
from agentmem.memory._steps import Message
from agentmem.memory._store import Change
from rewards import Reward, RewardModel, UpdateContext

__all__ = ["NOTES_INSTRUCTION", "NotesMemory"]

NOTES_INSTRUCTION = (
    "Keep a well-organised network of notes about the user: each note accurate to the conversation, "
    "with a faithful context, useful keywords and tags, and links only between related notes."
)


@dataclass(kw_only=True)
class NotesMemory(ScoredMemory):
    """A-Mem-style notes over a :class:`MemoryStore` of kind ``note``.

    The write policy is ``gate`` (threshold) or ``score``; best-of-N is treated as gate.
    """

    builder: NoteBuilder
    """Attributes for new notes."""
    evolver: EvolutionProposer
    """Links and neighbour updates."""
    neighbours: int = 5
    """Nearest notes retrieved for evolution."""
    instruction: str = NOTES_INSTRUCTION
    """The reward model's question."""
    _noun = "note"

    @classmethod
    def create(
        cls,
        path: str = "~/.agentmem/memory",
        *,
        model: str | None = None,
        api_base: str | None = None,
        api_key: str | None = None,
        rm: str | RewardModel | None = None,
        policy: str | WritePolicy | None = None,
        db_url: str | None = None,
        qdrant_url: str | None = None,
        qdrant_location: str | None = None,
        qdrant_api_key: str | None = None,
        embedding_model: str | None = None,
        hybrid: bool = True,
        neighbours: int = 5,
    ) -> NotesMemory:
        """A notes memory named by strings (``model=None``: offline builder and evolution)."""
        owns: list[Any] = []
        builder: NoteBuilder
        evolver: EvolutionProposer
        if model:
            from agentmem.llm import LLMClient

            client = LLMClient(model, api_base=api_base, api_key=api_key)
            owns.append(client)
            builder, evolver = LLMNoteBuilder(client=client), LLMEvolutionProposer(client=client)
        else:
            builder, evolver = WordNoteBuilder(), OverlapEvolution()
        store, rm_obj = open_parts(
            path,
            "note",
            owns=owns,
            api_base=api_base,
            api_key=api_key,
            rm=rm,
            db_url=db_url,
            qdrant_url=qdrant_url,
            qdrant_location=qdrant_location,
            qdrant_api_key=qdrant_api_key,
            embedding_model=embedding_model,
            hybrid=hybrid,
        )
        return cls(
            store=store,
            builder=builder,
            evolver=evolver,
            reward_model=rm_obj,
            policy=WritePolicy.parse(policy),
            neighbours=neighbours,
            owns=owns,
        )

    async def forget(self, memory_id: str, *, scope: Scope, actor: str = "api") -> bool:
        """Hard delete, and drop the links other notes had to it (recorded as LINK changes)."""
        if not await self.store.forget(memory_id, scope, actor=actor):
            return False
        async with self.store.scope_lock(scope):
            linked = [n for n in await self.store.get_all(scope) if memory_id in n.links]
            if linked:
                await self.store.commit(
                    scope,
                    [
                        Change(
                            op="LINK",
                            memory_id=n.id,
                            attrs={"links": [x for x in n.links if x != memory_id]},
                            actor=actor,
                            rationale="a linked note was forgotten",
                        )
                        for n in linked
                    ],
                )
        return True

    async def update(
        self, memory_id: str, text: str, *, scope: Scope, actor: str = "api"
    ) -> MemoryItem:
        """Replace a note's content (a caller's explicit edit: scored and recorded, always applied)."""
        if not text.strip():
            raise UserError("update text is empty; use delete() to remove a note")
        async with self.store.scope_lock(scope):
            item = await self.store.get(memory_id, scope)
            if item is None or not item.live:
                raise UserError(
                    f"no current note {memory_id!r} for {scope}; list them with get_all(scope=...)"
                )
            reward = await self.reward_model.score_update(
                UpdateContext(
                    question=self.instruction,
                    previous_memory=render_note(item.text, item.context, item.keywords, item.tags),
                    chunk=f"user: {text}",
                    candidate=render_note(text.strip(), item.context, item.keywords, item.tags),
                )
            )
            await self.store.commit(
                scope,
                [
                    Change(
                        op="UPDATE",
                        memory_id=memory_id,
                        text=text.strip(),
                        actor=actor,
                        score=reward.value,
                        rationale=reward.rationale,
                        scorer=self.reward_model.spec.label,
                    )
                ],
            )
        updated = await self.store.get(memory_id, scope)
        assert updated is not None
        return updated

    async def add(
        self,
        messages: str | Sequence[Message],
        *,
        scope: Scope,
        actor: str = "api",
        idempotency_key: str | None = None,
    ) -> AddResult:
        """Write one note from ``messages`` (the user's words), with scored links and evolution."""
        request_id = idempotency_key or uuid.uuid4().hex
        if idempotency_key and (
            done := await self.store.history.get_request(scope.key, idempotency_key)
        ):
            return result_from_json(done, replayed=True)
        conv = clean_messages(messages)
        content = " ".join(m["content"] for m in conv.messages if m["role"] == "user").strip()
        if not content:
            return AddResult(request_id=request_id)
        attrs = await self.builder(content)
        async with self.store.scope_lock(scope):
            hits = await self.store.search(content, scope, limit=self.neighbours)
            evo = await self.evolver(content, attrs, list(enumerate(hits)))
            props = _proposals(content, attrs, hits, evo)

            async def score(p: _Proposal) -> None:
                if p.before is not None and p.after is not None:
                    p.reward = await self.reward_model.score_update(
                        UpdateContext(
                            question=self.instruction,
                            previous_memory=p.before,
                            chunk=conv.text,
                            candidate=p.after,
                        )
                    )

            await asyncio.gather(*(score(p) for p in props))
            threshold = self.policy.threshold if self.policy.name != "score" else 0.0
            note_ok = props[0].passes(threshold)
            for p in props:
                p.ok = (
                    p.passes(threshold) and note_ok
                )  # nothing links to or evolves around a refused note
                if not note_ok and p.kind != "ADD":
                    p.why = "the new note was rejected"
            note_id = str(uuid.uuid4())
            outcomes = [p.outcome(note_id) for p in props]
            result = AddResult(request_id=request_id, facts=[content], outcomes=outcomes)
            changes = _changes(
                props,
                note_id,
                content,
                attrs,
                actor=actor,
                scorer=self.reward_model.spec.label,
                request_id=request_id,
            )
            request = Request(
                scope_key=scope.key,
                key=request_id,
                created_at=time.time(),
                result={**result_to_json(result), "conversation": conv.messages},
            )
            await self.store.commit(scope, changes, request=request)
        return result


@dataclass(kw_only=True)
class _Proposal:
    """The new note, one link, or one neighbour update, with what the reward model saw."""

    kind: Literal["ADD", "LINK", "EVOLVE"]
    neighbour: MemoryItem | None = None
    ref: Any = None
    update: NeighbourUpdate | None = None
    before: str | None = None
    after: str | None = None
    reward: Reward | None = None
    ok: bool = False
    why: str = ""
    after_text: str = ""

    def passes(self, threshold: float) -> bool:
        return self.reward is not None and self.reward.value >= threshold

    @property
    def rationale(self) -> str:
        if self.why:
            return self.why
        if self.reward is not None:
            return self.reward.rationale
        return f"refers to note {self.ref!r}, which is not one of the neighbours retrieved"

    def outcome(self, note_id: str) -> OpOutcome:
        status = "applied" if self.ok else "rejected"
        value = self.reward.value if self.reward else None
        if self.kind == "ADD":
            return OpOutcome(
                op=ProposedOp(op="ADD", text=self.after_text),
                status=status,
                memory_id=note_id if self.ok else None,
                score=value,
                rationale=self.rationale,
            )
        n = self.neighbour
        attrs = None
        if self.kind == "EVOLVE" and self.update is not None:
            attrs = {
                k: v
                for k, v in (("context", self.update.context), ("tags", self.update.tags))
                if v is not None
            }
        op = ProposedOp(
            op="UPDATE",
            text=self.describe(),
            target=n.id if n else None,
            old_text=n.text if n else None,
            reason=self.kind.lower(),
            attrs=attrs,
        )
        return OpOutcome(
            op=op,
            status=status,
            memory_id=n.id if (self.ok and n) else None,
            score=value,
            rationale=self.rationale,
        )

    def describe(self) -> str:
        if self.neighbour is None:
            return ""
        return f"{'link to' if self.kind == 'LINK' else 'evolve'} {self.neighbour.text!r}"


def _proposals(
    content: str, attrs: NoteAttrs, hits: list[MemoryItem], evo: Evolution
) -> list[_Proposal]:
    """The new note first, then each link and neighbour update, mapped back from integer ids."""
    by_ref = dict(enumerate(hits))
    note = render_note(content, attrs.context, attrs.keywords, attrs.tags)
    before = "\n\n".join(render_note(h.text, h.context, h.keywords, h.tags) for h in hits)
    out = [
        _Proposal(
            kind="ADD", before=before, after=f"{before}\n\n{note}".strip(), after_text=content
        )
    ]
    for ref in dict.fromkeys(evo.links):
        n = by_ref.get(_int(ref))
        p = _Proposal(kind="LINK", neighbour=n, ref=ref)
        if n is not None:
            p.before, p.after = before, f"{before}\n\n{note}\nLinks: [{n.text!r}]"
        out.append(p)
    for up in evo.updates:
        n = by_ref.get(_int(up.id))
        p = _Proposal(kind="EVOLVE", neighbour=n, ref=up.id, update=up)
        if n is not None:
            ctx = up.context if up.context is not None else n.context
            tags = up.tags if up.tags is not None else n.tags
            p.before = render_note(n.text, n.context, n.keywords, n.tags)
            p.after = render_note(n.text, ctx, n.keywords, tags)
        out.append(p)
    return out


def _changes(
    props: list[_Proposal],
    note_id: str,
    content: str,
    attrs: NoteAttrs,
    *,
    actor: str,
    scorer: str,
    request_id: str,
) -> list[Change]:
    """The note, one change per touched neighbour (links and evolution merged), rejected ones recorded."""
    common: dict[str, Any] = {"actor": actor, "scorer": scorer, "request_id": request_id}
    note, rest = props[0], props[1:]
    changes = [
        Change(
            op="ADD",
            memory_id=note_id,
            text=content,
            status="applied" if note.ok else "rejected",
            attrs=attrs.model_dump() | {"links": []},
            score=note.reward.value if note.reward else None,
            rationale=note.rationale,
            **common,
        )
    ]
    links: list[str] = []
    merged: dict[str, dict[str, Any]] = {}
    for p in rest:
        value = p.reward.value if p.reward else None
        if not p.ok or p.neighbour is None:
            changes.append(
                Change(
                    op=p.kind,
                    memory_id=None,
                    text=p.describe(),
                    status="rejected",
                    score=value,
                    rationale=p.rationale,
                    **common,
                )
            )
            continue
        n = p.neighbour
        m = merged.setdefault(
            n.id,
            {
                "links": list(n.links),
                "context": n.context,
                "tags": list(n.tags),
                "kinds": [],
                "scores": [],
            },
        )
        if p.kind == "LINK":
            links.append(n.id)
            if note_id not in m["links"]:
                m["links"].append(note_id)
        elif p.update is not None:
            if p.update.context is not None:
                m["context"] = p.update.context
            if p.update.tags is not None:
                m["tags"] = list(p.update.tags)
        m["kinds"].append(p.kind)
        m["scores"].append((value, p.rationale))
    if note.ok:
        changes[0].attrs = attrs.model_dump() | {"links": links}
        for nid, m in merged.items():
            values = [v for v, _ in m["scores"] if v is not None]
            changes.append(
                Change(
                    op="EVOLVE" if "EVOLVE" in m["kinds"] else "LINK",
                    memory_id=nid,
                    attrs={"links": m["links"], "context": m["context"], "tags": m["tags"]},
                    score=min(values) if values else None,
                    rationale="; ".join(r for _, r in m["scores"]),
                    **common,
                )
            )
    return changes


def _int(v: Any) -> int:
    try:
        return int(str(v).strip())
    except ValueError:
        return -1
