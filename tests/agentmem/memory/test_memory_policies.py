"""Reward-model gating of memory writes: score, gate-and-revise, best-of-N."""

from __future__ import annotations

import pytest

from agentmem.exceptions import UnknownNameError, UserError
from agentmem.memory import Scope, WritePolicy
from agentmem.policies import PolicySpec, make_policy

ALICE = Scope(user_id="alice")


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


async def test_gate_does_not_store_a_hallucinated_fact(make_memory, script) -> None:
    script.facts = lambda msgs: [
        "Alice owns a yacht in Monaco"
    ]  # nothing in the message supports it
    async with make_memory("gate:0.5:2") as memory:
        res = await memory.add(user("I had tea this morning"), scope=ALICE)
        assert res.applied == []
        assert len(res.rejected) == 2  # the first proposal and one revision, both recorded
        assert await memory.get_all(scope=ALICE) == []
        events = await memory.store.events(ALICE, request_id=res.request_id)
        assert [(e.op, e.status) for e in events] == [("ADD", "rejected"), ("ADD", "rejected")]
        assert all(e.score is not None and e.score < 0.5 and "yach" in e.rationale for e in events)
        # the revision was asked with the reward model's rationale as feedback
        assert script.seen_feedback[0] is None and "yacht" in (script.seen_feedback[1] or "")


async def test_score_policy_stores_it_but_records_the_low_score(make_memory, script) -> None:
    script.facts = lambda msgs: ["Alice owns a yacht in Monaco"]
    async with make_memory("score") as memory:
        res = await memory.add(user("I had tea this morning"), scope=ALICE)
        [o] = res.applied
        assert o.score is not None and o.score < 0.5
        [ev] = await memory.history(o.memory_id or "", scope=ALICE)
        assert ev.score == o.score


async def test_gate_revision_that_passes_is_applied(make_memory, script) -> None:
    script.facts = lambda msgs: ["Alice owns a yacht"]
    script.ops = lambda facts, related, fb: (
        [{"event": "ADD", "text": "Alice had tea this morning", "fact": 0}]
        if fb
        else [{"event": "ADD", "text": facts[0], "fact": 0}]
    )
    async with make_memory("gate:0.5:3") as memory:
        res = await memory.add(user("I had tea this morning"), scope=ALICE)
        [ok] = res.applied
        assert ok.op.text == "Alice had tea this morning" and ok.attempts == 2
        assert [o.op.text for o in res.rejected] == ["Alice owns a yacht"]
        assert [m.text for m in await memory.get_all(scope=ALICE)] == ["Alice had tea this morning"]


async def test_contradiction_updates_instead_of_duplicating(make_memory, script) -> None:
    """The model first proposes a second, contradicting ADD; the RM sees the memory would then
    hold both cities, the gate sends it back, and the revision UPDATEs the old fact."""

    def ops(facts, related, fb):
        if fb is None:
            return [{"event": "ADD", "text": facts[0], "fact": 0}]
        return [{"event": "UPDATE", "id": related[0].ref, "text": facts[0], "fact": 0}]

    async with make_memory("gate:0.5:2") as memory:
        script.facts = lambda msgs: ["Alice lives in Paris"]
        await memory.add(user("I live in Paris"), scope=ALICE)
        script.facts = lambda msgs: ["Alice lives in Berlin"]
        script.ops = ops
        rm = memory.reward_model

        async def contradiction_aware(
            update,
        ):  # a stale "lives in" fact left next to a new one scores low
            lines = [line for line in update.candidate.splitlines() if "lives in" in line]
            from rewards import Reward

            if len(lines) > 1:
                return Reward(
                    value=0.1,
                    rationale="contradicts the existing memory 'lives in Paris'",
                    scorer="t",
                )
            return Reward(value=0.9, rationale="consistent", scorer="t")

        rm.score_update = contradiction_aware  # type: ignore[method-assign]
        res = await memory.add(user("I live in Berlin now"), scope=ALICE)
        assert [o.op.op for o in res.applied] == ["UPDATE"]
        assert [m.text for m in await memory.get_all(scope=ALICE)] == ["Alice lives in Berlin"]


async def test_best_of_n_applies_the_best_scored_proposal(make_memory, script) -> None:
    texts = iter(["Alice owns a yacht", "Alice drinks tea every morning", "Alice likes golf"])
    script.facts = lambda msgs: ["Alice drinks tea"]
    script.ops = lambda facts, related, fb: [{"event": "ADD", "text": next(texts), "fact": 0}]
    async with make_memory("best-of-3") as memory:
        res = await memory.add(user("I drink tea every morning"), scope=ALICE)
        [best] = res.applied
        assert best.op.text == "Alice drinks tea every morning"
        assert len(res.rejected) == 2 and all("not selected" in o.rationale for o in res.rejected)


def test_policy_specs() -> None:
    assert WritePolicy.parse(None).label == "gate:0.5:2:refuse"
    assert WritePolicy.parse("gate:0.7:3") == PolicySpec(
        kind="gate", threshold=0.7, max_attempts=3, on_failure="refuse"
    )
    assert WritePolicy.parse("gate:best-of-3:keep-best").label == "gate:0.5:2:best-of-3:keep-best"
    assert WritePolicy.parse("best-of-4").n == 4
    assert WritePolicy.parse("score").kind == "score"
    # the same vocabulary as pipelines, parsed by the same function
    assert make_policy("gate:0.7:3:best-of-2:refuse").policy_spec.label == (  # type: ignore[attr-defined]
        WritePolicy.parse("gate:0.7:3:best-of-2:refuse").label
    )
    with pytest.raises(UnknownNameError, match="did you mean"):
        WritePolicy.parse("scor")
    with pytest.raises(UserError, match="threshold"):
        WritePolicy.parse("gate:1.5")
    with pytest.raises(UserError, match="gate:THRESHOLD"):
        WritePolicy.parse("gate:high")
