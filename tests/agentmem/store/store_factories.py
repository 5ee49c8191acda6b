"""Builders of realistic steps for the trace-store and export tests (not a test module)."""

from __future__ import annotations

from agentmem._trace import RunInfo
from agentmem._types import Answer, Attempt, Candidate, Chunk, Decision, Step, StepKind, Usage
from rewards._types import Reward


def make_attempt(
    text: str, value: float, *, round: int = 0, feedback: str | None = None
) -> Attempt:
    """An attempt with non-default usage and reward fields, so a lossy store would show."""
    return Attempt(
        candidate=Candidate(
            text=text,
            feedback=feedback,
            usage=Usage(
                prompt_tokens=1200 + round,
                completion_tokens=85,
                cost=0.000123,
                latency_s=0.25,
                model="openai/fake-model",
            ),
        ),
        reward=Reward(
            value=value,
            rationale=f"score {value}: keeps the facts — «ünïcode» ok",
            scorer="heuristic",
            version="3",
            latency_s=0.0015,
            tokens=42,
            cost=1e-6,
            evidence={
                "redundancy": 0.1,
                "features": {"overlap": [0.2, 0.3]},
                "ok": True,
                "n": None,
            },
        ),
        round=round,
    )


def make_step(
    index: int,
    *,
    group: int = 0,
    kind: StepKind = "update",
    rejected: int = 0,
    previous: str | None = None,
    decision: Decision | None = None,
) -> Step:
    """A step whose last attempt is committed; ``rejected`` earlier attempts were revised away."""
    attempts = [
        make_attempt(
            f"bad memory g{group} s{index} r{r}",
            0.2,
            round=r,
            feedback=None if r == 0 else "too vague",
        )
        for r in range(rejected)
    ]
    attempts.append(
        make_attempt(
            f"memory g{group} s{index}: fact {index}",
            0.9,
            round=rejected,
            feedback="keep the key facts" if rejected else None,
        )
    )
    chunk = (
        None
        if kind != "update"
        else Chunk(
            index=group * 100 + index,
            text=f"Chunk {index} of group {group}. Fact {index}.",
            tokens=9,
        )
    )
    return Step(
        kind=kind,
        group=group,
        index=index,
        previous_memory=previous
        if previous is not None
        else ("" if index == 0 else f"memory g{group} s{index - 1}: fact {index - 1}"),
        chunk=chunk,
        attempts=attempts,
        chosen=len(attempts) - 1,
        decision=decision or ("accepted_after_revision" if rejected else "accepted"),
        latency_s=0.5 + index / 100,
    )


def make_info(run_id: str, **config: object) -> RunInfo:
    """Run metadata with a config the pipeline would write."""
    return RunInfo(
        run_id=run_id,
        question="Where is the key?",
        pattern="sequential",
        config={
            "document_sha256": "ab" * 32,
            "chunk_tokens": 5000,
            "policy": "gate",
            "reward_model": "heuristic",
            **config,
        },
    )


def make_answer() -> Answer:
    """A final answer with usage."""
    return Answer(
        text="The key is in the garden. \\boxed{garden}",
        extracted="garden",
        usage=Usage(
            prompt_tokens=900,
            completion_tokens=12,
            cost=0.0002,
            latency_s=0.3,
            model="openai/fake-model",
        ),
    )
