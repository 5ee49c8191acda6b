"""Cleaning the messages handed to ``add()`` so the memory never stores what we injected.

Other memory libraries feed their own recalled memories and system prompts back into
extraction and fill the store with copies of themselves. Here, before extraction:

* system / developer / tool messages are dropped;
* messages carrying ``"agentmem_injected": True`` are dropped;
* any ``<agentmem-memories>...</agentmem-memories>`` block (how the chat agent injects recalled
  memories) is cut out of the remaining messages, and its lines are remembered so that a fact
  which merely repeats an injected memory is not written back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from agentmem.exceptions import UserError
from agentmem.memory._steps import Message

__all__ = ["INJECT_CLOSE", "INJECT_OPEN", "Conversation", "clean_messages", "inject_block"]

INJECT_OPEN = "<agentmem-memories>"
INJECT_CLOSE = "</agentmem-memories>"
_BLOCK = re.compile(re.escape(INJECT_OPEN) + r"(.*?)" + re.escape(INJECT_CLOSE), re.S)
_KEEP_ROLES = ("user", "assistant")


@dataclass(kw_only=True)
class Conversation:
    """The messages extraction may see, and what was injected into them."""

    messages: list[dict[str, str]] = field(default_factory=list)
    """Cleaned user/assistant messages."""
    injected: set[str] = field(default_factory=set)
    """Normalised lines of injected memory blocks found (and removed)."""

    @property
    def text(self) -> str:
        """``role: content`` lines (what the reward model sees as the chunk)."""
        return "\n".join(f"{m['role']}: {m['content']}" for m in self.messages)

    def is_injected(self, fact: str) -> bool:
        """True when ``fact`` is one of the memories we injected ourselves."""
        return _norm(fact) in self.injected


def _norm(s: str) -> str:
    return " ".join(s.lower().strip(" -*•\t.").split())


def inject_block(memories: Sequence[str]) -> str:
    """The block the chat agent puts in its instructions; ``add()`` strips it again."""
    body = "\n".join(f"- {m}" for m in memories) if memories else "(none)"
    return f"{INJECT_OPEN}\n{body}\n{INJECT_CLOSE}"


def clean_messages(messages: str | Sequence[Message]) -> Conversation:
    """Normalise ``add()`` input (a string is one user message) and strip injected content."""
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    conv = Conversation()
    for i, m in enumerate(messages):
        if not hasattr(m, "get"):
            raise UserError(f"message {i} must be a dict with 'role' and 'content', got {m!r}")
        role = m.get("role")
        content = m.get("content")
        if role not in ("user", "assistant", "system", "developer", "tool"):
            raise UserError(
                f"message {i} has role {role!r}; use 'user' or 'assistant' (system/tool messages are ignored)"
            )
        if not isinstance(content, str):
            raise UserError(f"message {i} content must be a string, got {type(content).__name__}")
        for block in _BLOCK.findall(content):
            conv.injected.update(_norm(line) for line in block.splitlines() if _norm(line))
        if role not in _KEEP_ROLES or m.get("agentmem_injected"):
            continue
        text = _BLOCK.sub("", content).strip()
        if text:
            conv.messages.append({"role": str(role), "content": text})
    return conv
