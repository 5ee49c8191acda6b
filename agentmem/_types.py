"""Runtime types of a memory run: chunks, candidates, steps, trajectories, and the component
protocols (updater, fuser, answerer) that produce them.

A run over a document with chunks c1..cn keeps a memory m. Each *step* asks an updater for one
or more *candidates* m' = Φ(question, m, c), has a reward model score them, lets an update policy
decide, and commits the chosen one. Parallel groups end in a *fusion* step that merges their
memories; every run ends with an *answer*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:  # rewards imports agentmem.exceptions; keep the cycle out of runtime
    from rewards._types import Reward

__all__ = [
    "Answer",
    "Answerer",
    "Attempt",
    "Candidate",
    "Chunk",
    "Decision",
    "Fuser",
    "Pattern",
    "PolicyName",
    "Step",
    "StepKind",
    "Trajectory",
    "Updater",
    "Usage",
]

Pattern = Literal["sequential", "parallel", "mixed"]
"""Memory pattern (arXiv 2601.11969 §3.1)."""

PolicyName = Literal["score", "best-of-n", "gate"]
"""Update policy names as accepted by :func:`agentmem.make_policy` (``best-of-4`` etc. too)."""

Decision = Literal[
    "accepted", "accepted_after_revision", "accepted_below_threshold", "selected", "refused"
]
"""How a step's committed candidate was chosen.

``accepted``: scored and kept (score policy, or passed the gate first time);
``accepted_after_revision``: a revision passed the gate; ``accepted_below_threshold``: no attempt
passed the gate, the best one was kept (nothing is dropped silently: the step says so);
``selected``: best-of-N picked it among several; ``refused``: no attempt passed a gate whose
on-failure choice is ``refuse``, so the memory stays as it was (``chosen`` points at the best
attempt, recorded but not committed).
"""

StepKind = Literal["update", "fusion", "answer"]


@dataclass(frozen=True, kw_only=True)
class Chunk:
    """One section of the input document."""

    index: int
    """Position in the whole document, from 0."""
    text: str
    """The section's text."""
    tokens: int
    """Its length in tokens (cl100k_base)."""


@dataclass(frozen=True, kw_only=True)
class Usage:
    """What one model call cost."""

    prompt_tokens: int = 0
    """Tokens sent."""
    completion_tokens: int = 0
    """Tokens received."""
    cost: float = 0.0
    """USD, when the provider's price is known (else 0)."""
    latency_s: float = 0.0
    """Wall time of the call, retries included."""
    model: str = ""
    """Model string that served it ('' for offline components)."""

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cost=self.cost + other.cost,
            latency_s=self.latency_s + other.latency_s,
            model=self.model or other.model,
        )


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """A proposed new memory (or fusion, or answer) and what producing it cost."""

    text: str
    """The proposed memory text."""
    usage: Usage = field(default_factory=Usage)
    """Cost of the call that produced it."""
    feedback: str | None = None
    """The judge feedback this candidate was revised from (gate policy), if any."""


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """One candidate with its score, as the policy saw it."""

    candidate: Candidate
    """What was proposed."""
    reward: Reward
    """How the reward model scored it."""
    round: int = 0
    """Revision round (0 = first proposal; gate policy increments it on each revision)."""


@dataclass(kw_only=True)
class Step:
    """One committed transition of the memory, with everything that was tried."""

    kind: StepKind
    """Chunk update, fusion of parallel memories, or the final answer."""
    group: int
    """Parallel group (0 for sequential and for the sequential tail of mixed runs)."""
    index: int
    """Step number within its group, from 0."""
    previous_memory: str
    """Memory before this step ('' at the first step)."""
    chunk: Chunk | None
    """The section read (None for fusion and answer steps)."""
    attempts: list[Attempt]
    """Every candidate proposed, in order, with its reward."""
    chosen: int
    """Index into ``attempts`` of the committed one."""
    decision: Decision
    """How it was chosen."""
    latency_s: float = 0.0
    """Wall time of the whole step (proposals, scoring, decision)."""
    errors: list[str] = field(default_factory=list)
    """Attempts that raised (round, sample, error): recorded, not silently dropped."""

    @property
    def committed(self) -> Attempt:
        """The attempt whose candidate became the new memory."""
        return self.attempts[self.chosen]

    @property
    def memory(self) -> str:
        """Memory after this step (the previous memory when the step was refused)."""
        if self.decision == "refused":
            return self.previous_memory
        return self.committed.candidate.text

    @property
    def rejected(self) -> list[Attempt]:
        """Attempts that were not committed (the benchmark's ``wrong_updated_memories``)."""
        if self.decision == "refused":
            return list(self.attempts)
        return [a for i, a in enumerate(self.attempts) if i != self.chosen]


@dataclass(frozen=True, kw_only=True)
class Answer:
    """The final answer and the memory it was read from."""

    text: str
    """Full answer text (may contain reasoning and a ``\\boxed{}`` value)."""
    extracted: str
    """The answer itself: the ``\\boxed{}`` content when present, else the text stripped."""
    usage: Usage = field(default_factory=Usage)
    """Cost of producing it."""


@dataclass(kw_only=True)
class Trajectory:
    """A whole run: question, pattern, every step, fusion, answer."""

    run_id: str
    """Identifier in the trace store."""
    question: str
    """The question asked."""
    pattern: Pattern
    """Sequential, parallel or mixed."""
    groups: int = 1
    """Number of parallel groups (1 for sequential)."""
    steps: list[Step] = field(default_factory=list)
    """Chunk-update steps in commit order; fusion steps have kind 'fusion'."""
    answer: Answer | None = None
    """Set when the run finished."""
    reward_model: str = ""
    """Label of the RM that scored the updates."""
    policy: str = ""
    """Label of the update policy."""

    def group_steps(self, group: int) -> list[Step]:
        """The update steps of one parallel group, in order."""
        return [s for s in self.steps if s.group == group and s.kind == "update"]

    @property
    def fusion(self) -> Step | None:
        """The fusion step, for parallel and mixed runs."""
        return next((s for s in self.steps if s.kind == "fusion"), None)

    @property
    def final_memory(self) -> str:
        """Memory after the last committed step ('' if none)."""
        mem = [s for s in self.steps if s.kind != "answer"]
        return mem[-1].memory if mem else ""


@runtime_checkable
class Updater(Protocol):
    """The memory function Φ: propose a new memory from the old one and a chunk."""

    async def __call__(
        self, question: str, memory: str, chunk: Chunk, *, feedback: str | None = None
    ) -> Candidate:
        """Return one candidate. ``feedback`` is the judge's rationale on a rejected attempt."""
        ...


@runtime_checkable
class Fuser(Protocol):
    """g: merge the memories of parallel groups into one."""

    async def __call__(
        self, question: str, memories: list[str], *, feedback: str | None = None
    ) -> Candidate:
        """Return one fused memory candidate."""
        ...


@runtime_checkable
class Answerer(Protocol):
    """Read the answer off the final memory."""

    async def __call__(self, question: str, memory: str) -> Answer:
        """Return the answer."""
        ...
