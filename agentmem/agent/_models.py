"""pydantic-ai models for the chat agent, from a model string.

* ``openai/<name>`` (or a bare name) → pydantic-ai's OpenAI chat model, pointed at ``api_base``
  when given: OpenAI, vLLM, Ollama, llama.cpp, a LiteLLM proxy, or the fake server in tests;
* any other litellm provider (``anthropic/...``, ``gemini/...``) → a small adapter over
  :class:`agentmem.llm.LLMClient` (pydantic-ai's ``FunctionModel``), text only: memory tools are
  not offered to such models (recall still happens every turn).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentmem.llm import LLMClient

__all__ = ["build_chat_model", "close_chat_model", "llm_client_model", "supports_tools"]


def supports_tools(model: str) -> bool:
    """True when the model goes through pydantic-ai's OpenAI model (tool calls supported)."""
    return model.startswith("openai/") or "/" not in model


def build_chat_model(model: str, *, api_base: str | None = None, api_key: str | None = None) -> Any:
    """A pydantic-ai model for ``model`` (see module docstring)."""
    if supports_tools(model):
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider

        name = model.split("/", 1)[1] if model.startswith("openai/") else model
        key = api_key or os.environ.get("OPENAI_API_KEY") or ("none" if api_base else None)
        return OpenAIChatModel(name, provider=OpenAIProvider(base_url=api_base, api_key=key))
    from agentmem.llm import LLMClient

    return llm_client_model(LLMClient(model, api_base=api_base, api_key=api_key))


def llm_client_model(client: LLMClient) -> Any:
    """A pydantic-ai model that answers through ``client`` (litellm providers; no tool calls)."""
    from pydantic_ai.messages import (
        ModelMessage,
        ModelRequest,
        ModelResponse,
        RetryPromptPart,
        SystemPromptPart,
        TextPart,
        ToolReturnPart,
        UserPromptPart,
    )
    from pydantic_ai.models.function import AgentInfo, FunctionModel
    from pydantic_ai.usage import RequestUsage

    async def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        out: list[dict[str, str]] = []
        if info.instructions:
            out.append({"role": "system", "content": info.instructions})
        for msg in messages:
            if isinstance(msg, ModelRequest):
                for part in msg.parts:
                    if isinstance(part, SystemPromptPart):
                        out.append({"role": "system", "content": part.content})
                    elif isinstance(part, UserPromptPart):
                        out.append(
                            {
                                "role": "user",
                                "content": part.content
                                if isinstance(part.content, str)
                                else str(part.content),
                            }
                        )
                    elif isinstance(part, ToolReturnPart | RetryPromptPart):
                        out.append(
                            {
                                "role": "user",
                                "content": str(
                                    part.model_response()
                                    if isinstance(part, RetryPromptPart)
                                    else part.content
                                ),
                            }
                        )
            else:
                text = "".join(p.content for p in msg.parts if isinstance(p, TextPart))
                if text:
                    out.append({"role": "assistant", "content": text})
        done = await client.complete(out)
        return ModelResponse(
            parts=[TextPart(content=done.text)],
            usage=RequestUsage(
                input_tokens=done.usage.prompt_tokens, output_tokens=done.usage.completion_tokens
            ),
            model_name=client.model,
        )

    model = FunctionModel(respond, model_name=client.model)
    model._agentmem_client = client  # type: ignore[attr-defined]  # closed by close_chat_model
    return model


async def close_chat_model(model: Any) -> None:
    """Close the HTTP connections a model built here holds (idempotent)."""
    client = getattr(model, "_agentmem_client", None)
    if client is not None:
        await client.aclose()
        return
    provider = getattr(model, "_provider", None) or getattr(model, "provider", None)
    oai = getattr(provider, "client", None)
    if oai is not None and hasattr(oai, "close"):
        await oai.close()
