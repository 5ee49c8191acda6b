"""The model-call layer: one client for chat completions and embeddings, for any provider.

    async with LLMClient("openai/my-model", api_base="http://127.0.0.1:8000/v1") as client:
        done = await client.complete([{"role": "user", "content": "hi"}], temperature=0)
        print(done.text, done.usage)

* Transports: an OpenAI-compatible model string (``openai/``, ``hosted_vllm/``, ...) with an
  ``api_base`` goes through a lean pooled aiohttp client (well under a millisecond of CPU per
  call); everything else through litellm (imported lazily, off the event loop).
* Retries with full-jitter exponential backoff on 429, 5xx, timeouts and connection errors; a
  server's ``retry-after`` wins. After the last attempt: :class:`~agentmem.exceptions.ModelError`
  or :class:`~agentmem.exceptions.ModelTimeoutError` naming the model, endpoint and last status.
* Bounded fan-out (``concurrency``, or a shared named :func:`limit`), RPM/TPM token buckets.
* A content-addressed response cache on disk (``cache_dir``): temperature-0 calls, or any call
  with ``cache=True``; the key covers model, messages, sampling, seed and a caller version.
* Usage per call: tokens, USD cost from litellm's price map (0 when unknown), latency.
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
