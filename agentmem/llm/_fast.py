"""The lean transport for OpenAI-compatible endpoints: one pooled keep-alive aiohttp session per loop.

Used when the model string is ``openai/<name>`` and an ``api_base`` is given (vLLM, Ollama,
llama.cpp, a LiteLLM proxy, our fake server). It skips litellm's per-call machinery, which costs
several milliseconds of CPU; ``benchmarks/perf/judge_overhead.py`` measures the difference.

A session belongs to one event loop. Each loop gets its own, and it is closed when the client is
closed or, failing that, when the loop shuts down its async generators (``asyncio.run`` and
pytest-asyncio do), so a forgotten ``aclose()`` leaks no sockets.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from agentmem.llm._lazy import import_off_loop
from agentmem.llm._retry import TransportFailure, parse_retry_after

if TYPE_CHECKING:
    import aiohttp

__all__ = ["FastTransport"]


async def _close_on_shutdown(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    # Registered with the loop's async-generator hooks: loop.shutdown_asyncgens() closes it.
    try:
        yield
    finally:
        if not session.closed:
            await session.close()


def _encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode("ascii")  # ASCII escapes: faster than UTF-8 output here


class FastTransport:
    """POST JSON to ``<api_base>/<path>`` over a pooled keep-alive connection."""

    name = "fast"

    def __init__(self, api_base: str, api_key: str | None, *, pool_size: int) -> None:
        self.api_base = api_base.rstrip("/")
        self._headers = {"content-type": "application/json", "accept": "application/json"}
        if api_key:
            self._headers["authorization"] = f"Bearer {api_key}"
        self._pool_size = pool_size
        self._sessions: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[aiohttp.ClientSession, AsyncGenerator[None, None]]
        ] = weakref.WeakKeyDictionary()

    async def _session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        entry = self._sessions.get(loop)
        if entry is not None and not entry[0].closed:
            return entry[0]
        await import_off_loop("aiohttp")  # first use: in a worker thread
        entry = self._sessions.get(loop)  # another task may have made one meanwhile
        if entry is not None and not entry[0].closed:
            return entry[0]
        import aiohttp

        connector = aiohttp.TCPConnector(
            limit=self._pool_size, keepalive_timeout=30.0, ttl_dns_cache=300
        )
        session = aiohttp.ClientSession(
            connector=connector, headers=self._headers, json_serialize=json.dumps, trust_env=False
        )
        closer = _close_on_shutdown(session)
        await anext(closer)
        self._sessions[loop] = (session, closer)
        return session

    async def post(
        self, path: str, body: dict[str, Any], *, timeout_s: float, off_loop: bool = False
    ) -> dict[str, Any]:
        """Send one request; raise :class:`TransportFailure` for anything but a 2xx JSON reply."""
        session = await self._session()  # imports aiohttp off the loop on first use
        import aiohttp

        data = await asyncio.to_thread(_encode, body) if off_loop else _encode(body)
        try:
            async with session.post(
                f"{self.api_base}/{path}", data=data, timeout=aiohttp.ClientTimeout(total=timeout_s)
            ) as resp:
                payload = await resp.read()
                status = resp.status
                headers = dict(resp.headers) if status >= 400 else None
        # aiohttp's timeouts subclass asyncio.TimeoutError, which is TimeoutError
        except TimeoutError as exc:
            raise TransportFailure(
                timeout=True, message=f"no reply within {timeout_s:g}s ({type(exc).__name__})"
            ) from exc
        except aiohttp.ClientError as exc:
            raise TransportFailure(connection=True, message=f"{type(exc).__name__}: {exc}") from exc
        if status >= 400:
            raise TransportFailure(
                status=status,
                message=payload[:500].decode("utf-8", "replace"),
                retry_after=parse_retry_after(headers),
            )
        try:
            decoded = json.loads(payload)
        except ValueError as exc:
            raise TransportFailure(
                status=status, message=f"reply is not JSON: {payload[:200]!r}"
            ) from exc
        if not isinstance(decoded, dict):
            raise TransportFailure(
                status=status, message=f"reply is not a JSON object: {payload[:200]!r}"
            )
        return decoded

    async def aclose(self) -> None:
        """Close the session of the running loop (others close when their loop shuts down)."""
        loop = asyncio.get_running_loop()
        entry = self._sessions.pop(loop, None)
        if entry is not None:
            await entry[1].aclose()
