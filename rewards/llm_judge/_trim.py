"""Fitting an over-length pair into the judge's context window without touching a trajectory.

The shared context (the benchmark's ``question``: instruction + long document + question) is
trimmed middle-out: its beginning (the instruction) and its end (usually the question) are kept,
the middle is replaced by a marker saying how many tokens were left out. The trajectories are
never cut -- cutting one side (as a blind middle truncation of the whole prompt does) would
judge a different trajectory than the one submitted.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from agentmem.tokens import count_tokens, decode, encode

__all__ = ["fit_shared_context"]

_MIN_KEEP = 256
"""Below this many tokens for the shared context, trimming would leave nothing to judge against."""


def fit_shared_context(
    question: str, rest_chars: int, rest: list[str], max_prompt_tokens: int
) -> tuple[str, dict[str, Any] | None]:
    """Return ``question`` trimmed so that the whole prompt fits ``max_prompt_tokens``.

    ``rest`` are the other prompt parts (system prompt, template, trajectories). Returns the
    (possibly unchanged) question and a record of what happened (None when nothing had to be done).
    CPU-heavy on long inputs: call it in a worker thread.
    """
    if (
        len(question) + rest_chars <= max_prompt_tokens
    ):  # a token covers >= 1 character (non-CJK text)
        return question, None
    rest_tokens = sum(count_tokens(p) for p in rest) + 16
    ids = encode(question)
    if len(ids) + rest_tokens <= max_prompt_tokens:
        return question, None
    budget = max_prompt_tokens - rest_tokens
    if budget < _MIN_KEEP:
        return question, {
            "trimmed": False,
            "over_length": True,
            "reason": f"the trajectories alone take {rest_tokens} of {max_prompt_tokens} prompt tokens; "
            "they are never cut, so the prompt was sent over length",
            "question_tokens": len(ids),
        }
    marker_ids = encode(
        "\n\n[... 0000000 tokens of the shared context omitted to fit the judge's context window ...]\n\n"
    )
    keep = budget - len(marker_ids)
    head, tail = keep // 2, keep - keep // 2
    omitted = len(ids) - head - tail
    marker = f"\n\n[... {omitted} tokens of the shared context omitted to fit the judge's context window ...]\n\n"
    trimmed = decode(ids[:head]) + marker + decode(ids[len(ids) - tail :])
    return trimmed, {
        "trimmed": True,
        "over_length": False,
        "question_tokens": len(ids),
        "kept_head_tokens": head,
        "kept_tail_tokens": tail,
        "omitted_tokens": omitted,
        "max_prompt_tokens": max_prompt_tokens,
    }


OFFICIAL_LIMIT = 131_072
"""The published runner truncated prompts of at least this many tokens ..."""
OFFICIAL_HEAD = 65_536
"""... keeping the first 65,536 tokens ..."""
OFFICIAL_TAIL = 65_531
"""... and the last 65,531 (``tokens[:65536] + tokens[5 - 65536:]``)."""


_COUNTS: dict[bytes, int] = {}
_COUNTS_MAX = 200_000


_INFLIGHT: dict[bytes, threading.Lock] = {}
_INFLIGHT_GUARD = threading.Lock()


def cached_count(text: str) -> int:
    """Token count of ``text``, remembered by its SHA-1 (a judge sees each question and each
    trajectory twice when it runs both orders, often at the same moment: the second caller waits
    for the first one's count instead of encoding the same megabyte again)."""
    if len(text) < 2_048:
        return count_tokens(text)
    key = hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()
    n = _COUNTS.get(key)
    if n is not None:
        return n
    with _INFLIGHT_GUARD:
        lock = _INFLIGHT.setdefault(key, threading.Lock())
    with lock:
        n = _COUNTS.get(key)
        if n is None:
            if len(_COUNTS) >= _COUNTS_MAX:
                _COUNTS.clear()
            n = _COUNTS[key] = count_tokens(text)
    with _INFLIGHT_GUARD:
        _INFLIGHT.pop(key, None)
    return n


BOUNDARY_SLACK = 64
"""Tokens the sum of the parts' counts may differ from the whole prompt's (a few per junction
where BPE could merge across); a sum this far below the limit needs no exact count."""


def surely_under(parts: list[str], limit: int = OFFICIAL_LIMIT) -> bool:
    """True when the prompt made of ``parts`` is certainly under ``limit`` tokens, from the
    parts' (cached) counts; False means: count the whole prompt exactly."""
    return sum(cached_count(p) for p in parts) + BOUNDARY_SLACK * len(parts) < limit


def official_truncation(system: str, user: str) -> tuple[str, dict[str, Any] | None]:
    """The published runner's blind middle cut, emulated with cl100k_base on the user message.

    The runner cut the whole templated prompt with the judge model's own tokenizer; here the
    system prompt counts toward the head and the cut falls inside the user message, wherever
    that is -- possibly inside a trajectory, which is why robust mode trims the shared context
    instead. CPU-heavy on long inputs: call it in a worker thread.
    """
    if len(system) + len(user) < OFFICIAL_LIMIT:
        return user, None
    system_tokens = count_tokens(system)
    ids = encode(user)
    if system_tokens + len(ids) < OFFICIAL_LIMIT:
        return user, None
    head = max(0, OFFICIAL_HEAD - system_tokens)
    cut = decode(ids[:head]) + decode(ids[len(ids) - OFFICIAL_TAIL :])
    return cut, {
        "truncation": "official",
        "trimmed": True,
        "prompt_tokens_before": system_tokens + len(ids),
        "omitted_tokens": len(ids) - head - OFFICIAL_TAIL,
    }
