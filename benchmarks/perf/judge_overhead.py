"""Client overhead of a judge call: litellm vs our fast path (and httpx / the openai SDK for reference).

    .venv/bin/python -m benchmarks.perf.judge_overhead [--calls 200] [--throughput-calls 640]

The fake OpenAI server runs in a separate process (so its work does not share our GIL) and answers
a judge-sized request (~6 KB prompt) with a short verdict. Printed per transport:

* ``overhead``: median wall time per sequential call minus the server's own latency
  (0 ms here, so it is the whole round trip on loopback, server handling included);
* ``client CPU``: this process's CPU seconds per call (what limits throughput);
* ``throughput``: calls/s at concurrency 32 against a 100 ms server (ideal: 320/s).

Then the same for whole judgments through ``LLMJudge.compare`` (compat mode: one call per pair;
robust: two calls, both orders) on a benchmark-sized pair (``--pair-kb`` of shared context).

Targets: overhead <= 10 ms per call; fast path >= 90% of 320 calls/s (and judgments/s in compat).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

_SERVER = """
import socketserver, sys
# The fake server writes headers and body in two send() calls; with Nagle on, the body waits for
# the client's delayed ACK (~40 ms on Linux). Real servers (uvicorn, vLLM) set TCP_NODELAY.
socketserver.StreamRequestHandler.disable_nagle_algorithm = True
from agentmem.testing import FakeOpenAIServer
s = FakeOpenAIServer(handler=lambda req: "[[A]]\\nAgent A keeps the evidence.", latency_s=float(sys.argv[1])).start()
print(s.base_url, flush=True)
sys.stdin.read()
"""

_ASYNC_SERVER = """
import asyncio, json, sys, time
from aiohttp import web
LAT = float(sys.argv[1])
REPLY = "[[A]]\\nAgent A keeps the evidence."
async def chat(request):
    body = json.loads(await request.read())
    if LAT:
        await asyncio.sleep(LAT)
    chars = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
    return web.json_response({
        "id": "x", "object": "chat.completion", "created": int(time.time()), "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": REPLY}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": chars // 4, "completion_tokens": 8, "total_tokens": chars // 4 + 8},
    })
async def main():
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/v1/chat/completions", chat)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(f"http://127.0.0.1:{port}/v1", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()
asyncio.run(main())
"""

PAIR_KB = 64
"""Shared-context size of the judge benchmark's pair (set by --pair-kb)."""

PROMPT = [
    {"role": "system", "content": "You compare two memory trajectories. " * 40},
    {"role": "user", "content": "[User Question]\n" + "The context sentence goes here. " * 150},
]


class Server:
    def __init__(self, latency_s: float, kind: str = "threaded") -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _SERVER if kind == "threaded" else _ASYNC_SERVER,
                str(latency_s),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


Call = Callable[[], Awaitable[str]]


async def _make_calls(kind: str, base_url: str) -> tuple[Call, Callable[[], Awaitable[None]]]:
    if kind in ("fast", "litellm"):
        from agentmem.llm import LLMClient

        client = LLMClient(
            "openai/fake", api_base=base_url, api_key="x", transport=kind, concurrency=64
        )  # type: ignore[arg-type]

        async def call() -> str:
            return (await client.complete(PROMPT, temperature=0.7, top_p=0.95, max_tokens=64)).text

        return call, client.aclose
    if kind.startswith("judge-"):
        from rewards import PairInput
        from rewards.llm_judge import LLMJudge

        mode = kind.split("-", 1)[1]
        judge = LLMJudge("openai/fake", api_base=base_url, api_key="x", mode=mode, concurrency=64)  # type: ignore[arg-type]
        words = "The shared long context keeps talking about rivers, bridges and the year 1999. "
        pair = PairInput(
            question="Answer from the text.\n"
            + words * (PAIR_KB * 1024 // len(words))
            + "\nQuestion: when?",
            trajectory_a="Step1:\n<memory>bridge opened 1999</memory>\n" * 200,
            trajectory_b="Step1:\n<memory>no date kept</memory>\n" * 200,
        )

        async def call() -> str:
            return (await judge.compare(pair)).winner

        return call, judge.aclose
    if kind == "openai-sdk":
        import openai

        sdk = openai.AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0)

        async def call() -> str:
            r = await sdk.chat.completions.create(
                model="fake",
                messages=PROMPT,  # pyright: ignore[reportArgumentType]  (plain dicts are what the SDK sends)
                temperature=0.7,
                top_p=0.95,
                max_tokens=64,  # type: ignore[arg-type]
            )
            return r.choices[0].message.content or ""

        return call, sdk.close
    if kind == "httpx":
        import json

        import httpx

        hx = httpx.AsyncClient(base_url=base_url, limits=httpx.Limits(max_connections=64))
        body = {
            "model": "fake",
            "messages": PROMPT,
            "temperature": 0.7,
            "top_p": 0.95,
            "max_tokens": 64,
        }

        async def call() -> str:
            r = await hx.post(
                "/chat/completions",
                content=json.dumps(body),
                headers={"content-type": "application/json"},
            )
            return str(json.loads(r.content)["choices"][0]["message"]["content"])

        return call, hx.aclose
    raise ValueError(kind)


async def sequential(kind: str, base_url: str, calls: int) -> tuple[float, float]:
    call, close = await _make_calls(kind, base_url)
    for _ in range(10):  # warm up: imports, connection pool
        await call()
    walls: list[float] = []
    cpu0 = time.process_time()
    for _ in range(calls):
        t0 = time.perf_counter()
        await call()
        walls.append(time.perf_counter() - t0)
    cpu = (time.process_time() - cpu0) / calls
    await close()
    return statistics.median(walls), cpu


async def throughput(kind: str, base_url: str, calls: int, concurrency: int) -> float:
    call, close = await _make_calls(kind, base_url)
    for _ in range(5):
        await call()
    sem = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with sem:
            await call()

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(calls)))
    rate = calls / (time.perf_counter() - t0)
    await close()
    return rate


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--calls", type=int, default=200, help="sequential calls per transport")
    ap.add_argument("--throughput-calls", type=int, default=640)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument(
        "--latency", type=float, default=0.1, help="server latency for the throughput run (s)"
    )
    ap.add_argument("--kinds", default="fast,httpx,openai-sdk,litellm,judge-compat,judge-robust")
    ap.add_argument(
        "--pair-kb", type=int, default=64, help="shared context of the judged pair, in KB"
    )
    ap.add_argument(
        "--server",
        choices=["threaded", "asyncio"],
        default="threaded",
        help="threaded = agentmem.testing.FakeOpenAIServer; asyncio = a minimal aiohttp server "
        "(shows the client's own ceiling)",
    )
    args = ap.parse_args()
    global PAIR_KB
    PAIR_KB = args.pair_kb
    kinds = args.kinds.split(",")

    zero = Server(0.0, args.server)
    slow = Server(args.latency, args.server)
    print(f"server: {args.server}")
    try:
        ideal = args.concurrency / args.latency
        print(
            f"{'transport':<12} {'overhead ms':>12} {'client CPU ms':>14} {'calls/s @c' + str(args.concurrency):>14} {'% of ideal':>11}"
        )
        for kind in kinds:
            wall, cpu = asyncio.run(sequential(kind, zero.base_url, args.calls))
            rate = asyncio.run(
                throughput(kind, slow.base_url, args.throughput_calls, args.concurrency)
            )
            print(
                f"{kind:<12} {wall * 1e3:>12.2f} {cpu * 1e3:>14.2f} {rate:>14.1f} {100 * rate / ideal:>10.1f}%"
            )
        print(
            f"(ideal throughput {ideal:.0f} calls/s = concurrency {args.concurrency} / latency {args.latency:g} s; "
            "overhead target <= 10 ms; fast path target >= 90% of ideal)"
        )
    finally:
        zero.close()
        slow.close()


if __name__ == "__main__":
    main()
