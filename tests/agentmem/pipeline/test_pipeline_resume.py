"""Crash, failure and resume: nothing committed is lost, nothing is repeated, nothing is missing."""

from __future__ import annotations

import asyncio

import pytest
from pipeline_support import DictTraceStore, words_doc

from agentmem._logging import capture_events
from agentmem._pipeline import chunk_document, mixed, parallel, sequential
from agentmem._types import Chunk
from agentmem.exceptions import RewardRangeError, UnknownNameError, UserError
from agentmem.testing._functions import FunctionRewardModel, FunctionUpdater

Q = "Where does item 302 rest?"


class Crash(RuntimeError):
    pass


def crashing_updater(crash_at: set[int]) -> FunctionUpdater:
    """Appends the chunk index; raises when it reads a chunk whose index is in ``crash_at``."""

    def fn(q: str, m: str, c: Chunk, fb: str | None) -> str:
        if c.index in crash_at:
            raise Crash(f"model died on chunk {c.index}")
        return f"{m}|c{c.index}"

    return FunctionUpdater(fn=fn, label="append")


async def test_sequential_resume_after_a_crash_repeats_nothing_and_misses_nothing(
    store: DictTraceStore, echo_answerer, constant_rm
) -> None:
    doc = words_doc(6)
    n = len(chunk_document(doc, 40))
    k = n // 2
    first = sequential(
        updater=crashing_updater({k}),
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    with pytest.raises(Crash, match=f"chunk {k}") as info:
        await first.run(doc, Q, run_id="r1", store=store)
    assert any(f"update step {k} of group 0" in note for note in info.value.__notes__)
    assert [s.index for s in store.steps["r1"]] == list(range(k))
    assert store.runs["r1"].status == "failed" and "Crash: model died" in (
        store.runs["r1"].error or ""
    )

    updater = crashing_updater(set())  # the same components, the crash fixed
    second = sequential(
        updater=updater, answerer=echo_answerer, reward_model=constant_rm, chunk_tokens=40
    )
    with capture_events() as events:
        traj = await second.run(doc, Q, run_id="r1", store=store)

    assert [c[2].index for c in updater.calls] == list(range(k, n))  # only the missing chunks
    assert [(s.group, s.index) for s in traj.steps] == [(0, i) for i in range(n)]
    assert [(s.group, s.index) for s in store.steps["r1"]] == [(0, i) for i in range(n)]
    assert traj.final_memory == "".join(f"|c{i}" for i in range(n))
    assert store.runs["r1"].status == "finished"
    replayed = [e["replayed"] for e in events if e["event"] == "memory.update"]
    assert replayed == [True] * k + [False] * (n - k)


async def test_parallel_resume_replays_each_group_and_the_fusion(
    store: DictTraceStore, echo_answerer, constant_rm, joining_fuser
) -> None:
    doc = words_doc(8)
    n = len(chunk_document(doc, 40))
    crash_chunk = n - 1  # in the last group
    first = parallel(
        groups=2,
        updater=crashing_updater({crash_chunk}),
        fuser=joining_fuser,
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    with pytest.raises(Crash):
        await first.run(doc, Q, run_id="p1", store=store)
    committed = {(s.group, s.kind, s.index) for s in store.steps["p1"]}
    assert ("fusion" not in {k for _, k, _ in committed}) and committed

    updater = crashing_updater(set())
    second = parallel(
        groups=2,
        updater=updater,
        fuser=joining_fuser,
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    traj = await second.run(doc, Q, run_id="p1", store=store)
    redone = {c[2].index for c in updater.calls}
    recorded_chunks = {s.chunk.index for s in store.steps["p1"][: len(committed)] if s.chunk}
    assert redone.isdisjoint(recorded_chunks) and redone | recorded_chunks == set(range(n))
    keys = [(s.group, s.kind, s.index) for s in store.steps["p1"]]
    assert len(keys) == len(set(keys)) == n + 1
    assert traj.fusion is not None and store.runs["p1"].status == "finished"


async def test_resuming_a_finished_run_returns_it_without_calling_anything(
    store: DictTraceStore, appending_updater, echo_answerer, constant_rm
) -> None:
    pipe = sequential(
        updater=appending_updater, answerer=echo_answerer, reward_model=constant_rm, chunk_tokens=40
    )
    doc = words_doc(3)
    first = await pipe.run(doc, Q, run_id="done", store=store)
    calls = len(appending_updater.calls)
    again = await pipe.run(doc, Q, run_id="done", store=store)
    assert len(appending_updater.calls) == calls and len(echo_answerer.calls) == 1
    assert again.final_memory == first.final_memory and again.answer == first.answer


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"doc": "A different document entirely. " * 20}, "different document"),
        ({"chunk_tokens": 30}, r"chunk_tokens=40 \(now 30\)"),
        ({"question": "Who?"}, r"question 'Where does item 302 rest\?', not 'Who\?'"),
        ({"policy": "best-of-2"}, "policy="),
    ],
)
async def test_resume_with_other_inputs_is_refused_with_the_fix(
    change: dict, message: str, store: DictTraceStore, echo_answerer, constant_rm
) -> None:
    doc = words_doc(4)
    with pytest.raises(Crash):
        await sequential(
            updater=crashing_updater({1}),
            answerer=echo_answerer,
            reward_model=constant_rm,
            chunk_tokens=40,
        ).run(doc, Q, run_id="x", store=store)
    pipe = sequential(
        updater=crashing_updater(set()),
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=change.get("chunk_tokens", 40),
        policy=change.get("policy", "score"),
    )
    with pytest.raises(UserError, match=message) as info:
        await pipe.run(change.get("doc", doc), change.get("question", Q), run_id="x", store=store)
    assert "new run" in str(info.value)
    assert len(store.steps["x"]) == 1  # nothing touched


async def test_reward_out_of_range_fails_the_run_and_keeps_earlier_steps(
    store: DictTraceStore, appending_updater, echo_answerer
) -> None:
    rm = FunctionRewardModel(score=lambda u: 1.7 if u.step == 2 else 0.5, name="broken")
    pipe = sequential(
        updater=appending_updater, answerer=echo_answerer, reward_model=rm, chunk_tokens=40
    )
    with pytest.raises(RewardRangeError, match=r"'broken' returned reward 1\.7, outside \[0, 1\]"):
        await pipe.run(words_doc(6), Q, run_id="rm", store=store)
    assert [s.index for s in store.steps["rm"]] == [0, 1]
    assert store.runs["rm"].status == "failed" and "1.7" in (store.runs["rm"].error or "")


async def test_cancellation_propagates_and_marks_the_run_failed(
    store: DictTraceStore, echo_answerer, constant_rm
) -> None:
    started = asyncio.Event()

    async def slow(q: str, m: str, c: Chunk, fb: str | None) -> str:
        if c.index == 1:
            started.set()
            await asyncio.sleep(10)
        return m + "."

    pipe = sequential(
        updater=FunctionUpdater(fn=slow),
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    task = asyncio.create_task(pipe.run(words_doc(4), Q, run_id="cx", store=store))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store.runs["cx"].status == "failed" and store.runs["cx"].error == "cancelled"
    assert len(store.steps["cx"]) == 1


async def test_a_failing_group_cancels_its_siblings_and_raises_the_original_error(
    store: DictTraceStore, echo_answerer, constant_rm, joining_fuser
) -> None:
    cancelled: list[int] = []

    async def fn(q: str, m: str, c: Chunk, fb: str | None) -> str:
        if c.index == 0:
            await asyncio.sleep(0.01)
            raise Crash("group 1 died")
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.append(c.index)
            raise
        return m

    pipe = parallel(
        groups=2,
        updater=FunctionUpdater(fn=fn),
        fuser=joining_fuser,
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    with pytest.raises(Crash, match="group 1 died"):
        await asyncio.wait_for(pipe.run(words_doc(4), Q, run_id="g", store=store), timeout=3)
    assert cancelled  # the sibling group was cancelled, not left running
    assert store.runs["g"].status == "failed"


@pytest.mark.parametrize(
    ("doc", "question", "kwargs", "error", "message"),
    [
        ("", Q, {}, UserError, "document is empty"),
        ("   \n\n ", Q, {}, UserError, "document is empty"),
        ("text. " * 10, "", {}, UserError, r"question is empty \(''\)"),
        ("text. " * 10, "  ", {}, UserError, "question is empty"),
        (
            "text. " * 10,
            Q,
            {"chunk_tokens": 0},
            UserError,
            r"chunk_tokens must be an integer >= 1, got 0",
        ),
    ],
)
async def test_bad_input_is_refused_before_anything_runs(
    doc: str,
    question: str,
    kwargs: dict,
    error: type,
    message: str,
    store: DictTraceStore,
    appending_updater,
    echo_answerer,
    constant_rm,
) -> None:
    with pytest.raises(error, match=message):
        pipe = sequential(
            updater=appending_updater, answerer=echo_answerer, reward_model=constant_rm, **kwargs
        )
        await pipe.run(doc, question, run_id="bad", store=store)
    assert appending_updater.calls == [] and store.runs == {}


async def test_unknown_pattern_and_too_many_groups_are_user_errors(
    appending_updater, joining_fuser, echo_answerer, constant_rm
) -> None:
    from agentmem._pipeline import build_pipeline

    with pytest.raises(
        UnknownNameError, match=r"unknown pattern 'paralel'; did you mean 'parallel'"
    ):
        build_pipeline("paralel", reward_model=constant_rm)  # type: ignore[arg-type]
    pipe = parallel(
        groups=50,
        updater=appending_updater,
        fuser=joining_fuser,
        answerer=echo_answerer,
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    with pytest.raises(UserError, match=r"groups=50 but the document has only \d+ chunk"):
        await pipe.run(words_doc(2), Q)
    with pytest.raises(UserError, match="needs a fuser"):
        from agentmem._pipeline import Pipeline

        Pipeline(
            pattern="mixed",
            updater=appending_updater,
            answerer=echo_answerer,
            reward_model=constant_rm,
            policy=mixed(reward_model=constant_rm).policy,
            groups=2,
        )


async def test_gate_revisions_reach_the_updater_as_feedback_and_are_all_recorded(
    store: DictTraceStore, echo_answerer
) -> None:
    rm = FunctionRewardModel(
        score=lambda u: 0.9 if u.candidate.endswith("(rev)") else 0.2, name="picky"
    )
    updater = FunctionUpdater(fn=lambda q, m, c, fb: f"{m}|c{c.index}" + ("(rev)" if fb else ""))
    pipe = sequential(
        updater=updater, answerer=echo_answerer, reward_model=rm, policy="gate", chunk_tokens=60
    )
    traj = await pipe.run(words_doc(2), Q, run_id="gate", store=store)
    for step in traj.steps:
        assert (
            len(step.attempts) == 2
            and step.decision == "accepted_after_revision"
            and step.chosen == 1
        )
        assert (
            step.attempts[1].candidate.feedback is not None
            and "picky scored 0.200" in step.attempts[1].candidate.feedback
        )
    fed = [fb for (_, _, _, fb) in updater.calls]
    assert fed[0] is None and fed[1] is not None
    assert store.steps["gate"][0].attempts == traj.steps[0].attempts


async def test_an_answer_failure_keeps_every_step_and_resume_only_answers(
    store: DictTraceStore, appending_updater, constant_rm
) -> None:
    from agentmem.testing import FunctionAnswerer

    def broken(q: str, m: str) -> str:
        raise ConnectionError("answer model down")

    pipe = sequential(
        updater=appending_updater,
        answerer=FunctionAnswerer(fn=broken),
        reward_model=constant_rm,
        chunk_tokens=40,
    )
    with pytest.raises(ConnectionError) as info:
        await pipe.run(words_doc(3), Q, run_id="ans", store=store)
    assert any("while answering" in n for n in info.value.__notes__)
    n = len(store.steps["ans"])
    calls = len(appending_updater.calls)
    assert n == calls and store.runs["ans"].status == "failed"
    pipe.answerer = FunctionAnswerer(fn=lambda q, m: f"\\boxed{{{m}}}")
    traj = await pipe.run(words_doc(3), Q, run_id="ans", store=store)
    assert len(appending_updater.calls) == calls and traj.answer is not None
    assert store.runs["ans"].status == "finished"
