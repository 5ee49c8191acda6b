"""The LLM judge, registered as ``llm`` (``llm:<litellm model>``).

Compat mode reproduces the published MemRewardBench evaluator (prompts, decoding, verdict rule);
robust mode keeps its criteria and hardens everything around them (tolerant parsing, both orders,
soft scores from log-probabilities, fenced untrusted input, over-length trimming).
"""

from __future__ import annotations

from rewards.llm_judge._bias import PositionStats, position_stats
from rewards.llm_judge._judge import JUDGE_VERSION, JudgeMode, LLMJudge, make_llm_judge
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
    "ParsedScore",
    "ParsedVerdict",
    "PositionStats",
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
