"""Fixtures for the pipeline, policy, updater and `agentmem run` tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pipeline_support import DictTraceStore, words_doc

from agentmem.testing._functions import (
    FunctionAnswerer,
    FunctionFuser,
    FunctionRewardModel,
    FunctionUpdater,
)


@pytest.fixture
def store() -> DictTraceStore:
    return DictTraceStore()


@pytest.fixture
def appending_updater() -> FunctionUpdater:
    """Memory = previous memory + '|' + the chunk's index (easy to check the threading)."""
    return FunctionUpdater(
        fn=lambda q, m, c, fb: f"{m}|c{c.index}" + (f"(rev:{fb[:10]})" if fb else ""),
        label="append",
    )


@pytest.fixture
def joining_fuser() -> FunctionFuser:
    return FunctionFuser(fn=lambda q, ms, fb: "F[" + " + ".join(ms) + "]", label="join")


@pytest.fixture
def echo_answerer() -> FunctionAnswerer:
    return FunctionAnswerer(fn=lambda q, m: f"final: \\boxed{{{m}}}", label="echo")


@pytest.fixture
def constant_rm() -> FunctionRewardModel:
    return FunctionRewardModel(score=lambda u: 0.8, name="const")


@pytest.fixture
def doc8() -> Iterator[str]:
    yield words_doc(8)
