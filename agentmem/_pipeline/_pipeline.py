"""The public pipeline: a pattern, its components, and ``await pipeline.run(document, question)``."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentmem._logging import get_logger
from agentmem._pipeline._chunking import chunk_document, split_groups
from agentmem._pipeline._context import Branch, RunContext, StepKey
from agentmem._pipeline._limits import DEFAULT_LIMITS, Limiters
from agentmem._pipeline._stages import Stage, chain, fork, update
from agentmem._trace import RunInfo
from agentmem._types import Answer, Answerer, Chunk, Fuser, Pattern, Step, Trajectory, Updater
from agentmem.exceptions import RunBusy, UnknownNameError, UserError

if TYPE_CHECKING:
    from agentmem._trace import TraceStore
    from agentmem.policies import UpdatePolicy
    from rewards._types import RewardModel

__all__ = ["PATTERNS", "RESUME_KEYS", "Pipeline", "label_of"]

PATTERNS: tuple[Pattern, ...] = ("sequential", "parallel", "mixed")

RESUME_KEYS = (
    "document_sha256",
    "pattern",
    "chunk_tokens",
    "memory_tokens",
    "groups",
    "tail_chunks",
    "updater",
    "fuser",
    "reward_model",
    "policy",
)
"""Run-config entries that must be identical for a run to be resumed."""

_BIG_DOCUMENT_CHARS = 200_000  # tokenise larger documents in a worker thread


def label_of(component: object) -> str:
    """A component's ``label`` (or its RM spec label), else its class name."""
    spec = getattr(component, "spec", None)
    if spec is not None and hasattr(spec, "label"):
        return str(spec.label)
    label = getattr(component, "label", None)
    return str(label) if label else type(component).__name__


@dataclass(kw_only=True)
class Pipeline:
    """A memory pipeline whose every update is scored by a reward model.

    Build one with :func:`sequential`, :func:`parallel` or :func:`mixed`; run it with
    ``await pipeline.run(document, question)``.

    Steps are numbered ``(group, kind, index)``: group 0 is the sequential chain (every step of a
    sequential run, the fusion, and the tail of a mixed run); parallel groups are 1..k. Indexes
    count from 0 within a group and kind.
    """

    pattern: Pattern
    """Sequential, parallel (``groups`` concurrent groups, then fused) or mixed (parallel, fused,
    then the tail of the document sequentially)."""
    updater: Updater
    """Φ(question, memory, chunk) → candidate."""
    answerer: Answerer
    """Reads the answer off the final memory."""
    reward_model: RewardModel
    """Scores every candidate update and fusion."""
    policy: UpdatePolicy
    """Decides which candidate each step commits."""
    fuser: Fuser | None = None
    """g(question, memories) → candidate; required for parallel and mixed."""
    groups: int = 1
    """Parallel groups (parallel and mixed; 1 for sequential)."""
    chunk_tokens: int = 5000
    """Chunk size in tokens (MemAgent: 5,000)."""
    memory_tokens: int = 1024
    """Memory budget in tokens (MemAgent: 1,024); told to the reward model."""
    tail_chunks: int | None = None
    """Mixed only: chunks read sequentially after the fusion (default: an equal share,
    ``n // (groups + 1)``)."""
    limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    """Named concurrency limits per run: ``model`` (updater/fuser/answerer) and ``rm``."""
    keep_document: bool = False
    """Store the document text in the run config (lets the exporter rebuild benchmark questions)."""
    lease_ttl_s: float = 30.0
    """With a trace store, a run holds a lease renewed every third of this; a second executor of
    the same run id is refused until the lease ends (released at the end, or expired after a
    crash)."""

    def __post_init__(self) -> None:
        if self.pattern not in PATTERNS:
            raise UnknownNameError("pattern", str(self.pattern), PATTERNS)
        for name in ("chunk_tokens", "memory_tokens", "groups"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise UserError(f"{name} must be an integer >= 1, got {value!r}")
        if self.pattern == "sequential" and self.groups != 1:
            raise UserError(
                f"a sequential pipeline has one group, got groups={self.groups!r}; use parallel or mixed"
            )
        if self.pattern != "sequential" and self.fuser is None:
            raise UserError(
                f"a {self.pattern} pipeline needs a fuser to merge its groups; pass fuser=..."
            )
        if self.tail_chunks is not None and (
            not isinstance(self.tail_chunks, int) or self.tail_chunks < 0
        ):
            raise UserError(f"tail_chunks must be an integer >= 0, got {self.tail_chunks!r}")
        Limiters(self.limits)  # validates the numbers

    # -- planning -----------------------------------------------------------------------------
    def plan(self, chunks: list[Chunk]) -> Stage:
        """The stage tree for these chunks (see :mod:`agentmem._pipeline._stages`)."""
        if self.pattern == "sequential":
            return chain(*(update(c) for c in chunks))
        if self.pattern == "parallel":
            parts = split_groups(chunks, self.groups)
            return fork(*(chain(*(update(c) for c in part)) for part in parts))
        tail = self._tail(len(chunks))
        head, rest = chunks[: len(chunks) - tail], chunks[len(chunks) - tail :]
        parts = split_groups(head, self.groups)
        return chain(
            fork(*(chain(*(update(c) for c in part)) for part in parts)), *(update(c) for c in rest)
        )

    def _tail(self, n: int) -> int:
        if self.tail_chunks is not None:
            tail = self.tail_chunks
        else:
            tail = max(1, n // (self.groups + 1)) if n > self.groups else 0
        if n - tail < self.groups:
            raise UserError(
                f"mixed pattern: {n} chunk(s) minus tail_chunks={tail} leaves fewer than one chunk "
                f"for each of groups={self.groups}; lower --groups or --chunk-tokens"
            )
        return tail

    def config(self, document: str, chunks: list[Chunk]) -> dict[str, Any]:
        """The run config recorded in the store (checked on resume, see :data:`RESUME_KEYS`)."""
        cfg: dict[str, Any] = {
            "document_sha256": hashlib.sha256(document.encode()).hexdigest(),
            "document_chars": len(document),
            "n_chunks": len(chunks),
            "pattern": self.pattern,
            "chunk_tokens": self.chunk_tokens,
            "memory_tokens": self.memory_tokens,
            "groups": self.groups,
            "tail_chunks": self._tail(len(chunks)) if self.pattern == "mixed" else 0,
            "updater": label_of(self.updater),
            "fuser": label_of(self.fuser) if self.fuser is not None else None,
            "answerer": label_of(self.answerer),
            "reward_model": label_of(self.reward_model),
            "rm_spec": _rm_spec(self.reward_model),
            "policy": _policy_config(self.policy),
            "limits": dict(self.limits),
        }
        if self.keep_document:
            cfg["document"] = document
        return cfg

    # -- running ------------------------------------------------------------------------------
    async def run(
        self,
        document: str,
        question: str,
        *,
        run_id: str | None = None,
        store: TraceStore | None = None,
    ) -> Trajectory:
        """Read ``document`` chunk by chunk, scoring and committing every update, then answer.

        With a ``store``, each step is committed as soon as its policy decides; if ``run_id``
        already exists there, its recorded steps are replayed instead of calling the updater again
        and the run continues where it stopped (a finished run is returned as stored). On any
        failure the run is marked failed with the error and the error is re-raised.

        Raises:
            UserError: empty document or question, bad chunking, or a resume whose document or
                settings differ from the recorded run.
        """
        if not isinstance(question, str) or not question.strip():
            raise UserError(
                f"question is empty ({question!r}); pass the question the memory should answer"
            )
        if not isinstance(document, str):
            raise UserError(
                f"document must be text (str), got {type(document).__name__}; read the file first"
            )
        if len(document) > _BIG_DOCUMENT_CHARS:
            chunks = await asyncio.to_thread(chunk_document, document, self.chunk_tokens)
        else:
            chunks = chunk_document(document, self.chunk_tokens)
        stage = self.plan(chunks)
        config = self.config(document, chunks)
        run_id = run_id or uuid.uuid4().hex
        replay: dict[StepKey, Step] = {}
        lease: _Lease | None = None
        if store is not None:
            lease = await _Lease.take(store, run_id, self.lease_ttl_s)
        try:
            return await self._run_leased(
                store, run_id, question, chunks, stage, config, replay, lease
            )
        finally:
            if lease is not None:
                await lease.release()

    async def _run_leased(
        self,
        store: TraceStore | None,
        run_id: str,
        question: str,
        chunks: list[Chunk],
        stage: Any,
        config: dict[str, Any],
        replay: dict[StepKey, Step],
        lease: _Lease | None,
    ) -> Trajectory:
        log = get_logger()
        paid: dict[tuple[int, str, int, int, int], Any] = {}
        if store is not None:
            info = await store.get_run(run_id)
            if info is not None:
                _check_resume(info, config, question)
                if info.status == "finished":
                    log.info("run.resume", run=run_id, status="finished", replayed=info.n_steps)
                    return await store.load_trajectory(run_id)
                if info.status == "failed":  # back to "running" while it resumes
                    await store.begin_run(
                        RunInfo(
                            run_id=run_id,
                            question=info.question,
                            pattern=info.pattern,
                            config=info.config,
                            created_at=info.created_at,
                        )
                    )
                recorded = await store.recorded_steps(run_id)
                replay = {(s.group, s.kind, s.index): s for s in recorded}
                read_paid = getattr(store, "paid_attempts", None)  # optional for third-party stores
                if read_paid is not None:
                    paid = await read_paid(run_id)
                    paid = {k: a for k, a in paid.items() if k[:3] not in replay}
                log.info(
                    "run.resume",
                    run=run_id,
                    status=info.status,
                    replayed=len(replay),
                    reused_attempts=len(paid),
                )
            else:
                await store.begin_run(
                    RunInfo(
                        run_id=run_id,
                        question=question,
                        pattern=self.pattern,
                        config=config,
                        created_at=time.time(),
                    )
                )
        log.info(
            "run.start", run=run_id, pattern=self.pattern, chunks=len(chunks), groups=self.groups
        )
        trajectory = Trajectory(
            run_id=run_id,
            question=question,
            pattern=self.pattern,
            groups=1 if self.pattern == "sequential" else self.groups,
            reward_model=label_of(self.reward_model),
            policy=label_of(self.policy),
        )
        limits = Limiters(self.limits)
        ctx = RunContext(
            run_id=run_id,
            question=question,
            updater=self.updater,
            fuser=self.fuser,
            reward_model=self.reward_model,
            policy=self.policy,
            limits=limits,
            store=store,
            trajectory=trajectory,
            memory_tokens=self.memory_tokens,
            replay=replay,
            rm_label=label_of(self.reward_model),
            lease=lease,
            paid=paid,
        )
        started = time.perf_counter()
        try:
            await stage(ctx, Branch(group=0))
            await ctx.flush()
            if ctx.replay:  # recorded steps this plan never reached: say so, do not drop silently
                log.warning("run.resume.unused_steps", run=run_id, steps=sorted(ctx.replay))
            try:
                async with limits("model"):
                    answer = await self.answerer(question, trajectory.final_memory)
            except Exception as exc:
                exc.add_note(f"while answering from the final memory of run {run_id}")
                raise
            if not isinstance(answer, Answer):
                raise TypeError(
                    f"{label_of(self.answerer)} returned {type(answer).__name__}, expected agentmem.Answer"
                )
            trajectory.answer = answer
            if store is not None:
                await store.finish_run(run_id, answer)
        except BaseException as exc:
            if store is not None:
                try:  # steps decided before the error are committed before the run is marked
                    await ctx.flush()
                except Exception as commit_exc:
                    if commit_exc is not exc:
                        exc.add_note(f"also failed to commit a step: {commit_exc!r}")
                reason = (
                    "cancelled"
                    if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt)
                    else f"{type(exc).__name__}: {exc}"
                )
                try:
                    await store.fail_run(run_id, reason)
                except Exception as store_exc:  # the original error matters more
                    exc.add_note(
                        f"also failed to mark run {run_id} failed in the trace store: {store_exc!r}"
                    )
            log.warning(
                "run.fail",
                run=run_id,
                error=f"{type(exc).__name__}: {exc}",
                steps=len(trajectory.steps),
            )
            raise
        log.info(
            "run.finish",
            run=run_id,
            steps=len(trajectory.steps),
            wall_s=round(time.perf_counter() - started, 4),
        )
        return trajectory


def _check_resume(info: RunInfo, config: dict[str, Any], question: str) -> None:
    if info.question != question:
        raise UserError(
            f"run {info.run_id!r} was started with question {info.question!r}, not {question!r}; "
            "resume it with the same question, or start a new run (another --run-id)"
        )
    if info.pattern != config["pattern"]:
        raise UserError(
            f"run {info.run_id!r} is a {info.pattern!r} run, not {config['pattern']!r}; resume it with "
            f"--pattern {info.pattern}, or start a new run (another --run-id)"
        )
    for key in RESUME_KEYS:
        old, new = info.config.get(key), config.get(key)
        if old != new:
            what = (
                "a different document"
                if key == "document_sha256"
                else f"{key}={old!r} (now {new!r})"
            )
            raise UserError(
                f"cannot resume run {info.run_id!r}: it was started with {what}; resume with the "
                "same document and settings, or start a new run (another --run-id)"
            )


def _policy_config(policy: object) -> dict[str, Any]:
    cfg: dict[str, Any] = {"label": label_of(policy)}
    for name in ("threshold", "max_attempts", "n", "on_failure"):
        if hasattr(policy, name):
            cfg[name] = getattr(policy, name)
    return cfg


def _rm_spec(rm: object) -> dict[str, Any] | None:
    spec: Any = getattr(rm, "spec", None)
    if spec is None or not dataclasses.is_dataclass(spec):
        return None
    fields: Any = spec  # any dataclass with name/args/version (an RMSpec or a third party's)
    try:
        args = json.loads(json.dumps(dict(fields.args), default=str))  # JSON-safe for any store
        return {"name": fields.name, "args": args, "version": fields.version}
    except AttributeError:
        return None


@dataclass(kw_only=True)
class _Lease:
    """This process's lease on a run, renewed in the background while the run executes."""

    store: Any
    run_id: str
    owner: str
    ttl_s: float
    lost: str | None = None
    _task: asyncio.Task[None] | None = None

    @classmethod
    async def take(cls, store: Any, run_id: str, ttl_s: float) -> _Lease | None:
        """Acquire the run's lease (None for a third-party store without leases)."""
        if not hasattr(store, "acquire_lease"):
            return None
        owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        await store.acquire_lease(run_id, owner, ttl_s)
        lease = cls(store=store, run_id=run_id, owner=owner, ttl_s=ttl_s)
        lease._task = asyncio.get_running_loop().create_task(lease._renew())
        return lease

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.ttl_s / 3)
            try:
                ok = await self.store.renew_lease(self.run_id, self.owner, self.ttl_s)
            except Exception as exc:  # a store hiccup: try again at the next beat
                get_logger().warning("run.lease_renew_failed", run=self.run_id, error=str(exc))
                continue
            if not ok:
                self.lost = (
                    f"run {self.run_id!r} lost its lease (it expired and another executor took "
                    "the run over); stopping so the two do not interleave steps"
                )
                return

    def check(self) -> None:
        """Raise if the lease was lost (called before every step)."""
        if self.lost is not None:
            raise RunBusy(self.lost)

    async def release(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self.lost is None:
            try:
                await self.store.release_lease(self.run_id, self.owner)
            except Exception as exc:  # it expires on its own
                get_logger().warning("run.lease_release_failed", run=self.run_id, error=str(exc))
