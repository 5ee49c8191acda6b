"""Long-form generation pairs: LongForm-Sequential / -Parallel (paper §3.3).

Two shapes, as the benchmark draws on two sources: LongEval-style articles from a JSON plan and
bullet groups (:mod:`benchmarks.generator._longeval`, the shape of the published records), and
LongGenBench-style texts here. The LongGenBench question asks for a long text made of units (diary entries, daily menus, floors of a
building, sections of an outlined article, legs of a journey), each bound by constraints of three
kinds: *single* (one unit: "on 14 March mention the dentist"), *range* (a span of units) and
*periodic* (every k-th unit). Path traversal gives one-way connections between cities and asks for
a day-by-day journey that only uses them (sequential only: each leg starts where the last ended).
A writer agent produces the text unit by unit: in the sequential pattern each unit sees the
previously generated text, in the parallel one every unit is written independently. Each unit is
rendered as the published records do: the restated requirements, then the composed section.

The units are separated by ``#*#`` lines, as LongGenBench asks of its outputs. The rejected run
differs in one or two units: a constraint tampered with (a changed value that the text then
follows) or dropped (neither restated nor honoured). Whole-pair sizes follow the published
records (see :mod:`benchmarks.generator._lengths`); the chosen side is the longer one in about
three pairs of four, as in the published long-form records.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from agentmem.tokens import count_tokens
from benchmarks.generator._common import Side, balance, make_record, sub_rng
from benchmarks.generator._lengths import PAIR_HIGH, PAIR_LOW, length_tokens
from benchmarks.generator._longeval import make_longeval_pair
from benchmarks.generator._prose import unit_filler

__all__ = ["LONGFORM_KINDS", "make_longform_pair"]

LONGFORM_KINDS = ("diary", "menu", "floorplan", "outline", "path")
_UNITS = {"8k": (6, 9), "16k": (10, 16), "32k": (20, 32), "64k": (40, 60), "128k": (80, 120)}
"""Units per text by length (an outline has at most 14 parts)."""
_MAX_UNITS = {"outline": 14}
LONGEVAL_SHARE = 0.6
"""Share of long-form pairs in the LongEval (article) shape; the rest are LongGenBench-style."""
_SEPARATOR = "\n#*#\n"


@dataclass(frozen=True, kw_only=True)
class _Req:
    text: str
    """The requirement as listed in the question."""
    restate: str
    """Short form the writer restates before the unit."""
    sentence: str
    """The sentence in the unit that honours it."""
    value: str
    """The constrained value (what tampering changes)."""
    alternatives: tuple[str, ...] = ()
    """Wrong values a tampered copy may use."""


@dataclass(kw_only=True)
class _Plan:
    kind: str
    title: str
    instruction: str
    unit_labels: list[str]
    reqs: list[list[_Req]]
    """Per unit, the requirements that apply to it."""
    listing: list[str]
    """The constraint list as it appears in the question (each line once)."""
    neutral: list[str]
    """Neutral sentences for this kind (no constraint content)."""
    extra_sources: list[str] = field(default_factory=list)


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _fmt(d: date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _diary(rng: random.Random, n: int) -> _Plan:
    start = date(2024, 1, 1) + timedelta(days=rng.randrange(330))
    days = [start + timedelta(days=i) for i in range(n)]
    errands = (
        "a visit to the dentist",
        "a call with the bank",
        "repairing the garden fence",
        "a job interview",
        "collecting a parcel from the post office",
        "a haircut",
        "a meeting with the landlord",
        "returning library books",
    )
    places = (
        "Cornwall",
        "the Lake District",
        "Bruges",
        "the Isle of Skye",
        "Normandy",
        "Snowdonia",
    )
    habits = (
        "piano lesson",
        "evening run",
        "pottery class",
        "choir rehearsal",
        "language exchange",
        "swimming session",
    )
    reqs: list[list[_Req]] = [[] for _ in days]
    listing = []
    for d_i in rng.sample(range(n), min(3, n)):
        e = rng.choice(errands)
        r = _Req(
            text=f"On {_fmt(days[d_i])}, mention {e}.",
            restate=f"mention {e}",
            sentence=f"Today was taken up by {e}, which went better than I feared.",
            value=e,
            alternatives=tuple(x for x in errands if x != e),
        )
        reqs[d_i].append(r)
        listing.append(r.text)
    a = rng.randrange(0, max(1, n - 3))
    b = min(n - 1, a + rng.randint(1, 3))
    place = rng.choice(places)
    listing.append(f"From {_fmt(days[a])} to {_fmt(days[b])}, mention being on holiday in {place}.")
    for i in range(a, b + 1):
        reqs[i].append(
            _Req(
                text=listing[-1],
                restate=f"mention being on holiday in {place}",
                sentence=(
                    f"Another day of the holiday in {place}; the views still surprise me.",
                    f"Still on holiday in {place}, so the day was slow and sunny.",
                    f"The holiday in {place} goes on; we walked along the coast path.",
                    f"Holiday in {place}, day {i - a + 1}: nothing to do but rest and explore.",
                )[(i - a) % 4],
                value=place,
                alternatives=tuple(p for p in places if p != place),
            )
        )
    wd = rng.choice([days[i].weekday() for i in range(n)])
    habit = rng.choice(habits)
    listing.append(f"Every {_WEEKDAYS[wd]}, mention the {habit}.")
    for i, d in enumerate(days):
        if d.weekday() == wd:
            reqs[i].append(
                _Req(
                    text=listing[-1],
                    restate=f"mention the {habit} (it is a {_WEEKDAYS[wd]})",
                    sentence=(
                        f"As every {_WEEKDAYS[wd]}, I went to my {habit} in the evening.",
                        f"It was {_WEEKDAYS[wd]}, so of course there was the {habit}.",
                        f"The {habit} tonight was the best in weeks.",
                    )[i % 3],
                    value=habit,
                    alternatives=tuple(h for h in habits if h != habit),
                )
            )
    neutral = [
        "The morning was grey and quiet, and I lingered over breakfast.",
        "I answered a few letters and tidied the kitchen.",
        "A neighbour stopped by to talk about the weather.",
        "I read a few chapters of a novel before bed.",
        "The afternoon light was lovely through the window.",
        "I made soup with whatever was left in the fridge.",
        "A long walk cleared my head after lunch.",
        "I spent an hour sorting old photographs.",
        "The street was unusually noisy this evening.",
        "I wrote a short list of things to do tomorrow.",
        "My tea went cold while I was lost in thought.",
        "I watered the plants and opened the windows for a while.",
    ]
    return _Plan(
        kind="diary",
        title=f"My diary from {_fmt(days[0])} to {_fmt(days[-1])}",
        instruction=f"Write a diary with one entry per day from {_fmt(days[0])} to {_fmt(days[-1])} ({n} entries). Every entry must satisfy all the requirements below that apply to its date.",
        unit_labels=[f"{_WEEKDAYS[d.weekday()]}, {_fmt(d)}" for d in days],
        reqs=reqs,
        listing=listing,
        neutral=neutral,
    )


def _menu(rng: random.Random, n: int) -> _Plan:
    dishes = (
        "lentil soup",
        "roast chicken",
        "mushroom risotto",
        "grilled trout",
        "vegetable curry",
        "beef stew",
        "spinach lasagne",
        "fish pie",
        "bean chilli",
        "pumpkin gnocchi",
    )
    desserts = ("apple crumble", "lemon tart", "rice pudding", "chocolate mousse", "poached pears")
    reqs: list[list[_Req]] = [[] for _ in range(n)]
    listing = []
    for d_i in rng.sample(range(n), min(3, n)):
        dish = rng.choice(dishes)
        r = _Req(
            text=f"On day {d_i + 1}, the main course is {dish}.",
            restate=f"main course {dish}",
            sentence=f"The main course is {dish}, served generously.",
            value=dish,
            alternatives=tuple(x for x in dishes if x != dish),
        )
        reqs[d_i].append(r)
        listing.append(r.text)
    a = rng.randrange(0, max(1, n - 3))
    b = min(n - 1, a + rng.randint(1, 3))
    listing.append(f"From day {a + 1} to day {b + 1}, every dish must be vegetarian.")
    for i in range(a, b + 1):
        reqs[i].append(
            _Req(
                text=listing[-1],
                restate="all dishes vegetarian",
                sentence=(
                    "Every dish today is vegetarian, with no meat or fish anywhere on the menu.",
                    "The whole day stays vegetarian: beans, grains and vegetables only.",
                    "As required, today's cooking is entirely vegetarian.",
                    "Nothing on today's vegetarian menu contains meat or fish.",
                )[(i - a) % 4],
                value="vegetarian",
                alternatives=("pescatarian", "dairy-free"),
            )
        )
    k = rng.choice((2, 3))
    dessert = rng.choice(desserts)
    listing.append(
        f"Every {('second', 'third')[k - 2]} day (day {k}, {2 * k}, ...), the dessert is {dessert}."
    )
    for i in range(k - 1, n, k):
        reqs[i].append(
            _Req(
                text=listing[-1],
                restate=f"dessert {dessert}",
                sentence=(
                    f"For dessert there is {dessert}.",
                    f"Dinner ends with {dessert}.",
                    f"The dessert, as planned, is {dessert}.",
                )[i % 3],
                value=dessert,
                alternatives=tuple(x for x in desserts if x != dessert),
            )
        )
    neutral = [
        "Starters are a simple green salad with a mustard dressing.",
        "Fresh bread from the local bakery comes with every meal.",
        "Portions are planned for a table of six.",
        "Herbs from the garden season most of the dishes.",
        "A jug of water with lemon slices stays on the table.",
        "Leftovers can be packed for lunch the next day.",
        "Everything can be prepared in under an hour.",
        "Seasonal vegetables are steamed as a side.",
        "The table is laid early so dinner starts on time.",
        "Coffee and herbal tea are offered afterwards.",
    ]
    return _Plan(
        kind="menu",
        title=f"A {n}-day dinner plan for a family guest house",
        instruction=f"Write a dinner menu for each of {n} consecutive days (day 1 to day {n}), describing the dishes of each day. Every day must satisfy all the requirements below that apply to it.",
        unit_labels=[f"Day {i + 1}" for i in range(n)],
        reqs=reqs,
        listing=listing,
        neutral=neutral,
    )


def _floorplan(rng: random.Random, n: int) -> _Plan:
    rooms = (
        "a public library",
        "a dental clinic",
        "a rooftop cafe",
        "a children's nursery",
        "a recording studio",
        "a fitness centre",
        "a bookbinding workshop",
        "a tailor's shop",
    )
    uses = ("open-plan offices", "rental apartments", "hotel rooms", "artists' studios")
    facilities = (
        "fire exit to the east stairwell",
        "shared laundry room",
        "first-aid station",
        "bicycle storage room",
    )
    reqs: list[list[_Req]] = [[] for _ in range(n)]
    listing = []
    for f_i in rng.sample(range(n), min(3, n)):
        room = rng.choice(rooms)
        r = _Req(
            text=f"Floor {f_i + 1} houses {room}.",
            restate=f"floor {f_i + 1} houses {room}",
            sentence=f"This floor houses {room}, reached directly from the main lift.",
            value=room,
            alternatives=tuple(x for x in rooms if x != room),
        )
        reqs[f_i].append(r)
        listing.append(r.text)
    a = rng.randrange(0, max(1, n - 3))
    b = min(n - 1, a + rng.randint(1, 3))
    use = rng.choice(uses)
    listing.append(f"Floors {a + 1} to {b + 1} are {use}.")
    for i in range(a, b + 1):
        reqs[i].append(
            _Req(
                text=listing[-1],
                restate=f"the floor is {use}",
                sentence=(
                    f"The rest of the floor is given over to {use}.",
                    f"Most of the floor area is taken by {use}.",
                    f"Beyond the lobby the floor holds {use}.",
                    f"The remaining space is laid out as {use}.",
                )[(i - a) % 4],
                value=use,
                alternatives=tuple(u for u in uses if u != use),
            )
        )
    k = rng.choice((2, 3, 4))
    fac = rng.choice(facilities)
    listing.append(
        f"Every {('second', 'third', 'fourth')[k - 2]} floor (floor {k}, {2 * k}, ...) has a {fac}."
    )
    for i in range(k - 1, n, k):
        reqs[i].append(
            _Req(
                text=listing[-1],
                restate=f"has a {fac}",
                sentence=(
                    f"Like every {('second', 'third', 'fourth')[k - 2]} floor, it has a {fac}.",
                    f"A {fac} is provided here, as on every {('second', 'third', 'fourth')[k - 2]} floor.",
                    f"This floor also has a {fac}.",
                )[i % 3],
                value=fac,
                alternatives=tuple(x for x in facilities if x != fac),
            )
        )
    neutral = [
        "Large windows along the south side let in plenty of daylight.",
        "The corridor floors are finished in polished concrete.",
        "Two lifts and a central staircase serve the floor.",
        "Acoustic panels keep the noise from neighbouring spaces low.",
        "Toilets are located next to the stairwell.",
        "The ceiling height is a generous three metres.",
        "A small kitchenette sits by the lift lobby.",
        "Storage cupboards line the northern wall.",
        "Signage on the landing lists every room on the floor.",
        "The heating is controlled separately for each wing.",
    ]
    return _Plan(
        kind="floorplan",
        title=f"Floor-by-floor description of a {n}-storey mixed-use building",
        instruction=f"Describe each floor of a new {n}-storey building, from floor 1 to floor {n}. Every floor description must satisfy all the requirements below that apply to it.",
        unit_labels=[f"Floor {i + 1}" for i in range(n)],
        reqs=reqs,
        listing=listing,
        neutral=neutral,
    )


def _outline(rng: random.Random, n: int) -> _Plan:
    town = rng.choice(("Harwick", "Elmstead", "Corrowby", "Milbourne", "Westerfold", "Ashgrove"))
    topics = (
        "History",
        "Founding of the harbour",
        "The great flood",
        "Industry and trade",
        "The railway",
        "Schools and learning",
        "Local government",
        "Festivals",
        "Architecture",
        "Population",
        "Transport today",
        "Future plans",
        "Notable residents",
        "Parks and gardens",
    )
    reqs: list[list[_Req]] = []
    listing = []
    labels = []
    for i, topic in enumerate(rng.sample(topics, n)):
        year = rng.randint(1650, 1990)
        count = rng.randint(3, 900)
        person = rng.choice(
            (
                "Margit Olsen",
                "Tobiah Crane",
                "Ewa Lindqvist",
                "Rafe Dunmore",
                "Clio Barrow",
                "Anton Velde",
            )
        )
        items = [
            _Req(
                text=f"{topic}: mention the year {year}.",
                restate=f"the year {year}",
                sentence=f"The year {year} marks a turning point in this part of the story.",
                value=str(year),
                alternatives=tuple(str(year + d) for d in (-10, -3, 5, 20)),
            ),
            _Req(
                text=f"{topic}: give the figure of {count}.",
                restate=f"the figure {count}",
                sentence=f"Records give the figure of {count} for this period.",
                value=str(count),
                alternatives=tuple(str(count + d) for d in (-2, 7, 40, 100) if count + d > 0),
            ),
            _Req(
                text=f"{topic}: credit {person}.",
                restate=f"credit {person}",
                sentence=f"Much of this is owed to {person}, whose role is well documented.",
                value=person,
                alternatives=tuple(
                    p
                    for p in (
                        "Margit Olsen",
                        "Tobiah Crane",
                        "Ewa Lindqvist",
                        "Rafe Dunmore",
                        "Clio Barrow",
                    )
                    if p != person
                ),
            ),
        ]
        chosen_items = rng.sample(items, 2)
        reqs.append(chosen_items)
        listing.extend(r.text for r in chosen_items)
        labels.append(f"{i + 1}. {topic}")
    neutral = [
        f"{town} has long been a place where small changes add up over time.",
        "Local archives preserve letters and maps from the period.",
        "Visitors today can still see traces of this in the old streets.",
        "Historians continue to debate the details.",
        "The local museum keeps a small exhibition on the subject.",
        "Newspapers of the time covered the events closely.",
        "Residents remember this chapter with a mix of pride and regret.",
        "The effects were felt well beyond the town itself.",
        "Several photographs of the time survive in private collections.",
        "It remains a favourite topic at the town's history society.",
    ]
    return _Plan(
        kind="outline",
        title=f"A short history of {town}",
        instruction=f"Write a long article titled 'A short history of {town}' with one section per outline heading below ({n} sections). Each section must include every point listed for its heading.",
        unit_labels=labels,
        reqs=reqs,
        listing=listing,
        neutral=neutral,
    )


def _path(rng: random.Random, n: int) -> _Plan:
    syl_a = (
        "Al",
        "Bri",
        "Cor",
        "Dal",
        "Eb",
        "Fen",
        "Gil",
        "Har",
        "Ist",
        "Jor",
        "Kal",
        "Lin",
        "Mor",
        "Nar",
        "Or",
        "Pen",
        "Ros",
        "Sal",
        "Tam",
        "Ver",
    )
    syl_b = ("ford", "mouth", "ton", "by", "wick", "stead", "holm", "bury", "dale", "port")
    cities = sorted({a + b for a in syl_a for b in syl_b})
    route = rng.sample(cities, n + 1)
    edges = {(route[i], route[i + 1]) for i in range(n)}
    pool = [c for c in cities if c not in route]
    while len(edges) < 6 * n:
        x, y = rng.sample(route + rng.sample(pool, 4), 2)
        if (y, x) not in edges and y != route[0]:
            edges.add((x, y))
    ordered = sorted(edges)  # a set's order depends on string hashing: sort before shuffling
    rng.shuffle(ordered)
    listing = [f"There is a one-way road from {x} to {y}." for x, y in ordered]
    reqs = []
    for i in range(n):
        x, y = route[i], route[i + 1]
        wrong = tuple(c for c in route + pool[:6] if c not in (x, y) and (x, c) not in edges)
        reqs.append(
            [
                _Req(
                    text="",
                    restate=f"travel from {x} to {y} using the one-way road",
                    sentence=f"Today's leg took me from {x} to {y} along the one-way road.",
                    value=y,
                    alternatives=wrong,
                )
            ]
        )
    neutral = [
        "The road wound through low hills and scattered farms.",
        "I stopped for lunch at a roadside inn.",
        "Rain followed me for most of the afternoon.",
        "The market square was busy when I arrived.",
        "I found a quiet guest house near the station.",
        "A shepherd pointed out the way at a crossroads.",
        "The river ran alongside the road for a few miles.",
        "I wrote postcards in the evening.",
        "The inn served a hearty stew for supper.",
        "My boots are starting to show the miles.",
    ]
    return _Plan(
        kind="path",
        title=f"A journey from {route[0]} to {route[-1]}",
        instruction=f"Write a travel journal of a journey from {route[0]} to {route[-1]}, one entry per day, moving to one neighbouring city each day ({n} days). Only the one-way roads listed below exist, and each may only be travelled in its direction.",
        unit_labels=[f"Day {i + 1}" for i in range(n)],
        reqs=reqs,
        listing=listing,
        neutral=neutral,
    )


_BUILDERS = {
    "diary": _diary,
    "menu": _menu,
    "floorplan": _floorplan,
    "outline": _outline,
    "path": _path,
}


def make_longform_pair(*, seed: int, setting: str, length: str, index: int) -> dict[str, Any]:
    """One LongForm-Sequential / -Parallel pair (LongEval or LongGenBench shape)."""
    if sub_rng("longform-shape", seed, setting, length, index).random() < LONGEVAL_SHARE:
        return make_longeval_pair(seed=seed, setting=setting, length=length, index=index)
    rng = sub_rng("longform", seed, setting, length, index)
    sequential = setting.endswith("Sequential")
    kinds = (
        LONGFORM_KINDS if sequential else LONGFORM_KINDS[:4]
    )  # path traversal is sequential only
    kind = kinds[(index + rng.randrange(len(kinds))) % len(kinds)]
    n = min(_MAX_UNITS.get(kind, 999), rng.randint(*_UNITS[length]))
    plan = _BUILDERS[kind](rng, n)
    question = (
        f"{plan.instruction}\n\nTitle: {plan.title}\n\nRequirements:\n"
        + "\n".join(f"- {ln}" for ln in plan.listing)
        + "\n\nWrite the parts in order and separate consecutive parts with a line holding only #*#."
    )
    q_tokens = count_tokens(question)
    nominal = length_tokens(length)
    pair_target = nominal * rng.uniform(0.62, 0.92)
    stock = list(plan.neutral)
    rng.shuffle(stock)

    # The rejected run: one or two units with a tampered or dropped constraint.
    candidates = [(u, j) for u in range(n) for j in range(len(plan.reqs[u]))]
    n_changes = 1 if rng.random() < 0.6 else 2
    changes = []
    for u, j in rng.sample(candidates, min(n_changes, len(candidates))):
        req = plan.reqs[u][j]
        mode = (
            "drop" if (kind != "path" and rng.random() < 0.4) or not req.alternatives else "tamper"
        )
        new = None
        if mode == "tamper":
            alt = rng.choice(req.alternatives)
            new = replace(
                req,
                restate=req.restate.replace(req.value, alt),
                sentence=req.sentence.replace(req.value, alt),
                value=alt,
            )
        changes.append((u, j, mode, req, new))
    changed = {(u, j): (mode, new) for u, j, mode, _, new in changes}
    spread = {
        u: sub_rng(seed, setting, length, index, "neutral", u).uniform(0.7, 1.3) for u in range(n)
    }
    order_seed = rng.random()
    scale = 4.0
    """Neutral sentences in an average unit (fitted below to the pair's planned size)."""

    def unit_text(u: int, side: Side, pads: Counter[Hashable]) -> str:
        reqs = []
        for j, r in enumerate(plan.reqs[u]):
            if side == "rejected" and (u, j) in changed:
                mode, new = changed[(u, j)]
                if mode == "drop":
                    continue
                r = new  # type: ignore[assignment]
            reqs.append(r)
        r2 = sub_rng("unit", order_seed, u)
        # the same sentences on both sides of a unit: padding only ever adds to the end
        r3 = sub_rng("filler", order_seed, u)
        own = [stock[u % len(stock)]]
        want = max(1, round(scale * spread[u])) + pads[u]
        neutral = own + [unit_filler(r3, kind) for _ in range(want - 1)]
        sentences = [r.sentence for r in reqs]
        body: list[str] = []
        for s in neutral:
            body.append(s)
        for s in sentences:
            body.insert(r2.randint(0, len(body)), s)
        restated = "; ".join(r.restate for r in reqs) or "no specific requirement for this part"
        text = f"{plan.unit_labels[u]}\n" + " ".join(body)
        if sequential and u > 0:
            lead = f"Based on the title: {plan.title}, the previously generated text, and the given requirements: {restated}, I have composed the following section."
        else:
            lead = f"Based on the title: {plan.title} and the given requirements: {restated}, I have composed the following section."
        return f"{lead}\n{text}"

    def build(side: Side, pads: Counter[Hashable]) -> str:
        return _SEPARATOR.join(unit_text(u, side, pads) for u in range(n))

    chosen_longer = rng.random() < 0.75
    lo, hi = PAIR_LOW * nominal * 1.03, PAIR_HIGH * nominal * 0.98
    for _ in range(8):  # size the units until the pair has the planned size
        one = count_tokens(build("chosen", Counter()))
        total = q_tokens + 2 * one
        if lo <= total <= hi and abs(total - pair_target) <= 0.08 * pair_target:
            break
        per_sentence = max(1.0, (one - 40 * n) / max(1.0, n * scale))
        scale = max(1.0, ((pair_target - q_tokens) / 2 - 40 * n) / (n * per_sentence))
    chosen, rejected, pad_counts = balance(
        rng, build, list(range(n)), chosen_longer=chosen_longer, unit_chars=60, max_rounds=300
    )
    meta = {
        "setting": setting,
        "seed": seed,
        "index": index,
        "family": "longform",
        "shape": "longgenbench",
        "kind": kind,
        "title": plan.title,
        "n_units": n,
        "requirements": plan.listing,
        "change": [
            {
                "unit": plan.unit_labels[u],
                "mode": mode,
                "original": req.restate,
                "modified": new.restate if new else None,
            }
            for u, _, mode, req, new in changes
        ],
        "padding": pad_counts,
    }
    pattern = "sequential" if sequential else "parallel"
    return make_record(
        question=question,
        chosen=chosen,
        rejected=rejected,
        task=pattern,
        subtask=f"longeval_{kind}_{pattern}",
        ctx_length=length,
        meta=meta,
        question_tokens=q_tokens,
    )
