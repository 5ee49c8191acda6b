"""Running a CPU-bound reward model (the offline heuristic) in worker processes.

An async reward model that computes instead of waiting on the network holds the event loop (and
the GIL) for its whole call, so concurrency alone does not speed it up. :class:`ProcessRM` builds
the same reward model from its spec string in each of N spawned processes and sends them pairs;
verdicts are identical to an in-process run (the model is rebuilt from the same spec and
overrides), only faster on a multi-core machine.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from rewards import (
    PairInput,
    PairwiseVerdict,
    Reward,
    RewardModel,
    UpdateContext,
    make_reward_model,
)

__all__ = ["ProcessRM"]

_WORKER_RM: RewardModel | None = None
_WORKER_LOOP: asyncio.AbstractEventLoop | None = None


def _init_worker(spec: str, overrides: dict[str, Any]) -> None:
    global _WORKER_RM, _WORKER_LOOP
    _WORKER_RM = make_reward_model(spec, **overrides)
    _WORKER_LOOP = asyncio.new_event_loop()


def _compare(pair: PairInput) -> PairwiseVerdict:
    assert _WORKER_RM is not None and _WORKER_LOOP is not None
    return _WORKER_LOOP.run_until_complete(_WORKER_RM.compare(pair))


def _score(update: UpdateContext) -> Reward:
    assert _WORKER_RM is not None and _WORKER_LOOP is not None
    return _WORKER_LOOP.run_until_complete(_WORKER_RM.score_update(update))


class ProcessRM:
    """A :class:`~rewards.RewardModel` whose calls run in ``workers`` spawned processes."""

    def __init__(
        self, spec: str, overrides: dict[str, Any], workers: int, *, local: RewardModel
    ) -> None:
        self.spec = local.spec  # the same spec the workers build (recorded in results)
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(
                "spawn"
            ),  # no fork of a process that runs threads
            initializer=_init_worker,
            initargs=(spec, overrides),
        )

    async def compare(self, pair: PairInput) -> PairwiseVerdict:
        """Judge the pair in a worker process."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, _compare, pair)

    async def score_update(self, update: UpdateContext) -> Reward:
        """Score the update in a worker process."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, _score, update)

    async def aclose(self) -> None:
        """Stop the worker processes."""
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)
