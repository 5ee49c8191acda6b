"""Side by side with mem0 (mem0ai 2.2.1): wall time per conversation turn of add() + search(),
both against the same fake OpenAI-compatible server, chat completions and embeddings each with
their own latency (default 500 ms chat, 50 ms embeddings: what hosted providers answer in; the
old single-latency figure is ``--chat-latency 0.05 --embed-latency 0.05``).

mem0 runs in its own virtualenv (``--setup`` creates /tmp/mem0-venv and installs mem0ai==2.2.1
there; agentmem's .venv is never touched), in a child process, with its defaults: OpenAI LLM and
embedder pointed at the fake server, qdrant-client local mode on disk, SQLite history, telemetry
off. agentmem runs in this process: LLM fact extraction + LLM operation proposal through
agentmem.llm, EVERY write scored by a reward model (the offline heuristic RM by default, under the
gate policy), Qdrant Edge + SQLite. Both get the same turns and the same scripted "model" answers.

    .venv/bin/python -m benchmarks.perf.mem0_compare --setup          # once
    .venv/bin/python -m benchmarks.perf.mem0_compare [--turns 30] [--chat-latency 0.5]
        [--embed-latency 0.05] [--dense]

agentmem runs twice: the default two model calls per add() (extract, then propose against the
facts' related memories) and ``one_call=True`` (one call that extracts and proposes against
memories related to the conversation). ``--dense`` adds dense embeddings served by the fake
server, i.e. the embedding calls mem0 makes too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from agentmem.testing import FakeOpenAIServer, FakeRequest

MEM0_VENV = Path("/tmp/mem0-venv")
MEM0_VERSION = "2.2.1"

_LIKES = [
    "jazz",
    "chess",
    "sushi",
    "sailing",
    "pottery",
    "kayaking",
    "opera",
    "cycling",
    "hiking",
    "baking",
    "painting",
    "poetry",
]
_WHO = ["sister", "brother", "mother", "father", "friend", "colleague"]
_CITY = [
    "Lisbon",
    "Porto",
    "Madrid",
    "Oslo",
    "Berlin",
    "Rome",
    "Vienna",
    "Prague",
    "Dublin",
    "Athens",
]


def turns(n: int) -> list[tuple[list[dict[str, str]], str]]:
    """(messages, search query) per turn: each user message states two facts."""
    out = []
    for i in range(n):
        like, who, city = _LIKES[i % len(_LIKES)], _WHO[i % len(_WHO)], _CITY[(i * 3) % len(_CITY)]
        msgs = [
            {
                "role": "user",
                "content": f"I really enjoy {like} these days. My {who} lives in {city}.",
            },
            {
                "role": "assistant",
                "content": f"{like.capitalize()} sounds great, and {city} is lovely.",
            },
        ]
        out.append((msgs, f"turn {i}: what does the user enjoy and where does their {who} live?"))
    return out


_FACT = re.compile(r"I really enjoy (\w+) these days\. My (\w+) lives in (\w+)\.")


def _facts(text: str) -> list[str]:
    out = []
    for like, who, city in _FACT.findall(text):
        out += [f"User enjoys {like}", f"User's {who} lives in {city}"]
    return out


def model(req: FakeRequest) -> str:
    """The scripted model both systems talk to: the same facts for the same turn."""
    if "CONVERSATION:" in req.user:  # agentmem one-call mode: facts and operations together
        existing = {
            line.split(": ", 1)[1]: line.split(": ", 1)[0]
            for line in req.user.split("EXISTING memories:\n")[1].split("\n\n")[0].splitlines()
            if ": " in line
        }
        conv = req.user.split("CONVERSATION:\n", 1)[1]
        facts = _facts("\n".join(line for line in conv.splitlines() if line.startswith("user:")))
        return json.dumps(
            {
                "facts": facts,
                "operations": [
                    {"fact": i, "event": "NOOP", "id": int(existing[f])}
                    if f in existing
                    else {"fact": i, "event": "ADD", "text": f}
                    for i, f in enumerate(facts)
                ],
            }
        )
    if "Memory Extractor" in req.system:  # mem0's single additive extraction call
        new = req.user.split("## New Messages", 1)[1].split("## Observation Date", 1)[0]
        user_lines = "\n".join(line for line in new.splitlines() if line.startswith("user:"))
        return json.dumps(
            {"memory": [{"id": str(i), "text": f} for i, f in enumerate(_facts(user_lines))]}
        )
    if "durable facts" in req.system:  # agentmem extraction
        conv = req.user.split("Conversation:\n", 1)[1]
        return json.dumps(
            {
                "facts": _facts(
                    "\n".join(line for line in conv.splitlines() if line.startswith("user:"))
                )
            }
        )
    if "EXISTING memories" in req.user:  # agentmem operation proposal
        existing = {
            line.split(": ", 1)[1]: line.split(": ", 1)[0]
            for line in req.user.split("EXISTING memories:\n")[1].split("\n\n")[0].splitlines()
            if ": " in line
        }
        new = req.user.split("NEW facts:\n")[1].split("\n\n")[0].splitlines()
        ops = []
        for line in new:
            idx, fact = line.split(": ", 1)
            ops.append(
                {"fact": int(idx), "event": "NOOP", "id": int(existing[fact])}
                if fact in existing
                else {"fact": int(idx), "event": "ADD", "text": fact}
            )
        return json.dumps({"operations": ops})
    if "[Proposed new memory]" in req.user:  # agentmem with --rm llm:openai/fake: the judge
        return '{"score": 0.9, "rationale": "grounded in the conversation"}'
    return "{}"


_DRIVER = r"""
import json, os, socket, sys, time, ipaddress
_orig = socket.socket.connect
def _guard(self, addr):  # loopback only: mem0 must not reach the internet
    if self.family in (socket.AF_INET, socket.AF_INET6) and not ipaddress.ip_address(addr[0]).is_loopback:
        raise RuntimeError(f"non-loopback connection to {addr!r} refused")
    return _orig(self, addr)
socket.socket.connect = _guard
base_url, workdir, turns_json = sys.argv[1], sys.argv[2], sys.argv[3]
from mem0 import Memory
config = {
    "llm": {"provider": "openai", "config": {"model": "fake", "openai_base_url": base_url, "api_key": "x"}},
    "embedder": {"provider": "openai", "config": {"model": "fake-embed", "openai_base_url": base_url, "api_key": "x", "embedding_dims": 64}},
    "vector_store": {"provider": "qdrant", "config": {"collection_name": "bench", "path": workdir + "/qdrant", "embedding_model_dims": 64, "on_disk": True}},
    "history_db_path": workdir + "/history.db",
}
m = Memory.from_config(config)
job = json.load(open(turns_json))
if job["mode"] == "turns":
    add_t, search_t = [], []
    for msgs, query in job["turns"]:
        t = time.perf_counter(); m.add(msgs, user_id="alice"); add_t.append(time.perf_counter() - t)
        t = time.perf_counter(); res = m.search(query, filters={"user_id": "alice"}, top_k=5); search_t.append(time.perf_counter() - t)
    n = len(m.get_all(filters={"user_id": "alice"}, top_k=1000).get("results", []))
    print(json.dumps({"add": add_t, "search": search_t, "stored": n}))
else:  # concurrent writers, as AsyncMemory runs them (threads)
    from concurrent.futures import ThreadPoolExecutor
    errors = []
    def writer(user_id, turns):
        for msgs in turns:
            try:
                m.add(msgs, user_id=user_id)
            except Exception as exc:
                errors.append(repr(exc))
    t = time.perf_counter()
    with ThreadPoolExecutor(len(job["writers"])) as pool:
        list(pool.map(lambda w: writer(*w), job["writers"]))
    wall = time.perf_counter() - t
    users = sorted({u for u, _ in job["writers"]})
    per_user = {u: [r["memory"] for r in m.get_all(filters={"user_id": u}, top_k=10000).get("results", [])] for u in users}
    print(json.dumps({"per_user": per_user, "errors": errors, "wall": wall}))
"""


def setup() -> None:
    """Create /tmp/mem0-venv and install mem0ai there (never in agentmem's .venv)."""
    if not (MEM0_VENV / "bin" / "python").exists():
        subprocess.run(
            [
                sys.executable if "venv" not in sys.executable else "python3",
                "-m",
                "venv",
                str(MEM0_VENV),
            ],
            check=True,
        )
    subprocess.run(
        [str(MEM0_VENV / "bin" / "pip"), "install", "-q", f"mem0ai=={MEM0_VERSION}"], check=True
    )
    print(f"mem0ai {MEM0_VERSION} installed in {MEM0_VENV}")


def run_mem0(server: FakeOpenAIServer, data: dict[str, Any]) -> dict[str, Any]:
    py = MEM0_VENV / "bin" / "python"
    if not py.exists():
        raise SystemExit(
            f"mem0 is not installed: run `python -m benchmarks.perf.mem0_compare --setup` first ({py} missing)"
        )
    with tempfile.TemporaryDirectory(prefix="mem0-bench-") as d:
        tj = Path(d) / "turns.json"
        tj.write_text(json.dumps(data))  # {"mode": "turns" | "concurrent", ...}
        env = {
            **os.environ,
            "MEM0_TELEMETRY": "False",
            "MEM0_DIR": d,
            "OPENAI_API_KEY": "x",
            "HOME": d,
        }
        proc = subprocess.run(
            [str(py), "-c", _DRIVER, server.base_url, d, str(tj)],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )
    if proc.returncode != 0:
        raise SystemExit(f"mem0 driver failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


async def run_ours(
    server: FakeOpenAIServer,
    data: list[Any],
    *,
    dense: bool,
    rm: str,
    policy: str,
    one_call: bool = False,
) -> dict[str, Any]:
    from agentmem.llm import LLMClient
    from agentmem.memory import FactsMemory, LLMEmbedder, Scope

    with tempfile.TemporaryDirectory(prefix="agentmem-bench-") as d:
        memory = FactsMemory.create(
            d,
            model="openai/fake",
            api_base=server.base_url,
            api_key="x",
            rm=rm,
            policy=policy,
            one_call=one_call,
        )
        if dense:
            client = LLMClient("openai/fake-embed", api_base=server.base_url, api_key="x")
            memory.owns.append(client)
            memory.store.embedder = LLMEmbedder(client=client)
        scope = Scope(user_id="alice")
        add_t, search_t = [], []
        async with memory:
            for msgs, query in data:
                t = time.perf_counter()
                await memory.add(msgs, scope=scope)
                add_t.append(time.perf_counter() - t)
                t = time.perf_counter()
                await memory.search(query, scope=scope, limit=5)
                search_t.append(time.perf_counter() - t)
            stored = len(await memory.get_all(scope=scope))
            scored = len([e for e in await memory.store.events(scope) if e.score is not None])
        return {"add": add_t, "search": search_t, "stored": stored, "scored_writes": scored}


def writers(
    n_writers: int, n_users: int, per_writer: int
) -> list[tuple[str, list[list[dict[str, str]]]]]:
    """Writer w writes for user w % n_users: its own facts (one per turn) plus one fact every
    writer of that user repeats (the same fact sent concurrently)."""
    out = []
    for w in range(n_writers):
        msgs = [
            [
                {
                    "role": "user",
                    "content": f"I really enjoy gadget{w}k{k} these days. My sister lives in Lisbon.",
                }
            ]
            for k in range(per_writer)
        ]
        out.append((f"user{w % n_users}", msgs))
    return out


async def run_ours_concurrent(
    server: FakeOpenAIServer, ws: list[Any], *, rm: str, policy: str
) -> dict[str, Any]:
    from agentmem.memory import FactsMemory, Scope

    with tempfile.TemporaryDirectory(prefix="agentmem-bench-") as d:
        memory = FactsMemory.create(
            d, model="openai/fake", api_base=server.base_url, api_key="x", rm=rm, policy=policy
        )
        errors: list[str] = []

        async def writer(user_id: str, msgs_list: list[Any]) -> None:
            for msgs in msgs_list:
                try:
                    await memory.add(msgs, scope=Scope(user_id=user_id))
                except Exception as exc:  # counted and reported, like the mem0 driver does
                    errors.append(repr(exc))

        async with memory:
            t = time.perf_counter()
            await asyncio.gather(*(writer(u, m) for u, m in ws))
            wall = time.perf_counter() - t
            users = sorted({u for u, _ in ws})
            per_user = {
                u: [m.text for m in await memory.get_all(scope=Scope(user_id=u))] for u in users
            }
        return {"per_user": per_user, "errors": errors, "wall": wall}


def _losses(name: str, r: dict[str, Any], ws: list[Any], per_writer: int) -> None:
    expected_unique = {u: 0 for u, _ in ws}
    for u, _ in ws:
        expected_unique[u] += per_writer
    lost = dup = 0
    for u, texts in r["per_user"].items():
        gadgets = [t for t in texts if "gadget" in t]
        shared = [t for t in texts if "sister" in t]
        lost += max(0, expected_unique[u] - len(set(gadgets))) + (0 if shared else 1)
        dup += (len(gadgets) - len(set(gadgets))) + max(0, len(shared) - 1)
    total = sum(expected_unique.values()) + len(expected_unique)
    print(
        f"  {name:34} {total} expected memories: {lost} lost, {dup} duplicated, {len(r['errors'])} add() errors, wall {r['wall']:.1f} s"
    )


def concurrency(a: argparse.Namespace) -> None:
    ws = writers(32, 8, a.per_writer)
    print(
        f"32 concurrent writers on 8 users, {a.per_writer} adds each (each add: 1 own fact + 1 fact all 4 writers of the user repeat)"
    )
    with FakeOpenAIServer(
        handler=model, latency_s=a.chat_latency, embedding_latency_s=a.embed_latency
    ) as server:
        server._httpd.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
        _losses(
            f"mem0 {MEM0_VERSION} (threads, its embedded store)",
            run_mem0(server, {"mode": "concurrent", "writers": ws}),
            ws,
            a.per_writer,
        )
        _losses(
            f"agentmem ({a.policy}, rm={a.rm})",
            asyncio.run(run_ours_concurrent(server, ws, rm=a.rm, policy=a.policy)),
            ws,
            a.per_writer,
        )


def _summary(name: str, r: dict[str, Any], n_turns: int, requests: tuple[int, int]) -> float:
    per_turn = [a + s for a, s in zip(r["add"], r["search"], strict=True)]
    med = statistics.median(per_turn) * 1000
    print(
        f"  {name:34} add {statistics.median(r['add']) * 1000:7.1f} ms  search {statistics.median(r['search']) * 1000:6.1f} ms  "
        f"add+search {med:7.1f} ms/turn  | {requests[0] / n_turns:.1f} chat + {requests[1] / n_turns:.1f} embedding calls/turn, "
        f"{r['stored']} memories stored"
        + (f", {r['scored_writes']} writes scored" if "scored_writes" in r else "")
    )
    return med


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument(
        "--setup",
        action="store_true",
        help=f"install mem0ai=={MEM0_VERSION} into {MEM0_VENV} and exit",
    )
    ap.add_argument("--turns", type=int, default=30)
    ap.add_argument(
        "--chat-latency", type=float, default=0.5, help="seconds per chat completion (default 0.5)"
    )
    ap.add_argument(
        "--embed-latency",
        type=float,
        default=0.05,
        help="seconds per embedding call (default 0.05)",
    )
    ap.add_argument(
        "--dense",
        action="store_true",
        help="also run agentmem with dense embeddings from the fake server",
    )
    ap.add_argument(
        "--rm",
        default="heuristic",
        help="reward model scoring every agentmem write (llm:openai/fake = an LLM judge on the fake server, one more call per write)",
    )
    ap.add_argument("--policy", default="gate")
    ap.add_argument(
        "--concurrency",
        action="store_true",
        help="instead: 32 concurrent writers on 8 users, count lost and duplicated memories",
    )
    ap.add_argument("--per-writer", type=int, default=3, help="adds per writer in --concurrency")
    a = ap.parse_args()
    if a.setup:
        setup()
        return
    data = turns(a.turns)
    if a.concurrency:
        concurrency(a)
        return
    with FakeOpenAIServer(
        handler=model, latency_s=a.chat_latency, embedding_latency_s=a.embed_latency
    ) as server:
        # The fake server writes headers and body in separate sends; with Nagle's algorithm on,
        # a keep-alive client's delayed ACK adds ~40 ms to every call. Turn Nagle off so that the
        # configured latency is the latency both systems see.
        server._httpd.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]

        def counts(since: int) -> tuple[int, int]:
            reqs = server.requests[since:]
            return sum(r.path.endswith("/chat/completions") for r in reqs), sum(
                r.path.endswith("/embeddings") for r in reqs
            )

        print(
            f"{a.turns} turns, fake server latency {a.chat_latency * 1000:.0f} ms per chat call, "
            f"{a.embed_latency * 1000:.0f} ms per embedding call; medians per turn"
        )
        k = len(server.requests)
        mem0 = run_mem0(server, {"mode": "turns", "turns": data})
        m0 = _summary(f"mem0 {MEM0_VERSION} (no write scoring)", mem0, a.turns, counts(k))
        variants = [(False, False), (False, True)] + (
            [(True, False), (True, True)] if a.dense else []
        )
        for dense, one_call in variants:
            k = len(server.requests)
            ours = asyncio.run(
                run_ours(server, data, dense=dense, rm=a.rm, policy=a.policy, one_call=one_call)
            )
            name = f"agentmem {'dense' if dense else 'BM25'}, {'1 call' if one_call else '2 calls'}, rm={a.rm}"
            o = _summary(name, ours, a.turns, counts(k))
            print(f"  -> {name} / mem0 wall time per turn: {o / m0:.2f}x")


if __name__ == "__main__":
    main()
