"""The model-call layer: one client for chat completions and embeddings, for any provider.

async with LLMClient("openai/my-model", api_base="http://127.0.0.1:8000/v1") as client:
    done = await client.complete([{"role": "user", "content": "hi"}], temperature=0)
    print(done.text, done.usage)
"""

from __future__ import annotations

from agentmem.llm._cache import ResponseCache, cache_key
from agentmem.llm._client import FAST_PREFIXES, LLMClient, Message, TransportName
from agentmem.llm._completion import Completion, TokenLogprob
from agentmem.llm._cost import call_cost, max_input_tokens, model_supports
from agentmem.llm._limits import TokenBucket, limit, named_limiter
from agentmem.llm._litellm import import_litellm

__all__ = [
    "FAST_PREFIXES",
    "Completion",
    "LLMClient",
    "Message",
    "ResponseCache",
    "TokenBucket",
    "TokenLogprob",
    "TransportName",
    "cache_key",
    "call_cost",
    "import_litellm",
    "limit",
    "max_input_tokens",
    "model_supports",
    "named_limiter",
]
