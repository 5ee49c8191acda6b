"""LLM-backed updater, fuser and answerer: the MemAgent recipe through :class:`agentmem.llm.LLMClient`.

One client can serve all three (:func:`llm_components`). Timeouts, retries with jittered backoff on
429/5xx/timeouts, rate limits, caching, token and cost accounting are the client's; a call that
still fails raises :class:`~agentmem.exceptions.ModelError` (or ``ModelTimeoutError``) naming the
model and endpoint, and the pipeline marks the run failed with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentmem._types import Answer, Candidate, Chunk
from agentmem.exceptions import UserError
from agentmem.updaters._prompts import (
    NO_MEMORY,
    Templates,
    extract_boxed,
    extract_memory,
    render_memories_block,
)

if TYPE_CHECKING:
    from agentmem.llm import LLMClient

__all__ = ["LLMAnswerer", "LLMFuser", "LLMUpdater", "llm_components"]


def _check(memory_tokens: int, temperature: float | None) -> None:
    if not isinstance(memory_tokens, int) or isinstance(memory_tokens, bool) or memory_tokens < 1:
        raise UserError(
            f"memory budget must be an integer >= 1 token, got {memory_tokens!r}; MemAgent uses 1024"
        )
    if temperature is not None and (
        not isinstance(temperature, int | float) or not 0.0 <= temperature <= 2.0
    ):
        raise UserError(f"temperature must be in [0, 2], got {temperature!r}")


def _feedback_block(templates: Templates, feedback: str | None) -> str:
    return templates.feedback.format(feedback=feedback) if feedback else ""


@dataclass(kw_only=True)
class LLMUpdater:
    """Φ through a chat model: ``<problem>``, ``<memory>``, ``<section>`` in, the new memory out.

    The reply is capped at the memory budget (``max_tokens``); a gate's feedback fills the
    ``{feedback}`` slot of the template.
    """

    client: LLMClient
    """The model client."""
    memory_tokens: int = 1024
    """Memory budget in tokens (told to the model, and its ``max_tokens``)."""
    temperature: float | None = 0.7
    """Sampling temperature (> 0 so best-of-N gets different candidates)."""
    templates: Templates = field(default_factory=Templates)
    """Prompt templates."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Extra keyword arguments for ``client.complete`` (``top_p``, ``seed``, ...)."""

    def __post_init__(self) -> None:
        _check(self.memory_tokens, self.temperature)

    @property
    def label(self) -> str:
        """``llm:<model>``."""
        return f"llm:{self.client.model}"

    async def __call__(
        self, question: str, memory: str, chunk: Chunk, *, feedback: str | None = None
    ) -> Candidate:
        """Ask the model for the updated memory."""
        prompt = self.templates.update.format(
            question=question,
            memory=memory or NO_MEMORY,
            chunk=chunk.text,
            budget=self.memory_tokens,
            feedback=_feedback_block(self.templates, feedback),
        )
        done = await self.client.complete(
            [{"role": "user", "content": prompt}],
            temperature=self.temperature,
            max_tokens=self.memory_tokens,
            **self.extra,
        )
        return Candidate(text=extract_memory(done.text), usage=done.usage, feedback=feedback)


@dataclass(kw_only=True)
class LLMFuser:
    """g through a chat model: the groups' memories in, one merged memory out."""

    client: LLMClient
    """The model client."""
    memory_tokens: int = 1024
    """Memory budget in tokens."""
    temperature: float | None = 0.7
    """Sampling temperature."""
    templates: Templates = field(default_factory=Templates)
    """Prompt templates."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Extra keyword arguments for ``client.complete``."""

    def __post_init__(self) -> None:
        _check(self.memory_tokens, self.temperature)

    @property
    def label(self) -> str:
        """``llm:<model>``."""
        return f"llm:{self.client.model}"

    async def __call__(
        self, question: str, memories: list[str], *, feedback: str | None = None
    ) -> Candidate:
        """Ask the model for the merged memory."""
        prompt = self.templates.fuse.format(
            question=question,
            memories=render_memories_block(memories),
            budget=self.memory_tokens,
            feedback=_feedback_block(self.templates, feedback),
        )
        done = await self.client.complete(
            [{"role": "user", "content": prompt}],
            temperature=self.temperature,
            max_tokens=self.memory_tokens,
            **self.extra,
        )
        return Candidate(text=extract_memory(done.text), usage=done.usage, feedback=feedback)


@dataclass(kw_only=True)
class LLMAnswerer:
    """Answer from the final memory; the answer proper is the last ``\\boxed{}``."""

    client: LLMClient
    """The model client."""
    temperature: float | None = 0.0
    """Sampling temperature (greedy by default)."""
    max_tokens: int | None = 2048
    """Room for brief reasoning plus the boxed answer."""
    templates: Templates = field(default_factory=Templates)
    """Prompt templates."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Extra keyword arguments for ``client.complete``."""

    @property
    def label(self) -> str:
        """``llm:<model>``."""
        return f"llm:{self.client.model}"

    async def __call__(self, question: str, memory: str) -> Answer:
        """Ask the model for the answer."""
        prompt = self.templates.answer.format(question=question, memory=memory or NO_MEMORY)
        done = await self.client.complete(
            [{"role": "user", "content": prompt}],
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            **self.extra,
        )
        return Answer(text=done.text, extracted=extract_boxed(done.text), usage=done.usage)


def llm_components(
    model: str,
    *,
    api_base: str | None = None,
    api_key: str | None = None,
    memory_tokens: int = 1024,
    temperature: float | None = 0.7,
    templates: Templates | None = None,
    **client_kwargs: Any,
) -> tuple[LLMUpdater, LLMFuser, LLMAnswerer]:
    """An updater, fuser and answerer sharing one :class:`~agentmem.llm.LLMClient`.

    ``client_kwargs`` go to the client (``timeout``, ``max_retries``, ``concurrency``, ``rpm``,
    ``tpm``, ``cache_dir``, ``backoff_base``, ...).
    """
    from agentmem.llm import LLMClient

    client = LLMClient(model, api_base=api_base, api_key=api_key, **client_kwargs)
    t = templates or Templates()
    return (
        LLMUpdater(
            client=client, memory_tokens=memory_tokens, temperature=temperature, templates=t
        ),
        LLMFuser(client=client, memory_tokens=memory_tokens, temperature=temperature, templates=t),
        LLMAnswerer(client=client, templates=t),
    )
