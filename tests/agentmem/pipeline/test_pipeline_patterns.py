"""The three memory patterns: what each step reads, what memory it threads, what gets answered."""

from __future__ import annotations

import asyncio
import time

import pytest
from pipeline_support import DictTraceStore, words_doc

from agentmem._logging import capture_events
from agentmem._pipeline import chunk_document, mixed, parallel, sequential
from agentmem._types import Chunk
from agentmem.testing._functions import FunctionRewardModel, FunctionUpdater

Q = "Where does item 302 rest?"


async def test_sequential_threads_memory_through_every_chunk(
    appending_updater, echo_answerer, constant_rm, store: DictTraceStore
) -> None:
    doc = words_doc(6)
    chunks = chunk_document(doc, 50)
    pipe = sequential(
        updater=appending_updater, answerer=echo_answerer, reward_model=constant_rm, chunk_tokens=50
    )
    traj = await pipe.run(doc, Q, run_id="seq", store=store)

    assert [s.chunk.index for s in traj.steps if s.chunk] == list(range(len(chunks)))
    assert [c.text for c in (s.chunk for s in traj.steps) if c] == [c.text for c in chunks]
    for prev, cur in zip(traj.steps, traj.steps[1:], strict=False):
        assert cur.previous_memory == prev.memory
    assert traj.steps[0].previous_memory == ""
    assert traj.final_memory == "".join(f"|c{i}" for i in range(len(chunks)))
    assert traj.answer is not None and traj.answer.extracted == traj.final_memory
    assert {(s.group, s.kind) for s in traj.steps} == {(0, "update")}
    # committed to the store in order, then finished
    assert [(s.group, s.kind, s.index) for s in store.steps["seq"]] == [
        (0, "update", i) for i in range(len(chunks))
    ]
    assert store.runs["seq"].status == "finished"
    assert store.calls[0] == ("begin_run", "seq") and store.calls[-1] == ("finish_run", "seq")
    # the RM saw each update in its context
    assert [u.candidate for u in constant_rm.calls] == [s.memory for s in traj.steps]
    assert all(u.memory_budget_tokens == 1024 and u.kind == "update" for u in constant_rm.calls)


async def test_parallel_groups_are_contiguous_sequential_and_fused_in_order(
    appending_updater, joining_fuser, echo_answerer, constant_rm
) -> None:
    doc = words_doc(8)
    n = len(chunk_document(doc, 40))
    pipe = parallel(
        groups=3,
        updater=appending_updater,
        fuser=joining_fuser,
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    traj = await pipe.run(doc, Q)

    assert traj.groups == 3
    seen: list[int] = []
    memories = []
    for g in (1, 2, 3):
        steps = traj.group_steps(g)
        assert [s.index for s in steps] == list(range(len(steps)))
        idx = [s.chunk.index for s in steps if s.chunk]
        assert idx == list(range(idx[0], idx[0] + len(idx)))  # contiguous
        assert steps[0].previous_memory == ""
        seen += idx
        memories.append(steps[-1].memory)
    assert seen == list(range(n))
    fusion = traj.fusion
    assert fusion is not None and (fusion.group, fusion.index) == (0, 0)
    assert joining_fuser.calls == [(Q, memories, None)]
    assert traj.final_memory == "F[" + " + ".join(memories) + "]"
    assert traj.steps[-1] is fusion
    assert "Memory 1:" in fusion.previous_memory and "Memory 3:" in fusion.previous_memory
    fusion_ctx = [u for u in constant_rm.calls if u.kind == "fusion"]
    assert len(fusion_ctx) == 1 and fusion_ctx[0].history == tuple(memories)


async def test_parallel_groups_really_run_concurrently(
    echo_answerer, constant_rm, joining_fuser
) -> None:
    async def slow(q: str, m: str, c: Chunk, fb: str | None) -> str:
        await asyncio.sleep(0.05)
        return m + "x"

    doc = words_doc(8)
    n = len(chunk_document(doc, 40))
    pipe = parallel(
        groups=4,
        updater=FunctionUpdater(fn=slow),
        fuser=joining_fuser,
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    t0 = time.perf_counter()
    await pipe.run(doc, Q)
    wall = time.perf_counter() - t0
    longest_group = -(-n // 4)
    assert wall < 0.05 * n * 0.75  # far below the sequential sum
    assert wall >= 0.05 * longest_group


async def test_mixed_forks_fuses_then_continues_sequentially_from_the_fusion(
    appending_updater, joining_fuser, echo_answerer, constant_rm
) -> None:
    doc = words_doc(9)
    n = len(chunk_document(doc, 40))
    pipe = mixed(
        groups=2,
        tail_chunks=3,
        updater=appending_updater,
        fuser=joining_fuser,
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    traj = await pipe.run(doc, Q)

    head = [s for s in traj.steps if s.kind == "update" and s.group in (1, 2)]
    assert sorted(s.chunk.index for s in head if s.chunk) == list(range(n - 3))
    tail = traj.group_steps(0)
    assert [s.chunk.index for s in tail if s.chunk] == [n - 3, n - 2, n - 1]
    fusion = traj.fusion
    assert fusion is not None
    assert tail[0].previous_memory == fusion.memory
    assert traj.final_memory == fusion.memory + f"|c{n - 3}|c{n - 2}|c{n - 1}"
    # commit order: all head steps, then the fusion, then the tail
    kinds = [(s.kind, s.group) for s in traj.steps]
    assert kinds.index(("fusion", 0)) == len(head)
    assert traj.answer is not None and traj.answer.extracted == traj.final_memory


async def test_mixed_default_tail_is_an_equal_share(
    appending_updater, joining_fuser, echo_answerer, constant_rm
) -> None:
    doc = words_doc(9)
    n = len(chunk_document(doc, 40))
    pipe = mixed(
        groups=2,
        updater=appending_updater,
        fuser=joining_fuser,
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    traj = await pipe.run(doc, Q)
    assert len(traj.group_steps(0)) == n // 3


async def test_model_and_rm_calls_respect_their_named_limits(echo_answerer, joining_fuser) -> None:
    in_flight = {"model": 0, "rm": 0}
    peak = {"model": 0, "rm": 0}

    async def track(kind: str) -> None:
        in_flight[kind] += 1
        peak[kind] = max(peak[kind], in_flight[kind])
        await asyncio.sleep(0.01)
        in_flight[kind] -= 1

    async def upd(q: str, m: str, c: Chunk, fb: str | None) -> str:
        await track("model")
        return m + "."

    async def score(u: object) -> float:
        await track("rm")
        return 0.5

    doc = words_doc(8)
    pipe = parallel(
        groups=4,
        updater=FunctionUpdater(fn=upd),
        fuser=joining_fuser,
        answerer=echo_answerer,
        reward_model=FunctionRewardModel(score=score),
        policy="best-of-4",
        chunk_tokens=40,
        limits={"model": 3, "rm": 2},
    )
    await pipe.run(doc, Q)
    assert peak == {"model": 3, "rm": 2}


async def test_one_log_event_per_update_with_scores_and_decision(
    appending_updater, joining_fuser, echo_answerer
) -> None:
    rm = FunctionRewardModel(score=lambda u: 0.25 if u.kind == "fusion" else 0.75)
    pipe = parallel(
        groups=2,
        updater=appending_updater,
        fuser=joining_fuser,
        answerer=echo_answerer,
        reward_model=rm,
        chunk_tokens=40,
    )
    with capture_events() as events:
        traj = await pipe.run(words_doc(4), Q, run_id="logged")
    updates = [e for e in events if e["event"] == "memory.update"]
    assert len(updates) == len(traj.steps)
    for e, s in zip(updates, traj.steps, strict=True):
        assert (e["run"], e["group"], e["step"], e["kind"], e["decision"]) == (
            "logged",
            s.group,
            s.index,
            s.kind,
            s.decision,
        )
        assert e["scores"] == [0.25 if s.kind == "fusion" else 0.75]
        assert e["latency_ms"] >= 0 and e["replayed"] is False and "tokens" in e
    assert next(e["event"] for e in events) == "run.start" and events[-1]["event"] == "run.finish"


@pytest.mark.parametrize("pattern", ["sequential", "parallel", "mixed"])
async def test_extractive_defaults_answer_from_the_document(pattern: str, constant_rm) -> None:
    doc = words_doc(10)
    builder = {"sequential": sequential, "parallel": parallel, "mixed": mixed}[pattern]
    kwargs = {} if pattern == "sequential" else {"groups": 2}
    pipe = builder(reward_model=constant_rm, chunk_tokens=60, memory_tokens=80, **kwargs)
    traj = await pipe.run(doc, "Where does item 302 rest?")
    assert traj.answer is not None
    assert "item number 302 rests in room 3" in traj.answer.extracted
    assert "extractive" in traj.answer.text


async def test_run_config_records_what_resume_checks_and_optionally_the_document(
    appending_updater, echo_answerer, constant_rm, store: DictTraceStore
) -> None:
    doc = words_doc(3)
    for keep in (False, True):
        pipe = sequential(
            updater=appending_updater,
            answerer=echo_answerer,
            reward_model=constant_rm,
            policy="gate",
            chunk_tokens=40,
            keep_document=keep,
        )
        await pipe.run(doc, Q, run_id=f"cfg{keep}", store=store)
        cfg = store.runs[f"cfg{keep}"].config
        assert (
            cfg["pattern"] == "sequential"
            and cfg["chunk_tokens"] == 40
            and cfg["memory_tokens"] == 1024
        )
        assert cfg["policy"] == {
            "label": "gate",
            "threshold": 0.5,
            "max_attempts": 3,
            "on_failure": "keep-best",
        }
        assert (
            cfg["updater"] == "append"
            and cfg["reward_model"] == "const"
            and cfg["n_chunks"] == len(chunk_document(doc, 40))
        )
        assert ("document" in cfg) is keep and (not keep or cfg["document"] == doc)
