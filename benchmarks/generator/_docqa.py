"""Multi-hop document QA: clue documents hidden among background documents.

Invented entities (so no model can answer from world knowledge) linked by two or three relations:
a work was designed by a person, the person was born in a town, the town is the capital of a
province. The question asks for the end of the chain. A *confusable* chain starts from a work with
the same proper name but another kind ("the Varnholt Bridge" vs "the Varnholt Observatory"): an
agent whose memory lost the first hop follows it and answers wrong, which is what a Drop pair shows.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from benchmarks.generator._babi import Fact, ReasoningTask

__all__ = ["DOCQA_KINDS", "make_docqa"]

DOCQA_KINDS = ("docqa2", "docqa3")
"""Two-hop and three-hop questions."""

SYLLABLES_A = (  # invented place-name syllables (also used by the dialogue generator)
    "Var",
    "Hal",
    "Mor",
    "Ost",
    "Bren",
    "Cal",
    "Dun",
    "Fel",
    "Gar",
    "Isel",
    "Kel",
    "Lor",
    "Mar",
    "Nor",
    "Pel",
    "Quen",
    "Rav",
    "Sel",
    "Tor",
    "Ulm",
    "Wes",
    "Yar",
    "Zan",
)
SYLLABLES_B = (
    "nholt",
    "vik",
    "dane",
    "brook",
    "mere",
    "stad",
    "wick",
    "ford",
    "lund",
    "gate",
    "holm",
    "ridge",
    "wyn",
    "croft",
    "bury",
    "moor",
    "dell",
    "haven",
    "rith",
    "sund",
)
_WORKS = (
    "Bridge",
    "Observatory",
    "Opera House",
    "Canal",
    "Lighthouse",
    "Museum",
    "Cathedral",
    "Library",
    "Dam",
    "Botanical Garden",
)
FIRST_NAMES = (  # invented first names (also used by the dialogue generator)
    "Odile",
    "Anselm",
    "Brigida",
    "Casimir",
    "Dorota",
    "Emeric",
    "Flavia",
    "Gunnar",
    "Hedda",
    "Ivo",
    "Jolanta",
    "Kasper",
    "Liesel",
    "Marek",
    "Nerys",
    "Osvald",
    "Petra",
    "Rune",
    "Solveig",
    "Teodor",
)
_DESIGN = (
    "was designed by",
    "was planned by the architect",
    "owes its design to",
    "was drawn up by the engineer",
)
_BORN = ("was born in", "was born and raised in", "came into the world in")
_CAPITAL = ("is the capital of the province of", "serves as the seat of the province of")


def invented_name(rng: random.Random, used: set[str], first: Sequence[str] = SYLLABLES_A) -> str:
    """A fresh invented name, recorded in ``used``: two syllables while they last, then three
    (long plans and conversations need more names than two syllables make)."""
    for tries in range(10_000):
        n = rng.choice(first) + rng.choice(SYLLABLES_B)
        if tries >= 20:
            n += rng.choice(SYLLABLES_B)
        if n not in used:
            used.add(n)
            return n
    raise RuntimeError("ran out of invented names")


def make_docqa(rng: random.Random, kind: str, n_distractor_chains: int) -> ReasoningTask:
    """A ``docqa2``/``docqa3`` task; the facts list holds each clue sentence once (one per document)."""
    used: set[str] = set()
    hops = 3 if kind == "docqa3" else 2
    base = invented_name(rng, used)
    kinds = rng.sample(_WORKS, 2)

    def chain(work: str) -> list[Fact]:
        person = f"{rng.choice(FIRST_NAMES)} {invented_name(rng, used)}"
        town = invented_name(rng, used)
        prov = invented_name(rng, used)
        fs = [
            Fact(
                text=f"The {work} {rng.choice(_DESIGN)} {person}.",
                op="rel",
                who=work,
                obj="designer",
                to=person,
            ),
            Fact(
                text=f"{person} {rng.choice(_BORN)} {town}.",
                op="rel",
                who=person,
                obj="born",
                to=town,
            ),
        ]
        if hops == 3:
            fs.append(
                Fact(
                    text=f"{town} {rng.choice(_CAPITAL)} {prov}.",
                    op="rel",
                    who=town,
                    obj="capital",
                    to=prov,
                )
            )
        return fs

    target = f"{base} {kinds[0]}"
    confusable = f"{base} {kinds[1]}"
    main = chain(target)
    decoy = chain(confusable)
    others = [
        f
        for _ in range(n_distractor_chains)
        for f in chain(f"{invented_name(rng, used)} {rng.choice(_WORKS)}")
    ]
    facts = main + decoy + others
    rng.shuffle(facts)

    def follow(fs: Sequence[Fact], start: str) -> str | None:
        rel = {(f.who, f.obj): f.to for f in fs}
        cur: str | None = rel.get((start, "designer"))
        for r in ("born", "capital")[: hops - 1]:
            if cur is None:
                return None
            cur = rel.get((cur, r))
        return cur

    def solve(fs: Sequence[Fact]) -> str | None:
        if any(f.who == target and f.obj == "designer" for f in fs):
            return follow(fs, target)
        return follow(fs, confusable)  # conflating the two works: the failure a Drop pair shows

    question = (
        f"In which {'province' if hops == 3 else 'town'} was the designer of the {target} born?"
    )
    refs = tuple(i for i, f in enumerate(facts) if f in main or f in decoy)
    answer = follow(facts, target)
    assert answer is not None

    def conclude(a: str | None) -> str:
        if a is None:
            return f"the chain from the {target} to its designer's birthplace is not complete yet"
        return (
            f"the designer of the {target} was born in {a}"
            if hops == 2
            else (f"the designer of the {target} was born in the province of {a}")
        )

    people = [f.to for f in facts if f.obj == "designer"]
    towns = [f.to for f in facts if f.obj == "born"]

    def corrupt(f: Fact, r: random.Random) -> str:
        pool = (
            people
            if f.obj == "designer"
            else towns
            if f.obj == "born"
            else [x.to for x in facts if x.obj == "capital"]
        )
        other = r.choice([p for p in pool if p != f.to] or [f.to + "e"])
        return f.text.replace(f.to, other)

    return ReasoningTask(
        kind=kind,
        question=question,
        facts=tuple(facts),
        references=refs,
        answer=answer,
        solve=solve,
        conclude=conclude,
        focus=f"the {target}",
        corrupt=corrupt,
    )
