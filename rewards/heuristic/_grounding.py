"""Grounding: names, numbers and words in the memory that the question's context does not support.

Every claim a memory makes should come from what the agent read. A name or a number the context
never mentions is invented (hallucinated or tampered); a high share of unsupported content words
is a weaker sign of the same thing.
"""

from __future__ import annotations

from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts
from rewards.heuristic._text import content_words, entities, numbers, stem

__all__ = ["grounding_features", "unsupported"]

_SMALL = frozenset(str(i) for i in range(0, 13))


def unsupported(
    text: str, vocab: frozenset[str], nums: frozenset[str], vocab_stems: frozenset[str]
) -> tuple[set[str], set[str], float]:
    """(invented names, invented numbers, share of content words unsupported) of ``text``.

    Small integers (0-12) are not counted as invented: they are usually derived counts.
    """
    ents = {e for e in entities(text) if e not in vocab and stem(e) not in vocab_stems}
    nums_out = {n for n in numbers(text) if n not in nums and n not in _SMALL}
    cws = content_words(text)
    if cws:
        miss = sum(1 for w in cws if w not in vocab and stem(w) not in vocab_stems)
        share = miss / len(cws)
    else:
        share = 0.0
    return ents, nums_out, share


def grounding_features(t: ParsedTrajectory, q: QuestionFacts) -> dict[str, float]:
    """Raw grounding values of one trajectory (higher = less grounded)."""
    if t.layout in ("empty",):
        return {"invented_names": 0.0, "invented_numbers": 0.0, "unsupported_words": 0.0}
    texts = [m for m in t.memories if m]
    if t.answer:
        texts.append(t.answer)
    ents: set[str] = set()
    nums: set[str] = set()
    share_sum, n = 0.0, 0
    for txt in texts:
        e, nu, sh = unsupported(txt, q.vocab, q.numbers, q.vocab_stems)
        ents |= e
        nums |= nu
        share_sum += sh
        n += 1
    return {
        "invented_names": float(len(ents)),
        "invented_numbers": float(len(nums)),
        "unsupported_words": share_sum / n if n else 0.0,
    }
