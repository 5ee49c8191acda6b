"""Staleness for dialogue memories: later statements supersede earlier ones on the same subject.

Conversation lines that share their opening (subject and relation, the first three content
words) but differ afterwards form an update chain; the last one is current. A memory item that
matches an older version but not the current one is stale; a store holding both versions keeps a
conflict it should have resolved.
"""

from __future__ import annotations

from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts
from rewards.heuristic._text import content_words, stem

__all__ = ["staleness_features", "update_chains"]


def update_chains(statements: list[str]) -> list[tuple[set[str], set[str]]]:
    """(stale-only stems, current-only stems) for every subject that was updated in ``statements``."""
    groups: dict[tuple[str, ...], list[list[str]]] = {}
    for st in statements:
        body = st.split(" says:", 1)[-1]
        if ":" in body[:20]:
            body = body.split(":", 1)[1]
        cws = [stem(w) for w in content_words(body) if not w.isdigit()]
        if len(cws) < 4:
            continue
        groups.setdefault(tuple(cws[:3]), []).append(cws[3:])
    chains: list[tuple[set[str], set[str]]] = []
    for versions in groups.values():
        if len(versions) < 2 or len(versions) > 4:
            continue
        current = set(versions[-1])
        older: set[str] = set()
        for v in versions[:-1]:
            older |= set(v)
        stale_only, cur_only = older - current, current - older
        if stale_only and cur_only:
            chains.append((stale_only, cur_only))
    return chains


def staleness_features(t: ParsedTrajectory, q: QuestionFacts) -> dict[str, float]:
    """Raw staleness values (higher = staler) for dialogue stores; {} for other layouts."""
    if t.layout not in ("dialogue", "empty") or not q.statements:
        return {}
    chains = _chains_cached(q)
    if not chains:
        return {}
    item_stems = [{stem(w) for w in content_words(it)} for it in t.items]
    stale = 0
    for old_only, cur_only in chains:
        has_old = any(s & old_only and not s & cur_only for s in item_stems)
        if has_old:
            stale += 1
    return {"stale_items": float(stale)}


def _chains_cached(q: QuestionFacts) -> list[tuple[set[str], set[str]]]:
    hit = q.derived.get("update_chains")
    if hit is None:
        hit = q.derived["update_chains"] = update_chains(q.statements)
    return hit  # type: ignore[return-value]
