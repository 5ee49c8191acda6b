"""Coverage: does the memory keep what the question needs until the end?

The question names what matters (its entities); the context sentences or messages that share
those names are the likely evidence. A memory that loses the evidence's distinctive words, or
the question's own names, cannot support a correct answer.
"""

from __future__ import annotations

from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts
from rewards.heuristic._text import stem, text_stems

__all__ = ["coverage_features", "final_parts"]

_ENOUGH = 0.5
"""Share of the evidence's distinctive words that counts as fully kept."""


def final_parts(t: ParsedTrajectory) -> list[str]:
    """The memories the answer is read from.

    Sequential runs: the last memory. Parallel runs: every group's last memory plus the fusion
    (the fusion read them all). Mixed runs that continue after the fusion: the last memory.
    Dialogue stores: every item; long-form: every section.
    """
    if t.layout != "reasoning":
        return list(t.final_memories)
    mems = [s for s in t.steps if s.kind != "answer"]
    if not mems:
        return []
    kinds = [s.kind for s in mems]
    if "fusion" in kinds and kinds[-1] == "fusion":
        return list(t.final_memories)
    return [mems[-1].updated]


def coverage_features(t: ParsedTrajectory, q: QuestionFacts) -> dict[str, float]:
    """Raw coverage values of one trajectory (higher = better coverage, in [0, 1])."""
    fst: set[str] = set()
    for m in final_parts(t):
        fst |= text_stems(m)
    out: dict[str, float] = {}
    ev = q.evidence_terms
    if t.layout == "longform":
        if q.bullet_words:
            out["bullet_coverage"] = len(q.bullet_words & fst) / len(q.bullet_words)
        return out
    if ev:
        # Saturating: keeping the evidence's key words is what matters; a raw dump that keeps
        # every filler word is not better than a distilled memory that keeps the key ones.
        out["evidence_final"] = min(1.0, len(ev & fst) / len(ev) / _ENOUGH)
        if t.layout == "reasoning":
            ever: set[str] = set()
            for m in t.memories:
                ever |= text_stems(m)
            kept = ev & ever
            out["evidence_dropped"] = len(kept - fst) / len(ev)
    qe = {stem(e) for e in q.query_entities}
    if (
        qe and t.layout == "reasoning"
    ):  # per-user dialogue stores legitimately drop the speaker's name
        out["query_names"] = len(qe & fst) / len(qe)
    if t.layout == "empty":
        out["nonempty"] = 0.0
    elif t.layout in ("dialogue", "plain"):
        out["nonempty"] = 1.0
    return out
