"""The TraceStore contract, run against the in-memory, SQLite and PostgreSQL stores alike."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from store_factories import make_answer, make_info, make_step

from agentmem._trace import RunInfo, TraceStore
from agentmem.exceptions import UserError
from agentmem.store import InMemoryTraceStore, SQLTraceStore

Store = InMemoryTraceStore | SQLTraceStore


async def test_store_satisfies_protocol(trace_store: Store) -> None:
    assert isinstance(trace_store, TraceStore)


async def test_steps_round_trip_exactly(trace_store: Store) -> None:
    await trace_store.begin_run(make_info("r1", groups=1))
    steps = [make_step(0), make_step(1, rejected=2), make_step(2, rejected=1)]
    fusion = make_step(0, kind="fusion", previous="m1\n\nm2")
    for s in [*steps, fusion]:
        await trace_store.record_step("r1", s)

    got = await trace_store.recorded_steps("r1")
    assert got == [*steps, fusion]  # every field of every attempt, usage and reward
    assert got[1].rejected == steps[1].rejected
    assert got[1].attempts[2].candidate.feedback == "keep the key facts"
    assert got[0].attempts[0].reward.evidence == {
        "redundancy": 0.1,
        "features": {"overlap": [0.2, 0.3]},
        "ok": True,
        "n": None,
    }
    assert got[3].chunk is None


async def test_recorded_steps_are_copies(trace_store: Store) -> None:
    await trace_store.begin_run(make_info("r1"))
    step = make_step(0)
    await trace_store.record_step("r1", step)
    step.attempts.clear()  # the caller mutates its object afterwards
    (got,) = await trace_store.recorded_steps("r1")
    assert len(got.attempts) == 1
    got.attempts.clear()
    assert len((await trace_store.recorded_steps("r1"))[0].attempts) == 1


async def test_replayed_step_is_not_duplicated(trace_store: Store) -> None:
    await trace_store.begin_run(make_info("r1"))
    first = make_step(0)
    await trace_store.record_step("r1", first)
    await trace_store.record_step("r1", make_step(1))
    # A replay after resume records the same (group, kind, index) again, possibly re-scored.
    replay = dataclasses.replace(make_step(0), latency_s=9.0)
    await trace_store.record_step("r1", replay)
    got = await trace_store.recorded_steps("r1")
    assert [(s.group, s.kind, s.index) for s in got] == [(0, "update", 0), (0, "update", 1)]
    assert got[0] == first  # the committed version stays
    info = await trace_store.get_run("r1")
    assert info is not None and info.n_steps == 2


async def test_same_index_in_other_group_or_kind_is_a_different_step(trace_store: Store) -> None:
    await trace_store.begin_run(make_info("r1"))
    for s in [make_step(0, group=0), make_step(0, group=1), make_step(0, kind="fusion")]:
        await trace_store.record_step("r1", s)
    assert len(await trace_store.recorded_steps("r1")) == 3


async def test_concurrent_groups_keep_commit_order_and_lose_nothing(trace_store: Store) -> None:
    await trace_store.begin_run(make_info("r1", groups=4))
    returned: list[tuple[int, int]] = []
    before: dict[tuple[int, int], list[tuple[int, int]]] = {}

    async def group(g: int) -> None:
        for i in range(8):
            before[(g, i)] = list(returned)  # steps whose commit had returned when this one began
            await trace_store.record_step("r1", make_step(i, group=g))
            returned.append((g, i))
            await asyncio.sleep(0)

    await asyncio.gather(*(group(g) for g in range(4)))
    got = await trace_store.recorded_steps("r1")
    order = [(s.group, s.index) for s in got]
    assert sorted(order) == sorted(returned)  # all 32, no duplicates
    position = {key: n for n, key in enumerate(order)}
    for key, earlier in before.items():  # commit order: a step never precedes one done before it
        assert all(position[e] < position[key] for e in earlier), (key, order)
    traj = await trace_store.load_trajectory("r1")
    assert traj.groups == 4
    assert [s.index for s in traj.group_steps(2)] == list(range(8))


async def test_trajectory_carries_run_fields_and_answer(trace_store: Store) -> None:
    info = make_info("r1", groups=2)
    info = dataclasses.replace(info, pattern="parallel")
    await trace_store.begin_run(info)
    steps = [make_step(0, group=0), make_step(0, group=1), make_step(0, kind="fusion")]
    for s in steps:
        await trace_store.record_step("r1", s)
    await trace_store.finish_run("r1", make_answer())

    traj = await trace_store.load_trajectory("r1")
    assert traj.run_id == "r1"
    assert traj.question == "Where is the key?"
    assert traj.pattern == "parallel"
    assert traj.groups == 2
    assert traj.policy == "gate"
    assert traj.reward_model == "heuristic"
    assert traj.steps == steps
    assert traj.fusion == steps[2]
    assert traj.answer == make_answer()
    run = await trace_store.get_run("r1")
    assert run is not None
    assert run.status == "finished"
    assert run.finished_at is not None and run.finished_at >= run.created_at > 0
    assert run.config["chunk_tokens"] == 5000


async def test_begin_run_again_with_same_config_keeps_steps(trace_store: Store) -> None:
    await trace_store.begin_run(make_info("r1"))
    await trace_store.record_step("r1", make_step(0))
    await trace_store.begin_run(make_info("r1"))
    assert len(await trace_store.recorded_steps("r1")) == 1


async def test_begin_run_with_other_config_names_the_difference(trace_store: Store) -> None:
    await trace_store.begin_run(make_info("r1"))
    with pytest.raises(UserError, match=r"'r1'.*chunk_tokens: 5000 -> 1000"):
        await trace_store.begin_run(make_info("r1", chunk_tokens=1000))


async def test_failed_run_keeps_steps_and_resumes_to_running(trace_store: Store) -> None:
    await trace_store.begin_run(make_info("r1"))
    await trace_store.record_step("r1", make_step(0))
    await trace_store.fail_run("r1", "ModelError: gave up after 3 retries")
    info = await trace_store.get_run("r1")
    assert info is not None
    assert (info.status, info.error, info.n_steps) == (
        "failed",
        "ModelError: gave up after 3 retries",
        1,
    )

    await trace_store.begin_run(make_info("r1"))  # resume
    info = await trace_store.get_run("r1")
    assert info is not None and (info.status, info.error) == ("running", None)
    await trace_store.record_step("r1", make_step(1))
    await trace_store.finish_run("r1", make_answer())
    traj = await trace_store.load_trajectory("r1")
    assert [s.index for s in traj.steps] == [0, 1]


async def test_unknown_run_is_a_user_error(trace_store: Store) -> None:
    await trace_store.begin_run(make_info("run-alpha"))
    assert await trace_store.get_run("nope") is None
    assert await trace_store.recorded_steps("nope") == []
    with pytest.raises(UserError, match=r"unknown run id 'run-alphx'.*did you mean 'run-alpha'"):
        await trace_store.load_trajectory("run-alphx")
    with pytest.raises(UserError, match="unknown run id 'nope'"):
        await trace_store.record_step("nope", make_step(0))
    with pytest.raises(UserError, match="unknown run id 'nope'"):
        await trace_store.finish_run("nope", make_answer())
    with pytest.raises(UserError, match="unknown run id 'nope'"):
        await trace_store.fail_run("nope", "x")


async def test_malformed_step_is_rejected_before_writing(trace_store: Store) -> None:
    await trace_store.begin_run(make_info("r1"))
    bad = dataclasses.replace(make_step(0, rejected=1), chosen=5)
    with pytest.raises(UserError, match=r"chosen=5 is not an index into its 2 attempts"):
        await trace_store.record_step("r1", bad)
    with pytest.raises(UserError, match="has no attempts"):
        await trace_store.record_step("r1", dataclasses.replace(make_step(0), attempts=[]))
    assert await trace_store.recorded_steps("r1") == []


async def test_bad_run_id_is_rejected(trace_store: Store) -> None:
    with pytest.raises(UserError, match="run id must be a non-empty string, got '  '"):
        await trace_store.begin_run(RunInfo(run_id="  ", question="q", pattern="sequential"))


async def test_list_runs_newest_first_with_counts(trace_store: Store) -> None:
    for i in range(5):
        info = dataclasses.replace(make_info(f"run-{i}"), created_at=1000.0 + i)
        await trace_store.begin_run(info)
        for j in range(i):
            await trace_store.record_step(f"run-{i}", make_step(j))
    await trace_store.fail_run("run-1", "boom")
    runs = await trace_store.list_runs(limit=3)
    assert [(r.run_id, r.n_steps) for r in runs] == [("run-4", 4), ("run-3", 3), ("run-2", 2)]
    everything = await trace_store.list_runs()
    assert [r.status for r in everything] == ["running"] * 3 + ["failed", "running"]
    assert await trace_store.match_run_ids("run-") == [f"run-{i}" for i in range(5)]
    assert await trace_store.match_run_ids("run-3") == ["run-3"]
    assert await trace_store.match_run_ids("x%") == []


async def test_config_is_stored_as_json(trace_store: Store) -> None:
    await trace_store.begin_run(make_info("r1", groups=(1, 2), nested={"a": {1, 2}}))
    info = await trace_store.get_run("r1")
    assert info is not None
    assert info.config["groups"] == [1, 2]
    assert info.config["nested"] == {"a": [1, 2]}
    # begin_run with the same (un-normalised) config is still the same run
    await trace_store.begin_run(make_info("r1", groups=(1, 2), nested={"a": {1, 2}}))


async def test_non_finite_numbers_round_trip(trace_store: Store) -> None:
    # Not JSON-representable: PostgreSQL takes its generic multi-statement path for these.
    await trace_store.begin_run(make_info("r1"))
    step = dataclasses.replace(make_step(0), latency_s=float("inf"))
    att = step.attempts[0]
    usage = dataclasses.replace(att.candidate.usage, cost=float("-inf"))
    step.attempts[0] = dataclasses.replace(
        att, candidate=dataclasses.replace(att.candidate, usage=usage)
    )
    await trace_store.record_step("r1", step)
    await trace_store.record_step("r1", step)
    assert await trace_store.recorded_steps("r1") == [step]


async def test_runs_started_at_the_same_time_list_by_id(trace_store: Store) -> None:
    for rid in ["b", "c", "a"]:
        await trace_store.begin_run(dataclasses.replace(make_info(rid), created_at=5.0))
    assert [r.run_id for r in await trace_store.list_runs()] == ["a", "b", "c"]


async def test_trajectory_json_round_trips(trace_store: Store) -> None:
    import json

    from agentmem.store import trajectory_from_dict, trajectory_to_dict

    await trace_store.begin_run(make_info("r1", groups=2))
    for s in [
        make_step(0, group=1, rejected=2),
        make_step(0, group=2),
        make_step(0, kind="fusion"),
    ]:
        await trace_store.record_step("r1", s)
    await trace_store.finish_run("r1", make_answer())
    traj = await trace_store.load_trajectory("r1")
    text = json.dumps(trajectory_to_dict(traj))
    assert trajectory_from_dict(json.loads(text)) == traj
