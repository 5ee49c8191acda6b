"""LLMClient: every model call agentmem makes goes through here.

One client per model string. It picks a transport (the lean aiohttp path for ``openai/<name>``
with an ``api_base``; litellm for everything else), bounds concurrency, honours RPM/TPM limits,
retries 429/5xx/timeouts/connection errors with jittered exponential backoff (``retry-after``
wins), serves deterministic calls from an on-disk cache, and accounts tokens, cost and latency.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from agentmem._types import Usage
from agentmem.exceptions import ModelAuthError, ModelError, ModelTimeoutError, UserError
from agentmem.llm._cache import ResponseCache, cache_key
from agentmem.llm._completion import Completion, message_text, parse_logprobs
from agentmem.llm._cost import call_cost
from agentmem.llm._fast import FastTransport
from agentmem.llm._limits import TokenBucket, named_limiter
from agentmem.llm._litellm import LiteLLMTransport
from agentmem.llm._retry import TransportFailure, backoff_delay

__all__ = ["FAST_PREFIXES", "LLMClient", "Message", "TransportName"]

Message = dict[str, Any]
"""An OpenAI-style chat message: ``{"role": "user", "content": "..."}``."""

FAST_PREFIXES = ("openai/", "hosted_vllm/", "lm_studio/", "llamafile/")
"""litellm providers that speak the OpenAI API at ``api_base``: the fast path can serve them."""

TransportName = Literal["auto", "fast", "litellm"]
"""``auto``: the fast path for an OpenAI-compatible model string (:data:`FAST_PREFIXES`) with an
``api_base``, else litellm."""


OFF_LOOP_TOKENS = 64_000
"""Requests estimated above this many tokens (~250 KB) are JSON-encoded and hashed in a worker
thread: encoding a megabyte takes ~10 ms, too long to hold the event loop."""


def _estimate_tokens(messages: Sequence[Message]) -> int:
    # ~4 characters a token; used only for TPM budgeting before the real usage is known
    chars = 0
    for m in messages:
        content = m.get("content")
        chars += len(content) if isinstance(content, str) else len(json.dumps(content, default=str))
    return chars // 4 + 4 * len(messages)


class LLMClient:
    """A chat/embedding client for one model.

    Args:
        model: a litellm model string, e.g. ``openai/gpt-4o-mini``, ``anthropic/claude-...``, or
            ``openai/<served-name>`` together with ``api_base`` for a self-hosted server.
        api_base: base URL of an OpenAI-compatible server (``http://127.0.0.1:8000/v1``).
        api_key: key for the endpoint (litellm falls back to the provider's usual env variable).
        timeout: seconds allowed per attempt.
        max_retries: retries after the first attempt (429, 5xx, timeouts, connection errors).
        concurrency: calls in flight at once (for this client, or for every client sharing ``limiter``).
        rpm: requests per minute (token bucket), None for no limit.
        tpm: tokens per minute (prompt estimate up front, corrected by the reported usage).
        cache_dir: folder of the content-addressed response cache; None disables caching.
        transport: ``auto`` (default), ``fast`` (force the aiohttp path; needs ``api_base``) or ``litellm``.
        limiter: name of a concurrency limiter shared with other clients and tasks that use the
            same name (see :func:`agentmem.llm.limit`); default: this client's own limiter.
        backoff_base: first backoff step in seconds (doubles each retry, full jitter).
        backoff_cap: longest backoff in seconds.
    """

    def __init__(
        self,
        model: str,
        *,
        api_base: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 4,
        concurrency: int = 8,
        rpm: float | None = None,
        tpm: float | None = None,
        cache_dir: str | Path | None = None,
        transport: TransportName = "auto",
        limiter: str | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
    ) -> None:
        if not isinstance(model, str) or not model.strip():
            raise UserError(
                f"model must be a litellm model string such as 'openai/gpt-4o-mini', got {model!r}"
            )
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
            raise UserError(f"timeout must be a positive number of seconds, got {timeout!r}")
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise UserError(f"max_retries must be an integer >= 0, got {max_retries!r}")
        if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
            raise UserError(f"concurrency must be an integer >= 1, got {concurrency!r}")
        if transport not in ("auto", "fast", "litellm"):
            raise UserError(f"transport must be 'auto', 'fast' or 'litellm', got {transport!r}")
        if api_base is not None and not str(api_base).startswith(("http://", "https://")):
            raise UserError(
                f"api_base must be an http(s) URL such as 'http://127.0.0.1:8000/v1', got {api_base!r}"
            )
        self.model = model.strip()
        self.api_base = api_base
        self.timeout = float(timeout)
        self.max_retries = max_retries
        self.concurrency = concurrency
        self.backoff_base = float(backoff_base)
        self.backoff_cap = float(backoff_cap)
        self.limiter_name = limiter
        self._own_limiters: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Semaphore
        ] = weakref.WeakKeyDictionary()
        self._rpm = TokenBucket(rpm, what="rpm") if rpm is not None else None
        self._tpm = TokenBucket(tpm, what="tpm") if tpm is not None else None
        self.cache = ResponseCache(cache_dir) if cache_dir is not None else None
        fast_ok = self.model.startswith(FAST_PREFIXES) and bool(api_base)
        if transport == "fast" and not fast_ok:
            raise UserError(
                f"transport='fast' needs an OpenAI-compatible model ('openai/<name>', 'hosted_vllm/<name>', ...) and an api_base, got model={self.model!r}, "
                f"api_base={api_base!r}; use transport='litellm' for other providers"
            )
        self._served_name = (
            self.model.split("/", 1)[1] if self.model.startswith(FAST_PREFIXES) else self.model
        )
        self.transport: FastTransport | LiteLLMTransport
        if fast_ok and transport != "litellm":
            assert api_base is not None
            key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
            self.transport = FastTransport(api_base, key, pool_size=max(concurrency, 1) * 2)
        else:
            self.transport = LiteLLMTransport(self.model, api_base, api_key)

    @property
    def endpoint(self) -> str:
        """Where calls go, for messages: the api_base, or ``litellm:<provider>``."""
        return self.api_base or f"litellm:{self.model.split('/', 1)[0]}"

    def __repr__(self) -> str:
        return f"LLMClient(model={self.model!r}, endpoint={self.endpoint!r}, transport={self.transport.name!r})"

    async def __aenter__(self) -> LLMClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close pooled connections held for the running loop, and the cache's database connection."""
        await self.transport.aclose()
        if self.cache is not None:
            await self.cache.flush()
            await asyncio.to_thread(self.cache.close)

    # -- chat -------------------------------------------------------------------------------
    async def complete(
        self,
        messages: Sequence[Message] | str,
        *,
        temperature: float | None = None,
        top_p: float | None = None,
        max_tokens: int | None = None,
        seed: int | None = None,
        logprobs: bool = False,
        top_logprobs: int | None = None,
        response_format: dict[str, Any] | None = None,
        stop: str | list[str] | None = None,
        extra_body: dict[str, Any] | None = None,
        cache: bool | None = None,
        cache_version: str = "",
    ) -> Completion:
        """One chat completion.

        ``messages`` is a list of OpenAI-style messages (a bare string is one user message).
        ``cache``: None = use the cache only for temperature-0 calls; True = always; False = never.
        ``cache_version`` is part of the cache key: bump it when the caller's scoring changes.
        ``extra_body``: provider-specific request fields sent as they are (e.g. vLLM's
        ``{"chat_template_kwargs": {"enable_thinking": False}}``).

        Raises:
            ModelTimeoutError: every attempt timed out (or the last one did).
            ModelError: the call failed after its retries, or with a non-retryable status.
        """
        msgs: list[Message] = (
            [{"role": "user", "content": messages}] if isinstance(messages, str) else list(messages)
        )
        if not msgs:
            raise UserError(
                "messages is empty; pass at least one {'role': 'user', 'content': ...} message"
            )
        body: dict[str, Any] = {"model": self._served_name, "messages": msgs}
        if temperature is not None:
            body["temperature"] = temperature
        if top_p is not None:
            body["top_p"] = top_p
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        if seed is not None:
            body["seed"] = seed
        if logprobs:
            body["logprobs"] = True
            if top_logprobs is not None:
                body["top_logprobs"] = top_logprobs
        if response_format is not None:
            body["response_format"] = response_format
        if stop is not None:
            body["stop"] = stop
        if extra_body:
            clash = sorted(set(extra_body) & (set(body) | {"model", "messages"}))
            if clash:
                raise UserError(
                    f"extra_body repeats {clash!r}; pass those as complete() arguments instead"
                )
            body.update(extra_body)

        est = _estimate_tokens(msgs)
        use_cache = self.cache is not None and (cache if cache is not None else temperature == 0)
        key = ""
        start = time.perf_counter()
        if use_cache:
            assert self.cache is not None
            payload = {"model": self.model, "body": body, "version": cache_version}
            key = (
                await asyncio.to_thread(cache_key, payload)
                if est > OFF_LOOP_TOKENS
                else cache_key(payload)
            )
            hit = await self.cache.get(key)
            if hit is not None:
                return self._to_completion(hit, start, cached=True, attempts=0)
        raw, attempts = await self._call("chat/completions", body, est + (max_tokens or 0) // 8)
        if use_cache and self.cache is not None and raw.get("choices"):
            self.cache.put_nowait(key, self.model, raw)
        return self._to_completion(raw, start, cached=False, attempts=attempts)

    def _to_completion(
        self, raw: dict[str, Any], start: float, *, cached: bool, attempts: int
    ) -> Completion:
        choices = raw.get("choices") or []
        if not choices or not isinstance(choices[0], dict):
            raise ModelError(
                f"model {self.model!r} at {self.endpoint} returned no choices: {json.dumps(raw)[:300]}"
            )
        choice = choices[0]
        usage = raw.get("usage") or {}
        pt = int(usage.get("prompt_tokens") or 0)
        ct = int(usage.get("completion_tokens") or 0)
        return Completion(
            text=message_text(choice),
            usage=Usage(
                prompt_tokens=0 if cached else pt,
                completion_tokens=0 if cached else ct,
                cost=0.0 if cached else call_cost(self.model, pt, ct),
                latency_s=time.perf_counter() - start,
                model=self.model,
            ),
            logprobs=parse_logprobs(choice),
            finish_reason=choice.get("finish_reason"),
            cached=cached,
            raw=raw,
            attempts=attempts,
        )

    # -- embeddings -------------------------------------------------------------------------
    async def embed(
        self,
        texts: Sequence[str],
        *,
        model: str | None = None,
        dimensions: int | None = None,
        batch_size: int = 256,
    ) -> list[list[float]]:
        """Embed ``texts`` (one vector each, in order) with this client's model or ``model``.

        ``model`` overrides the served model name on the same endpoint (fast path) or the
        litellm model string (litellm path). Large inputs go out in batches of ``batch_size``
        texts, concurrently within the client's concurrency bound.
        """
        items = list(texts)
        if not items:
            return []
        if any(not isinstance(t, str) for t in items):
            raise UserError("embed() takes a list of strings")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise UserError(f"batch_size must be an integer >= 1, got {batch_size!r}")
        served = self._served_name
        if model is not None:
            fast = model.startswith(FAST_PREFIXES) and isinstance(self.transport, FastTransport)
            served = model.split("/", 1)[1] if fast else model
        transport = self.transport
        if model is not None and isinstance(transport, LiteLLMTransport):
            transport = LiteLLMTransport(model, transport.api_base, transport.api_key)

        async def batch(chunk: list[str]) -> list[list[float]]:
            body: dict[str, Any] = {"model": served, "input": chunk}
            if dimensions is not None:
                body["dimensions"] = dimensions
            raw, _ = await self._call(
                "embeddings", body, sum(len(t) for t in chunk) // 4 + 1, transport=transport
            )
            data = raw.get("data")
            if not isinstance(data, list) or len(data) != len(chunk):
                got = len(data) if isinstance(data, list) else "no"
                raise ModelError(
                    f"embedding model {served!r} at {self.endpoint} returned {got} vectors for {len(chunk)} texts"
                )
            ordered = sorted(
                data, key=lambda d: int(d.get("index", 0)) if isinstance(d, dict) else 0
            )
            return [[float(x) for x in d["embedding"]] for d in ordered]

        chunks = [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
        parts = await asyncio.gather(*(batch(c) for c in chunks))
        return [vec for part in parts for vec in part]

    # -- the retry loop ---------------------------------------------------------------------
    def _limiter(self) -> asyncio.Semaphore:
        if self.limiter_name is not None:
            return named_limiter(self.limiter_name, self.concurrency)
        loop = asyncio.get_running_loop()
        sem = self._own_limiters.get(loop)
        if sem is None:
            sem = self._own_limiters[loop] = asyncio.Semaphore(self.concurrency)
        return sem

    async def _call(
        self,
        path: str,
        body: dict[str, Any],
        estimated_tokens: int,
        *,
        transport: FastTransport | LiteLLMTransport | None = None,
    ) -> tuple[dict[str, Any], int]:
        transport = transport or self.transport
        limiter = self._limiter()
        last: TransportFailure | None = None
        timeouts = 0
        attempt = 0
        for attempt in range(self.max_retries + 1):
            if attempt:
                assert last is not None
                await asyncio.sleep(
                    backoff_delay(
                        attempt - 1,
                        base=self.backoff_base,
                        cap=self.backoff_cap,
                        retry_after=last.retry_after,
                    )
                )
            async with limiter:
                if self._rpm is not None:
                    await self._rpm.acquire(1)
                if self._tpm is not None:
                    await self._tpm.acquire(estimated_tokens)
                try:
                    raw = await transport.post(
                        path,
                        body,
                        timeout_s=self.timeout,
                        off_loop=estimated_tokens > OFF_LOOP_TOKENS,
                    )
                except TransportFailure as exc:
                    last = exc
                    timeouts += exc.timeout
                    if not exc.retryable:
                        break
                    continue
            if self._tpm is not None:
                usage = raw.get("usage") or {}
                actual = int(usage.get("total_tokens") or 0)
                if actual:
                    self._tpm.adjust(actual - estimated_tokens)
            return raw, attempt + 1
        assert last is not None
        tried = attempt + 1
        where = f"model {self.model!r} at {self.endpoint}"
        if last.timeout:
            raise ModelTimeoutError(
                f"{where} timed out after {tried} attempt(s) ({timeouts} timeouts, {self.timeout:g}s each); "
                f"last status: {last.describe()}; raise timeout= or check the server"
            ) from last
        if last.retryable:
            fix = "retries exhausted; lower concurrency/rpm or retry later"
        elif last.status == 404:
            fix = "not found: check the model name, and that api_base is the API root (usually ending in /v1)"
        elif last.status in (401, 403):
            raise ModelAuthError(
                f"{where} failed after {tried} attempt(s); last status: {last.describe()} "
                f"(not authorised: {_credentials_hint(self.model, self.api_base)})"
            ) from last
        else:
            fix = "not retryable; check the model name, key and request"
        raise ModelError(
            f"{where} failed after {tried} attempt(s); last status: {last.describe()} ({fix})"
        ) from last


def _credentials_hint(model: str, api_base: str | None) -> str:
    """What to set for a model whose key is missing or rejected (litellm knows each provider's
    variable)."""
    if api_base:
        return (
            f"check api_key= / --api-key for {api_base} (or the key variable that server expects)"
        )
    try:
        from agentmem.llm._litellm import import_litellm

        missing = import_litellm().validate_environment(model=model).get("missing_keys") or []
    except Exception:  # an unknown provider: no variable to name
        missing = []
    if missing:
        return f"set {' and '.join(missing)} (or pass api_key= / --api-key)"
    return "the key that is set was refused; check its value and the account's access to this model"
