"""A pipeline step as one slot of the scored-write core (:func:`agentmem.policies.decide_slots`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from agentmem._types import Attempt, Candidate
from agentmem.policies._base import (
    Outcome,
    Propose,
    Score,
    best_index,
    format_feedback,
    trial_key,
)
from agentmem.policies._core import Trial, decide_slots
from agentmem.policies._spec import PolicySpec

__all__ = ["decide_one"]


def _describe(t: Trial[Candidate]) -> str:
    return f"round {t.round}, sample {t.sample}: {type(t.error).__name__}: {t.error}"


async def decide_one(spec: PolicySpec, propose: Propose, score: Score) -> Outcome:
    """Run ``spec`` on one step: every attempt recorded, failed ones listed in ``errors``."""

    async def many(
        slots: Sequence[int], asks: Mapping[int, str], rnd: int, sample: int
    ) -> dict[int, Candidate]:
        trial_key.set((rnd, sample))  # this sample's own task context; its score inherits it
        return {0: await propose(asks.get(0))}

    async def one(_slot: int, cand: Candidate) -> object:
        return await score(cand)

    def ask(t: Trial[Candidate], threshold: float) -> str:
        assert t.candidate is not None and t.reward is not None
        return format_feedback(Attempt(candidate=t.candidate, reward=t.reward), threshold)

    res = (await decide_slots(spec, [0], many, one, feedback=ask))[0]  # type: ignore[arg-type]
    errors = [_describe(t) for t in res.trials if t.error is not None]
    ok = [t for t in res.trials if t.ok]
    if not ok:
        first = res.errors[0]
        if len(errors) > 1:
            first.add_note(f"all {len(errors)} attempts of the step failed: " + "; ".join(errors))
        raise first
    attempts = [
        Attempt(candidate=t.candidate, reward=t.reward, round=t.round)  # type: ignore[arg-type]
        for t in ok
    ]
    if res.chosen is None:  # refused: the step keeps the previous memory; the best is recorded
        return Outcome(
            attempts=attempts, chosen=best_index(attempts), decision="refused", errors=errors
        )
    chosen = ok.index(res.trials[res.chosen])
    return Outcome(attempts=attempts, chosen=chosen, decision=res.decision, errors=errors)  # type: ignore[arg-type]
