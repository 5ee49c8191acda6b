"""A resumed failed run reads as running while it works, and its old error is gone."""

from __future__ import annotations

import pytest
from pipeline_support import words_doc

from agentmem._pipeline import sequential
from agentmem._types import Chunk
from agentmem.store import InMemoryTraceStore
from agentmem.testing._functions import FunctionUpdater

Q = "Where does item 302 rest?"


async def test_resuming_a_failed_run_marks_it_running_again(echo_answerer, constant_rm) -> None:
    store = InMemoryTraceStore()
    seen: list[tuple[str, str | None]] = []
    crash = {"on": True}

    def fn(q: str, m: str, c: Chunk, fb: str | None) -> str:
        if c.index == 2 and crash["on"]:
            raise RuntimeError("provider outage")
        return f"{m}|c{c.index}"

    async def watching(q: str, m: str, c: Chunk, fb: str | None) -> str:
        info = await store.get_run("r")
        if info is not None:
            seen.append((info.status, info.error))
        return fn(q, m, c, fb)

    pipe = sequential(
        updater=FunctionUpdater(fn=watching, label="watch"),
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    doc = words_doc(4)
    with pytest.raises(RuntimeError, match="provider outage"):
        await pipe.run(doc, Q, run_id="r", store=store)
    failed = await store.get_run("r")
    assert failed is not None and failed.status == "failed"

    crash["on"] = False
    seen.clear()
    await pipe.run(doc, Q, run_id="r", store=store)
    assert seen and all(status == "running" and error is None for status, error in seen)
    done = await store.get_run("r")
    assert done is not None and done.status == "finished"
