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
from dataclasses import dataclass, field
from typing import Any

from agentmem.exceptions import UserError
from agentmem.memory._conversation import clean_messages
from agentmem.memory._embed import Embedder, HybridEmbedder, LLMEmbedder
from agentmem.memory._history import Request
from agentmem.memory._note_steps import (
    EvolutionProposer,
    LLMEvolutionProposer,
    LLMNoteBuilder,
    NoteBuilder,
    OverlapEvolution,
    WordNoteBuilder,
    render_note,
)
from agentmem.memory._policy import WritePolicy
from agentmem.memory._records import AddResult, MemoryEvent, MemoryItem, OpOutcome, ProposedOp
from agentmem.memory._scope import Scope
from agentmem.memory._steps import Message
from agentmem.memory._store import Change, MemoryStore
from rewards import Reward, RewardModel, UpdateContext

__all__ = ["NOTES_INSTRUCTION", "NotesMemory"]

NOTES_INSTRUCTION = (
    "Keep a well-organised network of notes about the user: each note accurate to the conversation, "
    "with a faithful context, useful keywords and tags, and links only between related notes."
)


@dataclass(kw_only=True)
class NotesMemory:
    """A-Mem-style notes over a :class:`MemoryStore` of kind ``note``."""

    store: MemoryStore
    """Versions, history and index."""
    builder: NoteBuilder
    """Attributes for new notes."""
    evolver: EvolutionProposer
    """Links and neighbour updates."""
    reward_model: RewardModel
    """Scores the new note, every link and every neighbour update."""
    policy: WritePolicy = field(default_factory=WritePolicy)
    """``gate`` (threshold) or ``score``; best-of-N is treated as gate."""
    neighbours: int = 5
    """Nearest notes retrieved for evolution."""
    instruction: str = NOTES_INSTRUCTION
    """The reward model's question."""
    owns: list[Any] = field(default_factory=list, repr=False)
    """Clients closed with the memory."""

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
        embedding_model: str | None = None,
        hybrid: bool = True,
        neighbours: int = 5,
    ) -> NotesMemory:
        """A notes memory named by strings (``model=None``: offline builder and evolution)."""
        from agentmem.memory._store import open_store
        from rewards import make_reward_model

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
        rm_obj = (
            rm
            if rm is not None and not isinstance(rm, str)
            else make_reward_model(rm, api_base=api_base, api_key=api_key)
        )
        embedder: Embedder | None = None
        if embedding_model:
            from agentmem.llm import LLMClient

            eclient = LLMClient(embedding_model, api_base=api_base, api_key=api_key)
            owns.append(eclient)
            embedder = LLMEmbedder(client=eclient)
            if hybrid:
                embedder = HybridEmbedder(dense=embedder)
        store = open_store(
            path,
            kind="note",
            db_url=db_url,
            qdrant_url=qdrant_url,
            qdrant_location=qdrant_location,
            embedder=embedder,
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

    async def open(self) -> NotesMemory:
        """Open (and repair) the store."""
        await self.store.open()
        return self

    async def close(self) -> None:
        """Close the store and owned clients."""
        await self.store.close()
        for r in self.owns:
            await r.aclose()

    async def __aenter__(self) -> NotesMemory:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def search(self, query: str, *, scope: Scope, limit: int = 5) -> list[MemoryItem]:
        """Nearest current notes of the scope."""
        return await self.store.search(query, scope, limit=limit)

    async def get(self, memory_id: str, *, scope: Scope) -> MemoryItem | None:
        """A note's newest version, or None."""
        return await self.store.get(memory_id, scope)

    async def get_all(self, *, scope: Scope) -> list[MemoryItem]:
        """Current notes, oldest first."""
        return await self.store.get_all(scope)

    async def history(self, memory_id: str, *, scope: Scope) -> list[MemoryEvent]:
        """Every change of a note."""
        return await self.store.history_of(memory_id, scope)

    async def events(self, *, scope: Scope, request_id: str | None = None) -> list[MemoryEvent]:
        """Every operation of a scope -- applied, pending and rejected -- optionally of one add()."""
        return await self.store.events(scope, request_id=request_id)

    async def export_pairs(self, *, scope: Scope, query: str | None = None) -> list[dict[str, Any]]:
        """This scope's memory evolution as MemRewardBench pairs (see :func:`agentmem.memory.export_pairs`)."""
        from agentmem.memory._export import DEFAULT_QUERY, export_pairs

        return await export_pairs(self.store, scope, query=query or DEFAULT_QUERY)

    async def forget(self, memory_id: str, *, scope: Scope, actor: str = "api") -> bool:
        """Hard delete."""
        return await self.store.forget(memory_id, scope, actor=actor)

    async def delete(self, memory_id: str, *, scope: Scope, actor: str = "api") -> None:
        """Close a note (kept in history)."""
        async with self.store.scope_lock(scope):
            item = await self.store.get(memory_id, scope)
            if item is None or not item.live:
                raise UserError(f"no current note {memory_id!r} for {scope}")
            await self.store.commit(
                scope,
                [
                    Change(
                        op="DELETE", memory_id=memory_id, actor=actor, rationale="deleted by caller"
                    )
                ],
            )

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
            from agentmem.memory._records import result_from_json

            return result_from_json(done, replayed=True)
        conv = clean_messages(messages)
        content = " ".join(m["content"] for m in conv.messages if m["role"] == "user").strip()
        if not content:
            return AddResult(request_id=request_id)
        attrs = await self.builder(content)
        async with self.store.scope_lock(scope):
            hits = await self.store.search(content, scope, limit=self.neighbours)
            shown = list(enumerate(hits))
            evo = await self.evolver(content, attrs, shown)
            by_ref = dict(shown)
            note_id = str(uuid.uuid4())
            note_text = render_note(content, attrs.context, attrs.keywords, attrs.tags)
            before = "\n\n".join(render_note(h.text, h.context, h.keywords, h.tags) for h in hits)

            async def score(prev: str, cand: str) -> Reward:
                return await self.reward_model.score_update(
                    UpdateContext(
                        question=self.instruction,
                        previous_memory=prev,
                        chunk=conv.text,
                        candidate=cand,
                    )
                )

            jobs: list[tuple[str, Any, Any]] = [
                ("ADD", None, score(before, f"{before}\n\n{note_text}".strip()))
            ]
            for ref in dict.fromkeys(evo.links):
                n = by_ref.get(_int(ref))
                jobs.append(
                    (
                        "LINK",
                        (ref, n),
                        score(before, f"{before}\n\n{note_text}\nLinks: [{n.text!r}]" if n else "")
                        if n
                        else None,
                    )
                )
            for up in evo.updates:
                n = by_ref.get(_int(up.id))
                if n is None:
                    jobs.append(("EVOLVE", (up.id, None, up), None))
                    continue
                new_ctx = up.context if up.context is not None else n.context
                new_tags = up.tags if up.tags is not None else n.tags
                jobs.append(
                    (
                        "EVOLVE",
                        (up.id, n, up),
                        score(
                            render_note(n.text, n.context, n.keywords, n.tags),
                            render_note(n.text, new_ctx, n.keywords, new_tags),
                        ),
                    )
                )
            rewards = await asyncio.gather(*(j[2] for j in jobs if j[2] is not None))
            it = iter(rewards)
            thr = self.policy.threshold if self.policy.name != "score" else 0.0
            scorer = self.reward_model.spec.label
            outcomes: list[OpOutcome] = []
            changes: list[Change] = []
            links: list[str] = []
            per_neighbour: dict[str, dict[str, Any]] = {}
            note_ok = True
            for kind, data, job in jobs:
                r = next(it) if job is not None else None
                ok = r is not None and r.value >= thr
                rationale = (
                    r.rationale
                    if r
                    else f"refers to note {data[0]!r}, which is not one of the neighbours retrieved (0..{len(hits) - 1})"
                )
                if kind == "ADD":
                    note_ok = ok
                    outcomes.append(
                        OpOutcome(
                            op=ProposedOp(op="ADD", text=content),
                            status="applied" if ok else "rejected",
                            memory_id=note_id if ok else None,
                            score=r.value if r else None,
                            rationale=rationale,
                        )
                    )
                    changes.append(
                        Change(
                            op="ADD",
                            memory_id=note_id,
                            text=content,
                            status="applied" if ok else "rejected",
                            attrs=attrs.model_dump() | {"links": []},
                            actor=actor,
                            score=r.value if r else None,
                            rationale=rationale,
                            scorer=scorer,
                            request_id=request_id,
                        )
                    )
                    continue
                ok = ok and note_ok  # nothing links to or evolves around a note that was not stored
                n = data[1]
                target = n.id if n is not None else None
                desc = (
                    f"link to {n.text!r}"
                    if kind == "LINK" and n
                    else (f"evolve {n.text!r}" if n else "")
                )
                outcomes.append(
                    OpOutcome(
                        op=ProposedOp(
                            op="UPDATE",
                            text=desc,
                            target=target,
                            old_text=n.text if n else None,
                            reason=kind.lower(),
                            attrs={
                                k: v
                                for k, v in (("context", data[2].context), ("tags", data[2].tags))
                                if v is not None
                            }
                            if kind == "EVOLVE"
                            else None,
                        ),
                        status="applied" if ok else "rejected",
                        memory_id=target if ok else None,
                        score=r.value if r else None,
                        rationale=rationale if note_ok else "the new note was rejected",
                    )
                )
                if not ok:
                    changes.append(
                        Change(
                            op=kind,
                            memory_id=None,
                            text=desc,
                            status="rejected",
                            actor=actor,
                            score=r.value if r else None,
                            rationale=outcomes[-1].rationale,
                            scorer=scorer,
                            request_id=request_id,
                        )
                    )
                    continue
                assert n is not None
                upd = per_neighbour.setdefault(
                    n.id,
                    {
                        "links": list(n.links),
                        "context": n.context,
                        "tags": list(n.tags),
                        "ops": [],
                        "scores": [],
                    },
                )
                if kind == "LINK":
                    links.append(n.id)
                    if note_id not in upd["links"]:
                        upd["links"].append(note_id)
                else:
                    u = data[2]
                    if u.context is not None:
                        upd["context"] = u.context
                    if u.tags is not None:
                        upd["tags"] = list(u.tags)
                upd["ops"].append(kind)
                upd["scores"].append((r.value if r else None, rationale))
            if note_ok:
                changes[0].attrs = attrs.model_dump() | {"links": links}
                for nid, upd in per_neighbour.items():
                    op = "EVOLVE" if "EVOLVE" in upd["ops"] else "LINK"
                    vals = [s for s, _ in upd["scores"] if s is not None]
                    changes.append(
                        Change(
                            op=op,
                            memory_id=nid,
                            attrs={
                                "links": upd["links"],
                                "context": upd["context"],
                                "tags": upd["tags"],
                            },
                            actor=actor,
                            score=min(vals) if vals else None,
                            rationale="; ".join(r for _, r in upd["scores"]),
                            scorer=scorer,
                            request_id=request_id,
                        )
                    )
            result = AddResult(request_id=request_id, facts=[content], outcomes=outcomes)
            from agentmem.memory._records import result_to_json

            request = Request(
                scope_key=scope.key,
                key=request_id,
                created_at=time.time(),
                result={**result_to_json(result), "conversation": conv.messages},
            )
            await self.store.commit(scope, changes, request=request)
        return result


def _int(v: Any) -> int:
    try:
        return int(str(v).strip())
    except ValueError:
        return -1
