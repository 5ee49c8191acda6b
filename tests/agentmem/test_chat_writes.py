"""Chat memory writes: in turn order, retried without duplicates, failures reported per turn
while the session goes on, and Ctrl-C at the prompt ends the session at once with 130."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from _chat_fake_model import chat_model

from agentmem.agent import MemoryChatAgent, WriteReport
from agentmem.cli import main
from agentmem.memory import FactsMemory, Scope
from agentmem.testing import FakeOpenAIServer, FunctionRewardModel

ALICE = Scope(user_id="alice")


def offline_facts(tmp_path: Path) -> FactsMemory:
    return FactsMemory.create(str(tmp_path), rm=FunctionRewardModel(score=lambda u: 0.9))


def echo_model() -> Any:
    from pydantic_ai.messages import ModelResponse, TextPart
    from pydantic_ai.models.function import FunctionModel

    return FunctionModel(lambda messages, info: ModelResponse(parts=[TextPart("noted")]))


class SlowFirst:
    """A memory whose first write is slow: without an ordered queue it would commit last."""

    def __init__(self, inner: FactsMemory) -> None:
        self.inner = inner
        self.committed: list[str] = []
        self.calls = 0

    async def add(self, messages, *, scope, actor="api", idempotency_key=None):
        self.calls += 1
        if self.calls == 1:
            await asyncio.sleep(0.3)
        res = await self.inner.add(
            messages, scope=scope, actor=actor, idempotency_key=idempotency_key
        )
        self.committed.append(messages[1]["content"])
        return res

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_background_writes_commit_in_turn_order(tmp_path: Path) -> None:
    async with offline_facts(tmp_path) as facts:
        memory = SlowFirst(facts)
        agent = MemoryChatAgent(memory=memory, scope=ALICE, model=echo_model(), tools=False)
        await agent.turn("My home city is Paris.")
        await agent.turn("My home city is Berlin.")
        assert agent.pending == 2
        results = await agent.drain()
        assert memory.committed == ["My home city is Paris.", "My home city is Berlin."]
        assert [o.op.op for r in results for o in r.applied] == ["ADD", "UPDATE"]
        assert [m.text for m in await facts.get_all(scope=ALICE)] == ["My home city is Berlin"]
        await agent.abort()


class FailsAfterCommit:
    """The first write commits, then the connection drops before the caller hears of it."""

    def __init__(self, inner: FactsMemory) -> None:
        self.inner = inner
        self.failed = False

    async def add(self, messages, *, scope, actor="api", idempotency_key=None):
        res = await self.inner.add(
            messages, scope=scope, actor=actor, idempotency_key=idempotency_key
        )
        if not self.failed:
            self.failed = True
            raise ConnectionResetError("connection reset after the commit")
        return res

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_a_retried_write_is_stored_once(tmp_path: Path) -> None:
    async with offline_facts(tmp_path) as facts:
        seen: list[WriteReport] = []
        agent = MemoryChatAgent(
            memory=FailsAfterCommit(facts),
            scope=ALICE,
            model=echo_model(),
            tools=False,
            retry_delay_s=0.01,
            on_write=seen.append,
        )
        await agent.turn("I keep bees on the roof.")
        await agent.drain()
        [report] = seen
        assert report.error is None and report.attempts == 2 and report.result is not None
        assert report.result.replayed  # the retry found the first commit under its key
        assert [m.text for m in await facts.get_all(scope=ALICE)] == ["I keep bees on the roof"]
        await agent.abort()


class AlwaysDown:
    def __init__(self, inner: FactsMemory) -> None:
        self.inner = inner

    async def add(self, messages, *, scope, actor="api", idempotency_key=None):
        if "Faro" in messages[1]["content"]:
            raise ConnectionError("memory backend unreachable")
        return await self.inner.add(
            messages, scope=scope, actor=actor, idempotency_key=idempotency_key
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_a_failed_write_is_reported_and_later_turns_are_stored(tmp_path: Path) -> None:
    async with offline_facts(tmp_path) as facts:
        seen: list[WriteReport] = []
        agent = MemoryChatAgent(
            memory=AlwaysDown(facts),
            scope=ALICE,
            model=echo_model(),
            tools=False,
            retry_delay_s=0.01,
            on_write=seen.append,
        )
        first = await agent.turn("I live in Faro.")
        assert first.reply == "noted"  # the reply is shown whatever happens to the write
        await agent.turn("I play the cello.")
        with pytest.raises(ConnectionError, match="unreachable"):
            await agent.drain()
        assert [(r.turn, r.error is None, r.attempts) for r in seen] == [
            (1, False, 3),
            (2, True, 1),
        ]
        assert [m.text for m in await facts.get_all(scope=ALICE)] == ["I play the cello"]
        await agent.abort()


def test_chat_prints_one_line_per_failed_write_and_goes_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    real_add = FactsMemory.add

    async def add(self, messages, **kw):
        if any("Faro" in str(m.get("content", "")) for m in messages if isinstance(m, dict)):
            raise ConnectionError("memory backend unreachable\nsecond line of a long error")
        return await real_add(self, messages, **kw)

    monkeypatch.setattr(FactsMemory, "add", add)
    with FakeOpenAIServer(handler=chat_model) as server:
        monkeypatch.setattr("sys.stdin", io.StringIO("I live in Faro.\nI live in Porto.\n"))
        code = main(
            [
                "chat",
                "--user",
                "alice",
                "--model",
                "openai/fake",
                "--api-base",
                server.base_url,
                "--api-key",
                "x",
                "--memory-path",
                str(tmp_path),
                "--json",
            ]
        )
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.strip()]
    assert code == 0
    assert [o["type"] for o in out if o["type"] == "reply"] == ["reply", "reply"]
    [err] = [o for o in out if o["type"] == "memory_error"]
    assert err["turn"] == 1 and "ConnectionError: memory backend unreachable" in err["message"]
    [upd] = [o for o in out if o["type"] == "memory_update"]
    assert upd["applied"][0]["memory"] == "User lives in Porto"


def test_ctrl_c_at_the_prompt_exits_at_once_with_130(tmp_path: Path) -> None:
    env = {**os.environ, "AGENTMEM_NO_COLOR": "1", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agentmem",
            "chat",
            "--user",
            "alice",
            "--model",
            "openai/fake",
            "--api-base",
            "http://127.0.0.1:9/v1",
            "--api-key",
            "x",
            "--memory-model",
            "none",
            "--memory-path",
            str(tmp_path),
        ],
        stdin=subprocess.PIPE,  # left open: the session waits at the prompt
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert "agentmem chat" in banner
        time.sleep(0.3)
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=20)
        assert code == 130
        assert time.monotonic() - started < 10
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for f in (proc.stdin, proc.stdout, proc.stderr):
            if f is not None:
                f.close()


class RejectedKey:
    """The memory's model refuses the key: retrying cannot help."""

    def __init__(self) -> None:
        self.calls = 0

    async def search(self, query, *, scope, limit=5):
        return []

    async def add(self, messages, *, scope, actor="api", idempotency_key=None):
        from agentmem.exceptions import ModelAuthError

        self.calls += 1
        raise ModelAuthError(
            "model 'openai/x' failed; last status: 401 (not authorised: set OPENAI_API_KEY)"
        )


async def test_a_refused_key_is_reported_at_once_not_retried() -> None:
    memory = RejectedKey()
    seen: list[WriteReport] = []
    agent = MemoryChatAgent(
        memory=memory,
        scope=ALICE,
        model=echo_model(),
        tools=False,
        retry_delay_s=0.01,
        on_write=seen.append,
    )
    await agent.turn("I live in Faro.")
    await agent.wait()
    assert memory.calls == 1 and [(r.turn, r.attempts) for r in seen] == [(1, 1)]
    assert "OPENAI_API_KEY" in str(seen[0].error)
    await agent.abort()
