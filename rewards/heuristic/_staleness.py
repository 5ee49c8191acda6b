"""Staleness for dialogue memories: keep the latest value, not one the conversation replaced.

People announce changes in one short line that names the old value in a clause carrying a
change cue and the new value after it ("I sold my banjo and bought a trumpet", "no more
carpenter work for me, I'm a pharmacist now", "Sadly Clover went to live with my parents, but we
adopted a puppy called Tofu"). A stored memory is *stale* when it holds a rare value word whose
last mention in the conversation is such an announcement -- the word's clause has a cue and a
rare word follows it in the line -- while no stored memory holds that replacing word. Rare words
are words of at most ``_RARE`` conversation lines, so speaker names and common words never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts
from rewards.heuristic._text import STOPWORDS, fast_lines, fast_words, stem

__all__ = [
    "ConversationIndex",
    "conversation_index",
    "paired_lines_lost",
    "stale_items",
    "staleness_features",
]

_LINE_MAX = 30
_HOLD = 0.5
_TIME_TEXT = (
    "week weeks month months year years day days today tomorrow yesterday hours hour time times "
    "lessons morning evening night weekend weekends ago soon later next last"
)
_TIME_WORDS = frozenset(_TIME_TEXT.split())
_WINDOW = 12
_RARE = 6
_CUES = re.compile(
    r"\b(?:no more|no longer|not any ?more|anymore|quit|quitting|stopped|over|sold|switched|switch|"
    r"rehomed|moved|went to live|changed?|instead|now|new|replaced|gave up|used to|former|formerly|"
    r"less|swapped|traded|left)\b",
    re.I,
)
_MSG_BODY = re.compile(r"^\s*\[[^\]]{3,60}\]\s*(?:Speaker\s+)?([\w\-]+)\s+says\s*:\s*")


@dataclass(kw_only=True)
class ConversationIndex:
    """Where each word of the conversation occurs (built once per question with C-speed
    splitting; clause structure is worked out only for the few lines staleness asks about)."""

    bodies: list[str]
    """Each line's message text (speaker header removed)."""
    where: dict[str, list[int]]
    """word -> indices of the lines that contain it."""
    speakers: frozenset[str]
    """Lower-cased speaker names (never values)."""
    _clauses: dict[int, tuple[list[str], list[int], set[int]]] = field(default_factory=dict)

    def clauses(self, i: int) -> tuple[list[str], list[int], set[int]]:
        """(words, clause number of each word, clauses with a change cue) of line ``i``."""
        hit = self._clauses.get(i)
        if hit is None:
            ws: list[str] = []
            cl: list[int] = []
            cue: set[int] = set()
            for c, part in enumerate(_CLAUSE.split(self.bodies[i])):
                pw = fast_words(part)
                ws.extend(pw)
                cl.extend([c] * len(pw))
                if _CUES.search(part):
                    cue.add(c)
            hit = self._clauses[i] = (ws, cl, cue)
        return hit


_CLAUSE = re.compile(r"[,;:!?.\u2014]|\s(?:but|and|then|so)\s", re.I)


def conversation_index(q: QuestionFacts) -> ConversationIndex:
    """Index the conversation lines of ``q`` (cached on the question)."""
    hit = q.derived.get("conversation_index")
    if hit is None:
        bodies: list[str] = []
        where: dict[str, list[int]] = {}
        speakers: set[str] = set()
        for st in q.statements:
            m = _MSG_BODY.match(st)
            if m:
                speakers.add(m.group(1).lower())
            bodies.append((st[m.end() :] if m else st).replace("\n", " "))
        for i, ws in enumerate(fast_lines("\n".join(bodies))):
            for w in set(ws):
                where.setdefault(w, []).append(i)
        hit = q.derived["conversation_index"] = ConversationIndex(
            bodies=bodies, where=where, speakers=frozenset(speakers)
        )
    return hit  # type: ignore[return-value]


def _rare(idx: ConversationIndex, w: str) -> bool:
    if w in idx.speakers or len(w) < 3 or w in STOPWORDS:
        return False
    occ = idx.where.get(w)
    return occ is not None and len(occ) <= _RARE


def stale_items(t: ParsedTrajectory, q: QuestionFacts) -> list[tuple[str, str, bool]]:
    """(memory, replacing line, about the question?) for every stale memory of a dialogue store."""
    if t.layout not in ("dialogue", "empty") or not q.statements:
        return []
    idx = conversation_index(q)
    item_words = [set(fast_words(it)) for it in t.items]
    store: set[str] = set().union(*item_words) if item_words else set()
    qstems = set(q.query_words) - {stem(s) for s in idx.speakers}
    out: list[tuple[str, str, bool]] = []
    for item, ws in zip(t.items, item_words, strict=True):
        for w in sorted(ws):
            if not _rare(idx, w):
                continue
            last = idx.where[w][-1]
            line, clause, cue = idx.clauses(last)
            if len(line) > _LINE_MAX or not cue or w not in line:  # announcements are short
                continue
            pos = line.index(w)
            if clause[pos] not in cue:
                continue
            newer = {
                v
                for v in line[pos + 1 : pos + 1 + _WINDOW]
                if v != w and v not in ws and v not in _TIME_WORDS and _rare(idx, v)
            }
            if newer and not newer & store:
                out.append((item, idx.bodies[last], bool({stem(x) for x in ws} & qstems)))
                break
    return out


def staleness_features(t: ParsedTrajectory, q: QuestionFacts) -> dict[str, float]:
    """Raw staleness values for dialogue stores (higher = staler); {} for other layouts."""
    if t.layout not in ("dialogue", "empty") or not q.statements:
        return {}
    found = stale_items(t, q)
    t.notes["stale_items"] = [f"{item} (replaced by: {line})" for item, line, _ in found]
    t.notes["stale_query"] = [
        f"{item} (replaced by: {line})" for item, line, about in found if about
    ]
    return {"stale_items": float(len(found)), "stale_query": float(sum(1 for f in found if f[2]))}


def paired_lines_lost(
    ta: ParsedTrajectory, tb: ParsedTrajectory, q: QuestionFacts
) -> tuple[float, float] | None:
    """(A's, B's) count of informative conversation lines the other store holds and it lacks.

    An informative line is one with a rare word that either store mentions; a store holds it
    when one memory holds at least half of the line's rare words (distilled facts drop some). A line replaced by a later one counts
    for both sides (the old line for the store that updated, the new line for the stale one), so
    only losses that are not explained by an update tip the balance. None outside dialogue.
    """
    if (
        ta.layout not in ("dialogue", "empty")
        or tb.layout not in ("dialogue", "empty")
        or not q.statements
    ):
        return None
    idx = conversation_index(q)
    items_a = [set(fast_words(it)) for it in ta.items]
    items_b = [set(fast_words(it)) for it in tb.items]
    candidates: set[int] = set()
    for ws in (*items_a, *items_b):
        for w in ws:
            if _rare(idx, w) and w not in _TIME_WORDS:
                candidates.update(idx.where[w])
    held_a: set[int] = set()
    held_b: set[int] = set()
    for i in candidates:
        line_words = set(idx.clauses(i)[0])
        rare = {w for w in line_words if _rare(idx, w) and w not in _TIME_WORDS}
        if not rare:
            continue
        need = _HOLD * len(rare)
        if any(len(rare & ws) >= need for ws in items_a):
            held_a.add(i)
        if any(len(rare & ws) >= need for ws in items_b):
            held_b.add(i)
    return float(len(held_b - held_a)), float(len(held_a - held_b))
