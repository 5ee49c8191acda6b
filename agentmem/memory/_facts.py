"""FactsMemory: Mem0-style memory of short facts, where every write is a scored transaction.

``add(messages, scope=...)``: clean the messages (never our own injected memories) → extract
candidate facts → (under the scope's write lock) retrieve related memories → propose ADD / UPDATE
/ DELETE / NOOP per fact against temporary integer ids → score each operation with the reward
model → choose under the write policy → commit in one SQL transaction, then the index.
UPDATE and DELETE supersede (the old version gets ``valid_to`` and stays in history);
:meth:`FactsMemory.forget` is the only hard delete.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from agentmem.exceptions import UserError
from agentmem.memory._base import ScoredMemory, open_parts
from agentmem.memory._conversation import Conversation, clean_messages
from agentmem.memory._decide import (
    InvalidProposal,
    change_for,
    outcomes_of,
    raise_if_unproposed,
    remap,
    resolve_conflicts,
)
from agentmem.memory._history import row_to_item
from agentmem.memory._policy import WritePolicy
from agentmem.memory._records import (
    AddResult,
    MemoryItem,
    OpOutcome,
    ProposedOp,
    result_from_json,
    text_hash,
)
from agentmem.memory._scope import SCOPE_FIELDS, Scope
from agentmem.memory._steps import (
    FactExtractor,
    Message,
    OpProposer,
    RawOp,
    Related,
    call_step,
)
from agentmem.memory._store import Change
from agentmem.policies._core import Trial, decide_slots
from rewards import Reward, RewardModel, UpdateContext

__all__ = ["DEFAULT_INSTRUCTION", "FactsMemory"]

DEFAULT_INSTRUCTION = (
    "Keep an accurate, non-redundant, up-to-date memory of durable facts about the user "
    "(preferences, plans, relationships, biography), stated in the conversation."
)
"""The ``question`` the reward model scores memory writes against."""


@dataclass(kw_only=True)
class _Prepared:
    """What a one-call writer already produced: the related memories and the first proposal."""

    related: list[Related]
    by_ref: dict[int, MemoryItem]
    first: list[RawOp]


@dataclass(kw_only=True)
class FactsMemory(ScoredMemory):
    """Facts memory over a :class:`MemoryStore` (build one with :meth:`create`)."""

    extractor: FactExtractor
    """Step 1: facts from messages."""
    proposer: OpProposer
    """Step 2: operations per fact."""
    related_limit: int = 5
    """Related memories retrieved per fact."""
    instruction: str = DEFAULT_INSTRUCTION
    """What the memory is for (the reward model's question)."""
    joint: Any = None
    """Optional one-call step (:class:`agentmem.memory.LLMJointWriter`): facts and their
    operations from one model call, related memories found with the conversation itself."""
    _noun = "memory"

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
        related_limit: int = 5,
        one_call: bool = False,
    ) -> FactsMemory:
        """A facts memory with everything named by strings.

        ``model=None`` uses the offline sentence extractor and lexical proposer (no model at all);
        otherwise LLM steps through :class:`agentmem.llm.LLMClient`. ``rm`` is a reward-model spec
        (default: the offline heuristic RM). ``embedding_model`` adds dense embeddings from that
        model (same ``api_base``), fused with BM25 (``hybrid=True``, default) or alone.
        ``one_call=True`` extracts facts and proposes their operations in one model call
        (related memories retrieved with the conversation): half the model calls per add(),
        revisions and extra best-of-N samples still use the separate proposer.
        """
        owns: list[Any] = []
        extractor: FactExtractor
        proposer: OpProposer
        joint: Any = None
        if model:
            from agentmem.llm import LLMClient
            from agentmem.memory._llm_steps import LLMFactExtractor, LLMOpProposer

            client = LLMClient(model, api_base=api_base, api_key=api_key)
            owns.append(client)
            extractor, proposer = LLMFactExtractor(client=client), LLMOpProposer(client=client)
            if one_call:
                from agentmem.memory._llm_steps import LLMJointWriter

                joint = LLMJointWriter(client=client)
        else:
            from agentmem.memory._steps import LexicalProposer, SentenceExtractor

            extractor, proposer = SentenceExtractor(), LexicalProposer()
        store, rm_obj = open_parts(
            path,
            "fact",
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
            extractor=extractor,
            proposer=proposer,
            reward_model=rm_obj,
            policy=WritePolicy.parse(policy),
            related_limit=related_limit,
            owns=owns,
            joint=joint,
        )

    # -- direct writes (still scored and recorded) ---------------------------------------------
    async def update(
        self, memory_id: str, text: str, *, scope: Scope, actor: str = "api"
    ) -> MemoryItem:
        """Replace a fact's text (a caller's explicit edit: scored and recorded, always applied)."""
        if not text.strip():
            raise UserError("update text is empty; use delete() to remove a memory")
        async with self.store.scope_lock(scope):
            old = await self._current(memory_id, scope)
            op = ProposedOp(op="UPDATE", text=text.strip(), target=memory_id, old_text=old.text)
            reward = await self._score(
                [op],
                [Related(ref=0, text=old.text)],
                Conversation(messages=[{"role": "user", "content": text}]),
            )
            await self.store.commit(
                scope,
                [
                    Change(
                        op="UPDATE",
                        memory_id=memory_id,
                        text=op.text,
                        actor=actor,
                        score=reward.value,
                        rationale=reward.rationale,
                        scorer=reward.scorer,
                    )
                ],
            )
        item = await self.store.get(memory_id, scope)
        assert item is not None
        return item

    async def forget(self, memory_id: str, *, scope: Scope, actor: str = "api") -> bool:
        """Hard delete: every version, every event text and the conversations that produced it."""
        return await self.store.forget(memory_id, scope, actor=actor)

    async def add(
        self,
        messages: str | Sequence[Message],
        *,
        scope: Scope,
        idempotency_key: str | None = None,
        metadata: dict[str, Any] | None = None,
        actor: str = "api",
    ) -> AddResult:
        """Extract facts from ``messages`` and apply the scored operations they call for.

        With ``idempotency_key``, a repeated call (a client retry) returns the first call's
        result without writing anything again.
        """
        if metadata and (bad := sorted(set(metadata) & {*SCOPE_FIELDS, "scope_key"})):
            raise UserError(
                f"metadata may not set identity fields {bad!r}; pass them in Scope(...) instead"
            )
        if idempotency_key is not None and not idempotency_key.strip():
            raise UserError("idempotency_key is empty; pass None or a non-empty string")
        request_id = idempotency_key or uuid.uuid4().hex
        if idempotency_key and (
            done := await self.store.history.get_request(scope.key, idempotency_key)
        ):
            return result_from_json(done, replayed=True)
        conv = clean_messages(messages)
        if not conv.messages:
            return AddResult(request_id=request_id)
        facts: list[str] = []
        if self.joint is None:
            facts = self._clean_facts(await self.extractor(conv.messages), conv)
        async with self.store.scope_lock(scope):
            if idempotency_key and (
                done := await self.store.history.get_request(scope.key, idempotency_key)
            ):
                return result_from_json(done, replayed=True)  # a concurrent twin finished first

            async def plan() -> tuple[AddResult, list[Change]]:
                nonlocal facts
                prepared = None
                if self.joint is not None:
                    facts, prepared = await self._joint(conv, scope)
                outcomes = (
                    resolve_conflicts(await self._decide(facts, conv, scope, prepared=prepared))
                    if facts
                    else []
                )
                for o in outcomes:
                    if o.status == "applied" and o.op.op == "ADD":
                        o.memory_id = str(uuid.uuid4())
                result = AddResult(request_id=request_id, facts=facts, outcomes=outcomes)
                scorer = self.reward_model.spec.label
                return result, [
                    change_for(o, request_id, actor, metadata, scorer) for o in outcomes
                ]

            return await self._commit_planned(
                scope,
                plan,
                request_id=request_id,
                conversation=conv.messages,
                idempotency_key=idempotency_key,
            )

    @staticmethod
    def _clean_facts(raw: Sequence[object], conv: Conversation) -> list[str]:
        """Facts normalised, deduplicated, and never an echo of memories we injected."""
        facts: list[str] = []
        seen: set[str] = set()
        for f in raw:
            f = " ".join(str(f).split())
            h = text_hash(f)
            if f and h not in seen and not conv.is_injected(f):
                seen.add(h)
                facts.append(f)
        return facts

    async def _joint(self, conv: Conversation, scope: Scope) -> tuple[list[str], _Prepared | None]:
        """One model call: facts and their operations, against memories related to the
        conversation's user messages."""
        query = " ".join(m["content"] for m in conv.messages if m["role"] == "user") or conv.text
        related, by_ref = await self._related([query], scope, limit=self.related_limit * 2)
        raw_facts, raw_ops = await self.joint(conv.messages, related)
        facts = self._clean_facts(raw_facts, conv)
        keep = {
            i: facts.index(" ".join(str(f).split()))
            for i, f in enumerate(raw_facts)
            if " ".join(str(f).split()) in facts
        }
        ops = [replace(o, fact=keep[o.fact]) for o in raw_ops if o.fact in keep]
        await self._add_exact_copies(related, by_ref, facts, scope)
        return facts, _Prepared(related=related, by_ref=by_ref, first=ops)

    async def _decide(
        self,
        facts: list[str],
        conv: Conversation,
        scope: Scope,
        *,
        prepared: _Prepared | None = None,
    ) -> list[OpOutcome]:
        """Each fact is one slot of the scored-write core; its candidate is the operation(s) the
        proposer gives for it (NOOP included: keeping the memory as it is is scored too)."""
        if prepared is not None:
            related, by_ref = prepared.related, prepared.by_ref
        else:
            related, by_ref = await self._related(facts, scope)
            await self._add_exact_copies(related, by_ref, facts, scope)
        pol = self.policy
        first = prepared.first if prepared is not None else None

        async def propose(
            slots: Sequence[int], asks: Mapping[int, str], rnd: int, sample: int
        ) -> dict[int, tuple[ProposedOp, ...]]:
            sub = list(slots)
            feedback = "\n".join(asks[i] for i in sub if i in asks) or None
            if first is not None and rnd == 0 and sample == 0:  # the joint call proposed these
                ops = self._mapped(first, facts, by_ref)
                sub = list(range(len(facts)))
            else:
                ops = await self._propose(
                    [facts[i] for i in sub], related, by_ref, feedback=feedback, sample=sample
                )
            grouped: dict[int, list[ProposedOp]] = {}
            for op in ops:  # map fact indexes of the subset back to the full list
                op.fact_index = sub[op.fact_index] if 0 <= op.fact_index < len(sub) else sub[0]
                grouped.setdefault(op.fact_index, []).append(op)
            return {i: tuple(v) for i, v in grouped.items()}

        async def score(_slot: int, ops: tuple[ProposedOp, ...]) -> Reward:
            bad = [o.reason for o in ops if o.reason.startswith("invalid:")]
            if bad:
                raise InvalidProposal(bad[0])
            return await self._score(ops, related, conv)

        def ask(t: Trial[tuple[ProposedOp, ...]], threshold: float) -> str:
            assert t.candidate is not None and t.reward is not None
            what = "; ".join(f"{o.op} {o.text!r}" for o in t.candidate)
            return (
                f"- fact {facts[t.slot]!r}: {what} scored {t.reward.value:.2f} "
                f"(needs >= {threshold:.2f}); reviewer: {t.reward.rationale.strip() or 'no rationale'}"
            )

        decided = await decide_slots(pol, range(len(facts)), propose, score, feedback=ask)
        raise_if_unproposed(decided.values())
        out: list[OpOutcome] = []
        for i in range(len(facts)):
            out.extend(outcomes_of(decided[i], facts[i], i, pol))
        return out

    async def _related(
        self, queries: list[str], scope: Scope, *, limit: int | None = None
    ) -> tuple[list[Related], dict[int, MemoryItem]]:
        """Memories near the queries, under temporary integer ids. Memories whose latest version
        is committed but not yet indexed (the outbox) come from SQL and replace whatever older
        version the index returned."""
        hits = await self.store.search_many(queries, scope, limit=limit or self.related_limit)
        by_id: dict[str, MemoryItem] = {it.id: it for it in await self.store.unindexed(scope)}
        for items in hits:
            for it in items:
                by_id.setdefault(it.id, it)
        items = list(by_id.values())
        return [Related(ref=i, text=it.text) for i, it in enumerate(items)], dict(enumerate(items))

    async def _add_exact_copies(
        self, related: list[Related], by_ref: dict[int, MemoryItem], facts: list[str], scope: Scope
    ) -> None:
        """Append current memories whose text is exactly one of ``facts``, read from SQL: the index
        may not hold a write yet (reconciler pending, or a crash before repair), and a retry must
        see it to turn its ADD into a NOOP."""
        same = await self.store.history.live_with_hashes(
            scope.key, self.store.kind, [text_hash(f) for f in facts]
        )
        known = {it.id for it in by_ref.values()}
        for it in (row_to_item(r) for r in same):
            if it.id not in known:
                ref = len(by_ref)
                by_ref[ref] = it
                related.append(Related(ref=ref, text=it.text))

    async def _propose(
        self,
        facts: list[str],
        related: list[Related],
        by_ref: dict[int, MemoryItem],
        *,
        feedback: str | None = None,
        sample: int = 0,
    ) -> list[ProposedOp]:
        raw = await call_step(self.proposer, facts, related, feedback=feedback, sample=sample)
        return self._mapped(raw, facts, by_ref)

    @staticmethod
    def _mapped(
        raw: Sequence[RawOp], facts: list[str], by_ref: dict[int, MemoryItem]
    ) -> list[ProposedOp]:
        """Raw operations with their integer ids mapped back; a fact with none gets a NOOP."""
        by_hash = {it.hash: it for it in by_ref.values()}
        out: list[ProposedOp] = []
        for n, r in enumerate(raw):
            out.append(remap(r, n, facts, by_ref, by_hash))
        covered = {o.fact_index for o in out}
        for i, f in enumerate(
            facts
        ):  # a fact the proposer ignored is recorded, not dropped silently
            if i not in covered:
                out.append(
                    ProposedOp(
                        op="NOOP",
                        text=f,
                        fact_index=i,
                        reason="the proposer returned no operation for this fact",
                    )
                )
        return out

    async def _score(
        self, ops: Sequence[ProposedOp], related: Sequence[Related], conv: Conversation
    ) -> Reward:
        """The reward of the related memories as the operations would leave them (a NOOP leaves
        them as they are, and is scored as such)."""
        before = [r.text for r in related]
        after = list(before)
        for op in ops:
            if op.op == "ADD":
                after.append(op.text)
            elif op.op != "NOOP" and op.old_text is not None and op.old_text in after:
                k = after.index(op.old_text)
                if op.op == "UPDATE":
                    after[k] = op.text
                else:
                    del after[k]
        ctx = UpdateContext(
            question=self.instruction,
            previous_memory="\n".join(f"- {t}" for t in before),
            chunk=conv.text,
            candidate="\n".join(f"- {t}" for t in after),
            history=tuple(before),
        )
        return await self.reward_model.score_update(ctx)
