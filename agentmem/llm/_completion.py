"""What one chat-completion call returns, and how a provider's JSON becomes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentmem._types import Usage

__all__ = ["Completion", "TokenLogprob", "parse_logprobs"]

TokenLogprob = tuple[str, float, dict[str, float]]
"""One output token: (token, its log-probability, {alternative token: log-probability})."""


@dataclass(frozen=True, kw_only=True)
class Completion:
    """The result of :meth:`agentmem.llm.LLMClient.complete`."""

    text: str
    """The assistant message's text ('' when the model returned none)."""
    usage: Usage
    """Tokens, cost (USD, 0 when the price is unknown or the reply came from the cache), latency
    (wall time including retries and waits for rate limits) and the model string."""
    logprobs: list[TokenLogprob] | None = None
    """Per output token log-probabilities, when asked for and returned by the provider."""
    finish_reason: str | None = None
    """``stop``, ``length``, ``tool_calls``, ... as the provider reported it."""
    cached: bool = False
    """True when served from the on-disk response cache (no model call was made)."""
    raw: dict[str, Any] = field(default_factory=dict)
    """The provider's response body (OpenAI chat-completion JSON)."""
    attempts: int = 1
    """HTTP attempts made (1 + retries; 0 for a cache hit)."""


def parse_logprobs(choice: dict[str, Any]) -> list[TokenLogprob] | None:
    """Read OpenAI-style ``choices[i].logprobs.content`` into :data:`TokenLogprob` tuples."""
    lp = choice.get("logprobs")
    if not isinstance(lp, dict):
        return None
    content = lp.get("content")
    if not isinstance(content, list):
        return None
    out: list[TokenLogprob] = []
    for item in content:
        if not isinstance(item, dict):
            continue
        alts = {
            str(a.get("token", "")): float(a.get("logprob", float("-inf")))
            for a in item.get("top_logprobs") or ()
            if isinstance(a, dict)
        }
        out.append((str(item.get("token", "")), float(item.get("logprob", float("-inf"))), alts))
    return out


def message_text(choice: dict[str, Any]) -> str:
    """The text of a choice's message (content parts are concatenated)."""
    msg = choice.get("message") or {}
    content = msg.get("content")
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")
