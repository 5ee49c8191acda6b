"""Redundancy: rejected attempts carried along, repeated segments, raw transcript dumped as memory.

A careful reviewer penalises a memory that says the same thing twice, a trajectory that keeps
non-empty wrong updates in its record, and a memory store that holds whole conversation lines
instead of distilled facts.
"""

from __future__ import annotations

import re

from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts
from rewards.heuristic._staleness import conversation_index
from rewards.heuristic._text import (
    ASSISTANT_ROLES,
    TURN_HEADER,
    SentenceInfo,
    memory_sentences,
    sentence_info,
    split_turn,
    words,
)

__all__ = ["duplicate_ratio", "redundancy_features"]

_NEAR = 0.9


def duplicate_ratio(
    units: list[str] | tuple[SentenceInfo, ...], reworded: bool = False
) -> tuple[float, int]:
    """(fraction, count) of ``units`` that repeat or nearly repeat an earlier unit.

    Exact repeats are found by hashing the normalised text; near repeats when at least 90% of a
    unit's 3-word shingles already appeared earlier, or when the unit contains 90% of an earlier
    unit's shingles (a restatement wrapped in new words). With ``reworded`` (stored items), a
    unit of three or more content words that are all already stored ("The son of the user does
    karate now" after "User's son started karate") says nothing new either. Quadratic only in
    the sentences of one memory, which are few.
    """
    stored: set[str] = set()
    seen: set[str] = set()
    seen_sh: set[int] = set()
    owners: dict[int, list[int]] = {}  # shingle -> earlier sentences holding it
    sizes: list[int] = []
    dups = counted = 0
    for u in units:
        info = sentence_info(u) if isinstance(u, str) else u
        if not info.norm:
            continue
        counted += 1
        sh = info.shingles
        dup = info.norm in seen or (len(sh) >= 3 and len(sh & seen_sh) >= _NEAR * len(sh))
        if not dup and len(sh) >= 3 and sizes:
            # restates an earlier sentence inside a longer one ("As noted above, <sentence>")
            hits: dict[int, int] = {}
            for x in sh:
                for k in owners.get(x, ()):
                    hits[k] = hits.get(k, 0) + 1
            dup = any(c >= _NEAR * sizes[k] for k, c in hits.items())
        if not dup and reworded and len(info.stems) >= 3 and info.stems <= stored:
            dup = True
        stored |= info.stems
        if dup:
            dups += 1
        seen.add(info.norm)
        seen_sh |= sh
        if len(sh) >= 3:
            k = len(sizes)
            sizes.append(len(sh))
            for x in sh:
                owners.setdefault(x, []).append(k)
    return (dups / counted if counted else 0.0), dups


def _body(text: str) -> str:
    """A turn without its header (timestamp, speaker label), lower-cased, spaces collapsed."""
    return " ".join(split_turn(text)[1].lower().split())


_EDGE = "\"'`.,;:!?()[]{}<>"


def _key(body: str) -> str:
    """A turn's first two words, without the punctuation around them: how a stored item finds
    the turn it may copy (also from inside a wrapper: ``{"text": "our dog ...``)."""
    return " ".join(w.strip(_EDGE) for w in body.split()[:2])


def _turn_bodies(q: QuestionFacts) -> dict[str, list[str]] | None:
    """Bodies of the conversation's turns, keyed by their first two words; None when the
    conversation is not a dialogue between speakers (a list of stated facts stored one by one
    is not a transcript dump)."""
    hit = q.derived.get("turn_bodies", False)
    if hit is False:
        lines = q.statements
        spoken = sum(1 for ln in lines if TURN_HEADER.match(ln))
        hit = None
        if lines and spoken >= 0.5 * len(lines):
            hit = {}
            for b in {_body(ln) for ln in lines}:
                if len(b.split()) >= 2:
                    hit.setdefault(_key(b), []).append(b)
        q.derived["turn_bodies"] = hit
    return hit  # type: ignore[return-value]


def _transcript_ratio(items: list[str], q: QuestionFacts) -> float:
    """Share of the conversation's turns that the store keeps verbatim: whole turns copied in,
    whatever wrapper or header they carry (``[turn 3] user said: ...``, JSON, a note's opening),
    alone or inside a longer item (a store that distils facts keeps few or none; a raw dump keeps
    nearly all, small talk included). A turn of four words or more counts wherever it stands in
    an item; a shorter one only as the whole item or its opening (a fact may quote "yes please")."""
    bodies = _turn_bodies(q)
    if not items or not bodies:
        return 0.0
    n_turns = sum(len(v) for v in bodies.values())
    kept: set[str] = set()
    for it in items:
        b = _body(it)
        for turn in bodies.get(_key(b), ()):
            if b == turn or b.startswith(turn + " "):
                kept.add(turn)
        flat = " ".join(it.lower().split())
        ws = flat.split()
        for i in range(len(ws) - 1):
            for turn in bodies.get(_key(f"{ws[i]} {ws[i + 1]}"), ()):
                if turn not in kept and len(turn.split()) >= 4 and turn in flat:
                    kept.add(turn)
    return len(kept) / n_turns


_OPENING = re.compile(r"\W*(?:the\s+)?([A-Za-z]+)")


def _assistant_share(items: list[str], q: QuestionFacts) -> float:
    """Share of stored items that record the assistant's side of a chat ("Assistant suggested a
    lentil dahl"): what a chat assistant said is not a fact about the user to remember. Only
    when a speaker of the conversation is an assistant."""
    roles = {sp.strip().lower() for sp in conversation_index(q).line_speakers} & ASSISTANT_ROLES
    if not roles or not items:
        return 0.0
    hits = sum(1 for it in items if (m := _OPENING.match(it)) and m.group(1).lower() in roles)
    return hits / len(items)


def redundancy_features(t: ParsedTrajectory, q: QuestionFacts) -> dict[str, float]:
    """Raw redundancy values of one trajectory (higher = more redundant)."""
    out: dict[str, float] = {}
    if t.layout == "reasoning":
        updates = [s for s in t.steps if s.kind == "update"]
        wrong = [s for s in updates if s.wrong]
        out["wrong_steps"] = float(len(wrong))
        out["wrong_words"] = float(sum(len(words(s.wrong)) for s in wrong))
        dup_total, sent_total = 0, 0
        for s in t.steps:
            if s.kind == "answer":
                continue
            step_infos = memory_sentences(s.updated)
            _, d = duplicate_ratio(step_infos)
            dup_total += d
            sent_total += len(step_infos)
        out["dup_sentences"] = dup_total / sent_total if sent_total else 0.0
    elif t.layout == "dialogue":
        out["dup_items"] = duplicate_ratio(t.items, reworded=True)[0]
        out["transcript_dump"] = _transcript_ratio(t.items, q)
        out["assistant_items"] = _assistant_share(t.items, q)
    elif t.layout == "longform":
        infos: list[SentenceInfo] = []
        for seg in t.segments:
            infos.extend(memory_sentences(seg.text))
        out["dup_sentences"] = duplicate_ratio(tuple(infos))[0]
    elif t.layout == "plain":
        out["dup_sentences"] = duplicate_ratio(memory_sentences(t.items[0]))[0] if t.items else 0.0
    return out
