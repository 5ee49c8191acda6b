"""``agentmem chat``: a terminal chat with a long-memory agent whose memory writes are scored.

    agentmem chat --user alice --model openai/gpt-4o-mini
    agentmem chat --user alice --model openai/qwen --api-base http://127.0.0.1:8000/v1 --memory notes
    printf 'I live in Lisbon\\n/memories\\n' | agentmem chat --user alice --model ... --json --sync

Commands: ``/memories``, ``/history ID``, ``/forget ID`` (hard delete), ``/export FILE`` (the
session's refused writes as MemRewardBench pairs, JSONL), ``/quit``.
``--json`` reads one message or command per stdin line and writes one JSON object per line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
from pathlib import Path
from typing import Any

from agentmem.exceptions import UserError
from agentmem.policies._spec import POLICY_HELP

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``chat`` sub-command."""
    from agentmem.cli import env_default

    p = subparsers.add_parser(
        "chat",
        help="chat with a long-memory agent (memory writes scored by a reward model)",
        description="Chat with a pydantic-ai agent that recalls memories each turn and updates them "
        "afterwards, every write scored by a reward model. Commands: /memories, /history ID, /forget ID, /quit.",
    )
    p.add_argument(
        "--user", default=env_default("--user"), help="user id whose memory this is (required)"
    )
    p.add_argument(
        "--tenant", default=env_default("--tenant", "default"), help="tenant id (default: default)"
    )
    p.add_argument(
        "--agent-id",
        default=env_default("--agent-id"),
        help="agent id, to keep this agent's memories apart",
    )
    p.add_argument(
        "--model",
        default=env_default("--model"),
        help="chat model, e.g. openai/gpt-4o-mini (required)",
    )
    p.add_argument(
        "--api-base",
        default=env_default("--api-base"),
        help="OpenAI-compatible base URL (vLLM, Ollama, proxy)",
    )
    p.add_argument(
        "--api-key",
        default=env_default("--api-key"),
        help="key for --api-base (else the provider's env variable)",
    )
    p.add_argument(
        "--memory",
        choices=("facts", "notes"),
        default=env_default("--memory", "facts"),
        help="memory type (default: facts)",
    )
    p.add_argument(
        "--memory-model",
        default=env_default("--memory-model"),
        help="model for memory extraction (default: --model; 'none' = offline)",
    )
    p.add_argument(
        "--rm",
        default=env_default("--rm"),
        help="reward model spec scoring every write (default: heuristic, the offline RM; "
        "llm:<model> for the LLM judge, cascade:heuristic>llm:<model> to ask it only when unsure)",
    )
    p.add_argument(
        "--policy",
        default=env_default("--policy", "gate"),
        help=f"{POLICY_HELP}; default gate:0.5:2:refuse (a write that never passes is not stored)",
    )
    p.add_argument(
        "--memory-path",
        default=env_default("--memory-path", "~/.agentmem/memory"),
        help="where the embedded index and SQLite history live",
    )
    p.add_argument(
        "--db-url",
        default=env_default("--db-url"),
        help="history database URL (postgresql://...) instead of SQLite",
    )
    p.add_argument(
        "--qdrant-url",
        default=env_default("--qdrant-url"),
        help="Qdrant server URL instead of the embedded engine",
    )
    p.add_argument(
        "--qdrant-api-key",
        default=env_default("--qdrant-api-key"),
        help="API key of the Qdrant server (never printed)",
    )
    p.add_argument(
        "--sync", action="store_true", help="wait for each memory update before the next prompt"
    )
    p.add_argument(
        "--json", action="store_true", help="read lines from stdin, write JSON lines (scriptable)"
    )
    p.add_argument("--no-tools", action="store_true", help="do not offer memory tools to the model")
    p.add_argument(
        "--one-call",
        action="store_true",
        help="facts memory: extract facts and propose their operations in ONE model call per "
        "turn (related memories found with the message) instead of two",
    )
    p.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from agentmem.exceptions import UserError

    if not args.user:
        raise UserError("chat needs --user ID (or AGENTMEM_USER), e.g. --user alice")
    if not args.model:
        raise UserError(
            "chat needs --model MODEL (or AGENTMEM_MODEL), e.g. --model openai/gpt-4o-mini, "
            "or --model openai/NAME --api-base http://127.0.0.1:8000/v1 for a local server"
        )
    return asyncio.run(_chat(args))


def _build_memory(args: argparse.Namespace) -> Any:
    from agentmem.memory import FactsMemory, NotesMemory

    mem_model = (
        None if (args.memory_model or "").lower() == "none" else (args.memory_model or args.model)
    )
    common: dict[str, Any] = {
        "model": mem_model,
        "api_base": args.api_base,
        "api_key": args.api_key,
        "rm": args.rm,
        "policy": args.policy,
        "db_url": args.db_url,
        "qdrant_url": args.qdrant_url,
        "qdrant_api_key": args.qdrant_api_key,
    }
    if args.memory == "facts":
        return FactsMemory.create(args.memory_path, one_call=args.one_call, **common)
    if args.one_call:
        raise UserError("--one-call applies to --memory facts only (notes make one call per step)")
    return NotesMemory.create(args.memory_path, **common)


async def _chat(args: argparse.Namespace) -> int:
    from pydantic_ai.exceptions import AgentRunError, ModelAPIError

    from agentmem.agent import MemoryChatAgent, build_chat_model, supports_tools
    from agentmem.exceptions import ModelError
    from agentmem.memory import Scope

    turn_errors = (AgentRunError, ModelAPIError, ModelError)
    scope = Scope(user_id=args.user, tenant_id=args.tenant, agent_id=args.agent_id)
    memory = _build_memory(args)
    out = _Out(json_mode=args.json)
    async with memory:
        agent = MemoryChatAgent(
            memory=memory,
            scope=scope,
            sync=args.sync,
            model=build_chat_model(args.model, api_base=args.api_base, api_key=args.api_key),
            tools=not args.no_tools and supports_tools(args.model),
        )
        if not args.json:
            out.info(
                f"agentmem chat -- {scope} -- {args.memory} memory, policy {memory.policy.label}, "
                f"rm {memory.reward_model.spec.label}. /memories /history ID /forget ID /export FILE /quit"
            )
        try:
            while True:
                out.writes(agent.reports())  # what the background writer finished meanwhile
                line = await _read_line(args.json)
                if line is None:
                    break
                line = line.strip()
                if args.json and line.startswith("{"):
                    line = str(json.loads(line).get("message", "")).strip()
                if not line:
                    continue
                if line in ("/quit", "/exit"):
                    break
                if line.startswith("/"):
                    if agent.pending:  # commands see the memory as of the last turn
                        await _settle(agent, out)
                    await _command(line, memory, scope, out)
                    continue
                try:
                    out.reply(await agent.turn(line))
                except turn_errors as exc:  # a failed model call ends the turn, not the session
                    out.error(f"{type(exc).__name__}: {exc}")
                except Exception as exc:  # a failed write in --sync mode: the reply is gone
                    out.error(f"memory write failed: {type(exc).__name__}: {exc}")
            await _settle(agent, out)
        except asyncio.CancelledError:  # Ctrl-C: stop now, say what was not stored
            lost = await agent.abort()
            out.writes(agent.reports())
            if lost:
                out.error(
                    f"interrupted: the memory write of turn(s) {', '.join(map(str, lost))} was "
                    "not stored (each write is all-or-nothing)"
                )
            raise
        finally:
            await agent.abort()
            from agentmem.agent._models import close_chat_model

            await close_chat_model(agent.model)
    return 0


async def _settle(agent: Any, out: _Out) -> None:
    """Wait for the background writes and print each outcome (failures as one line each)."""
    if agent._queue is not None:
        await agent._queue.join()
    out.writes(agent.reports())


async def _read_line(json_mode: bool) -> str | None:
    """One line from stdin, read on a daemon thread: Ctrl-C at the prompt ends the session at
    once (a blocked ``input()`` in an executor thread would hold the exit until Enter)."""
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[str | None] = loop.create_future()
    interactive = not json_mode and sys.stdin.isatty()

    def read() -> None:
        try:
            if interactive:
                value: str | None = input("you> ")
            else:
                value = sys.stdin.readline() or None
        except EOFError:
            value = None
        except BaseException as exc:
            loop.call_soon_threadsafe(_settle_future, fut, None, exc)
            return
        loop.call_soon_threadsafe(_settle_future, fut, value, None)

    threading.Thread(target=read, name="agentmem-chat-stdin", daemon=True).start()
    return await fut


def _settle_future(
    fut: asyncio.Future[str | None], value: str | None, exc: BaseException | None
) -> None:
    if fut.done():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(value)


async def _memory_id(memory: Any, scope: Any, given: str) -> str:
    """The current memory ``given`` names: its id or a unique prefix of one (as shown by
    /memories); anything else is passed on as is (a superseded or forgotten id, or a typo that
    the memory store reports)."""
    ids = [m.id for m in await memory.get_all(scope=scope)]
    if given in ids:
        return given
    hits = [i for i in ids if i.startswith(given)]
    if len(hits) > 1:
        shown = ", ".join(hits[:4]) + (" ..." if len(hits) > 4 else "")
        raise UserError(
            f"memory id prefix {given!r} matches {len(hits)} memories ({shown}); type more of it"
        )
    return hits[0] if hits else given


async def _command(line: str, memory: Any, scope: Any, out: _Out) -> None:
    cmd, _, arg = line.partition(" ")
    arg = arg.strip()
    try:
        await _run_command(cmd, arg, line, memory, scope, out)
    except UserError as exc:  # a bad id or file: say so, keep the session
        out.error(str(exc))


async def _run_command(cmd: str, arg: str, line: str, memory: Any, scope: Any, out: _Out) -> None:
    if cmd == "/memories":
        out.memories(await memory.get_all(scope=scope))
    elif cmd == "/history" and arg:
        mid = await _memory_id(memory, scope, arg)
        out.history(mid, await memory.history(mid, scope=scope))
    elif cmd == "/forget" and arg:
        mid = await _memory_id(memory, scope, arg)
        out.forgot(mid, await memory.forget(mid, scope=scope, actor="user"))
    elif cmd == "/export" and arg:
        pairs = await memory.export_pairs(scope=scope)
        text = "".join(json.dumps(p) + "\n" for p in pairs)
        await asyncio.to_thread(_write_text, arg, text)
        out.exported(arg, len(pairs))
    else:
        out.error(
            f"unknown command {line!r}; use /memories, /history ID, /forget ID, /export FILE or /quit"
        )


class _Out:
    """Human or JSON-lines output."""

    def __init__(self, *, json_mode: bool) -> None:
        self.json_mode = json_mode

    def _emit(self, obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj, default=str) + "\n")
        sys.stdout.flush()

    def info(self, text: str) -> None:
        print(text, flush=True)

    def error(self, text: str) -> None:
        if self.json_mode:
            self._emit({"type": "error", "message": text})
        else:
            print(f"! {text}", flush=True)

    def reply(self, turn: Any) -> None:
        if self.json_mode:
            obj: dict[str, Any] = {
                "type": "reply",
                "text": turn.reply,
                "recalled": [{"id": m.id, "memory": m.text} for m in turn.recalled],
                "latency_s": round(turn.latency_s, 4),
            }
            if turn.update is not None:
                obj["memory_update"] = _update_json(turn.update)
            self._emit(obj)
            return
        print(f"agent> {turn.reply}", flush=True)
        if turn.update is not None:
            self.update(turn.update)

    def writes(self, reports: list[Any]) -> None:
        """Background write outcomes: the changes, or one line per failed write."""
        for r in reports:
            if r.error is not None:
                msg = f"memory write of turn {r.turn} failed: {type(r.error).__name__}: {r.error}"
                if self.json_mode:
                    self._emit({"type": "memory_error", "turn": r.turn, "message": msg})
                else:
                    print(f"! {msg}".splitlines()[0], flush=True)
            elif r.result is not None:
                self.update(r.result)

    def update(self, res: Any) -> None:
        if self.json_mode:
            self._emit({"type": "memory_update", **_update_json(res)})
            return
        for o in res.outcomes:
            if o.op.op == "NOOP" and o.status == "applied":
                continue
            mark = "+" if o.status == "applied" else "x"
            score = f" score={o.score:.2f}" if o.score is not None else ""
            print(
                f"  [memory {mark}] {o.op.op} {o.op.text!r}{score}"
                + ("" if o.status == "applied" else f" -- rejected: {o.rationale}"),
                flush=True,
            )

    def memories(self, items: list[Any]) -> None:
        if self.json_mode:
            self._emit(
                {
                    "type": "memories",
                    "items": [
                        {
                            "id": m.id,
                            "memory": m.text,
                            "version": m.version,
                            "updated_at": m.updated_at.isoformat(),
                        }
                        for m in items
                    ],
                }
            )
            return
        if not items:
            print("(no memories yet)", flush=True)
        for m in items:
            print(f"  {m.id}  v{m.version}  {m.text}", flush=True)

    def history(self, memory_id: str, events: list[Any]) -> None:
        if self.json_mode:
            self._emit(
                {
                    "type": "history",
                    "id": memory_id,
                    "events": [e.model_dump(mode="json") for e in events],
                }
            )
            return
        if not events:
            print(f"(no history for {memory_id})", flush=True)
        for e in events:
            score = f" score={e.score:.2f}" if e.score is not None else ""
            print(
                f"  {e.created_at:%Y-%m-%d %H:%M:%S} {e.actor:6} {e.op:7} {e.status:8}{score} {e.old_text!r} -> {e.new_text!r} {e.rationale}",
                flush=True,
            )

    def exported(self, path: str, n: int) -> None:
        if self.json_mode:
            self._emit({"type": "export", "path": path, "pairs": n})
        else:
            print(f"  {n} MemRewardBench pair(s) written to {path}", flush=True)

    def forgot(self, memory_id: str, ok: bool) -> None:
        if self.json_mode:
            self._emit({"type": "forget", "id": memory_id, "forgotten": ok})
        else:
            print(
                f"  forgot {memory_id}" if ok else f"  no memory {memory_id} for this user",
                flush=True,
            )


def _update_json(res: Any) -> dict[str, Any]:
    return {
        "request_id": res.request_id,
        "facts": res.facts,
        "applied": [
            {
                "op": o.op.op,
                "id": o.memory_id,
                "memory": o.op.text,
                "old": o.op.old_text,
                "score": o.score,
            }
            for o in res.applied
        ],
        "rejected": [
            {"op": o.op.op, "memory": o.op.text, "score": o.score, "reason": o.rationale}
            for o in res.rejected
        ],
    }


def _write_text(path: str, text: str) -> None:
    Path(path).expanduser().write_text(text)
