"""The scored-write core: propose → score → select or revise, for one slot or many at once.

Every writer in agentmem goes through :func:`decide_slots`: a pipeline step is one slot (the new
memory), a facts ``add()`` has one slot per extracted fact, a note write has one slot for the note
and one for its links and evolution. The caller supplies two coroutine functions:

- ``propose(slots, feedback, round, sample)`` returns a candidate per slot (a batch proposer --
  one LLM call for all the facts of a message -- serves every slot of a round at once);
  ``feedback`` holds, for each slot being revised, the reward model's verdict on its best
  attempt so far; ``sample`` is the index within a best-of-N round, so deterministic proposers
  can vary;
- ``score(slot, candidate)`` returns the reward model's :class:`rewards.Reward`.

What the core guarantees: every attempt is kept, failed ones too (a proposal or a score that
raised is a :class:`Trial` with its error; its siblings go on); ties go to the earliest attempt,
so a run is reproducible whatever order calls return in; cancellation of the caller cancels every
call in flight and propagates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

from agentmem.policies._spec import PolicySpec

if TYPE_CHECKING:
    from rewards._types import Reward

__all__ = ["SlotDecision", "SlotOutcome", "Trial", "decide_slots"]

T = TypeVar("T")

SlotDecision = Literal[
    "accepted",
    "accepted_after_revision",
    "accepted_below_threshold",
    "selected",
    "refused",
    "failed",
]
"""How a slot ended: the four committing decisions of :data:`agentmem.Decision`, ``refused`` (a
gate with ``on_failure=refuse`` found no passing attempt) or ``failed`` (every attempt raised)."""


@dataclass(kw_only=True)
class Trial(Generic[T]):
    """One attempt for one slot: the candidate, its reward, or the error that stopped it."""

    slot: int
    round: int
    sample: int
    candidate: T | None = None
    reward: Reward | None = None
    error: BaseException | None = None
    feedback: str | None = None
    """The verdict this attempt was revised from (None in round 0)."""

    @property
    def ok(self) -> bool:
        """Proposed and scored without error."""
        return self.error is None and self.reward is not None

    @property
    def value(self) -> float:
        """The reward value (-1 when the attempt failed, so it never wins)."""
        return self.reward.value if self.reward is not None else -1.0


@dataclass(kw_only=True)
class SlotOutcome(Generic[T]):
    """Every attempt for one slot and the decision."""

    trials: list[Trial[T]] = field(default_factory=lambda: [])
    chosen: int | None = None
    """Index into ``trials`` of the attempt to commit; None when refused or failed."""
    decision: SlotDecision = "failed"

    @property
    def committed(self) -> Trial[T] | None:
        """The attempt to commit, if any."""
        return None if self.chosen is None else self.trials[self.chosen]

    @property
    def errors(self) -> list[BaseException]:
        """Errors of the attempts that failed."""
        return [t.error for t in self.trials if t.error is not None]


ProposeMany = Callable[[Sequence[int], Mapping[int, str], int, int], Awaitable[Mapping[int, T]]]
"""``(slots, feedback by slot, round, sample) -> candidate by slot``."""

ScoreOne = Callable[[int, T], Awaitable["Reward"]]
"""``(slot, candidate) -> reward``."""

Feedback = Callable[[Trial[T], float], str]
"""The revision request made from a slot's best failing attempt and the threshold."""


def _best(trials: Sequence[Trial[T]], rnd: int | None = None) -> int | None:
    best: int | None = None
    for i, t in enumerate(trials):
        if not t.ok or (rnd is not None and t.round != rnd):
            continue
        if best is None or t.value > trials[best].value:
            best = i
    return best


async def decide_slots(
    spec: PolicySpec,
    slots: Sequence[int],
    propose: ProposeMany[T],
    score: ScoreOne[T],
    *,
    feedback: Feedback[T],
) -> dict[int, SlotOutcome[T]]:
    """Run the policy over ``slots``; returns each slot's attempts and decision."""
    out: dict[int, SlotOutcome[T]] = {s: SlotOutcome() for s in slots}
    open_slots = list(slots)
    asks: dict[int, str] = {}
    threshold = spec.gate_threshold
    for rnd in range(spec.rounds):
        per_sample = await asyncio.gather(
            *(
                _sample(
                    open_slots,
                    {s: asks[s] for s in open_slots if s in asks},
                    rnd,
                    k,
                    propose,
                    score,
                )
                for k in range(spec.n)
            )
        )
        for trials in per_sample:
            for t in trials:
                out[t.slot].trials.append(t)
        still: list[int] = []
        for s in open_slots:
            o = out[s]
            best = _best(o.trials, rnd)
            if threshold is None:
                if best is not None:
                    o.chosen, o.decision = best, "selected" if spec.n > 1 else "accepted"
                continue
            if best is not None and o.trials[best].value >= threshold:
                o.chosen = best
                o.decision = "accepted" if rnd == 0 else "accepted_after_revision"
                continue
            still.append(s)
            if best is not None:
                asks[s] = feedback(o.trials[best], threshold)
            elif s not in asks:
                err = next((t.error for t in o.trials if t.error is not None), None)
                asks[s] = f"The previous attempt failed ({type(err).__name__}: {err}); try again."
        open_slots = still
        if not open_slots:
            break
    if threshold is not None:
        for s in open_slots:
            o = out[s]
            best = _best(o.trials)
            if best is None:
                continue  # every attempt failed: decision stays "failed"
            if spec.on_failure == "keep-best":
                o.chosen, o.decision = best, "accepted_below_threshold"
            else:
                o.decision = "refused"
    return out


async def _sample(
    slots: list[int],
    asks: dict[int, str],
    rnd: int,
    k: int,
    propose: ProposeMany[T],
    score: ScoreOne[T],
) -> list[Trial[T]]:
    """One proposal call for ``slots`` and the scores of its candidates; failures become trials."""
    try:
        cands = await propose(slots, asks, rnd, k)
    except Exception as exc:  # a failed proposal is an attempt too; CancelledError propagates
        return [Trial(slot=s, round=rnd, sample=k, error=exc, feedback=asks.get(s)) for s in slots]

    async def one(s: int) -> Trial[T]:
        t: Trial[T] = Trial(slot=s, round=rnd, sample=k, feedback=asks.get(s))
        if s not in cands:
            t.error = LookupError(f"the proposer returned no candidate for slot {s}")
            return t
        t.candidate = cands[s]
        try:
            t.reward = await score(s, cands[s])
        except Exception as exc:
            t.error = exc
        return t

    return list(await asyncio.gather(*(one(s) for s in slots)))
