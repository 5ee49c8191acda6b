"""The LLM judge: pairwise (compat or robust) and pointwise, behind the RewardModel protocol."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from agentmem.exceptions import AgentmemError, UnknownNameError, UserError
from agentmem.llm import Completion, LLMClient, max_input_tokens, model_supports
from rewards._orders import combine_orders
from rewards._registry import register
from rewards._types import PairInput, PairKind, PairwiseVerdict, Reward, RMSpec, UpdateContext
from rewards.llm_judge._parse import (
    ParsedScore,
    compat_verdict,
    parse_score,
    robust_verdict,
    strip_reasoning,
)
from rewards.llm_judge._prompts import (
    POINTWISE_SCHEMA,
    ROBUST_SCHEMA,
    compat_messages,
    pointwise_messages,
    robust_messages,
)
from rewards.llm_judge._soft import soft_verdict
from rewards.llm_judge._trim import (
    OFFICIAL_LIMIT,
    fit_shared_context,
    official_truncation,
    surely_under,
)

__all__ = [
    "JUDGE_VERSION",
    "JudgeMode",
    "LLMJudge",
    "OverLengthSkipped",
    "Truncation",
    "make_llm_judge",
]

JudgeMode = Literal["compat", "robust"]
Truncation = Literal["official", "skip", "shared"]
"""How over-length prompts are handled (see :class:`LLMJudge`)."""
"""``compat``: the published protocol bit for bit; ``robust``: same criteria, hardened."""

JUDGE_VERSION = "1"
"""Bump when prompts or parsing change (it is part of the response-cache key)."""

_COMPAT_SAMPLING = {"temperature": 0.7, "top_p": 0.95, "max_tokens": 16_384}
"""The published decoding (n=1)."""
_ROBUST_SAMPLING: dict[str, Any] = {"temperature": 0.0, "top_p": None, "max_tokens": 4_096}
_RATIONALE_CHARS = 4_000
_TOKENIZER_MARGIN = 0.9
"""Trim to 90% of the window: we count cl100k_base tokens, the judge's own tokenizer may count more."""
_POINTWISE_MAX_TOKENS = 2_048
"""Reply budget of a pointwise call unless max_tokens is given explicitly."""
_OFF_LOOP_CHARS = 200_000
"""Robust prompts over this many input characters are built in a worker thread."""


class OverLengthSkipped(AgentmemError):
    """The official local runner's rule: a prompt of >= 131,072 tokens is not judged.

    Not a failure: the benchmark runner counts such pairs as skipped and leaves them out of the
    accuracy, as the official evaluator's local path does.
    """

    def __init__(self, message: str, *, prompt_tokens: int) -> None:
        super().__init__(message)
        self.prompt_tokens = prompt_tokens


@dataclass(frozen=True, kw_only=True)
class _Prompted:
    messages: list[dict[str, Any]]
    trim: dict[str, Any] | None


class LLMJudge:
    """An LLM judge (any litellm model) for trajectories (pairwise) and memory updates (pointwise).

    Args:
        model: litellm model string (``openai/gpt-4o-mini``; ``openai/<name>`` + ``api_base``
            for a self-hosted OpenAI-compatible server).
        mode: ``compat`` (published prompts, decoding and verdict rule) or ``robust``.
        both_orders: judge (A, B) and (B, A) and combine (default: on in robust, off in compat).
        logprobs: ask for token log-probabilities and derive soft scores from ``[[A`` vs ``[[B``.
        structured: robust mode only: ask for JSON output (json_schema). ``"auto"``: when
            litellm's model map says the model supports response schemas.
        max_prompt_tokens: robust mode: trim the shared context to fit (default: the model's
            input window from litellm's map minus the reply budget ``max_tokens``, since many
            providers count both against one context window; no trimming when the model is not
            in the map). Compat mode never trims below the official limit.
        truncation: what happens to a long prompt. Compat mode follows the official evaluator:
            ``official`` (its default) sends every prompt under 131,072 tokens unchanged and cuts
            longer ones blindly to their first 65,536 and last 65,531 tokens (cl100k_base here);
            ``skip`` is the official local path: prompts of >= 131,072 tokens are not sent and
            the pair is reported skipped (:class:`OverLengthSkipped`). Robust mode only:
            ``shared`` (its default) trims the shared context middle-out to fit
            ``max_prompt_tokens``, never a trajectory.
        extra_body: provider-specific request fields, e.g. ``{"chat_template_kwargs":
            {"enable_thinking": False}}`` for a Qwen3 judge on vLLM (the published runner
            applied its chat template with thinking off).
        hard_confidence: confidence reported for a parsed verdict without log-probabilities.
        cache_dir: response cache folder. When given, every judge reply is cached and replayed for
            an identical request (same prompt, model, sampling, seed, judge version) -- sampled
            compat replies included, so a rerun or a resumed benchmark reproduces the first run's
            verdicts without paying again. Leave it unset to sample afresh each time.
        client: an existing :class:`~agentmem.llm.LLMClient` to use instead of building one.
        The remaining arguments configure the client (see :class:`~agentmem.llm.LLMClient`);
        sampling arguments left as None take the mode's defaults.
    """

    def __init__(
        self,
        model: str,
        *,
        mode: JudgeMode = "compat",
        api_base: str | None = None,
        api_key: str | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        max_tokens: int | None = None,
        seed: int | None = None,
        timeout: float = 600.0,
        max_retries: int = 4,
        concurrency: int = 8,
        rpm: float | None = None,
        tpm: float | None = None,
        cache_dir: str | Path | None = None,
        both_orders: bool | None = None,
        logprobs: bool = False,
        top_logprobs: int = 5,
        structured: bool | Literal["auto"] = False,
        max_prompt_tokens: int | None = None,
        truncation: Truncation | None = None,
        extra_body: dict[str, Any] | None = None,
        hard_confidence: float = 0.75,
        transport: Literal["auto", "fast", "litellm"] = "auto",
        client: LLMClient | None = None,
    ) -> None:
        if not isinstance(model, str) or not model.strip():
            raise UserError(
                "the llm judge needs a model: e.g. 'llm:openai/gpt-4o-mini' or 'llm:openai/<served-name>' with api_base"
            )
        if mode not in ("compat", "robust"):
            raise UnknownNameError("judge mode", str(mode), ["compat", "robust"])
        if not 0.5 <= hard_confidence <= 1.0:
            raise UserError(f"hard_confidence must be in [0.5, 1], got {hard_confidence!r}")
        if max_prompt_tokens is not None and (
            not isinstance(max_prompt_tokens, int) or max_prompt_tokens < 1024
        ):
            raise UserError(
                f"max_prompt_tokens must be an integer >= 1024, got {max_prompt_tokens!r}"
            )
        if truncation is None:
            truncation = "official" if mode == "compat" else "shared"
        if truncation not in ("shared", "official", "skip"):
            raise UnknownNameError("truncation", str(truncation), ["official", "shared", "skip"])
        if truncation in ("official", "skip") and mode != "compat":
            raise UserError(
                f"truncation={truncation!r} reproduces the published runner and needs mode='compat'; "
                "robust mode trims the shared context (truncation='shared')"
            )
        if truncation == "shared" and mode != "robust":
            raise UserError(
                "truncation='shared' trims the shared context, which the official evaluator never does: "
                "it is robust mode only; in compat mode use 'official' (blind cut at 131,072 tokens) or 'skip'"
            )
        if structured == "auto":
            structured = mode == "robust" and bool(model_supports(model.strip(), "response_schema"))
        if structured and mode != "robust":
            raise UserError(
                "structured=True needs mode='robust' (compat mode keeps the published free-text protocol)"
            )
        self.model = model.strip()
        self.mode: JudgeMode = mode
        defaults = _COMPAT_SAMPLING if mode == "compat" else _ROBUST_SAMPLING
        self.temperature = defaults["temperature"] if temperature is None else float(temperature)
        self.top_p = defaults["top_p"] if top_p is None else float(top_p)
        self.max_tokens = defaults["max_tokens"] if max_tokens is None else int(max_tokens)
        self._max_tokens_given = max_tokens is not None
        self.seed = seed
        self.both_orders = (mode == "robust") if both_orders is None else bool(both_orders)
        self.logprobs = bool(logprobs)
        self.top_logprobs = top_logprobs
        self.structured = bool(structured)
        self.max_prompt_tokens = (
            max_prompt_tokens if max_prompt_tokens is not None else self._default_window()
        )
        self.hard_confidence = float(hard_confidence)
        self.truncation: Truncation = truncation
        self.extra_body = dict(extra_body) if extra_body else None
        self.client = client or LLMClient(
            self.model,
            api_base=api_base,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
            concurrency=concurrency,
            rpm=rpm,
            tpm=tpm,
            cache_dir=cache_dir,
            transport=transport,
        )
        args: dict[str, Any] = {
            "spec_string": f"llm:{self.model}",
            "model": self.model,
            "mode": mode,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "seed": seed,
            "both_orders": self.both_orders,
            "logprobs": self.logprobs,
            "structured": self.structured,
            "max_prompt_tokens": self.max_prompt_tokens,
            "truncation": truncation,
        }
        if self.extra_body:
            args["extra_body"] = self.extra_body
        if api_base:
            args["api_base"] = api_base
        self.spec = RMSpec(name="llm", args=args, version=f"{JUDGE_VERSION}-{mode}")
        self._cache_version = f"llm-judge/{self.spec.version}"
        self._cache: bool | None = True if self.client.cache is not None else None

    def _default_window(self) -> int | None:
        window = max_input_tokens(self.model)
        if window is None:
            return None
        room = window - self.max_tokens
        return room if room >= 1024 else window

    def __repr__(self) -> str:
        return f"LLMJudge(model={self.model!r}, mode={self.mode!r}, both_orders={self.both_orders})"

    async def aclose(self) -> None:
        """Close the client's pooled connections."""
        await self.client.aclose()

    # -- pairwise -----------------------------------------------------------------------------
    async def compare(self, pair: PairInput) -> PairwiseVerdict:
        """Judge which trajectory is better (in robust mode, in both orders)."""
        start = time.perf_counter()
        if self.both_orders:
            ab, ba = await asyncio.gather(
                self._judge_once(pair.question, pair.trajectory_a, pair.trajectory_b, pair.kind),
                self._judge_once(pair.question, pair.trajectory_b, pair.trajectory_a, pair.kind),
            )
            verdict = combine_orders(ab, ba)
            evidence = {**verdict.evidence, "mode": self.mode, "both_orders": True}
            trim = ab.evidence.get("trim") or ba.evidence.get("trim")
            if trim:
                evidence["trim"] = trim
            return PairwiseVerdict(
                winner=verdict.winner,
                confidence=verdict.confidence,
                rationale=verdict.rationale,
                scorer=self.spec.name,
                version=self.spec.version,
                score_a=verdict.score_a,
                score_b=verdict.score_b,
                raw=verdict.raw,
                latency_s=time.perf_counter() - start,
                tokens=verdict.tokens,
                cost=verdict.cost,
                evidence=evidence,
            )
        verdict = await self._judge_once(
            pair.question, pair.trajectory_a, pair.trajectory_b, pair.kind
        )
        return PairwiseVerdict(
            winner=verdict.winner,
            confidence=verdict.confidence,
            rationale=verdict.rationale,
            scorer=verdict.scorer,
            version=verdict.version,
            score_a=verdict.score_a,
            score_b=verdict.score_b,
            raw=verdict.raw,
            latency_s=time.perf_counter() - start,
            tokens=verdict.tokens,
            cost=verdict.cost,
            evidence={**verdict.evidence, "both_orders": False},
        )

    async def _prompt(self, question: str, first: str, second: str, kind: PairKind) -> _Prompted:
        build = compat_messages if self.mode == "compat" else robust_messages
        trim: dict[str, Any] | None = None
        if self.truncation != "shared":  # compat: the official evaluator's rule
            messages = build(question, first, second, kind)
            system, user = messages[0]["content"], messages[1]["content"]
            # fewer characters cannot be more tokens; and the parts' cached counts (a question is
            # judged in both orders) settle most long prompts without encoding the whole
            if len(system) + len(user) >= OFFICIAL_LIMIT and not await asyncio.to_thread(
                surely_under,
                [system, build("", "", "", kind)[1]["content"], question, first, second],
            ):
                user, trim = await asyncio.to_thread(official_truncation, system, user)
                if trim is not None and self.truncation == "skip":
                    raise OverLengthSkipped(
                        f"prompt of {trim['prompt_tokens_before']} tokens is at or over the official "
                        f"limit of {OFFICIAL_LIMIT}; skipped as the official local runner does "
                        "(use truncation='official' to cut it instead)",
                        prompt_tokens=int(trim["prompt_tokens_before"]),
                    )
                if trim is not None:
                    messages[1] = {**messages[1], "content": user}
            return _Prompted(messages=messages, trim=trim)
        limit = self.max_prompt_tokens
        if limit is not None and len(question) + len(first) + len(second) + 6_000 > limit:
            skeleton = build("", first, second, kind)
            rest = [m["content"] for m in skeleton]
            question, trim = await asyncio.to_thread(
                fit_shared_context,
                question,
                sum(len(r) for r in rest),
                rest,
                int(limit * _TOKENIZER_MARGIN),
            )
        if self.mode == "robust" and len(question) + len(first) + len(second) > _OFF_LOOP_CHARS:
            # fencing and neutralising megabytes takes tens of milliseconds: keep it off the loop
            messages = await asyncio.to_thread(build, question, first, second, kind)
        else:
            messages = build(question, first, second, kind)
        return _Prompted(messages=messages, trim=trim)

    async def _judge_once(
        self, question: str, first: str, second: str, kind: PairKind
    ) -> PairwiseVerdict:
        prompted = await self._prompt(question, first, second, kind)
        done = await self.client.complete(
            prompted.messages,
            temperature=self.temperature,
            top_p=self.top_p,
            max_tokens=self.max_tokens,
            seed=self.seed,
            logprobs=self.logprobs,
            top_logprobs=self.top_logprobs if self.logprobs else None,
            response_format=ROBUST_SCHEMA if self.structured else None,
            extra_body=self.extra_body,
            cache=self._cache,
            cache_version=self._cache_version,
        )
        parsed = compat_verdict(done.text) if self.mode == "compat" else robust_verdict(done.text)
        soft = (
            soft_verdict(done.logprobs, "first" if self.mode == "compat" else "last")
            if self.logprobs
            else None
        )
        if parsed.winner in ("A", "B"):
            confidence = (
                (soft[0] if parsed.winner == "A" else soft[1]) if soft else self.hard_confidence
            )
        else:
            confidence = 0.5
        evidence: dict[str, Any] = {
            "mode": self.mode,
            "parse": parsed.how,
            "finish_reason": done.finish_reason,
            "cached": done.cached,
            "attempts": done.attempts,
            "prompt_tokens": done.usage.prompt_tokens,
            "completion_tokens": done.usage.completion_tokens,
        }
        if soft is not None:
            evidence["soft"] = {"p_a": soft[0], "p_b": soft[1]}
        if prompted.trim is not None:
            evidence["trim"] = prompted.trim
        return PairwiseVerdict(
            winner=parsed.winner,
            confidence=confidence,
            rationale=_rationale(done),
            scorer=self.spec.name,
            version=self.spec.version,
            score_a=soft[0] if soft else None,
            score_b=soft[1] if soft else None,
            raw=(done.text,),
            latency_s=done.usage.latency_s,
            tokens=done.usage.prompt_tokens + done.usage.completion_tokens,
            cost=done.usage.cost,
            evidence=evidence,
        )

    # -- pointwise ----------------------------------------------------------------------------
    async def score_update(self, update: UpdateContext) -> Reward:
        """Score one memory update in [0, 1] with the pointwise prompt (one re-ask if unparsed)."""
        start = time.perf_counter()
        messages = pointwise_messages(update)
        temperature = 0.0 if self.mode == "compat" else self.temperature
        kwargs: dict[str, Any] = {
            "temperature": temperature,
            "max_tokens": self.max_tokens if self._max_tokens_given else _POINTWISE_MAX_TOKENS,
            "seed": self.seed,
            "response_format": POINTWISE_SCHEMA if self.structured else None,
            "extra_body": self.extra_body,
            "cache": self._cache,
            "cache_version": self._cache_version + "/pointwise",
        }
        done = await self.client.complete(messages, **kwargs)
        calls = [done]
        parsed = parse_score(done.text)
        if parsed.value is None:
            retry = [
                *messages,
                {"role": "assistant", "content": done.text},
                {
                    "role": "user",
                    "content": "Your reply had no score. Reply with one line only: [[SCORE: x]] with x from 0 to 1.",
                },
            ]
            again = await self.client.complete(retry, **kwargs)
            calls.append(again)
            reparsed = parse_score(again.text)
            if reparsed.value is not None:
                parsed = ParsedScore(
                    value=reparsed.value,
                    how=reparsed.how + " (after a re-ask)",
                    rationale=parsed.rationale or _clean(done.text),
                )
        evidence: dict[str, Any] = {
            "mode": "pointwise",
            "parse": parsed.how,
            "parsed": parsed.value is not None,
            "calls": len(calls),
            "finish_reason": calls[-1].finish_reason,
            "cached": all(c.cached for c in calls),
        }
        if parsed.value is None:
            value, rationale = (
                0.5,
                "unparsed judge output: neutral score 0.5 recorded (see evidence and raw reply). "
                + _clean(done.text)[:500],
            )
            evidence["raw"] = [c.text for c in calls]
        else:
            value, rationale = parsed.value, parsed.rationale or _clean(done.text)
        return Reward(
            value=value,
            rationale=rationale[:_RATIONALE_CHARS],
            scorer=self.spec.name,
            version=self.spec.version,
            latency_s=time.perf_counter() - start,
            tokens=sum(c.usage.prompt_tokens + c.usage.completion_tokens for c in calls),
            cost=sum(c.usage.cost for c in calls),
            evidence=evidence,
        )


def _clean(text: str) -> str:
    return strip_reasoning(text).strip()


def _rationale(done: Completion) -> str:
    text = _clean(done.text) or done.text.strip()
    return text[:_RATIONALE_CHARS] if text else f"(empty reply; finish_reason={done.finish_reason})"


_OVERRIDES = (
    "mode", "api_base", "api_key", "temperature", "top_p", "max_tokens", "seed", "timeout",
    "max_retries", "concurrency", "rpm", "tpm", "cache_dir", "both_orders", "logprobs",
    "top_logprobs", "structured", "max_prompt_tokens", "truncation", "extra_body", "hard_confidence", "transport", "client",
)  # fmt: skip


@register("llm", "LLM judge through litellm: llm:<litellm model> (compat or robust mode)")
def make_llm_judge(arg: str, **overrides: Any) -> LLMJudge:
    """Build an :class:`LLMJudge` from ``llm:<model>`` plus the standard keyword overrides.

    Overrides left as None and those that do not apply to a judge are ignored. With
    ``calibration=<name or path>``, the judge's measured accuracy on that suite becomes the
    confidence of its hard verdicts (unless ``hard_confidence`` is given).
    """
    if not arg.strip():
        raise UserError(
            "the llm reward model needs a model after the colon, e.g. 'llm:openai/gpt-4o-mini'"
        )
    kwargs = {k: _coerce(k, v) for k, v in overrides.items() if k in _OVERRIDES and v is not None}
    calibration = overrides.get("calibration")
    if calibration and "hard_confidence" not in kwargs:
        from rewards.calibration import load_calibration

        member = load_calibration(calibration).members.get(f"llm:{arg.strip()}")
        if member is not None and member.decided:
            # a hard verdict is as reliable as this judge measured on the calibration suite
            kwargs["hard_confidence"] = min(1.0, max(0.5, member.accuracy))
    return LLMJudge(arg, **kwargs)


_INTS = frozenset(
    {"max_tokens", "seed", "max_retries", "concurrency", "top_logprobs", "max_prompt_tokens"}
)
_FLOATS = frozenset({"temperature", "top_p", "timeout", "rpm", "tpm", "hard_confidence"})
_BOOLS = frozenset({"both_orders", "logprobs"})
_TRUE, _FALSE = frozenset({"true", "1", "yes", "on"}), frozenset({"false", "0", "no", "off"})


def _coerce(key: str, value: Any) -> Any:
    """Accept the string forms a CLI or a config file passes (``"0.7"``, ``"true"``)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if key in _INTS:
            return int(text)
        if key in _FLOATS:
            return float(text)
    except ValueError:
        kind = "an integer" if key in _INTS else "a number"
        raise UserError(f"{key} must be {kind}, got {value!r}") from None
    if key in _BOOLS or (key == "structured" and text.lower() != "auto"):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise UserError(f"{key} must be true or false, got {value!r}")
    return value
