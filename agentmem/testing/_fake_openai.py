"""A real HTTP server on 127.0.0.1 that speaks enough of the OpenAI API for tests and benchmarks.

litellm, the openai SDK and pydantic-ai talk to it over HTTP exactly as they would to a provider,
a vLLM server or a LiteLLM proxy. Replies are scripted (a queue) or computed (a handler function);
it can add latency, answer 429/5xx with ``retry-after``, stall past a client's timeout, return
token log-probabilities and tool calls, and serve embeddings.

    with FakeOpenAIServer(handler=lambda req: "[[A]] because ...") as server:
        litellm.completion(model="openai/fake", api_base=server.base_url, api_key="x", ...)
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeOpenAIServer", "FakeReply", "FakeRequest", "hash_embedding"]


@dataclass(kw_only=True)
class FakeRequest:
    """One request the server received."""

    path: str
    """URL path, e.g. ``/v1/chat/completions``."""
    body: dict[str, Any]
    """Decoded JSON body."""
    headers: dict[str, str]
    """Request headers (lower-case names)."""
    received_at: float = field(default_factory=time.monotonic)
    """Monotonic arrival time."""

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Chat messages of a chat-completions request."""
        return list(self.body.get("messages") or [])

    @property
    def system(self) -> str:
        """Concatenated system messages."""
        return "\n".join(
            _text(m) for m in self.messages if m.get("role") in ("system", "developer")
        )

    @property
    def user(self) -> str:
        """The last user message's text."""
        users = [m for m in self.messages if m.get("role") == "user"]
        return _text(users[-1]) if users else ""


@dataclass(kw_only=True)
class FakeReply:
    """What to answer one request with."""

    content: str | None = ""
    """Assistant message text (chat) or ignored (embeddings)."""
    status: int = 200
    """HTTP status; 429 and 5xx make clients retry."""
    delay_s: float = 0.0
    """Extra latency for this reply (on top of the server's ``latency_s``)."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers, e.g. ``{"retry-after": "0.05"}``."""
    logprobs: list[tuple[str, float, dict[str, float]]] | None = None
    """Per output token: (token, logprob, {alternative token: logprob}), when asked for."""
    tool_calls: list[dict[str, Any]] | None = None
    """OpenAI-style tool calls: ``[{"name": ..., "arguments": {...}}]``."""
    prompt_tokens: int | None = None
    """Usage to report; estimated from the text (4 chars a token) when None."""
    completion_tokens: int | None = None
    """Same for the completion."""
    finish_reason: str = "stop"
    """Reported finish reason."""


Handler = Callable[[FakeRequest], "FakeReply | str"]


class FakeOpenAIServer:
    """An OpenAI-compatible HTTP server on 127.0.0.1, in a background thread.

    Args:
        handler: computes a reply for each chat request (a string is a 200 with that content).
            Scripted replies queued with :meth:`script` are used first.
        latency_s: latency added to every request.
        embedding_latency_s: latency of embedding requests instead (None: ``latency_s``); real
            providers answer embeddings ~10x faster than chat completions.
        embedding_dim: dimension of the deterministic embeddings served at ``/v1/embeddings``.
    """

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        latency_s: float = 0.0,
        embedding_latency_s: float | None = None,
        embedding_dim: int = 64,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.handler = handler
        self.latency_s = latency_s
        self.embedding_latency_s = latency_s if embedding_latency_s is None else embedding_latency_s
        self.embedding_dim = embedding_dim
        self.requests: list[FakeRequest] = []
        self._script: deque[FakeReply | str] = deque()
        self._lock = threading.Lock()
        self._httpd = _Server((host, port), _make_handler(self))
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1`` -- pass as ``api_base`` / ``base_url``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAIServer:
        """Start serving in a daemon thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, args=(0.05,), name="fake-openai", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting ----------------------------------------------------------------------------
    def script(self, *replies: FakeReply | str) -> None:
        """Queue replies, used in order before the handler."""
        with self._lock:
            self._script.extend(replies)

    @property
    def chat_requests(self) -> list[FakeRequest]:
        """Chat-completion requests received so far."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _next_reply(self, req: FakeRequest) -> FakeReply:
        with self._lock:
            self.requests.append(req)
            scripted = self._script.popleft() if self._script else None
        reply: FakeReply | str
        if scripted is not None:
            reply = scripted
        elif self.handler is not None:
            reply = self.handler(req)
        else:
            reply = "ok"
        return FakeReply(content=reply) if isinstance(reply, str) else reply


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def _make_handler(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class _H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; with Nagle on, each reply waits ~40 ms
        # for the client's delayed ACK.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # silence stderr
            return

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._send(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._send(400, {"error": {"message": "body is not JSON"}})
                return
            req = FakeRequest(
                path=self.path, body=body, headers={k.lower(): v for k, v in self.headers.items()}
            )
            if self.path.rstrip("/").endswith("/embeddings"):
                with server._lock:
                    server.requests.append(req)
                if server.embedding_latency_s:
                    time.sleep(server.embedding_latency_s)
                self._send(200, _embeddings(body, server.embedding_dim))
                return
            reply = server._next_reply(req)
            delay = server.latency_s + reply.delay_s
            if delay:
                time.sleep(delay)
            if reply.status != 200:
                self._send(
                    reply.status,
                    {"error": {"message": reply.content or "scripted error", "type": "fake"}},
                    reply.headers,
                )
                return
            self._send(200, _chat_completion(body, reply), reply.headers)

        def _send(
            self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # client gave up (timeout test)
                pass

    return _H


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


def _chat_completion(body: dict[str, Any], reply: FakeReply) -> dict[str, Any]:
    content = reply.content
    prompt_chars = sum(len(_text(m)) for m in body.get("messages") or [])
    message: dict[str, Any] = {"role": "assistant", "content": content}
    finish = reply.finish_reason
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{i}_{uuid.uuid4().hex[:8]}",
                "type": "function",
                "function": {"name": c["name"], "arguments": json.dumps(c.get("arguments", {}))},
            }
            for i, c in enumerate(reply.tool_calls)
        ]
        finish = "tool_calls"
    choice: dict[str, Any] = {"index": 0, "message": message, "finish_reason": finish}
    if body.get("logprobs") and reply.logprobs is not None:
        choice["logprobs"] = {
            "content": [
                {
                    "token": tok,
                    "logprob": lp,
                    "bytes": list(tok.encode()),
                    "top_logprobs": [
                        {"token": t, "logprob": v, "bytes": list(t.encode())}
                        for t, v in alts.items()
                    ],
                }
                for tok, lp, alts in reply.logprobs
            ]
        }
    prompt_tokens = (
        reply.prompt_tokens if reply.prompt_tokens is not None else max(1, prompt_chars // 4)
    )
    completion_tokens = (
        reply.completion_tokens
        if reply.completion_tokens is not None
        else max(1, len(content or "") // 4)
    )
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(body.get("model", "fake")),
        "choices": [choice],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def hash_embedding(text: str, dim: int) -> list[float]:
    """A deterministic unit vector for ``text``: bag of hashed lower-case words (same words, near vectors)."""
    vec = [0.0] * dim
    for word in text.lower().split():
        h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        vec[h % dim] += 1.0 if (h >> 32) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


def _embeddings(body: dict[str, Any], dim: int) -> dict[str, Any]:
    inputs = body.get("input")
    items = inputs if isinstance(inputs, list) else [inputs]
    dimensions = int(body.get("dimensions") or dim)
    data = [
        {"object": "embedding", "index": i, "embedding": hash_embedding(str(t), dimensions)}
        for i, t in enumerate(items)
    ]
    tokens = sum(len(str(t)) // 4 + 1 for t in items)
    return {
        "object": "list",
        "data": data,
        "model": str(body.get("model", "fake-embed")),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
