"""Staleness for dialogue memories: keep the latest value, not one the conversation replaced.

People announce changes in one line that names the old value and then the new one ("Sadly Clover
went to live with my parents, but we adopted a puppy called Tofu", "no more carpenter work for
me, I'm a pharmacist now"). A stored memory is *stale* when it holds a rare value word whose last
mention in the conversation is such a change line (a change cue, and a later rare word in the
same line), while no stored memory holds that replacing word. Rare words are words of at most
``_RARE`` conversation lines (so speaker names and common words never count as values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts
from rewards.heuristic._text import STOPWORDS, stem, words

__all__ = ["ConversationIndex", "conversation_index", "staleness_features"]

_RARE = 6
_CUES = re.compile(
    r"\b(?:no more|no longer|not any ?more|anymore|quit|quitting|stopped|over|sold|switched|switch|"
    r"rehomed|moved|went to live|changed?|instead|now|new|replaced|gave up|used to|former|formerly|"
    r"less|swapped|traded|left)\b",
    re.I,
)
_MSG_BODY = re.compile(r"^\s*\[[^\]]{3,60}\]\s*(?:Speaker\s+)?[\w\-]+\s+says\s*:\s*")


@dataclass(frozen=True, kw_only=True)
class ConversationIndex:
    """Where each word of the conversation occurs (computed once per question)."""

    lines: list[list[str]]
    """Each line's words in order (message text only, lower-cased)."""
    cue: list[bool]
    """Whether each line announces a change."""
    where: dict[str, list[int]]
    """word -> indices of the lines that contain it."""


def conversation_index(q: QuestionFacts) -> ConversationIndex:
    """Index the conversation lines of ``q`` (cached on the question)."""
    hit = q.derived.get("conversation_index")
    if hit is None:
        lines: list[list[str]] = []
        cue: list[bool] = []
        where: dict[str, list[int]] = {}
        for i, st in enumerate(q.statements):
            body = _MSG_BODY.sub("", st)
            ws = words(body)
            lines.append(ws)
            cue.append(bool(_CUES.search(body)))
            for w in set(ws):
                if len(w) > 2 and w not in STOPWORDS:
                    where.setdefault(w, []).append(i)
        hit = q.derived["conversation_index"] = ConversationIndex(lines=lines, cue=cue, where=where)
    return hit  # type: ignore[return-value]


def _rare(idx: ConversationIndex, w: str) -> bool:
    occ = idx.where.get(w)
    return occ is not None and len(occ) <= _RARE


def staleness_features(t: ParsedTrajectory, q: QuestionFacts) -> dict[str, float]:
    """Raw staleness values for dialogue stores (higher = staler); {} for other layouts."""
    if t.layout not in ("dialogue", "empty") or not q.statements:
        return {}
    idx = conversation_index(q)
    item_words = [set(words(it)) for it in t.items]
    store: set[str] = set().union(*item_words) if item_words else set()
    qstems = set(q.query_words)
    stale = stale_query = 0
    for ws in item_words:
        is_stale = False
        for w in ws:
            if not _rare(idx, w):
                continue
            last = idx.where[w][-1]
            if not idx.cue[last]:
                continue
            line = idx.lines[last]
            pos = line.index(w)
            newer = {v for v in line[pos + 1 :] if v != w and v not in ws and _rare(idx, v)}
            if newer and not newer & store:
                is_stale = True
                break
        if is_stale:
            stale += 1
            if {stem(w) for w in ws} & qstems:
                stale_query += 1
    return {"stale_items": float(stale), "stale_query": float(stale_query)}
