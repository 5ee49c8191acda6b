"""`agentmem chat` end to end: JSON transcript mode against the fake server, commands, errors."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _chat_fake_model import chat_model

from agentmem.cli import main
from agentmem.testing import FakeOpenAIServer


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(handler=chat_model) as srv:
        yield srv


def run_chat(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    server: FakeOpenAIServer,
    tmp_path: Path,
    lines: list[str],
    *extra: str,
) -> tuple[int, list[dict]]:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(line + "\n" for line in lines)))
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
            *extra,
        ]
    )
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def test_json_transcript_with_commands(monkeypatch, capsys, server, tmp_path: Path) -> None:
    code, out = run_chat(
        monkeypatch, capsys, server, tmp_path, ["I live in Lisbon.", "/memories"], "--sync"
    )
    assert code == 0
    reply, memories = out
    assert (
        reply["type"] == "reply"
        and reply["memory_update"]["applied"][0]["memory"] == "User lives in Lisbon"
    )
    assert memories == {
        "type": "memories",
        "items": [{**memories["items"][0], "memory": "User lives in Lisbon", "version": 1}],
    }
    mid = memories["items"][0]["id"]

    # a new session remembers; history and forget work on the id
    code, out = run_chat(
        monkeypatch,
        capsys,
        server,
        tmp_path,
        [
            '{"message": "Where do I live?"}',
            f"/history {mid[:8]}",  # a unique prefix, as /memories shows it, is enough
            f"/forget {mid[:8]}",
            "/memories",
            "/bogus",
        ],
        "--sync",
    )
    reply, history, forget, memories, error = out
    assert [r["memory"] for r in reply["recalled"]] == ["User lives in Lisbon"]
    assert [e["op"] for e in history["events"]] == ["ADD"] and history["events"][0][
        "score"
    ] is not None
    assert forget == {"type": "forget", "id": mid, "forgotten": True}
    assert memories["items"] == []
    assert error["type"] == "error" and "/memories" in error["message"]


def test_background_mode_reports_each_update_in_turn_order(
    monkeypatch, capsys, server, tmp_path: Path
) -> None:
    code, out = run_chat(
        monkeypatch, capsys, server, tmp_path, ["I live in Porto.", "I live in Faro."]
    )
    assert code == 0
    assert [o["type"] for o in out].count("reply") == 2
    assert "memory_update" not in out[0]  # background: the reply does not wait for the write
    updates = [o for o in out if o["type"] == "memory_update"]
    assert [u["applied"][0]["op"] for u in updates] == ["ADD", "UPDATE"]


def test_notes_memory_in_chat(monkeypatch, capsys, server, tmp_path: Path) -> None:
    code, out = run_chat(
        monkeypatch,
        capsys,
        server,
        tmp_path,
        ["I live in Lisbon and love the sea.", "/memories"],
        "--sync",
        "--memory",
        "notes",
        "--memory-model",
        "none",
        "--policy",
        "score",
    )
    assert code == 0
    assert out[-1]["items"][0]["memory"] == "I live in Lisbon and love the sea."


def test_missing_user_or_model_is_a_clear_error(capsys, monkeypatch) -> None:
    monkeypatch.delenv("AGENTMEM_USER", raising=False)
    monkeypatch.delenv("AGENTMEM_MODEL", raising=False)
    assert main(["chat", "--model", "openai/x"]) == 2
    assert "--user" in capsys.readouterr().err
    assert main(["chat", "--user", "alice"]) == 2
    assert "--model" in capsys.readouterr().err
    assert main(["chat", "--user", "alice", "--model", "openai/x", "--policy", "bestof"]) == 2
    assert "unknown policy 'bestof'; did you mean 'best-of-4'" in capsys.readouterr().err


def test_a_failing_model_call_ends_the_turn_not_the_session(
    monkeypatch, capsys, tmp_path: Path
) -> None:
    from agentmem.testing import FakeReply

    def flaky(req):
        if "helpful assistant" in req.system and "first" in req.user:
            return FakeReply(status=400, content="bad request for this turn")
        return chat_model(req)

    with FakeOpenAIServer(handler=flaky) as srv:
        code, out = run_chat(
            monkeypatch,
            capsys,
            srv,
            tmp_path,
            ["first message", "I live in Graz.", "/memories"],
            "--sync",
        )
    assert code == 0
    assert out[0]["type"] == "error" and "400" in out[0]["message"]
    assert out[1]["type"] == "reply" and out[2]["items"][0]["memory"] == "User lives in Graz"


def test_the_llm_judge_turns_down_a_hallucinated_memory(
    monkeypatch, capsys, server, tmp_path: Path
) -> None:
    code, out = run_chat(
        monkeypatch,
        capsys,
        server,
        tmp_path,
        ["I had dinner with friends. I live in Bern.", "/memories"],
        "--sync",
        "--rm",
        "llm:openai/fake",
    )
    assert code == 0
    update = out[0]["memory_update"]
    assert [a["memory"] for a in update["applied"] if a["op"] == "ADD"] == ["User lives in Bern"]
    assert (
        update["rejected"][0]["memory"] == "User owns a yacht"
        and update["rejected"][0]["score"] == 0.05
    )
    assert [m["memory"] for m in out[1]["items"]] == ["User lives in Bern"]
    judged = [r for r in server.chat_requests if "[Proposed new memory]" in r.user]
    assert judged  # --rm llm:... asks the judge over HTTP


def test_the_default_heuristic_turns_down_a_hallucinated_memory_offline(
    monkeypatch, capsys, server, tmp_path: Path
) -> None:
    code, out = run_chat(
        monkeypatch,
        capsys,
        server,
        tmp_path,
        ["I had dinner with friends. I live in Bern.", "/memories"],
        "--sync",
    )
    assert code == 0
    update = out[0]["memory_update"]
    assert [a["memory"] for a in update["applied"] if a["op"] == "ADD"] == ["User lives in Bern"]
    assert update["rejected"][0]["memory"] == "User owns a yacht"
    assert update["rejected"][0]["score"] < 0.5
    assert [m["memory"] for m in out[1]["items"]] == ["User lives in Bern"]
    judged = [r for r in server.chat_requests if "[Proposed new memory]" in r.user]
    assert not judged  # the heuristic scores offline: no judge request


def test_export_command_writes_benchmark_pairs(monkeypatch, capsys, server, tmp_path: Path) -> None:
    out_file = tmp_path / "pairs.jsonl"
    code, out = run_chat(
        monkeypatch,
        capsys,
        server,
        tmp_path,
        ["I had dinner with friends. I live in Bern.", f"/export {out_file}"],
        "--sync",
    )
    assert code == 0 and out[-1] == {"type": "export", "path": str(out_file), "pairs": 1}
    [pair] = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert (
        pair["task"] == "Mem0-MEM" and "yacht" in pair["rejected"] and "yacht" not in pair["chosen"]
    )


async def test_memory_ids_resolve_from_a_unique_prefix() -> None:
    from dataclasses import dataclass

    import pytest as _pytest

    from agentmem.cli._chat import _memory_id
    from agentmem.exceptions import UserError

    @dataclass
    class _Item:
        id: str

    class _Memory:
        async def get_all(self, *, scope: object) -> list[_Item]:
            return [_Item("abc123"), _Item("abd456"), _Item("ffee00")]

    m = _Memory()
    assert await _memory_id(m, None, "ff") == "ffee00"
    assert await _memory_id(m, None, "abc123") == "abc123"
    assert await _memory_id(m, None, "gone99") == "gone99"  # left for the store to report
    with _pytest.raises(UserError, match="matches 2 memories"):
        await _memory_id(m, None, "ab")
