"""Model-backed steps, through :class:`agentmem.llm.LLMClient` (any litellm provider, or the lean
path for OpenAI-compatible servers): fact extraction, operation proposal, note attributes and
note evolution. Each asks for a JSON object and validates it with pydantic; a reply that cannot be
read is retried once, then raises :class:`~agentmem.exceptions.ModelError` quoting it.

The prompts are ours (the published systems' recipes, written afresh).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, Field, ValidationError

from agentmem.exceptions import ModelError
from agentmem.memory._steps import Message, RawOp, Related

if TYPE_CHECKING:
    from agentmem.llm import LLMClient

__all__ = [
    "EXTRACT_PROMPT",
    "JOINT_PROMPT",
    "PROPOSE_PROMPT",
    "LLMFactExtractor",
    "LLMJointWriter",
    "LLMOpProposer",
    "ask_json",
]

EXTRACT_PROMPT = """\
You maintain a long-term memory about a user. Read the conversation and list the durable facts it \
states about the user: preferences, plans, biography, relationships, health, work, possessions. \
Write each fact as one short sentence about the user in the third person, using only what the \
conversation says -- never guess or embellish. Ignore small talk, questions and anything the \
assistant says that the user did not confirm. If there is nothing worth remembering, return an \
empty list.

Answer with a JSON object only: {"facts": ["...", "..."]}"""

PROPOSE_PROMPT = """\
You keep a user's memory accurate and free of duplicates. Below are EXISTING memories, each with a \
numeric id, and NEW facts, each with an index. For every new fact choose one operation:
- ADD: the fact is new information; give its text.
- UPDATE: the fact refines or corrects an existing memory (same subject, newer or more precise); \
give the existing id and the full new text.
- DELETE: the fact shows an existing memory is no longer true and nothing replaces it; give its id.
- NOOP: the fact is already known; give the id of the memory that holds it.
Use only ids from the EXISTING list. Never keep two memories that contradict each other.

Answer with a JSON object only:
{"operations": [{"fact": 0, "event": "ADD|UPDATE|DELETE|NOOP", "id": null, "text": "...", "reason": "..."}]}"""


JOINT_PROMPT = """\
You keep a long-term memory about a user accurate and free of duplicates. Below are EXISTING \
memories, each with a numeric id, and a new CONVERSATION. First list the durable facts the \
conversation states about the user (preferences, plans, biography, relationships, health, work, \
possessions), each one short sentence in the third person, using only what it says -- never guess; \
ignore small talk, questions and what the assistant says that the user did not confirm. Then, for \
every fact, choose one operation against the EXISTING memories:
- ADD: new information; give its text.
- UPDATE: it refines or corrects an existing memory (same subject); give the id and the full new text.
- DELETE: it shows an existing memory is no longer true and nothing replaces it; give the id.
- NOOP: already known; give the id of the memory that holds it.
Use only ids from the EXISTING list. Never keep two memories that contradict each other.

Answer with a JSON object only:
{"facts": ["..."], "operations": [{"fact": 0, "event": "ADD|UPDATE|DELETE|NOOP", "id": null, "text": "...", "reason": "..."}]}"""


class _Facts(BaseModel):
    facts: list[str] = Field(default_factory=list)


class _Op(BaseModel):
    fact: int | None = None
    event: str
    id: int | str | None = None
    text: str = ""
    reason: str = ""


class _Ops(BaseModel):
    operations: list[_Op] = Field(default_factory=list)


class _Joint(BaseModel):
    facts: list[str] = Field(default_factory=list)
    operations: list[_Op] = Field(default_factory=list)


M = TypeVar("M", bound=BaseModel)

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.S)


def _parse(text: str, model: type[M]) -> M:
    body = _FENCE.sub("", text.strip())
    start, end = body.find("{"), body.rfind("}")
    if start >= 0 and end > start:
        body = body[start : end + 1]
    return model.model_validate(json.loads(body))


async def ask_json(
    client: LLMClient,
    system: str,
    user: str,
    model: type[M],
    *,
    temperature: float = 0.0,
    seed: int | None = None,
) -> M:
    """One JSON-object call, validated; one retry with the parse error, then ModelError."""
    messages: list[dict[str, str]] = [
        {"role": "system", "content": system},
        {"role": "user", "content": user},
    ]
    last = ""
    for attempt in range(2):
        done = await client.complete(
            messages, temperature=temperature, seed=seed, response_format={"type": "json_object"}
        )
        last = done.text
        try:
            return _parse(last, model)
        except (ValueError, ValidationError) as exc:
            if attempt == 0:
                messages = [
                    *messages,
                    {"role": "assistant", "content": last},
                    {
                        "role": "user",
                        "content": f"That was not valid JSON of the requested shape ({exc.__class__.__name__}). Answer with the JSON object only.",
                    },
                ]
    raise ModelError(
        f"model {client.model!r} did not return the JSON shape {model.__name__} asks for; last reply: {last[:300]!r}"
    )


def _conversation(messages: Sequence[Message]) -> str:
    return "\n".join(f"{m.get('role')}: {m.get('content')}" for m in messages)


@dataclass(kw_only=True)
class LLMFactExtractor:
    """Facts from messages with one model call (JSON output)."""

    client: LLMClient
    """Model client."""
    prompt: str = EXTRACT_PROMPT
    """System prompt."""

    async def __call__(self, messages: Sequence[Message]) -> list[str]:
        out = await ask_json(
            self.client, self.prompt, "Conversation:\n" + _conversation(messages), _Facts
        )
        return [f.strip() for f in out.facts if isinstance(f, str) and f.strip()]


@dataclass(kw_only=True)
class LLMOpProposer:
    """ADD/UPDATE/DELETE/NOOP per fact with one model call; sampled variants for best-of-N."""

    client: LLMClient
    """Model client."""
    prompt: str = PROPOSE_PROMPT
    """System prompt."""
    sample_temperature: float = 0.7
    """Temperature of proposals after the first in best-of-N."""

    async def __call__(
        self,
        facts: Sequence[str],
        related: Sequence[Related],
        *,
        feedback: str | None = None,
        sample: int = 0,
    ) -> list[RawOp]:
        existing = "\n".join(f"{r.ref}: {r.text}" for r in related) or "(none)"
        new = "\n".join(f"{i}: {f}" for i, f in enumerate(facts))
        user = f"EXISTING memories:\n{existing}\n\nNEW facts:\n{new}"
        if feedback:
            user += (
                f"\n\nA reviewer rejected your previous operations for these facts:\n{feedback}\n"
                "Propose better operations (or NOOP if the fact should not be stored)."
            )
        temp = 0.0 if sample == 0 else self.sample_temperature
        out = await ask_json(
            self.client, self.prompt, user, _Ops, temperature=temp, seed=sample or None
        )
        return [
            RawOp(event=o.event, ref=o.id, text=o.text, fact=o.fact, reason=o.reason)
            for o in out.operations
        ]


@dataclass(kw_only=True)
class LLMJointWriter:
    """Facts and their operations with ONE model call (``FactsMemory.create(one_call=True)``):
    the related memories are retrieved with the conversation itself rather than with each fact,
    so extraction and proposal need not wait for each other. Revisions and best-of-N samples
    after the first still go through the :class:`LLMOpProposer`."""

    client: LLMClient
    """Model client."""
    prompt: str = JOINT_PROMPT
    """System prompt."""

    async def __call__(
        self, messages: Sequence[Message], related: Sequence[Related]
    ) -> tuple[list[str], list[RawOp]]:
        existing = "\n".join(f"{r.ref}: {r.text}" for r in related) or "(none)"
        user = f"EXISTING memories:\n{existing}\n\nCONVERSATION:\n{_conversation(messages)}"
        out = await ask_json(self.client, self.prompt, user, _Joint)
        facts = [f.strip() if isinstance(f, str) else "" for f in out.facts]
        ops = [
            RawOp(event=o.event, ref=o.id, text=o.text, fact=o.fact, reason=o.reason)
            for o in out.operations
        ]
        return facts, ops
