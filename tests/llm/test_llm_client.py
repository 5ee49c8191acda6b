"""LLMClient against a real HTTP fake server on 127.0.0.1: retries, timeouts, cache, limits, usage."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from agentmem.exceptions import ModelError, ModelTimeoutError, UserError
from agentmem.llm import LLMClient, import_litellm
from agentmem.testing import FakeOpenAIServer, FakeReply, FakeRequest

TRANSPORTS = ["fast", "litellm"]


def client(server: FakeOpenAIServer, transport: str = "fast", **kw: object) -> LLMClient:
    kw.setdefault("backoff_base", 0.01)
    return LLMClient(
        "openai/fake", api_base=server.base_url, api_key="k", transport=transport, **kw
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_reply_text_usage_and_request_body(
    fake_openai: FakeOpenAIServer, transport: str
) -> None:
    fake_openai.script(FakeReply(content="[[A]] because", prompt_tokens=120, completion_tokens=7))
    async with client(fake_openai, transport) as c:
        done = await c.complete(
            [{"role": "system", "content": "judge"}, {"role": "user", "content": "q"}],
            temperature=0.7,
            top_p=0.95,
            max_tokens=50,
            seed=3,
            stop=["\n\n"],
        )
    assert done.text == "[[A]] because"
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (120, 7)
    assert done.usage.model == "openai/fake" and done.usage.latency_s > 0
    assert done.finish_reason == "stop" and not done.cached and done.attempts == 1
    body = fake_openai.chat_requests[0].body
    assert body["model"] == "fake"  # the provider prefix is not sent to the server
    assert body["temperature"] == 0.7 and body["top_p"] == 0.95 and body["max_tokens"] == 50
    assert body["seed"] == 3 and body["stop"] == ["\n\n"]
    assert fake_openai.chat_requests[0].headers["authorization"] == "Bearer k"


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_429_with_retry_after_is_waited_out_then_succeeds(
    fake_openai: FakeOpenAIServer, transport: str
) -> None:
    fake_openai.script(
        FakeReply(status=429, content="slow down", headers={"retry-after": "0.3"}), "fine"
    )
    async with client(fake_openai, transport) as c:
        done = await c.complete("hi")
    assert done.text == "fine" and done.attempts == 2
    first, second = fake_openai.chat_requests
    assert (
        second.received_at - first.received_at >= 0.3
    )  # retry-after honoured, not the 10 ms backoff


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_persistent_500_raises_model_error_naming_model_endpoint_status(
    fake_openai: FakeOpenAIServer, transport: str
) -> None:
    fake_openai.script(*[FakeReply(status=503, content="overloaded")] * 3)
    async with client(fake_openai, transport, max_retries=2) as c:
        with pytest.raises(ModelError) as info:
            await c.complete("hi")
    msg = str(info.value)
    assert "openai/fake" in msg and fake_openai.base_url in msg and "503" in msg
    assert not isinstance(info.value, ModelTimeoutError)
    assert len(fake_openai.chat_requests) == 3


async def test_500_then_success_recovers(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(FakeReply(status=500), FakeReply(status=502), "ok now")
    async with client(fake_openai) as c:
        done = await c.complete("hi")
    assert done.text == "ok now" and done.attempts == 3


async def test_client_error_is_not_retried(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(FakeReply(status=400, content="bad request: unknown field"))
    async with client(fake_openai) as c:
        with pytest.raises(ModelError, match=r"HTTP 400.*unknown field"):
            await c.complete("hi")
    assert len(fake_openai.chat_requests) == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_stall_past_timeout_raises_timeout_error(
    fake_openai: FakeOpenAIServer, transport: str
) -> None:
    fake_openai.script(*[FakeReply(content="late", delay_s=1.0)] * 2)
    if transport == "litellm":
        await asyncio.to_thread(
            import_litellm
        )  # its first import takes seconds: not part of the timing
    async with client(fake_openai, transport, timeout=0.2, max_retries=1) as c:
        t0 = time.perf_counter()
        with pytest.raises(ModelTimeoutError) as info:
            await c.complete("hi")
    elapsed = time.perf_counter() - t0
    assert elapsed < 1.5  # gave up at the timeout: two full replies would take 2 s
    assert "timed out" in str(info.value) and "openai/fake" in str(info.value)


async def test_timeout_then_success(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(FakeReply(content="late", delay_s=0.6), "on time")
    async with client(fake_openai, timeout=0.2) as c:
        done = await c.complete("hi")
    assert done.text == "on time" and done.attempts == 2


async def test_connection_refused_is_a_model_error(fake_openai: FakeOpenAIServer) -> None:
    base = fake_openai.base_url
    fake_openai.stop()
    c = LLMClient("openai/fake", api_base=base, max_retries=1, backoff_base=0.01)
    with pytest.raises(ModelError, match="connection error"):
        await c.complete("hi")
    await c.aclose()


async def test_cache_serves_temperature_zero_calls_without_a_request(
    fake_openai: FakeOpenAIServer, tmp_path: object
) -> None:
    fake_openai.script("first", "second", "third", "fourth")
    async with client(fake_openai, cache_dir=tmp_path) as c:
        a = await c.complete("same", temperature=0, cache_version="v1")
        b = await c.complete("same", temperature=0, cache_version="v1")
        other_version = await c.complete("same", temperature=0, cache_version="v2")
        sampled = await c.complete("same", temperature=0.7)
        sampled_again = await c.complete("same", temperature=0.7)
    assert (a.text, a.cached) == ("first", False)
    assert (b.text, b.cached, b.attempts) == ("first", True, 0)
    assert b.usage.cost == 0 and b.usage.prompt_tokens == 0
    assert other_version.text == "second" and not other_version.cached
    assert (sampled.text, sampled_again.text) == (
        "third",
        "fourth",
    )  # sampling is never cached by default
    assert len(fake_openai.chat_requests) == 4


async def test_explicit_cache_survives_a_new_client_and_concurrent_writers(
    fake_openai: FakeOpenAIServer, tmp_path: object
) -> None:
    fake_openai.handler = lambda req: f"echo {req.user}"
    async with client(fake_openai, cache_dir=tmp_path) as c:
        await asyncio.gather(*(c.complete(f"q{i}", temperature=0.9, cache=True) for i in range(20)))
    before = len(fake_openai.chat_requests)
    async with client(fake_openai, cache_dir=tmp_path) as c2:
        again = await asyncio.gather(
            *(c2.complete(f"q{i}", temperature=0.9, cache=True) for i in range(20))
        )
    assert [d.text for d in again] == [f"echo q{i}" for i in range(20)]
    assert all(d.cached for d in again) and len(fake_openai.chat_requests) == before == 20


async def test_rpm_limit_spreads_requests(fake_openai: FakeOpenAIServer) -> None:
    async with client(fake_openai, rpm=300) as c:  # 5 per second, burst of 5
        t0 = time.perf_counter()
        await asyncio.gather(*(c.complete(f"q{i}") for i in range(10)))
        elapsed = time.perf_counter() - t0
    assert elapsed >= 0.9  # 5 go at once, the next 5 need one more second of refill


async def test_tpm_limit_waits_for_budget(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.handler = lambda req: FakeReply(content="x", prompt_tokens=300, completion_tokens=0)
    async with client(fake_openai, tpm=18_000) as c:  # 300 tokens a second
        t0 = time.perf_counter()
        for _ in range(3):
            await c.complete("y" * 1200)  # ~300 tokens each
        elapsed = time.perf_counter() - t0
    assert elapsed >= 1.5


class InFlight:
    """A server handler that holds each request ``hold_s`` and records the most requests in flight."""

    def __init__(self, hold_s: float = 0.3) -> None:
        self.hold_s = hold_s
        self.now = 0
        self.peak = 0
        self.lock = threading.Lock()

    def __call__(self, req: FakeRequest) -> str:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.hold_s)
        with self.lock:
            self.now -= 1
        return "ok"


async def test_concurrency_limit_bounds_requests_in_flight(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.handler = counter = InFlight()
    async with client(fake_openai, concurrency=2) as c:
        await asyncio.gather(*(c.complete(f"q{i}") for i in range(6)))
    assert counter.peak == 2


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_logprobs_are_returned_as_token_triples(
    fake_openai: FakeOpenAIServer, transport: str
) -> None:
    fake_openai.script(
        FakeReply(
            content="[[B]]",
            logprobs=[("[[", -0.01, {"[[": -0.01}), ("B", -0.3, {"B": -0.3, "A": -1.5})],
        )
    )
    async with client(fake_openai, transport) as c:
        done = await c.complete("q", logprobs=True, top_logprobs=5)
    assert done.logprobs == [("[[", -0.01, {"[[": -0.01}), ("B", -0.3, {"B": -0.3, "A": -1.5})]
    assert fake_openai.chat_requests[0].body["top_logprobs"] == 5


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_embed_returns_one_vector_per_text(
    fake_openai: FakeOpenAIServer, transport: str
) -> None:
    async with client(fake_openai, transport) as c:
        vecs = await c.embed(["alpha beta", "gamma", "alpha beta"])
    assert len(vecs) == 3 and len(vecs[0]) == 64
    assert vecs[0] == vecs[2] and vecs[0] != vecs[1]


async def test_cost_uses_the_price_map_for_known_models(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(FakeReply(content="x", prompt_tokens=1_000_000, completion_tokens=1_000_000))
    async with LLMClient("openai/gpt-4o-mini", api_base=fake_openai.base_url) as c:
        done = await c.complete("q")
    assert done.usage.cost == pytest.approx(0.15 + 0.60)


def test_bad_arguments_are_user_errors() -> None:
    with pytest.raises(UserError, match="timeout"):
        LLMClient("openai/x", timeout=0)
    with pytest.raises(UserError, match="concurrency"):
        LLMClient("openai/x", concurrency=0)
    with pytest.raises(UserError, match="api_base"):
        LLMClient("openai/x", api_base="127.0.0.1:8000")
    with pytest.raises(UserError, match="transport='fast'"):
        LLMClient("anthropic/claude", transport="fast")
    with pytest.raises(UserError, match="rpm"):
        LLMClient("openai/x", rpm=0)


def test_transport_choice() -> None:
    assert LLMClient("openai/m", api_base="http://127.0.0.1:1/v1").transport.name == "fast"
    assert LLMClient("openai/gpt-4o-mini").transport.name == "litellm"
    assert (
        LLMClient("anthropic/claude-x", api_base="http://127.0.0.1:1").transport.name == "litellm"
    )


def test_client_works_across_event_loops(fake_openai: FakeOpenAIServer) -> None:
    c = client(fake_openai)
    assert asyncio.run(c.complete("one")).text == "ok"
    assert (
        asyncio.run(c.complete("two")).text == "ok"
    )  # a fresh pool on the new loop, old one closed


async def test_named_limiter_is_shared_and_default_limiters_are_not(
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.handler = shared_counter = InFlight()
    shared = [client(fake_openai, concurrency=1, limiter="test-shared-1") for _ in range(2)]
    await asyncio.gather(*(c.complete(f"q{i}") for i in range(2) for c in shared))
    assert shared_counter.peak == 1  # one at a time across both clients
    fake_openai.handler = own_counter = InFlight()
    own = [client(fake_openai, concurrency=2) for _ in range(2)]
    await asyncio.gather(*(c.complete(f"q{i}") for i in range(3) for c in own))
    assert own_counter.peak == 4  # each client has its own bound of 2
    for c in shared + own:
        await c.aclose()


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_extra_body_reaches_the_server(fake_openai: FakeOpenAIServer, transport: str) -> None:
    async with client(fake_openai, transport) as c:
        await c.complete(
            "q", temperature=0, extra_body={"chat_template_kwargs": {"enable_thinking": False}}
        )
        with pytest.raises(UserError, match="repeats"):
            await c.complete("q", temperature=0, extra_body={"temperature": 1})
    assert fake_openai.chat_requests[0].body["chat_template_kwargs"] == {"enable_thinking": False}
    assert fake_openai.chat_requests[0].body["temperature"] == 0


async def test_hosted_vllm_models_take_the_fast_path(fake_openai: FakeOpenAIServer) -> None:
    async with LLMClient("hosted_vllm/qwen3-8b", api_base=fake_openai.base_url) as c:
        assert c.transport.name == "fast"
        await c.complete("q")
    assert fake_openai.chat_requests[0].body["model"] == "qwen3-8b"


_FIRST_USE = """
import asyncio, sys
import aiohttp.client
from agentmem.testing import FakeOpenAIServer
from agentmem.llm import LLMClient
made = []
real = aiohttp.client.ClientSession.__init__
def counting(self, *a, **k):
    made.append(1)
    real(self, *a, **k)
aiohttp.client.ClientSession.__init__ = counting
del sys.modules["aiohttp"]  # the client imports it (again) in a worker thread on first use
async def main(url):
    c = LLMClient("openai/fake", api_base=url)
    await asyncio.gather(*(c.complete(f"q{i}") for i in range(8)))
    await c.aclose()
with FakeOpenAIServer() as s:
    asyncio.run(main(s.base_url))
print(len(made))
"""


def test_concurrent_first_calls_share_one_pool() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _FIRST_USE], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "1"


async def test_embed_batches_large_inputs_and_keeps_order(fake_openai: FakeOpenAIServer) -> None:
    from agentmem.testing import hash_embedding

    texts = [f"text number {i}" for i in range(25)]
    async with client(fake_openai) as c:
        vecs = await c.embed(texts, batch_size=10)
        with pytest.raises(UserError, match="batch_size"):
            await c.embed(texts, batch_size=0)
    assert vecs == [hash_embedding(t, 64) for t in texts]
    sizes = sorted(
        len(r.body["input"]) for r in fake_openai.requests if r.path.endswith("/embeddings")
    )
    assert sizes == [5, 10, 10]


async def test_not_found_and_unauthorised_get_a_hint(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(
        FakeReply(status=404, content="no such route"), FakeReply(status=401, content="bad key")
    )
    async with client(fake_openai) as c:
        with pytest.raises(ModelError, match=r"HTTP 404.*usually ending in /v1"):
            await c.complete("q")
        with pytest.raises(ModelError, match=r"HTTP 401.*check api_key"):
            await c.complete("q")
    assert len(fake_openai.chat_requests) == 2  # neither was retried


async def test_missing_credentials_fail_at_once_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    keyless = LLMClient("openai/gpt-4o-mini", max_retries=4, transport="litellm")
    try:
        with pytest.raises(ModelError) as info:
            await keyless.complete([{"role": "user", "content": "hi"}])
    finally:
        await keyless.aclose()
    message = str(info.value)
    assert "after 1 attempt(s)" in message  # no retries: a key does not appear by waiting
    assert "set OPENAI_API_KEY" in message and "rpm" not in message
