"""The model-backed facts memory against the fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentmem.exceptions import ModelError
from agentmem.memory import FactsMemory, Scope
from agentmem.testing import FakeOpenAIServer, FakeRequest

ALICE = Scope(user_id="alice")


def model_reply(req: FakeRequest) -> str:
    """A scripted 'model': extraction and operation proposals in the JSON shapes asked for."""
    if "durable facts" in req.system:
        facts = []
        if "Lisbon" in req.user:
            facts.append("Alice lives in Lisbon")
        if "Porto" in req.user:
            facts.append("Alice lives in Porto")
        if "surf" in req.user:
            facts.append("Alice surfs on weekends")
        return json.dumps({"facts": facts})
    assert "EXISTING memories" in req.user
    existing = dict(
        line.split(": ", 1)
        for line in req.user.split("EXISTING memories:\n")[1].split("\n\n")[0].splitlines()
        if ": " in line
    )
    new = req.user.split("NEW facts:\n")[1].split("\n\n")[0].splitlines()
    ops = []
    for line in new:
        idx, fact = line.split(": ", 1)
        same = [
            i
            for i, t in existing.items()
            if t.split(" in ")[0] == fact.split(" in ")[0] and "lives" in t
        ]
        if same:
            ops.append({"fact": int(idx), "event": "UPDATE", "id": int(same[0]), "text": fact})
        else:
            ops.append({"fact": int(idx), "event": "ADD", "id": None, "text": fact})
    return "```json\n" + json.dumps({"operations": ops}) + "\n```"


async def test_llm_extraction_and_proposal_end_to_end(tmp_path: Path, rm) -> None:
    with FakeOpenAIServer(handler=model_reply) as server:
        memory = FactsMemory.create(
            str(tmp_path), model="openai/fake", api_base=server.base_url, api_key="x", rm=rm
        )
        async with memory:
            res = await memory.add(
                [{"role": "user", "content": "I live in Lisbon and I surf on weekends"}],
                scope=ALICE,
            )
            assert sorted(o.op.text for o in res.applied) == [
                "Alice lives in Lisbon",
                "Alice surfs on weekends",
            ]
            res = await memory.add(
                [{"role": "user", "content": "Big news: I moved, I live in Porto now"}], scope=ALICE
            )
            assert [(o.op.op, o.op.old_text) for o in res.applied] == [
                ("UPDATE", "Alice lives in Lisbon")
            ]
            assert sorted(m.text for m in await memory.get_all(scope=ALICE)) == [
                "Alice lives in Porto",
                "Alice surfs on weekends",
            ]
        chats = server.chat_requests
        assert len(chats) == 4  # extraction + proposal per add()
        assert chats[0].body["response_format"] == {"type": "json_object"}
        # the proposal prompt shows integer ids, never the stored UUIDs
        assert "0: Alice lives in Lisbon" in chats[3].user
        assert all(o.memory_id is None or o.memory_id not in chats[3].user for o in res.outcomes)


async def test_unreadable_model_reply_retries_then_raises(tmp_path: Path, rm) -> None:
    with FakeOpenAIServer(handler=lambda req: "I think the user likes tea.") as server:
        memory = FactsMemory.create(
            str(tmp_path), model="openai/fake", api_base=server.base_url, api_key="x", rm=rm
        )
        async with memory:
            with pytest.raises(ModelError, match="likes tea"):
                await memory.add("I like tea a lot", scope=ALICE)
            assert await memory.get_all(scope=ALICE) == []
        assert len(server.chat_requests) == 2


async def test_offline_create_needs_no_model(tmp_path: Path) -> None:
    async with FactsMemory.create(str(tmp_path)) as memory:  # sentence extractor + heuristic RM
        res = await memory.add("I am learning to play the cello.", scope=ALICE)
        assert [o.op.op for o in res.outcomes] == ["ADD"]
        assert memory.reward_model.spec.name == "heuristic"


async def test_best_of_n_samples_proposals_with_different_seeds(tmp_path: Path, rm) -> None:
    def reply(req: FakeRequest) -> str:
        if "durable facts" in req.system:
            return json.dumps({"facts": ["Alice lives in Lisbon"]})
        seed = req.body.get("seed")
        text = "Alice lives in Lisbon" if seed == 2 else "Alice lives in Lisbon and owns a castle"
        return json.dumps({"operations": [{"fact": 0, "event": "ADD", "text": text}]})

    with FakeOpenAIServer(handler=reply) as server:
        memory = FactsMemory.create(
            str(tmp_path),
            model="openai/fake",
            api_base=server.base_url,
            api_key="x",
            rm=rm,
            policy="best-of-3",
        )
        async with memory:
            res = await memory.add("I live in Lisbon", scope=ALICE)
            assert [o.op.text for o in res.applied] == ["Alice lives in Lisbon"]
            assert len(res.rejected) == 2
        proposals = [r.body for r in server.chat_requests if "EXISTING memories" in r.user]
        assert sorted((b.get("temperature"), b.get("seed")) for b in proposals) == [
            (0.0, None),
            (0.7, 1),
            (0.7, 2),
        ]
