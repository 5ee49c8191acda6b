"""Operation semantics of the facts memory: ADD / UPDATE / DELETE / NOOP, supersede, forget."""

from __future__ import annotations

import pytest

from agentmem.exceptions import UserError
from agentmem.memory import FactsMemory, Scope, inject_block

ALICE = Scope(user_id="alice")


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


async def test_add_then_update_supersedes_and_keeps_history(memory: FactsMemory, script) -> None:
    script.facts = lambda msgs: ["Alice lives in Paris"]
    first = await memory.add(user("I live in Paris"), scope=ALICE)
    [added] = first.applied
    assert added.op.op == "ADD" and added.memory_id

    script.facts = lambda msgs: ["Alice lives in Berlin"]
    script.ops = lambda facts, related, fb: [
        {"event": "UPDATE", "id": related[0].ref, "text": facts[0], "fact": 0}
    ]
    second = await memory.add(user("I moved, I live in Berlin now"), scope=ALICE)
    [upd] = second.applied
    assert upd.op.op == "UPDATE" and upd.memory_id == added.memory_id
    # the proposer saw the real memory only under a temporary integer id
    assert [r.ref for r in script.seen_related[-1]] == [0]
    assert all(added.memory_id not in str(r) for r in script.seen_related[-1])

    [current] = await memory.get_all(scope=ALICE)
    assert (current.text, current.version) == ("Alice lives in Berlin", 2)
    versions = await memory.versions(added.memory_id, scope=ALICE)
    assert [v.text for v in versions] == ["Alice lives in Paris", "Alice lives in Berlin"]
    assert versions[0].valid_to is not None and versions[1].valid_to is None
    events = await memory.history(added.memory_id, scope=ALICE)
    assert [(e.op, e.status, e.old_text, e.new_text) for e in events] == [
        ("ADD", "applied", None, "Alice lives in Paris"),
        ("UPDATE", "applied", "Alice lives in Paris", "Alice lives in Berlin"),
    ]
    assert (
        events[1].score is not None and events[1].scorer == "grounding-test" and events[1].rationale
    )
    hits = await memory.search("where does alice live", scope=ALICE)
    assert [h.text for h in hits] == ["Alice lives in Berlin"]


async def test_noop_changes_nothing_but_is_recorded(memory: FactsMemory, script) -> None:
    script.facts = lambda msgs: ["Alice likes green tea"]
    await memory.add(user("I like green tea"), scope=ALICE)
    script.ops = lambda facts, related, fb: [
        {"event": "NOOP", "id": 0, "text": facts[0], "fact": 0}
    ]
    res = await memory.add(user("Green tea, I like it"), scope=ALICE)
    assert [o.op.op for o in res.outcomes] == ["NOOP"]
    [item] = await memory.get_all(scope=ALICE)
    assert item.version == 1
    assert [e.op for e in await memory.history(item.id, scope=ALICE)] == ["ADD", "NOOP"]


async def test_exact_duplicate_add_becomes_noop(memory: FactsMemory, script) -> None:
    script.facts = lambda msgs: ["Alice likes green tea"]
    await memory.add(user("I like green tea"), scope=ALICE)
    res = await memory.add(user("I like green tea"), scope=ALICE)  # the proposer says ADD again
    assert [o.op.op for o in res.outcomes] == ["NOOP"]
    assert len(await memory.get_all(scope=ALICE)) == 1


async def test_delete_closes_the_memory_and_forget_erases_it(memory: FactsMemory, script) -> None:
    script.facts = lambda msgs: ["Alice has a cat named Tom"]
    [added] = (await memory.add(user("I have a cat named Tom"), scope=ALICE)).applied
    mid = added.memory_id
    assert mid is not None
    script.facts = lambda msgs: ["Alice no longer has a cat"]
    script.ops = lambda facts, related, fb: [{"event": "DELETE", "id": 0, "fact": 0}]
    res = await memory.add(
        user("Tom the cat sadly ran away, so I no longer have a cat"), scope=ALICE
    )
    assert [o.op.op for o in res.applied] == ["DELETE"]
    assert await memory.get_all(scope=ALICE) == []
    assert await memory.search("cat", scope=ALICE) == []
    closed = await memory.get(mid, scope=ALICE)
    assert (
        closed is not None
        and closed.valid_to is not None
        and closed.text == "Alice has a cat named Tom"
    )

    assert await memory.forget(mid, scope=ALICE) is True
    assert await memory.get(mid, scope=ALICE) is None
    assert await memory.versions(mid, scope=ALICE) == []
    [ev] = await memory.history(mid, scope=ALICE)
    assert ev.op == "FORGET" and ev.old_text is None and ev.new_text is None
    requests = await memory.store.history.requests(ALICE.key)
    assert all("Tom" not in str(r.result.get("conversation")) for r in requests)
    assert await memory.forget(mid, scope=ALICE) is False


async def test_invented_id_is_refused_and_recorded(memory: FactsMemory, script) -> None:
    script.facts = lambda msgs: ["Alice lives in Paris"]
    await memory.add(user("I live in Paris"), scope=ALICE)
    script.facts = lambda msgs: ["Alice lives in Rome"]
    script.ops = lambda facts, related, fb: [
        {"event": "UPDATE", "id": 7, "text": facts[0], "fact": 0}
    ]
    res = await memory.add(user("I live in Rome"), scope=ALICE)
    assert res.applied == [] and len(res.rejected) == 2  # first proposal and its revision
    assert "7" in res.rejected[0].rationale
    [item] = await memory.get_all(scope=ALICE)
    assert item.text == "Alice lives in Paris"
    events = await memory.store.events(ALICE, request_id=res.request_id)
    assert [e.status for e in events] == ["rejected", "rejected"]


async def test_direct_update_and_delete(memory: FactsMemory, script) -> None:
    script.facts = lambda msgs: ["Alice is vegetarian"]
    [a] = (await memory.add(user("I am vegetarian"), scope=ALICE)).applied
    assert a.memory_id
    item = await memory.update(a.memory_id, "Alice is vegan", scope=ALICE)
    assert (item.text, item.version) == ("Alice is vegan", 2)
    await memory.delete(a.memory_id, scope=ALICE)
    assert await memory.get_all(scope=ALICE) == []
    with pytest.raises(UserError, match="no current memory"):
        await memory.update(a.memory_id, "x", scope=ALICE)
    with pytest.raises(UserError, match="no current memory"):
        await memory.delete("not-an-id", scope=ALICE)


async def test_injected_memories_and_system_prompts_are_never_extracted(
    memory: FactsMemory, script
) -> None:
    script.facts = lambda msgs: ["Alice likes jazz", "Alice lives in Paris"]
    msgs = [
        {
            "role": "system",
            "content": "You are a helpful assistant. " + inject_block(["Alice lives in Paris"]),
        },
        {"role": "user", "content": "Put on some jazz, I like jazz"},
        {"role": "assistant", "content": "Sure! " + inject_block(["Alice lives in Paris"])},
    ]
    res = await memory.add(msgs, scope=ALICE)
    seen = script.seen_messages[-1]
    assert [m["role"] for m in seen] == ["user", "assistant"]
    assert all(
        "agentmem-memories" not in m["content"] and "helpful assistant" not in m["content"]
        for m in seen
    )
    assert res.facts == ["Alice likes jazz"]  # the echo of an injected memory is not written back
    assert [m.text for m in await memory.get_all(scope=ALICE)] == ["Alice likes jazz"]


async def test_idempotency_key_replays_instead_of_writing_twice(
    memory: FactsMemory, script
) -> None:
    script.facts = lambda msgs: ["Alice plays chess"]
    first = await memory.add(user("I play chess"), scope=ALICE, idempotency_key="turn-1")
    again = await memory.add(user("I play chess"), scope=ALICE, idempotency_key="turn-1")
    assert again.replayed and not first.replayed
    assert [o.memory_id for o in again.outcomes] == [o.memory_id for o in first.outcomes]
    assert len(script.seen_messages) == 1
    assert len(await memory.get_all(scope=ALICE)) == 1


async def test_metadata_cannot_change_identity(memory: FactsMemory) -> None:
    with pytest.raises(UserError, match="identity"):
        await memory.add(user("I play chess daily"), scope=ALICE, metadata={"user_id": "bob"})
    with pytest.raises(UserError, match=r"Scope\.user_id"):
        Scope(user_id="")
    with pytest.raises(UserError, match="role"):
        await memory.add([{"role": "robot", "content": "x"}], scope=ALICE)


async def test_metadata_is_kept(memory: FactsMemory, script) -> None:
    script.facts = lambda msgs: ["Alice runs marathons"]
    await memory.add(user("I run marathons"), scope=ALICE, metadata={"source": "onboarding"})
    [item] = await memory.get_all(scope=ALICE)
    assert item.metadata == {"source": "onboarding"} and item.user_id == "alice"


async def test_bad_arguments_name_the_value_and_the_fix(memory: FactsMemory) -> None:
    with pytest.raises(UserError, match=r"limit must be >= 1, got 0"):
        await memory.search("tea", scope=ALICE, limit=0)
    with pytest.raises(UserError, match=r"message 0 must be a dict"):
        await memory.add(["just a string in a list"], scope=ALICE)  # type: ignore[list-item]
    with pytest.raises(UserError, match=r"content must be a string, got int"):
        await memory.add([{"role": "user", "content": 42}], scope=ALICE)
    with pytest.raises(UserError, match="idempotency_key is empty"):
        await memory.add("I like tea", scope=ALICE, idempotency_key=" ")
    with pytest.raises(UserError, match=r"Scope\.tenant_id"):
        Scope(user_id="alice", tenant_id="bad\nname")


async def test_nothing_to_remember_writes_nothing(memory: FactsMemory, script) -> None:
    script.facts = lambda msgs: []
    res = await memory.add("hi!", scope=ALICE)
    assert res.outcomes == [] and await memory.get_all(scope=ALICE) == []
    res = await memory.add([{"role": "system", "content": "You are helpful."}], scope=ALICE)
    assert res.facts == [] and script.seen_messages[-1] == [{"role": "user", "content": "hi!"}]
