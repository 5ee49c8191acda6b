"""bAbI-style tasks: a small world of people, rooms and objects, and questions about it.

Our own simulator (the task types follow Weston et al. 2015's bAbI: single, two and three
supporting facts, counting, lists). Each task yields the fact sentences in order, the question,
the gold answer, the supporting facts, and ``solve(facts)`` that answers from any subset of the
facts (what an agent whose memory holds only those facts would conclude). That is how a dropped
fact turns into a wrong answer and how every intermediate memory states its current conclusion.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["BABI_KINDS", "Fact", "ReasoningTask", "make_babi"]

PEOPLE = ("Bruno", "Yara", "Kofi", "Ingrid", "Mateo", "Lena", "Tariq", "Priya", "Hugo", "Nadia")
PLACES = (
    "kitchen",
    "garden",
    "hallway",
    "bathroom",
    "office",
    "bedroom",
    "cellar",
    "garage",
    "attic",
    "porch",
)
OBJECTS = (
    "apple",
    "milk",
    "football",
    "key",
    "umbrella",
    "notebook",
    "lantern",
    "parcel",
    "scarf",
    "hammer",
)
_MOVE = ("went to", "moved to", "travelled to", "journeyed to", "went back to", "walked to")
_GRAB = ("picked up", "grabbed", "got", "took")
_DROP = ("put down", "dropped", "discarded", "left")
_GIVE = ("gave", "handed", "passed")
_NUM = ("none", "one", "two", "three", "four", "five", "six")

BABI_KINDS = ("qa1", "qa2", "qa3", "qa7", "qa8")
"""single / two / three supporting facts, counting, lists."""


@dataclass(frozen=True, kw_only=True)
class Fact:
    """One event sentence and its structure."""

    text: str
    """The sentence as it appears in the context."""
    op: str
    """move / grab / drop / give (bAbI) or rel (document QA)."""
    who: str
    """Actor (subject)."""
    obj: str = ""
    """Object handled, or relation name."""
    where: str = ""
    """Destination of a move."""
    to: str = ""
    """Recipient of a give (or relation value)."""


@dataclass(frozen=True, kw_only=True)
class ReasoningTask:
    """A question over facts hidden in a long context."""

    kind: str
    """Task type (qa1 … qa8, docqa2, docqa3)."""
    question: str
    """The query."""
    facts: tuple[Fact, ...]
    """All fact sentences, in context order."""
    references: tuple[int, ...]
    """Indices of the supporting facts."""
    answer: str
    """Gold answer."""
    solve: Callable[[Sequence[Fact]], str | None]
    """Answer from a subset of facts (``None``: cannot tell yet)."""
    conclude: Callable[[str | None], str]
    """A sentence stating a (possibly partial) conclusion."""
    focus: str
    """The entity the question is about (used in memory prose)."""
    corrupt: Callable[[Fact, random.Random], str]
    """A plausible but wrong version of a fact sentence (a bad memory update)."""


def _simulate(
    facts: Sequence[Fact],
) -> tuple[dict[str, str], dict[str, str], list[tuple[str, list[str]]]]:
    """Person locations, object holders, and per-object location history over ``facts``."""
    loc: dict[str, str] = {}
    holder: dict[str, str] = {}
    obj_loc: dict[str, str] = {}
    history: dict[str, list[str]] = {}

    def note(o: str, place: str | None) -> None:
        if place is None:
            return
        obj_loc[o] = place
        h = history.setdefault(o, [])
        if not h or h[-1] != place:
            h.append(place)

    for f in facts:
        if f.op == "move":
            loc[f.who] = f.where
            for o, p in holder.items():
                if p == f.who:
                    note(o, f.where)
        elif f.op == "grab":
            holder[f.obj] = f.who
            note(f.obj, loc.get(f.who))
        elif f.op == "drop":
            holder.pop(f.obj, None)
        elif f.op == "give":
            holder[f.obj] = f.to
    return loc, holder, [(o, h) for o, h in history.items()]


def _carried(facts: Sequence[Fact], person: str) -> list[str]:
    _, holder, _ = _simulate(facts)
    return sorted(o for o, p in holder.items() if p == person)


def _events(rng: random.Random, n: int) -> list[Fact]:
    people = rng.sample(PEOPLE, 4)
    places = rng.sample(PLACES, 6)
    objects = rng.sample(OBJECTS, 4)
    loc: dict[str, str] = {}
    obj_at = {o: rng.choice(places) for o in objects}
    holder: dict[str, str] = {}
    out: list[Fact] = []
    while len(out) < n:
        p = rng.choice(people)
        r = rng.random()
        held = [o for o, h in holder.items() if h == p]
        here = [o for o in objects if o not in holder and obj_at[o] == loc.get(p)]
        mates = [
            q for q in people if q != p and loc.get(q) is not None and loc.get(q) == loc.get(p)
        ]
        if r < 0.45 or p not in loc:
            dest = rng.choice([x for x in places if x != loc.get(p)])
            loc[p] = dest
            out.append(
                Fact(text=f"{p} {rng.choice(_MOVE)} the {dest}.", op="move", who=p, where=dest)
            )
        elif r < 0.7 and here:
            o = rng.choice(here)
            holder[o] = p
            out.append(
                Fact(text=f"{p} {rng.choice(_GRAB)} the {o} there.", op="grab", who=p, obj=o)
            )
        elif r < 0.85 and held:
            o = rng.choice(held)
            del holder[o]
            obj_at[o] = loc[p]
            out.append(Fact(text=f"{p} {rng.choice(_DROP)} the {o}.", op="drop", who=p, obj=o))
        elif held and mates:
            o = rng.choice(held)
            q = rng.choice(mates)
            holder[o] = q
            out.append(
                Fact(text=f"{p} {rng.choice(_GIVE)} the {o} to {q}.", op="give", who=p, obj=o, to=q)
            )
    return out


def _corrupter(
    places: Sequence[str], people: Sequence[str], objects: Sequence[str]
) -> Callable[[Fact, random.Random], str]:
    def corrupt(f: Fact, rng: random.Random) -> str:
        if f.op == "move":
            return f.text.replace(
                f"the {f.where}", f"the {rng.choice([p for p in places if p != f.where])}"
            )
        if f.op == "give":
            other = rng.choice([p for p in people if p not in (f.who, f.to)])
            return f.text.replace(f"to {f.to}", f"to {other}")
        other_obj = rng.choice([o for o in objects if o != f.obj])
        return f.text.replace(f"the {f.obj}", f"the {other_obj}")

    return corrupt


def make_babi(rng: random.Random, kind: str, n_facts: int) -> ReasoningTask:
    """A task of ``kind`` with about ``n_facts`` facts whose supporting facts suffice."""
    for _ in range(500):
        facts = _events(rng, n_facts)
        task = _pose(rng, kind, facts)
        if task is not None:
            return task
    raise RuntimeError(
        f"could not build a {kind} task"
    )  # pragma: no cover - 500 tries always suffice


def _pose(rng: random.Random, kind: str, facts: list[Fact]) -> ReasoningTask | None:
    people = sorted({f.who for f in facts} | {f.to for f in facts if f.to})
    places = sorted(PLACES)
    objects = sorted(OBJECTS)
    corrupt = _corrupter(places, people, objects)
    if kind == "qa1":
        p = rng.choice(people)
        moves = [i for i, f in enumerate(facts) if f.op == "move" and f.who == p]
        if len(moves) < 2:
            return None

        def solve1(fs: Sequence[Fact]) -> str | None:
            last = [f.where for f in fs if f.op == "move" and f.who == p]
            return last[-1] if last else None

        return _checked(
            kind,
            f"Where is {p}?",
            facts,
            moves,
            solve1,
            lambda a: f"{p} is in the {a}" if a else f"the location of {p} is not known yet",
            p,
            corrupt,
        )
    if kind in ("qa2", "qa3"):
        o = rng.choice(objects)

        def solve2(fs: Sequence[Fact]) -> str | None:
            loc, holder, _ = _simulate(fs)
            if o in holder:
                return loc.get(holder[o])
            # dropped: where its last holder stood
            last = None
            for f in fs:
                if f.obj == o and f.op in ("grab", "give", "drop"):
                    last = f
            if last is not None and last.op == "drop":
                return _simulate(fs[: fs.index(last)])[0].get(last.who)
            return None

        involved = {f.who for f in facts if f.obj == o} | {
            f.to for f in facts if f.obj == o and f.to
        }
        refs = [
            i for i, f in enumerate(facts) if f.obj == o or (f.op == "move" and f.who in involved)
        ]
        if kind == "qa2":
            if len([i for i in refs if facts[i].op == "move"]) < 1 or not any(
                facts[i].obj == o for i in refs
            ):
                return None
            return _checked(
                kind,
                f"Where is the {o}?",
                facts,
                refs,
                solve2,
                lambda a: f"the {o} is in the {a}" if a else f"where the {o} is cannot be told yet",
                o,
                corrupt,
            )
        hist = dict(_simulate(facts)[2]).get(o, [])
        if len(hist) < 3:
            return None
        current = hist[-1]

        def solve3(fs: Sequence[Fact]) -> str | None:
            h = dict(_simulate(fs)[2]).get(o, [])
            if current not in h:
                return None
            i = len(h) - 1 - h[::-1].index(current)
            return h[i - 1] if i >= 1 else None

        return _checked(
            kind,
            f"Where was the {o} before the {current}?",
            facts,
            refs,
            solve3,
            lambda a: (
                f"before the {current} the {o} was in the {a}"
                if a
                else f"where the {o} was before the {current} is not known yet"
            ),
            o,
            corrupt,
        )
    p = rng.choice(people)
    refs = [
        i for i, f in enumerate(facts) if f.op in ("grab", "drop", "give") and p in (f.who, f.to)
    ]
    if len(refs) < 2:
        return None
    if kind == "qa7":

        def solve7(fs: Sequence[Fact]) -> str | None:
            return _NUM[min(len(_carried(fs, p)), len(_NUM) - 1)]

        return _checked(
            kind,
            f"How many objects is {p} carrying?",
            facts,
            refs,
            solve7,
            lambda a: (
                f"{p} is carrying {a} object{'s' if a != 'one' else ''}"
                if a
                else f"the count for {p} is unknown"
            ),
            p,
            corrupt,
        )

    def solve8(fs: Sequence[Fact]) -> str | None:
        return ",".join(_carried(fs, p)) or "nothing"

    return _checked(
        kind,
        f"What is {p} carrying?",
        facts,
        refs,
        solve8,
        lambda a: (
            f"{p} is carrying nothing"
            if a in (None, "nothing")
            else f"{p} is carrying the {' and the '.join((a or '').split(','))}"
        ),
        p,
        corrupt,
    )


def _checked(
    kind: str,
    question: str,
    facts: list[Fact],
    refs: list[int],
    solve: Callable[[Sequence[Fact]], str | None],
    conclude: Callable[[str | None], str],
    focus: str,
    corrupt: Callable[[Fact, random.Random], str],
) -> ReasoningTask | None:
    answer = solve(facts)
    if answer is None or solve([facts[i] for i in refs]) != answer:
        return None
    # A Drop pair needs one supporting fact whose loss changes the answer to another value.
    if not any(
        (alt := solve([facts[j] for j in refs if j != i])) is not None and alt != answer
        for i in refs
    ):
        return None
    return ReasoningTask(
        kind=kind,
        question=question,
        facts=tuple(facts),
        references=tuple(refs),
        answer=answer,
        solve=solve,
        conclude=conclude,
        focus=focus,
        corrupt=corrupt,
    )
