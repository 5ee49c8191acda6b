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

_worker_rm: RewardModel | None = None
_worker_loop: asyncio.AbstractEventLoop | None = None


def _init_worker(spec: str, overrides: dict[str, Any]) -> None:
    global _worker_rm, _worker_loop
    _worker_rm = make_reward_model(spec, **overrides)
    _worker_loop = asyncio.new_event_loop()


def _compare(pair: PairInput) -> PairwiseVerdict:
    assert _worker_rm is not None and _worker_loop is not None
    return _worker_loop.run_until_complete(_worker_rm.compare(pair))


def _score(update: UpdateContext) -> Reward:
    assert _worker_rm is not None and _worker_loop is not None
    return _worker_loop.run_until_complete(_worker_rm.score_update(update))


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
