"""The LLM judge, registered as ``llm`` (``llm:<litellm model>``).

    judge = make_reward_model("llm:openai/qwen3-8b", api_base="http://127.0.0.1:8000/v1", mode="robust")
    verdict = await judge.compare(PairInput(question=q, trajectory_a=a, trajectory_b=b))
    reward = await judge.score_update(update)          # pointwise, in [0, 1]

Compat mode reproduces the published MemRewardBench evaluator (prompts, decoding 0.7 / 0.95 /
16,384, the first-5-characters verdict rule, prompts under 131,072 tokens sent whole and longer
ones cut blindly as it cut them, or skipped with ``truncation="skip"`` as its local path does). Robust mode keeps its criteria and hardens everything around them: tolerant
parsing with an explicit ``unparsed`` state, both orders (disagreement = tie), soft scores from
``[[A`` vs ``[[B`` log-probabilities, optional JSON output, fenced and neutralised untrusted input,
and middle-out trimming of the shared context (never a trajectory) to fit the judge's window.

Overrides: ``mode``, ``api_base``, ``api_key``, ``temperature``, ``top_p``, ``max_tokens``,
``seed``, ``timeout``, ``max_retries``, ``concurrency``, ``rpm``, ``tpm``, ``cache_dir``,
``both_orders``, ``logprobs``, ``top_logprobs``, ``structured`` (bool or ``"auto"``),
``max_prompt_tokens``, ``truncation``, ``extra_body``, ``hard_confidence``, ``transport``,
``calibration``. :func:`position_stats` reports position bias and order consistency.
"""

from __future__ import annotations

from rewards.llm_judge._bias import PositionStats, position_stats
from rewards.llm_judge._judge import (
    JUDGE_VERSION,
    JudgeMode,
    LLMJudge,
    OverLengthSkipped,
    Truncation,
    make_llm_judge,
)
from rewards.llm_judge._parse import (
    ParsedScore,
    ParsedVerdict,
    compat_verdict,
    parse_score,
    robust_verdict,
    strip_reasoning,
)
from rewards.llm_judge._prompts import (
    compat_messages,
    neutralise,
    pointwise_messages,
    published_prompts,
    robust_messages,
)
from rewards.llm_judge._soft import soft_verdict
from rewards.llm_judge._trim import fit_shared_context

__all__ = [
    "JUDGE_VERSION",
    "JudgeMode",
    "LLMJudge",
    "OverLengthSkipped",
    "ParsedScore",
    "ParsedVerdict",
    "PositionStats",
    "Truncation",
    "compat_messages",
    "compat_verdict",
    "fit_shared_context",
    "make_llm_judge",
    "neutralise",
    "parse_score",
    "pointwise_messages",
    "position_stats",
    "published_prompts",
    "robust_messages",
    "robust_verdict",
    "soft_verdict",
    "strip_reasoning",
]
