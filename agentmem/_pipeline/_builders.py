"""``sequential(...)``, ``parallel(...)``, ``mixed(...)``: pipelines with sensible defaults.

Every component is optional: no updater means the offline extractive baseline
(:mod:`agentmem.updaters`), no reward model means :data:`rewards.DEFAULT_RM`, and policies and
reward models can be given as spec strings (``"best-of-4"``, ``"heuristic"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentmem._pipeline._limits import DEFAULT_LIMITS
from agentmem._pipeline._pipeline import Pipeline
from agentmem._types import Answerer, Fuser, Pattern, Updater

if TYPE_CHECKING:
    from agentmem.policies import UpdatePolicy
    from rewards._types import RewardModel

__all__ = ["build_pipeline", "mixed", "parallel", "sequential"]


def build_pipeline(
    pattern: Pattern,
    *,
    updater: Updater | None = None,
    fuser: Fuser | None = None,
    answerer: Answerer | None = None,
    reward_model: RewardModel | str | None = None,
    policy: UpdatePolicy | str = "score",
    groups: int | None = None,
    chunk_tokens: int = 5000,
    memory_tokens: int = 1024,
    tail_chunks: int | None = None,
    limits: dict[str, int] | None = None,
    keep_document: bool = False,
) -> Pipeline:
    """A pipeline for ``pattern`` with defaults filled in (see the module docstring)."""
    from agentmem._pipeline._pipeline import PATTERNS
    from agentmem.exceptions import UnknownNameError
    from agentmem.policies import make_policy
    from agentmem.updaters import ExtractiveAnswerer, ExtractiveFuser, ExtractiveUpdater

    if pattern not in PATTERNS:
        raise UnknownNameError("pattern", str(pattern), PATTERNS)
    if isinstance(policy, str):
        policy = make_policy(policy)
    if reward_model is None or isinstance(reward_model, str):
        from rewards import make_reward_model

        reward_model = make_reward_model(reward_model)
    if groups is None:
        groups = {"sequential": 1, "parallel": 4, "mixed": 2}[pattern]
    if updater is None:
        updater = ExtractiveUpdater(memory_tokens=memory_tokens)
    if fuser is None and pattern != "sequential":
        fuser = ExtractiveFuser(memory_tokens=memory_tokens)
    return Pipeline(
        pattern=pattern,
        updater=updater,
        fuser=fuser,
        answerer=answerer or ExtractiveAnswerer(),
        reward_model=reward_model,
        policy=policy,
        groups=groups,
        chunk_tokens=chunk_tokens,
        memory_tokens=memory_tokens,
        tail_chunks=tail_chunks,
        limits=dict(limits) if limits else dict(DEFAULT_LIMITS),
        keep_document=keep_document,
    )


def sequential(
    *,
    updater: Updater | None = None,
    answerer: Answerer | None = None,
    reward_model: RewardModel | str | None = None,
    policy: UpdatePolicy | str = "score",
    chunk_tokens: int = 5000,
    memory_tokens: int = 1024,
    limits: dict[str, int] | None = None,
    keep_document: bool = False,
) -> Pipeline:
    """m1 = Φ(c1), mt = Φ(mt−1, ct); the answer is read off mn (MemAgent)."""
    return build_pipeline(
        "sequential",
        updater=updater,
        answerer=answerer,
        reward_model=reward_model,
        policy=policy,
        chunk_tokens=chunk_tokens,
        memory_tokens=memory_tokens,
        limits=limits,
        keep_document=keep_document,
    )


def parallel(
    *,
    groups: int = 4,
    updater: Updater | None = None,
    fuser: Fuser | None = None,
    answerer: Answerer | None = None,
    reward_model: RewardModel | str | None = None,
    policy: UpdatePolicy | str = "score",
    chunk_tokens: int = 5000,
    memory_tokens: int = 1024,
    limits: dict[str, int] | None = None,
    keep_document: bool = False,
) -> Pipeline:
    """Chunks split into ``groups`` contiguous groups, each read sequentially and concurrently
    with the others (groups numbered 1..k), then fused: o = g(m(1)..m(k))."""
    return build_pipeline(
        "parallel",
        groups=groups,
        updater=updater,
        fuser=fuser,
        answerer=answerer,
        reward_model=reward_model,
        policy=policy,
        chunk_tokens=chunk_tokens,
        memory_tokens=memory_tokens,
        limits=limits,
        keep_document=keep_document,
    )


def mixed(
    *,
    groups: int = 2,
    tail_chunks: int | None = None,
    updater: Updater | None = None,
    fuser: Fuser | None = None,
    answerer: Answerer | None = None,
    reward_model: RewardModel | str | None = None,
    policy: UpdatePolicy | str = "score",
    chunk_tokens: int = 5000,
    memory_tokens: int = 1024,
    limits: dict[str, int] | None = None,
    keep_document: bool = False,
) -> Pipeline:
    """Parallel over ``groups`` (2 or 3 in the paper) on the head of the document, fuse, then read
    the last ``tail_chunks`` chunks sequentially (group 0) from the fused memory."""
    return build_pipeline(
        "mixed",
        groups=groups,
        tail_chunks=tail_chunks,
        updater=updater,
        fuser=fuser,
        answerer=answerer,
        reward_model=reward_model,
        policy=policy,
        chunk_tokens=chunk_tokens,
        memory_tokens=memory_tokens,
        limits=limits,
        keep_document=keep_document,
    )
