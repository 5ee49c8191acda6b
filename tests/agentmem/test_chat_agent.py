"""The long-memory chat agent (pydantic-ai) against the fake OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _chat_fake_model import chat_model

from agentmem.agent import MemoryChatAgent, build_chat_model, memory_toolset
from agentmem.memory import FactsMemory, Scope
from agentmem.testing import FakeOpenAIServer, FunctionRewardModel

ALICE = Scope(user_id="alice")


@pytest.fixture
def rm() -> FunctionRewardModel:
    return FunctionRewardModel(score=lambda update: 0.9)


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(handler=chat_model) as srv:
        yield srv


def facts(tmp_path: Path, server: FakeOpenAIServer, rm) -> FactsMemory:
    return FactsMemory.create(
        str(tmp_path), model="openai/fake", api_base=server.base_url, api_key="x", rm=rm
    )


async def test_recall_answer_update_and_no_feedback_loop(
    tmp_path: Path, server: FakeOpenAIServer, rm
) -> None:
    async with (
        facts(tmp_path, server, rm) as memory,
        MemoryChatAgent(
            memory=memory,
            scope=ALICE,
            model=build_chat_model("openai/fake", api_base=server.base_url),
            sync=True,
        ) as agent,
    ):
        first = await agent.turn("Hi! I live in Lisbon.")
        assert first.update is not None and [o.op.text for o in first.update.applied] == [
            "User lives in Lisbon"
        ]

        second = await agent.turn("Where do I live?")
        assert [m.text for m in second.recalled] == ["User lives in Lisbon"]
        assert "User lives in Lisbon" in second.reply  # the model saw the recalled memory
        chat_req = [r for r in server.chat_requests if "long-term memory of the user" in r.system][
            -1
        ]
        assert "<agentmem-memories>\n- User lives in Lisbon" in chat_req.system
        # the reply echoed the injected memory; it is not written back as a new memory
        assert second.update is not None and second.update.facts == []
        assert [m.text for m in await memory.get_all(scope=ALICE)] == ["User lives in Lisbon"]

        third = await agent.turn("I moved! I live in Porto now.")
        assert third.update is not None and [
            (o.op.op, o.op.old_text) for o in third.update.applied
        ] == [("UPDATE", "User lives in Lisbon")]
        assert [m.text for m in await memory.get_all(scope=ALICE)] == ["User lives in Porto"]


async def test_background_updates_finish_on_drain(
    tmp_path: Path, server: FakeOpenAIServer, rm
) -> None:
    async with (
        facts(tmp_path, server, rm) as memory,
        MemoryChatAgent(
            memory=memory,
            scope=ALICE,
            model=build_chat_model("openai/fake", api_base=server.base_url),
        ) as agent,
    ):
        turn = await agent.turn("I live in Madrid.")
        assert turn.update is None
        [res] = await agent.drain()
        assert [o.op.text for o in res.applied] == ["User lives in Madrid"]
        assert agent.pending == 0


async def test_background_update_errors_are_raised_not_swallowed(
    tmp_path: Path, server: FakeOpenAIServer, rm
) -> None:
    async with facts(tmp_path, server, rm) as memory:

        async def broken(*a, **k):
            raise RuntimeError("extractor down")

        memory.extractor = broken  # type: ignore[assignment]
        async with MemoryChatAgent(
            memory=memory,
            scope=ALICE,
            model=build_chat_model("openai/fake", api_base=server.base_url),
        ) as agent:
            await agent.turn("I live in Rome.")
            with pytest.raises(RuntimeError, match="extractor down"):
                await agent.drain()


async def test_toolset_search_and_remember(tmp_path: Path, server: FakeOpenAIServer, rm) -> None:
    async with (
        facts(tmp_path, server, rm) as memory,
        MemoryChatAgent(
            memory=memory,
            scope=ALICE,
            model=build_chat_model("openai/fake", api_base=server.base_url),
            sync=True,
        ) as agent,
    ):
        turn = await agent.turn("Please remember that I live in Oslo")
        assert "stored" in turn.reply and "User lives in Oslo" in turn.reply
        [item] = await memory.get_all(scope=ALICE)
        # stored by the agent's tool; the turn's own update then found it already known
        assert [(e.actor, e.op) for e in await memory.history(item.id, scope=ALICE)] == [
            ("agent", "ADD"),
            ("user", "NOOP"),
        ]
        turn = await agent.turn("use your tool to find where I live")
        assert "User lives in Oslo" in turn.reply and item.id in turn.reply


async def test_toolset_is_bound_to_its_scope(tmp_path: Path, server: FakeOpenAIServer, rm) -> None:
    async with facts(tmp_path, server, rm) as memory:
        await memory.add("I live in Oslo", scope=ALICE)
        ts = memory_toolset(memory, Scope(user_id="bob"))
        search = ts.tools["search_memory"].function
        assert await search(query="where does the user live") == []
        forget = ts.tools["forget_memory"].function
        [item] = await memory.get_all(scope=ALICE)
        assert "no current memory" in await forget(memory_id=item.id)
        assert len(await memory.get_all(scope=ALICE)) == 1


async def test_llm_client_adapter_for_non_openai_providers(
    tmp_path: Path, server: FakeOpenAIServer, rm
) -> None:
    from agentmem.agent import llm_client_model, supports_tools
    from agentmem.llm import LLMClient

    assert (
        not supports_tools("anthropic/claude-x")
        and supports_tools("openai/x")
        and supports_tools("gpt-4o")
    )
    model = llm_client_model(LLMClient("openai/fake", api_base=server.base_url, api_key="x"))
    async with facts(tmp_path, server, rm) as memory:
        await memory.add("I live in Vienna", scope=ALICE)
        async with MemoryChatAgent(
            memory=memory, scope=ALICE, model=model, tools=False, sync=True
        ) as agent:
            turn = await agent.turn("Where do I live?")
            assert "User lives in Vienna" in turn.reply
            turn = await agent.turn("And again?")
    last = next(
        r
        for r in reversed(server.chat_requests)
        if "helpful assistant with a long-term memory" in r.system
    )
    roles = [m["role"] for m in last.messages]
    assert (
        roles[0] == "system" and roles[-1] == "user" and "assistant" in roles
    )  # history carried over


async def test_agent_over_notes_memory_and_its_forget_tool(
    tmp_path: Path, server: FakeOpenAIServer, rm
) -> None:
    from agentmem.memory import NotesMemory

    async with NotesMemory.create(str(tmp_path), rm=rm, policy="score") as notes:
        async with MemoryChatAgent(
            memory=notes,
            scope=ALICE,
            model=build_chat_model("openai/fake", api_base=server.base_url),
            sync=True,
        ) as agent:
            turn = await agent.turn("I live in Lisbon by the sea.")
            assert turn.update is not None and [o.op.op for o in turn.update.applied] == ["ADD"]
            turn = await agent.turn("Tell me about Lisbon by the sea")
            assert [m.text for m in turn.recalled][:1] == ["I live in Lisbon by the sea."]
        [first, _second] = await notes.get_all(scope=ALICE)
        forget = memory_toolset(notes, ALICE).tools["forget_memory"].function
        assert await forget(memory_id=first.id) == "removed (kept in history)"
        closed = await notes.get(first.id, scope=ALICE)
        assert closed is not None and closed.valid_to is not None
