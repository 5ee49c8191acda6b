"""The two composition primitives, and the steps they compose.

A *stage* is a coroutine function ``(ctx, branch) -> branch``. :func:`chain` runs stages one after
another on the same branch; :func:`fork` runs sub-stages concurrently, each on its own copy of the
branch, then merges their memories with a fusion step. The three memory patterns are nestings:

    sequential = chain(update(c1), ..., update(cn))
    parallel   = fork(chain(updates of group 1), ..., chain(updates of group k))
    mixed      = chain(fork(chain(group 1), ..., chain(group p)), update(tail chunks)...)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from agentmem._pipeline._context import Branch, RunContext
from agentmem._types import Chunk
from agentmem.policies import gather_all

__all__ = ["Stage", "chain", "fork", "update"]

Stage = Callable[[RunContext, Branch], Awaitable[Branch]]
"""A unit of a pipeline: takes the branch it runs on, returns it advanced."""


def update(chunk: Chunk) -> Stage:
    """A stage that reads one chunk: one update step through the policy."""

    async def run(ctx: RunContext, branch: Branch) -> Branch:
        await ctx.commit_step(branch, kind="update", chunk=chunk)
        return branch

    run.__qualname__ = f"update(chunk {chunk.index})"
    return run


def chain(*stages: Stage) -> Stage:
    """Run ``stages`` in order on one branch."""

    async def run(ctx: RunContext, branch: Branch) -> Branch:
        for stage in stages:
            branch = await stage(ctx, branch)
        return branch

    return run


def fork(*stages: Stage, first_group: int = 1) -> Stage:
    """Run ``stages`` concurrently, each on a copy of the branch numbered ``first_group + i``,
    then fuse their memories into the branch with one fusion step.

    A failure in any sub-branch cancels the others and propagates as is; steps already committed
    stay in the store.
    """

    async def run(ctx: RunContext, branch: Branch) -> Branch:
        copies = [branch.copy(group=first_group + i) for i in range(len(stages))]
        results = await gather_all([stage(ctx, b) for stage, b in zip(stages, copies, strict=True)])
        await ctx.settle(results)  # the groups' last updates are in the store before the fusion
        await ctx.commit_step(
            branch, kind="fusion", chunk=None, memories=[b.memory for b in results]
        )
        return branch

    return run
