"""Update policies: every candidate, score and decision kept; the RM decides what is committed."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from agentmem._types import Candidate
from agentmem.exceptions import RewardRangeError, UnknownNameError, UserError
from agentmem.policies import BestOfN, Gate, ScorePolicy, make_policy
from rewards import Reward


def scripted(texts: list[str]):
    """A propose() that returns the scripted texts in order and records the feedback it got."""
    it = iter(texts)
    seen: list[str | None] = []

    async def propose(feedback: str | None) -> Candidate:
        seen.append(feedback)
        return Candidate(text=next(it), feedback=feedback)

    return propose, seen


def scores(table: dict[str, float], rationale: str = "too vague"):
    async def score(c: Candidate) -> Reward:
        return Reward(value=table[c.text], rationale=f"{rationale} ({c.text})", scorer="table")

    return score


async def test_score_policy_keeps_the_only_candidate_whatever_its_score() -> None:
    propose, seen = scripted(["m1"])
    out = await ScorePolicy().decide(propose, scores({"m1": 0.01}))
    assert [a.candidate.text for a in out.attempts] == ["m1"]
    assert (out.chosen, out.decision, seen) == (0, "accepted", [None])
    assert out.attempts[0].reward.value == 0.01


async def test_best_of_n_picks_the_highest_score_and_keeps_all() -> None:
    propose, _ = scripted(["a", "b", "c", "d"])
    out = await BestOfN(n=4).decide(propose, scores({"a": 0.2, "b": 0.9, "c": 0.5, "d": 0.1}))
    assert [a.candidate.text for a in out.attempts] == ["a", "b", "c", "d"]
    assert out.best.candidate.text == "b" and out.decision == "selected"


async def test_best_of_n_ties_go_to_the_lowest_candidate_index_whatever_the_finish_order() -> None:
    counter = itertools.count()

    async def propose(feedback: str | None) -> Candidate:
        i = next(counter)
        await asyncio.sleep(0.02 * (4 - i))  # later candidates finish first
        return Candidate(text=f"c{i}")

    async def score(c: Candidate) -> Reward:
        return Reward(value=0.7 if c.text in ("c1", "c3") else 0.2)

    out = await BestOfN(n=4).decide(propose, score)
    assert [a.candidate.text for a in out.attempts] == ["c0", "c1", "c2", "c3"]
    assert out.chosen == 1


async def test_best_of_n_samples_and_scores_concurrently() -> None:
    async def propose(feedback: str | None) -> Candidate:
        await asyncio.sleep(0.05)
        return Candidate(text="x")

    async def score(c: Candidate) -> Reward:
        await asyncio.sleep(0.05)
        return Reward(value=0.5)

    t0 = time.perf_counter()
    await BestOfN(n=4).decide(propose, score)
    wall = time.perf_counter() - t0
    assert wall < 0.3  # about one model + one RM call (0.1 s); one after another would take 0.4 s


async def test_gate_accepts_first_time_when_the_score_passes() -> None:
    propose, seen = scripted(["good"])
    out = await Gate(threshold=0.6).decide(propose, scores({"good": 0.6}))
    assert (out.decision, out.chosen, seen) == ("accepted", 0, [None])


async def test_gate_revises_with_the_rationale_as_feedback_until_it_passes() -> None:
    propose, seen = scripted(["bad", "meh", "good"])
    out = await Gate(threshold=0.7, max_attempts=5).decide(
        propose, scores({"bad": 0.1, "meh": 0.4, "good": 0.9})
    )
    assert [a.candidate.text for a in out.attempts] == ["bad", "meh", "good"]
    assert [a.round for a in out.attempts] == [0, 1, 2]
    assert (out.chosen, out.decision) == (2, "accepted_after_revision")
    assert seen[0] is None
    assert (
        seen[1] is not None
        and "too vague (bad)" in seen[1]
        and "bad" in seen[1]
        and "0.10" in seen[1]
    )
    assert seen[2] is not None and "too vague (meh)" in seen[2]
    assert out.attempts[1].candidate.feedback == seen[1]


async def test_gate_keeps_the_best_attempt_and_says_so_when_none_passes() -> None:
    propose, seen = scripted(["a", "b", "c"])
    out = await Gate(threshold=0.9, max_attempts=3).decide(
        propose, scores({"a": 0.3, "b": 0.5, "c": 0.5})
    )
    assert len(out.attempts) == 3 and len(seen) == 3
    assert (out.chosen, out.decision) == (1, "accepted_below_threshold")  # tie: the earliest


async def test_gate_around_best_of_n_samples_n_per_round_and_gates_on_the_best() -> None:
    propose, seen = scripted(["a0", "a1", "b0", "b1"])
    table = {"a0": 0.2, "a1": 0.4, "b0": 0.8, "b1": 0.6}
    out = await make_policy("gate:best-of-2", threshold=0.7).decide(propose, scores(table))
    assert [a.round for a in out.attempts] == [0, 0, 1, 1]
    assert out.best.candidate.text == "b0" and out.decision == "accepted_after_revision"
    assert seen[2] is not None and "(a1)" in seen[2]  # feedback from the best of the rejected round


async def test_a_reward_outside_0_1_is_an_error_naming_the_value() -> None:
    with pytest.raises(RewardRangeError, match=r"1\.5.*outside \[0, 1\]"):
        Reward(value=1.5, scorer="judge")


@pytest.mark.parametrize(
    ("spec", "label"),
    [
        ("score", "score"),
        ("best-of-4", "best-of-4"),
        ("Best-of-8", "best-of-8"),
        ("best-of-n", "best-of-4"),
        ("gate", "gate"),
        ("gate:best-of-3", "gate:best-of-3"),
        ("gate:score", "gate"),
    ],
)
def test_make_policy_builds_from_spec_strings(spec: str, label: str) -> None:
    assert make_policy(spec).label == label


def test_make_policy_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(
        UnknownNameError, match=r"unknown policy 'best-off-4'; did you mean 'best-of-4'"
    ):
        make_policy("best-off-4")
    with pytest.raises(UnknownNameError, match=r"'scor'.*did you mean 'score'"):
        make_policy("scor")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"spec": "best-of-0"}, r"N >= 1.*got 0"),
        ({"spec": "gate", "threshold": 1.5}, r"threshold.*\[0, 1\], got 1\.5"),
        ({"spec": "gate", "max_attempts": 0}, r"max_attempts.*>= 1, got 0"),
        ({"spec": ""}, r"non-empty"),
    ],
)
def test_make_policy_rejects_bad_numbers_with_the_fix(kwargs: dict, message: str) -> None:
    with pytest.raises(UserError, match=message):
        make_policy(**kwargs)


async def test_a_failing_candidate_does_not_lose_its_siblings_and_is_listed() -> None:
    counter = itertools.count()

    async def propose(feedback: str | None) -> Candidate:
        i = next(counter)
        if i == 1:
            raise ConnectionError("provider dropped the call")
        return Candidate(text=f"c{i}")

    out = await BestOfN(n=3).decide(propose, scores({"c0": 0.4, "c2": 0.8}))
    assert [a.candidate.text for a in out.attempts] == ["c0", "c2"]
    assert out.best.candidate.text == "c2"
    assert len(out.errors) == 1 and "ConnectionError: provider dropped the call" in out.errors[0]


async def test_when_every_candidate_fails_the_first_error_is_raised_with_all_of_them() -> None:
    async def propose(feedback: str | None) -> Candidate:
        raise ConnectionError("down")

    with pytest.raises(ConnectionError, match="down") as info:
        await BestOfN(n=2).decide(propose, scores({}))
    assert any("all 2 attempts" in n for n in info.value.__notes__)


async def test_a_failed_revision_keeps_the_earlier_rounds() -> None:
    calls = itertools.count()

    async def propose(feedback: str | None) -> Candidate:
        if next(calls) == 1:
            raise TimeoutError("revision timed out")
        return Candidate(text="first" if feedback is None else "third")

    out = await Gate(threshold=0.9, max_attempts=3).decide(
        propose, scores({"first": 0.3, "third": 0.95})
    )
    assert [a.candidate.text for a in out.attempts] == ["first", "third"]
    assert out.decision == "accepted_after_revision" and len(out.errors) == 1


async def test_gate_refuse_keeps_the_previous_memory_and_records_every_attempt() -> None:
    propose, _ = scripted(["a", "b"])
    policy = make_policy("gate:0.9:2:refuse")
    out = await policy.decide(propose, scores({"a": 0.3, "b": 0.5}))
    assert out.decision == "refused" and len(out.attempts) == 2
    assert policy.label == "gate:refuse"


def test_spec_numbers_and_option_numbers_must_agree() -> None:
    gate = make_policy("gate:0.7:5")
    assert isinstance(gate, Gate) and (gate.threshold, gate.max_attempts) == (0.7, 5)
    assert make_policy("gate:0.7", threshold=0.7).label == "gate"
    with pytest.raises(UserError, match=r"spec says threshold 0\.7 but the option says 0\.5"):
        make_policy("gate:0.7", threshold=0.5)
    with pytest.raises(UserError, match=r"bad THRESHOLD 'high'"):
        make_policy("gate:high")
