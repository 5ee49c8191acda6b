"""NotesMemory: A-Mem-style notes (content, context, keywords, tags, links, timestamps) whose
every change is scored before it is applied.

``add(content, scope=...)``: build the note's attributes → (under the scope's write lock) retrieve
the nearest notes → propose links to them and updates of their context/tags ("evolution"), with
the neighbours shown under temporary integer ids so changes can only touch the neighbours actually
retrieved → score the new note, every link and every neighbour update with the reward model →
apply what the write policy passes, record every other attempt as rejected.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from agentmem.exceptions import UserError
from agentmem.memory._base import ScoredMemory, open_parts
from agentmem.memory._conversation import clean_messages
from agentmem.memory._decide import raise_if_unproposed
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
    text_hash,
)
from agentmem.memory._scope import Scope
from agentmem.memory._steps import Message, call_step
from agentmem.memory._store import Change
from agentmem.policies._core import Trial, decide_slots
from rewards import Reward, RewardModel, UpdateContext

__all__ = ["NOTES_INSTRUCTION", "NotesMemory"]

NOTES_INSTRUCTION = (
    "Keep a well-organised network of notes about the user: each note accurate to the conversation, "
    "with a faithful context, useful keywords and tags, and links only between related notes."
)


@dataclass(kw_only=True)
class NotesMemory(ScoredMemory):
    """A-Mem-style notes over a :class:`MemoryStore` of kind ``note``.

    The note, and then its links and neighbour updates, each go through the write policy
    (score, best-of-N, gate with revisions driven by the reward model's rationale).
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
        async with self.store.scope_lock(scope):
            if idempotency_key and (
                done := await self.store.history.get_request(scope.key, idempotency_key)
            ):
                return result_from_json(done, replayed=True)  # a concurrent twin finished first
            return await self._commit_planned(
                scope,
                lambda: self._write_plan(
                    content, conv.text, scope, request_id=request_id, actor=actor
                ),
                request_id=request_id,
                conversation=conv.messages,
                idempotency_key=idempotency_key,
            )

    async def _write_plan(
        self, content: str, chunk: str, scope: Scope, *, request_id: str, actor: str
    ) -> tuple[AddResult, list[Change]]:
        """What one add() would write, decided against the current notes of the scope."""
        common: dict[str, Any] = {
            "actor": actor,
            "scorer": self.reward_model.spec.label,
            "request_id": request_id,
        }
        same = await self.store.history.live_with_hashes(
            scope.key, self.store.kind, [text_hash(content)]
        )
        if same:  # the very same note is current: nothing new to write (a retry, or a repeat)
            op = ProposedOp(
                op="NOOP",
                text=content,
                target=same[0].memory_id,
                old_text=same[0].text,
                reason="identical to an existing note",
            )
            o = OpOutcome(op=op, status="applied", memory_id=same[0].memory_id, rationale=op.reason)
            change = Change(
                op="NOOP", memory_id=same[0].memory_id, text=content, rationale=op.reason, **common
            )
            return AddResult(request_id=request_id, facts=[content], outcomes=[o]), [change]
        hits = await self.store.search(content, scope, limit=self.neighbours)
        fresh = {n.id: n for n in await self.store.unindexed(scope)}
        if fresh:  # committed notes the index has not caught up with: their SQL version wins
            hits = [fresh.pop(h.id, h) for h in hits] + list(fresh.values())[: self.neighbours]
        props, extra = await self._decide(content, chunk, hits)
        note_id = str(uuid.uuid4())
        outcomes = [p.outcome(note_id) for p in props] + [p.outcome(note_id) for p in extra]
        result = AddResult(request_id=request_id, facts=[content], outcomes=outcomes)
        changes = _changes(props, note_id, content, **common)
        changes += [p.rejected_change(**common) for p in extra]
        return result, changes

    async def _decide(
        self, content: str, chunk: str, hits: list[MemoryItem]
    ) -> tuple[list[_Proposal], list[_Proposal]]:
        """The note, then its links and evolution, each through the scored-write core.

        Returns the proposals to commit (the note first; ``ok`` says which pass) and every other
        attempt, to record as rejected."""
        pol = self.policy
        before = "\n\n".join(render_note(h.text, h.context, h.keywords, h.tags) for h in hits)

        async def propose_note(
            slots: Sequence[int], asks: Mapping[int, str], rnd: int, sample: int
        ) -> dict[int, NoteAttrs]:
            return {0: await call_step(self.builder, content, feedback=asks.get(0), sample=sample)}

        async def score_note(_slot: int, attrs: NoteAttrs) -> Reward:
            note = render_note(content, attrs.context, attrs.keywords, attrs.tags)
            return await self._reward(before, chunk, f"{before}\n\n{note}".strip())

        def ask_note(t: Trial[NoteAttrs], threshold: float) -> str:
            assert t.reward is not None
            return (
                f"The note scored {t.reward.value:.2f} (needs >= {threshold:.2f}); reviewer: "
                f"{t.reward.rationale.strip() or 'no rationale'}"
            )

        note_dec = (await decide_slots(pol, [0], propose_note, score_note, feedback=ask_note))[0]
        raise_if_unproposed([note_dec])
        extra: list[_Proposal] = []
        note: _Proposal | None = None
        for k, t in enumerate(note_dec.trials):
            p = _Proposal(
                kind="ADD",
                attrs=t.candidate,
                reward=t.reward,
                attempt=t.round,
                after_text=content,
                error=t.error,
                ok=k == note_dec.chosen,
            )
            if k == note_dec.chosen:
                note = p
            else:
                if note_dec.decision == "selected":
                    p.why = f"not selected (best-of-{pol.n})"
                extra.append(p)
        if note is None:  # refused or failed: record the best attempt as the note, rejected
            best = max(extra, key=lambda p: p.reward.value if p.reward else -1.0)
            extra.remove(best)
            return [best], extra
        attrs = note.attrs
        assert attrs is not None
        if not hits:
            return [note], extra
        rendered = render_note(content, attrs.context, attrs.keywords, attrs.tags)

        async def propose_evo(
            slots: Sequence[int], asks: Mapping[int, str], rnd: int, sample: int
        ) -> dict[int, list[_Proposal]]:
            evo = await call_step(
                self.evolver,
                content,
                attrs,
                list(enumerate(hits)),
                feedback=asks.get(0),
                sample=sample,
            )
            return {0: _evolution(rendered, before, hits, evo)}

        async def score_evo(_slot: int, parts: list[_Proposal]) -> Reward:
            valid = [p for p in parts if p.before is not None and p.after is not None]
            if not valid:  # no links, no updates: the network as it is, scored too
                return await self._reward(before, chunk, f"{before}\n\n{rendered}".strip())
            rewards = await asyncio.gather(
                *(self._reward(p.before or "", chunk, p.after or "") for p in valid)
            )
            for p, r in zip(valid, rewards, strict=True):
                p.reward = r
            worst = min(rewards, key=lambda r: r.value)
            why = "; ".join(f"{p.label()}: {p.reward.rationale}" for p in valid if p.reward)
            return Reward(value=worst.value, rationale=why, scorer=worst.scorer)

        def ask_evo(t: Trial[list[_Proposal]], threshold: float) -> str:
            lines = [
                f"- {p.label()} scored {p.reward.value:.2f} (needs >= {threshold:.2f}): {p.reward.rationale}"
                for p in t.candidate or []
                if p.reward is not None and p.reward.value < threshold
            ]
            return "\n".join(lines) or "The links and updates scored too low."

        evo_dec = (await decide_slots(pol, [0], propose_evo, score_evo, feedback=ask_evo))[0]
        commit = evo_dec.chosen
        if evo_dec.decision == "refused":
            # no evolution passed as a whole: keep the parts of the best one that pass on their own
            commit = max(
                (k for k, t in enumerate(evo_dec.trials) if t.ok),
                key=lambda k: evo_dec.trials[k].value,
                default=None,
            )
        keep: list[_Proposal] = [note]
        for k, t in enumerate(evo_dec.trials):
            chosen = k == commit
            if t.candidate is None:  # the evolver itself failed
                extra.append(_Proposal(kind="LINK", attempt=t.round, error=t.error))
                continue
            for p in t.candidate:
                p.attempt = t.round
                valid = p.before is not None and p.after is not None
                p.ok = chosen and valid
                if chosen and evo_dec.decision == "refused":
                    p.ok = valid and p.reward is not None and p.reward.value >= pol.threshold
                if not chosen and t.error is not None:
                    p.error = t.error
                elif not chosen and evo_dec.decision == "selected":
                    p.why = f"not selected (best-of-{pol.n})"
                elif not chosen:
                    p.why = "revised"
                (keep if p.ok else extra).append(p)
        return keep, extra

    async def _reward(self, before: str, chunk: str, after: str) -> Reward:
        return await self.reward_model.score_update(
            UpdateContext(
                question=self.instruction, previous_memory=before, chunk=chunk, candidate=after
            )
        )


@dataclass(kw_only=True)
class _Proposal:
    """The new note, one link, or one neighbour update, with what the reward model saw."""

    kind: Literal["ADD", "LINK", "EVOLVE"]
    neighbour: MemoryItem | None = None
    ref: Any = None
    update: NeighbourUpdate | None = None
    attrs: NoteAttrs | None = None
    before: str | None = None
    after: str | None = None
    reward: Reward | None = None
    ok: bool = False
    why: str = ""
    after_text: str = ""
    attempt: int = 0
    error: BaseException | None = None

    def label(self) -> str:
        if self.kind == "ADD":
            return "the new note"
        text = self.neighbour.text if self.neighbour else "?"
        return f"{'link to' if self.kind == 'LINK' else 'evolve'} note [{self.ref}] {text!r}"

    @property
    def rationale(self) -> str:
        if self.error is not None:
            return f"failed: {type(self.error).__name__}: {self.error}"
        reason = self.reward.rationale if self.reward is not None else ""
        if self.why:
            return f"{self.why}: {reason}" if reason else self.why
        if self.reward is not None:
            return reason
        if self.kind == "ADD":
            return "not scored"
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
                attempts=self.attempt + 1,
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
            attempts=self.attempt + 1,
        )

    def describe(self) -> str:
        if self.kind == "ADD":
            return self.after_text
        if self.neighbour is None:
            return ""
        return f"{'link to' if self.kind == 'LINK' else 'evolve'} {self.neighbour.text!r}"

    def rejected_change(self, *, actor: str, scorer: str, request_id: str) -> Change:
        """This attempt recorded as a rejected event."""
        return Change(
            op=self.kind,
            memory_id=None,
            text=self.describe(),
            status="rejected",
            score=self.reward.value if self.reward else None,
            rationale=self.rationale,
            actor=actor,
            scorer=scorer,
            request_id=request_id,
            attempt=self.attempt,
        )


def _evolution(note: str, before: str, hits: list[MemoryItem], evo: Evolution) -> list[_Proposal]:
    """Each link and neighbour update of one evolution, mapped back from integer ids."""
    by_ref = dict(enumerate(hits))
    out: list[_Proposal] = []
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
    *,
    actor: str,
    scorer: str,
    request_id: str,
) -> list[Change]:
    """The note, then one change per touched neighbour (links and evolution merged)."""
    common: dict[str, Any] = {"actor": actor, "scorer": scorer, "request_id": request_id}
    note, rest = props[0], props[1:]
    attrs = note.attrs or NoteAttrs()
    changes = [
        Change(
            op="ADD",
            memory_id=note_id,
            text=content,
            status="applied" if note.ok else "rejected",
            attrs=attrs.model_dump() | {"links": []},
            score=note.reward.value if note.reward else None,
            rationale=note.rationale,
            attempt=note.attempt,
            **common,
        )
    ]
    if not note.ok:
        return changes + [p.rejected_change(**common) for p in rest]
    links: list[str] = []
    merged: dict[str, dict[str, Any]] = {}
    for p in rest:
        n = p.neighbour
        if not p.ok or n is None:
            changes.append(p.rejected_change(**common))
            continue
        m = merged.setdefault(
            n.id,
            {
                "links": list(n.links),
                "context": n.context,
                "tags": list(n.tags),
                "kinds": [],
                "scores": [],
                "attempt": p.attempt,
                "version": n.version,
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
        m["scores"].append((p.reward.value if p.reward else None, p.rationale))
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
                attempt=m["attempt"],
                expected_version=m["version"],
                **common,
            )
        )
    return changes


def _int(v: Any) -> int:
    try:
        return int(str(v).strip())
    except ValueError:
        return -1
