"""The state a pipeline run threads through its stages.

:class:`Branch` is one line of memory (a group): stages take a branch and return it advanced, and a
fork gives each sub-branch its own copy. :class:`RunContext` is shared by every branch of a run: the
components, the limiters, the trace store, the steps recorded by an earlier attempt (for resume),
and the trajectory being built. :meth:`RunContext.commit_step` is the transaction: propose → score →
decide (the policy) → commit to the store (in decision order within a branch, at most one write in
flight per branch, so a write overlaps that branch's next model call; see
:meth:`RunContext.flush`) → append to the trajectory → log.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from agentmem._logging import get_logger
from agentmem._types import Attempt, Candidate, Chunk, Step, StepKind, Trajectory
from agentmem.exceptions import StoreError, UserError
from agentmem.policies import proposal_index, trial_key
from rewards._types import Reward, UpdateContext, checked_value

if TYPE_CHECKING:
    from agentmem._pipeline._limits import Limiters
    from agentmem._trace import TraceStore
    from agentmem._types import Fuser, Updater
    from agentmem.policies import UpdatePolicy
    from rewards._types import RewardModel

__all__ = ["Branch", "RunContext", "StepKey"]

StepKey = tuple[int, str, int]
"""(group, kind, index): identifies a step within a run (the store's idempotency key)."""


@dataclass(kw_only=True)
class Branch:
    """One line of memory: a parallel group, or the sequential chain."""

    group: int
    """Group number recorded on its steps (0 = the sequential chain)."""
    memory: str = ""
    """Current memory."""
    next_index: int = 0
    """Index the next update step of this group gets."""
    history: list[str] = field(default_factory=list)
    """Earlier memories of this group, oldest first (given to the RM for redundancy checks)."""
    fusions: int = 0
    """Index the next fusion step on this branch gets."""
    pending: asyncio.Future[None] | None = field(default=None, repr=False)
    """This branch's trace commit still in flight, if any (at most one per branch)."""

    def copy(self, *, group: int | None = None) -> Branch:
        """An independent copy (optionally renumbered) for a fork."""
        return Branch(
            group=self.group if group is None else group,
            memory=self.memory,
            next_index=self.next_index if group is None else 0,
            history=list(self.history),
            fusions=self.fusions if group is None else 0,
        )


@dataclass(kw_only=True)
class RunContext:
    """Everything the stages of one run share."""

    run_id: str
    """The run's id in the trace store."""
    question: str
    """The question being answered."""
    updater: Updater
    """Φ."""
    fuser: Fuser | None
    """g, for parallel and mixed runs."""
    reward_model: RewardModel
    """Scores every candidate."""
    policy: UpdatePolicy
    """Decides each step."""
    limits: Limiters
    """Named concurrency limits (``model``, ``rm``)."""
    store: TraceStore | None
    """Where each step is committed (None: only the returned trajectory holds them)."""
    trajectory: Trajectory
    """The run being built; steps are appended in commit order."""
    memory_tokens: int | None = None
    """Memory budget told to the reward model."""
    replay: dict[StepKey, Step] = field(default_factory=dict)
    """Steps recorded by an earlier attempt of this run, not yet replayed."""
    rm_label: str = ""
    """Reward-model label for log events."""
    lease: Any = None
    """The run's lease (checked before each step: a run that lost it stops)."""
    paid: dict[tuple[int, str, int, int, int], Attempt] = field(default_factory=dict)
    """Attempts an earlier execution paid for in steps it did not commit: reused, not re-bought."""
    _records: set[asyncio.Task[None]] = field(default_factory=set, repr=False)
    _commits: set[asyncio.Future[None]] = field(default_factory=set, repr=False)
    """Commits in flight, and failed ones (successful ones are forgotten)."""

    async def commit_step(
        self,
        branch: Branch,
        *,
        kind: StepKind,
        chunk: Chunk | None,
        memories: list[str] | None = None,
    ) -> Step:
        """Run (or replay) one step on ``branch`` and advance it.

        ``kind`` is ``update`` (read ``chunk``) or ``fusion`` (merge ``memories``).
        """
        self._raise_failed_commit()
        if self.lease is not None:
            self.lease.check()
        index = branch.next_index if kind == "update" else branch.fusions
        key: StepKey = (branch.group, kind, index)
        recorded = self.replay.pop(key, None)
        if recorded is not None:
            step = self._check_replay(recorded, branch, kind, chunk, memories)
            self.trajectory.steps.append(step)
            self._log(step, replayed=True)
        else:
            step = await self._decide(
                branch, kind=kind, chunk=chunk, memories=memories, index=index
            )
            if self.store is not None:
                await self._commit(branch, step)
            self.trajectory.steps.append(step)
            self._log(step, replayed=False)
        branch.history.append(branch.memory)
        branch.memory = step.memory
        if kind == "update":
            branch.next_index = index + 1
        else:
            branch.fusions = index + 1
        return step

    # -- commits ----------------------------------------------------------------------------------
    async def _commit(self, branch: Branch, step: Step) -> None:
        """Commit ``step``: wait for the branch's previous commit, then start this one and return.

        Each branch has at most one commit in flight: the write of step k overlaps the model
        call of step k+1 and never waits on other groups' writes, so the trace write stays off
        the critical path of model calls, while a hard crash (SIGKILL) can lose at most one
        decided step per group whose write had not finished (it is simply redone on resume).
        :meth:`flush` waits for all of them; a failed commit fails the run at the next step or at
        the flush.
        """
        assert self.store is not None
        previous = branch.pending
        if previous is not None and not previous.done():
            await asyncio.shield(previous)
        self._raise_failed_commit()
        store, run_id = self.store, self.run_id

        async def write() -> None:
            try:
                await store.record_step(run_id, step)
            except Exception as exc:
                exc.add_note(
                    f"while committing {step.kind} step {step.index} of group {step.group} "
                    f"to the trace store (run {run_id})"
                )
                raise

        future = asyncio.ensure_future(write())
        branch.pending = future
        self._commits.add(future)
        future.add_done_callback(self._commit_done)

    def _record_paid(self, key: tuple[int, str, int, int, int], attempt: Attempt) -> None:
        """Write a paid attempt in the background (best effort: losing one costs a model call on
        resume, never correctness)."""
        store, run_id = self.store, self.run_id

        async def write() -> None:
            try:
                await store.record_attempt(run_id, key, attempt)  # type: ignore[union-attr]
            except Exception as exc:
                get_logger().warning("run.attempt_record_failed", run=run_id, error=str(exc))

        task = asyncio.ensure_future(write())
        self._records.add(task)
        task.add_done_callback(self._records.discard)

    def _commit_done(self, future: asyncio.Future[None]) -> None:
        # Forget commits that succeeded; keep failed ones (retrieved here) to fail the run.
        if future.cancelled() or future.exception() is None:
            self._commits.discard(future)

    def _raise_failed_commit(self) -> None:
        for future in self._commits:
            if future.done() and not future.cancelled() and future.exception() is not None:
                raise future.exception()  # type: ignore[misc]

    async def settle(self, branches: list[Branch]) -> None:
        """Wait until the given branches' commits are done (a fork does this before its fusion
        is committed, so the store never holds a fusion before the updates it merged)."""
        for branch in branches:
            if branch.pending is not None and not branch.pending.done():
                await asyncio.shield(branch.pending)
        self._raise_failed_commit()

    async def flush(self) -> None:
        """Wait until every decided step is committed; raise the commit error if one failed."""
        if self._records:
            await asyncio.gather(*list(self._records), return_exceptions=True)
        while pending := [f for f in self._commits if not f.done()]:
            await asyncio.shield(asyncio.gather(*pending, return_exceptions=True))
        self._raise_failed_commit()

    # -- the transaction ------------------------------------------------------------------------
    async def _decide(
        self,
        branch: Branch,
        *,
        kind: StepKind,
        chunk: Chunk | None,
        memories: list[str] | None,
        index: int,
    ) -> Step:
        started = time.perf_counter()
        previous = branch.memory if kind == "update" else render_memories(memories or [])
        model = self.limits("model")
        rm = self.limits("rm")
        question = self.question
        where = f"{kind} step {index} of group {branch.group}" + (
            f" (chunk {chunk.index})" if chunk is not None else ""
        )

        proposals = itertools.count()

        step_key = (branch.group, kind, index)
        reused: dict[int, Reward] = {}

        async def propose(feedback: str | None) -> Candidate:
            token = proposal_index.set(next(proposals))  # this task's own context (best-of-N)
            tk = trial_key.get()
            paid = self.paid.pop((*step_key, *tk), None) if tk is not None else None
            if paid is not None:  # recorded by the execution that crashed: not bought again
                proposal_index.reset(token)
                reused[id(paid.candidate)] = paid.reward
                return paid.candidate
            try:
                async with model:
                    if kind == "update":
                        assert chunk is not None
                        cand = await self.updater(question, branch.memory, chunk, feedback=feedback)
                    else:
                        if self.fuser is None:
                            raise UserError(
                                "a parallel or mixed pipeline needs a fuser; pass fuser=..."
                            )
                        cand = await self.fuser(question, list(memories or []), feedback=feedback)
            except Exception as exc:
                exc.add_note(f"while proposing the {where} of run {self.run_id}")
                raise
            finally:
                proposal_index.reset(token)
            if not isinstance(cand, Candidate):
                raise TypeError(
                    f"{type(self.updater).__name__} returned {type(cand).__name__}, expected agentmem.Candidate ({where})"
                )
            if feedback is not None and cand.feedback is None:
                cand = replace(cand, feedback=feedback)
            return cand

        history = tuple(branch.history) if kind == "update" else tuple(memories or ())

        async def score(cand: Candidate) -> Reward:
            if id(cand) in reused:
                return reused.pop(id(cand))
            ctx = UpdateContext(
                question=question,
                previous_memory=previous,
                chunk=chunk.text if chunk is not None else "",
                candidate=cand.text,
                step=index,
                group=branch.group,
                kind=kind,
                memory_budget_tokens=self.memory_tokens,
                history=history,
            )
            try:
                async with rm:
                    reward = await self.reward_model.score_update(ctx)
            except Exception as exc:
                exc.add_note(
                    f"while scoring the {where} of run {self.run_id} with {self.rm_label or 'the reward model'}"
                )
                raise
            if not isinstance(reward, Reward):
                raise TypeError(
                    f"reward model {self.rm_label!r} returned {type(reward).__name__}, expected rewards.Reward"
                )
            checked_value(reward.value, reward.scorer or self.rm_label or "reward model")
            tk = trial_key.get()
            if self.store is not None and tk is not None and hasattr(self.store, "record_attempt"):
                attempt = Attempt(candidate=cand, reward=reward, round=tk[0])
                self._record_paid((*step_key, *tk), attempt)
            return reward

        outcome = await self.policy.decide(propose, score)
        return Step(
            kind=kind,
            group=branch.group,
            index=index,
            previous_memory=previous,
            chunk=chunk,
            attempts=outcome.attempts,
            chosen=outcome.chosen,
            decision=outcome.decision,
            latency_s=time.perf_counter() - started,
            errors=list(outcome.errors),
        )

    def _check_replay(
        self,
        step: Step,
        branch: Branch,
        kind: StepKind,
        chunk: Chunk | None,
        memories: list[str] | None,
    ) -> Step:
        expected_prev = branch.memory if kind == "update" else render_memories(memories or [])
        same_chunk = (step.chunk is None and chunk is None) or (
            step.chunk is not None and chunk is not None and step.chunk.text == chunk.text
        )
        if step.previous_memory != expected_prev or not same_chunk:
            raise StoreError(
                f"run {self.run_id!r}: recorded {kind} step {step.index} of group {step.group} does not "
                "follow from the replayed steps before it (the store holds a different run under this "
                "id); start a new run with another --run-id"
            )
        return step

    def _log(self, step: Step, *, replayed: bool) -> None:
        log = get_logger()
        scores = [round(a.reward.value, 4) for a in step.attempts]
        tokens = sum(
            a.candidate.usage.prompt_tokens + a.candidate.usage.completion_tokens + a.reward.tokens
            for a in step.attempts
        )
        log.info(
            "memory.update",
            run=self.run_id,
            group=step.group,
            step=step.index,
            kind=step.kind,
            scores=scores,
            chosen=step.chosen,
            decision=step.decision,
            latency_ms=round(step.latency_s * 1000, 3),
            tokens=tokens,
            replayed=replayed,
        )
        for error in step.errors:
            log.warning(
                "memory.attempt_failed",
                run=self.run_id,
                group=step.group,
                step=step.index,
                kind=step.kind,
                error=error,
            )


def render_memories(memories: list[str]) -> str:
    """The 'previous memory' of a fusion step: every group's memory under a ``Memory N:`` label."""
    return "\n\n".join(f"Memory {i}:\n{m}" for i, m in enumerate(memories, start=1))


def config_view(config: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The part of a run config that must match for a resume."""
    return {k: config.get(k) for k in keys}
