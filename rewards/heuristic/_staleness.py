"""Staleness for dialogue memories: keep the latest value, not one the conversation replaced.

A stored memory is *stale* when the conversation later replaced a value it holds and no stored
memory holds the replacement. Two ways a conversation replaces a value:

* an announcement: a short line that names the old value in a clause carrying a general change
  word ("no longer", "now", "instead", "switched", "moved", "sold", "quit", ...) and the new value
  after it ("I sold my banjo and bought a trumpet");
* a restatement: a later line that says the same thing about the same subject with another value
  (in a list of stated facts: "The Ashmoor Bridge was designed by Y." ... "The Ashmoor Bridge was
  designed by Z.") -- the two lines share the subject's specific word and most other words.

Rare words are words of at most ``_RARE`` conversation lines, so speaker names and common words
never count as values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts
from rewards.heuristic._text import (
    ASSISTANT_ROLES,
    STOPWORDS,
    fast_lines,
    fast_words,
    split_turn,
    stem,
)

__all__ = [
    "ConversationIndex",
    "announces_change",
    "conversation_index",
    "paired_lines_lost",
    "paired_updates_missed",
    "sentence_index",
    "specific_words",
    "stale_items",
    "staleness_features",
]

_LINE_MAX = 30
_HOLD = 0.5
_HOLD_WORDS = 3
"""A store holds a line when one memory has half its rare words, or three of them together."""
_TIME_TEXT = (
    "week weeks month months year years day days today tomorrow yesterday hours hour time times "
    "lessons morning evening night weekend weekends ago soon later next last first"
)
_TIME_WORDS = frozenset(_TIME_TEXT.split())
_WINDOW = 12
_RARE = 6
_CUES = re.compile(
    r"\b(?:no more|no longer|not any ?more|anymore|quit|quitting|stopped|sold|switched|switch|"
    r"moved|moves|moving|relocated|relocating|changed?|changes|instead|now|new|replaced|"
    r"replaces|gave up|used to|"
    r"former|formerly|swapped|traded|switches|postponed|rescheduled|brought forward|put back|"
    r"cancelled|canceled)\b",
    re.I,
)
"""General English change words (not any one writer's phrasing)."""
_SAME_STATEMENT = 0.5
"""Word overlap (Jaccard) above which two lines say the same thing about one subject."""
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z\u00c0-\u024f]+")
"""Capitalised words not opening a sentence: names."""


@dataclass(kw_only=True)
class ConversationIndex:
    """Where each word of the conversation occurs (built once per question with C-speed
    splitting; clause structure is worked out only for the few lines staleness asks about)."""

    bodies: list[str]
    """Each line's message text (speaker header removed)."""
    line_speakers: list[str]
    """Each line's lower-cased speaker ('' when the line has no speaker header)."""
    where: dict[str, list[int]]
    """word -> indices of the lines that contain it."""
    speakers: frozenset[str]
    """Lower-cased speaker names (never values)."""
    _clauses: dict[int, tuple[list[str], list[int], set[int]]] = field(default_factory=dict)
    _by_stem: dict[str, list[str]] | None = None

    def inflections(self, w: str) -> list[str]:
        """The conversation's words sharing ``w``'s stem ("teaching" for "teaches")."""
        if self._by_stem is None:
            self._by_stem = {}
            for x in self.where:
                if len(x) >= 4 and x not in STOPWORDS:
                    self._by_stem.setdefault(stem(x), []).append(x)
        return self._by_stem.get(stem(w), []) if len(w) >= 4 and w not in STOPWORDS else []

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
        line_speakers: list[str] = []
        speakers: set[str] = set()
        for st in q.statements:
            speaker, body = split_turn(st)
            for part in speaker.split():
                speakers.add(part)
            line_speakers.append(speaker)
            bodies.append(body.replace("\n", " "))
        hit = q.derived["conversation_index"] = _index(bodies, line_speakers, speakers)
    return hit  # type: ignore[return-value]


def _index(bodies: list[str], line_speakers: list[str], speakers: set[str]) -> ConversationIndex:
    """Where each word occurs among ``bodies`` (one line each)."""
    where: dict[str, list[int]] = {}
    for i, ws in enumerate(fast_lines("\n".join(b.replace("\n", " ") for b in bodies))):
        for w in set(ws):
            where.setdefault(w, []).append(i)
    return ConversationIndex(
        bodies=bodies, line_speakers=line_speakers, where=where, speakers=frozenset(speakers)
    )


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'’”)]*\s+|\n+")


def sentence_index(q: QuestionFacts) -> ConversationIndex:
    """The same index over the sentences of a document context (cached on the question)."""
    hit = q.derived.get("sentence_index")
    if hit is None:
        bodies = [b.strip() for b in _SENTENCE_END.split(q.context) if len(b.strip()) > 3]
        hit = q.derived["sentence_index"] = _index(bodies, [""] * len(bodies), set())
    return hit  # type: ignore[return-value]


def _rare(idx: ConversationIndex, w: str) -> bool:
    if w in idx.speakers or len(w) < 3 or w in STOPWORDS:
        return False
    occ = idx.where.get(w)
    return occ is not None and len(occ) <= _RARE


def specific_words(idx: ConversationIndex, line: int, max_lines: int = 2) -> set[str]:
    """Words of line ``line`` found in at most ``max_lines`` lines: its values (a city, a dish, a
    designer's name), never a speaker, a common or a time word."""
    return {
        w
        for w in idx.clauses(line)[0]
        if len(w) >= 3
        and w not in STOPWORDS
        and w not in idx.speakers
        and w not in _TIME_WORDS
        and len(idx.where.get(w, ())) <= max_lines
    }


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
        on_query = bool({stem(x) for x in ws} & qstems)
        later = _restated_later(idx, ws, store)
        if later is not None:
            out.append((item, idx.bodies[later], on_query))
            continue
        # a person's line replaces what the store says of that person, not of another one
        # ("I work as a bus driver now" from Saoirse says nothing of Ilse's job)
        about = ws & idx.speakers
        for w in sorted(_with_inflections(idx, ws)):
            if not _rare(idx, w):
                continue
            last = idx.where[w][-1]
            if about and idx.line_speakers[last] in idx.speakers - about:
                continue
            line, clause, cue = idx.clauses(last)
            if len(line) > _LINE_MAX or not cue or w not in line:  # announcements are short
                continue
            pos = line.index(w)
            if clause[pos] not in cue or _destination(line, pos):
                continue
            if w not in ws and (pos == 0 or line[pos - 1] not in _STOPPED):
                continue  # another form of a memory word counts only as what was given up
            if _habit(line, clause, pos):
                # "I used to play the trumpet": what follows is the old value itself, not its
                # replacement; a memory is stale if it states it as current (no change word)
                if not _CUES.search(item):
                    out.append((item, idx.bodies[last], on_query))
                    break
                continue
            newer = {  # a change word ("instead", "now") is not a value
                v
                for v in line[pos + 1 : pos + 1 + _WINDOW]
                if v != w and v not in _TIME_WORDS and _rare(idx, v) and not _CUES.fullmatch(v)
            }
            # a memory that names the old value beside the new one took the update
            # ("a rabbit named Clover; the kitten Biscuit went to live with her aunt"); one
            # that still states the old value as current is stale even when another item of
            # the store took the update ("drives a Fiesta" beside "bought a Golf")
            if newer and not newer & ws and (not newer & store or not _CUES.search(item)):
                out.append((item, idx.bodies[last], on_query))
                break
        else:
            went = _moved_again(idx, ws)
            if went is not None:
                out.append((item, idx.bodies[went], on_query))
    return out


def _habit(line: list[str], clause: list[int], pos: int) -> bool:
    """Whether the word at ``pos`` follows "used to" or "former(ly)" in its clause."""
    for j in range(pos - 1, -1, -1):
        if clause[j] != clause[pos]:
            return False
        if line[j] in ("former", "formerly") or (line[j] == "to" and j and line[j - 1] == "used"):
            return True
    return False


_STOPPED = frozenset(("quit", "quitting", "stopped", "more", "longer", "up"))
"""Words right before what a speaker gave up ("quit teaching", "no more baking", "gave up
running")."""


def _with_inflections(idx: ConversationIndex, ws: set[str]) -> set[str]:
    """``ws`` and the conversation's other inflections of them ("teaching" for a memory's
    "teaches"): an announcement names what was given up in its own form ("I quit teaching")."""
    return set(ws).union(*(idx.inflections(w) for w in ws))


def _moved_again(idx: ConversationIndex, ws: set[str]) -> int | None:
    """A later line in which the same speaker moves (switches, changes ...) to somewhere else,
    when a memory holds where an earlier move went and not where the later one went ("We moved
    to Los Angeles" ... "we've just relocated again, to Denver")."""
    for w in ws:
        if not _rare(idx, w):
            continue
        last = idx.where[w][-1]
        line = idx.clauses(last)[0]
        if w not in line or not _destination(line, line.index(w)):
            continue
        who = idx.line_speakers[last]
        for j in range(last + 1, len(idx.bodies)):
            if idx.line_speakers[j] != who or not _CUES.search(idx.bodies[j]):
                continue
            jl = idx.clauses(j)[0]
            there = {
                v
                for k, v in enumerate(jl)
                if _rare(idx, v) and v not in _TIME_WORDS and _destination(jl, k)
            }
            if there and not there & ws:
                return j
    return None


def _destination(line: list[str], pos: int) -> bool:
    """Whether the word at ``pos`` is where a change went ("moved to Los Angeles", "relocated
    again, to Denver", "switched to oat milk"): a "to" stands between it and a change word
    just before it. Such a word is the new value, not the old one."""
    # (a comma may stand between the change and where it went: clauses are not looked at)
    for j in range(pos - 1, max(-1, pos - 5), -1):
        if line[j] == "from":
            return False
        if line[j] in ("to", "into"):
            return any(_CUES.fullmatch(line[k]) for k in range(j - 1, max(-1, j - 4), -1))
    return False


def _restated_later(idx: ConversationIndex, ws: set[str], store: set[str]) -> int | None:
    """A later line restating, with another value, the line a memory's values come from."""
    values = [w for w in ws if _rare(idx, w) and len(idx.where[w]) <= 2]
    if not values:
        return None
    # the line the memory was written from: the one holding most of its values (latest on a tie)
    hits: dict[int, int] = {}
    for w in values:
        for i in idx.where[w]:
            hits[i] = hits.get(i, 0) + 1
    source = max(hits, key=lambda i: (hits[i], i))
    src_words = set(idx.clauses(source)[0])
    names = {w.lower() for w in _NAME.findall(idx.bodies[source])}
    for subject in values:
        if subject not in names:  # the thing the statement is about is a name, not a shared word
            continue
        for j in idx.where[subject]:
            if j <= source:
                continue
            words = set(idx.clauses(j)[0])
            if len(words & src_words) < _SAME_STATEMENT * len(words | src_words):
                continue
            new = {v for v in words - src_words if _rare(idx, v) and v not in _TIME_WORDS}
            if new and not new & store:
                return j
    return None


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

    An informative line is a person's (not an assistant's) with a rare word that either store
    mentions; a store holds it when one memory holds at least half of the line's rare words, or
    three of them (distilled facts drop some). A line replaced by a later one counts
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
    # what an assistant said (its suggestions, its questions) is not a fact about the people in
    # the conversation: a store that keeps it has not kept more of the conversation
    candidates -= {
        i for i, sp in enumerate(idx.line_speakers) if sp.strip().lower() in ASSISTANT_ROLES
    }
    held_a: set[int] = set()
    held_b: set[int] = set()
    for i in candidates:
        line_words = set(idx.clauses(i)[0])
        rare = {w for w in line_words if _rare(idx, w) and w not in _TIME_WORDS}
        if not rare:
            continue
        need = min(_HOLD * len(rare), _HOLD_WORDS)
        if any(len(rare & ws) >= need for ws in items_a):
            held_a.add(i)
        if any(len(rare & ws) >= need for ws in items_b):
            held_b.add(i)
    return float(len(held_b - held_a)), float(len(held_a - held_b))


_UPDATE_CUE = re.compile(r"\b(?:actually|update|updated)\b", re.I)
"""Words that announce a correction of something said before, besides the change words."""


def announces_change(line: str) -> bool:
    """Whether a conversation line carries a change or correction word ("now", "no longer",
    "instead", "actually", "update", ...)."""
    return bool(_CUES.search(line) or _UPDATE_CUE.search(line))


def paired_updates_missed(
    ta: ParsedTrajectory, tb: ParsedTrajectory, q: QuestionFacts
) -> tuple[float, float] | None:
    """(A's, B's) count of the speakers' update lines the other store took in and this one did
    not take in at all.

    An update line is a line spoken by someone other than the assistant that carries a change
    word ("now", "no longer", "instead", "actually", "update", ...). A store took it in when
    one of its memories holds one of the rare words the line brings in ("User has been vegan
    since March" for "Actually, since March I've gone fully vegan"). An update replaced by a
    later one, and lines both stores skipped, say nothing about the pair. None outside
    dialogue.
    """
    if (
        ta.layout not in ("dialogue", "empty")
        or tb.layout not in ("dialogue", "empty")
        or not q.statements
    ):
        return None
    idx = conversation_index(q)
    store_a = {stem(w) for it in ta.items for w in fast_words(it)}
    store_b = {stem(w) for it in tb.items for w in fast_words(it)}
    updates = [
        i
        for i, body in enumerate(idx.bodies)
        if "assistant" not in idx.line_speakers[i] and announces_change(body)
    ]
    later_update = set(updates)
    miss_a = miss_b = 0
    for i in updates:
        # what the line brings in: its rare words no earlier line used (not the old value it
        # replaces: "no more architect work, I'm a translator now" brings in "translator")
        brought = {
            w
            for w in idx.clauses(i)[0]
            if _rare(idx, w)
            and idx.where[w][0] == i
            and w not in _TIME_WORDS
            and not _CUES.fullmatch(w)
        }
        if not brought or any(j > i and j in later_update for w in brought for j in idx.where[w]):
            continue  # nothing new, or itself replaced by a later update
        rare = {stem(w) for w in brought}
        in_a, in_b = bool(rare & store_a), bool(rare & store_b)
        if in_a != in_b:
            miss_a += not in_a
            miss_b += not in_b
    return float(miss_a), float(miss_b)
