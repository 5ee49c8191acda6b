"""The long-memory chat agent and a pydantic-ai memory toolset.

from agentmem.agent import MemoryChatAgent, build_chat_model
agent = MemoryChatAgent(memory=memory, scope=Scope(user_id="alice"),
                        model=build_chat_model("openai/gpt-4o-mini"))
turn = await agent.turn("I'm vegetarian, what should I cook tonight?")
"""

from __future__ import annotations

from agentmem.agent._chat_agent import DEFAULT_SYSTEM_PROMPT, ChatTurn, MemoryChatAgent, WriteReport
from agentmem.agent._models import (
    build_chat_model,
    close_chat_model,
    llm_client_model,
    supports_tools,
)
from agentmem.agent._toolset import MemoryLike, memory_toolset

__all__ = [
    "DEFAULT_SYSTEM_PROMPT",
    "ChatTurn",
    "MemoryChatAgent",
    "MemoryLike",
    "WriteReport",
    "build_chat_model",
    "close_chat_model",
    "llm_client_model",
    "memory_toolset",
    "supports_tools",
]
