"""The general transport: litellm, for any provider it knows (OpenAI, Anthropic, Gemini, Bedrock, ...).

litellm is imported on first use (it costs seconds), with its price-map download switched off.
litellm's own retries are disabled: the client's retry loop (with ``retry-after``) is the only one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import weakref
from collections.abc import AsyncGenerator
from typing import Any

from agentmem.llm._lazy import import_off_loop
from agentmem.llm._retry import TransportFailure, parse_retry_after

__all__ = ["LiteLLMTransport", "drain_litellm_logging", "import_litellm"]


def import_litellm() -> Any:
    """Import litellm without letting it fetch its remote price map."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    return litellm


_CREDENTIALS = re.compile(
    r"missing credentials|api[_ ]?key (?:client option )?must be set|no api[_ ]?key|"
    r"invalid api[_ ]?key|incorrect api key|authentication (?:failed|error)",
    re.I,
)
"""How providers (through litellm) say a key is missing or wrong when they report no 401."""


def _failure(exc: BaseException, timeout: float) -> TransportFailure:
    litellm = import_litellm()
    status = getattr(exc, "status_code", None)
    headers: dict[str, str] | None = None
    response = getattr(exc, "response", None)
    raw_headers = getattr(response, "headers", None) or getattr(
        exc, "litellm_response_headers", None
    )
    if raw_headers is not None:
        try:
            headers = {str(k): str(v) for k, v in dict(raw_headers).items()}
        except (TypeError, ValueError):
            headers = None
    message = str(getattr(exc, "message", "") or exc)
    if isinstance(exc, litellm.Timeout | TimeoutError):
        return TransportFailure(timeout=True, message=f"no reply within {timeout:g}s: {message}")
    if isinstance(exc, litellm.AuthenticationError) or (
        status in (None, 500) and _CREDENTIALS.search(message)
    ):
        # a missing or rejected key is no server trouble: retrying cannot help
        return TransportFailure(status=401, message=message)
    if isinstance(exc, litellm.APIConnectionError) and status in (None, 500):
        # litellm reports refused/dropped connections as APIConnectionError with status 500
        return TransportFailure(connection=True, status=None, message=message)
    return TransportFailure(
        status=int(status) if isinstance(status, int) else None,
        message=message,
        retry_after=parse_retry_after(headers),
        connection=not isinstance(status, int),
    )


async def drain_litellm_logging(wait_s: float = 2.0) -> None:
    """Run litellm's queued success/failure callbacks and stop its logging worker on this loop.

    litellm queues a logging coroutine after every async call; if the loop closes first, those
    coroutines are garbage-collected un-awaited (a RuntimeWarning).
    """
    from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER as worker

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    if getattr(worker, "_bound_loop", None) is not loop:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(worker.clear_queue(), wait_s)
    await worker.stop()


async def _drain_on_shutdown() -> AsyncGenerator[None, None]:
    # Registered with the loop's async-generator hooks: loop.shutdown_asyncgens() drains litellm.
    try:
        yield
    finally:
        await drain_litellm_logging()


_DRAINERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncGenerator[None, None]] = (
    weakref.WeakKeyDictionary()
)


_STANDARD = frozenset(
    {"messages", "input", "temperature", "top_p", "max_tokens", "seed", "logprobs", "top_logprobs",
     "response_format", "stop", "dimensions"}
)  # fmt: skip
"""Request fields litellm maps per provider; anything else is sent as ``extra_body``."""


class LiteLLMTransport:
    """Calls ``litellm.acompletion`` / ``litellm.aembedding``; returns OpenAI-shaped dicts."""

    name = "litellm"

    def __init__(self, model: str, api_base: str | None, api_key: str | None) -> None:
        self.model = model
        self.api_base = api_base
        self.api_key = api_key

    def _common(self, timeout: float) -> dict[str, Any]:
        # drop_params: a provider that lacks a parameter (seed, logprobs, ...) ignores it instead of failing
        kw: dict[str, Any] = {
            "timeout": timeout,
            "num_retries": 0,
            "max_retries": 0,
            "drop_params": True,
        }
        if self.api_base:
            kw["api_base"] = self.api_base
        if self.api_key:
            kw["api_key"] = self.api_key
        elif self.api_base and self.model.startswith("openai/"):
            # self-hosted OpenAI-compatible servers rarely need a key, but the SDK insists on one
            kw["api_key"] = os.environ.get("OPENAI_API_KEY") or "not-needed"
        return kw

    async def post(
        self, path: str, body: dict[str, Any], *, timeout_s: float, off_loop: bool = False
    ) -> dict[str, Any]:
        """Run one completion or embedding request through litellm (``off_loop`` is ignored:
        litellm encodes the request itself)."""
        await import_off_loop("litellm", import_litellm)  # first use: in a worker thread
        litellm = import_litellm()
        loop = asyncio.get_running_loop()
        if loop not in _DRAINERS:
            drainer = _drain_on_shutdown()
            await anext(drainer)
            _DRAINERS[loop] = drainer
        params = {k: v for k, v in body.items() if k in _STANDARD}
        extra = {k: v for k, v in body.items() if k not in _STANDARD and k != "model"}
        if extra:  # provider-specific fields go through litellm's extra_body
            params["extra_body"] = extra
        try:
            if path == "embeddings":
                resp = await litellm.aembedding(
                    model=self.model, **params, **self._common(timeout_s)
                )
            else:
                resp = await litellm.acompletion(
                    model=self.model, **params, **self._common(timeout_s)
                )
        except Exception as exc:  # litellm raises many types; classify them for the retry loop
            raise _failure(exc, timeout_s) from exc
        dumped = resp.model_dump() if hasattr(resp, "model_dump") else dict(resp)
        return dumped if isinstance(dumped, dict) else {}

    async def aclose(self) -> None:
        """Run litellm's pending logging callbacks (litellm owns its HTTP clients)."""
        await drain_litellm_logging()
