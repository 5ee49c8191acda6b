"""Grounding: names, numbers and words in the memory that the question's context does not support.

Every claim a memory makes should come from what the agent read. A name or a number the context
never mentions is invented (hallucinated or tampered); a high share of unsupported content words
is a weaker sign of the same thing. Sentences are analysed once and memoised, so a memory that
is carried over from step to step costs only its new sentences.
"""

from __future__ import annotations

from collections.abc import Callable

from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts
from rewards.heuristic._text import SentenceInfo, memory_sentences

__all__ = ["grounding_features", "unsupported"]

_SMALL = frozenset(str(i) for i in range(0, 13))


def unsupported(
    infos: tuple[SentenceInfo, ...],
    supports: Callable[[str], bool],
    nums: frozenset[str],
    memo: dict[str, tuple[frozenset[str], frozenset[str], int]] | None = None,
) -> tuple[set[str], set[str], int, int]:
    """(invented names, invented numbers, unsupported content words, content words) of sentences.

    Small integers (0-12) are not counted as invented: they are usually derived counts. ``memo``
    keeps per-sentence results across the memories of one trajectory.
    """
    ents: set[str] = set()
    nums_out: set[str] = set()
    miss = total = 0
    for info in infos:
        hit = memo.get(info.norm) if memo is not None else None
        if hit is None:
            hit = (
                frozenset(e for e in info.entities if not supports(e)),
                frozenset(n for n in info.numbers if n not in nums and n not in _SMALL),
                sum(1 for w in info.words if not supports(w)),
            )
            if memo is not None:
                memo[info.norm] = hit
        ents |= hit[0]
        nums_out |= hit[1]
        miss += hit[2]
        total += len(info.words)
    return ents, nums_out, miss, total


def grounding_features(t: ParsedTrajectory, q: QuestionFacts) -> dict[str, float]:
    """Raw grounding values of one trajectory (higher = less grounded)."""
    if t.layout == "empty":
        return {"invented_names": 0.0, "invented_numbers": 0.0}
    texts = [m for m in t.memories if m]
    if t.answer:
        texts.append(t.answer)
    memo: dict[str, bool] = {}
    per_sentence: dict[str, tuple[frozenset[str], frozenset[str], int]] = {}

    def supports(w: str) -> bool:
        hit = memo.get(w)
        if hit is None:
            hit = memo[w] = q.supports(w)
        return hit

    ents: set[str] = set()
    nums: set[str] = set()
    share_sum, n = 0.0, 0
    for txt in texts:
        e, nu, miss, total = unsupported(memory_sentences(txt), supports, q.numbers, per_sentence)
        ents |= e
        nums |= nu
        if total:
            share_sum += miss / total
            n += 1
    out = {"invented_names": float(len(ents)), "invented_numbers": float(len(nums))}
    if t.layout != "dialogue":  # stores paraphrase conversations into facts by design
        out["unsupported_words"] = share_sum / n if n else 0.0
    return out
