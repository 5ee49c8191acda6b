"""Long-form pairs in the LongEval shape of the published records (``longeval_*``).

The question asks for a long article from a title and a plan: a JSON object of key facts, then
groups of bullet points, one group per section, the groups separated by ``, `` as the published
questions have them. A writer agent composes the article section by section; each section opens
with ``Based on the title: ... and the given bullet points: <what it follows>, I have composed the
following section.`` (later sections: ``..., the previously generated text, and the given bullet
points: ...``), then the section text.

The published rejected side was written from a tampered copy of the plan: some points changed
(a different name, number or year; a statement turned into its opposite), some left out. It
restates the tampered points and follows them, and its text is worded independently -- usually a
little shorter. The topics, people and places here are invented.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from benchmarks.generator._common import make_record, sub_rng
from benchmarks.generator._docqa import FIRST_NAMES, invented_name
from benchmarks.generator._lengths import PAIR_HIGH, PAIR_LOW, length_tokens
from benchmarks.generator._prose import elaboration

__all__ = ["make_longeval_pair"]

_SECTIONS = {"8k": (4, 6), "16k": (7, 10), "32k": (12, 17), "64k": (22, 30), "128k": (42, 56)}
_SUBJECTS = (
    ("the {p} Rowing Club", "A History of the {p} Rowing Club", "club"),
    ("the {p} Harbour Restoration", "The {p} Harbour Restoration Project", "project"),
    ("the {p} Botanical Society", "The {p} Botanical Society: Its First Decades", "society"),
    ("the {p} Community Library", "Building the {p} Community Library", "library"),
    ("the {p} Music Festival", "The {p} Music Festival and Its Audience", "festival"),
    ("the {p} Tram Line", "The Rise and Fall of the {p} Tram Line", "line"),
)
_THINGS = (
    "boathouse", "north pier", "reading room", "glasshouse", "main stage", "depot",
    "archive", "east wing", "training programme", "volunteer scheme", "newsletter",
    "visitor centre", "workshop", "lecture series", "garden", "bridge",
)  # fmt: skip


_MODIFIERS = (
    "", "old", "new", "north", "south", "east", "west", "main", "second", "upper", "lower",
    "riverside", "hillside",
)  # fmt: skip
"""Qualifiers that keep every bullet's subject distinct in long plans."""


@dataclass(frozen=True, kw_only=True)
class _Point:
    """One bullet point, with the ways a tampered plan may change it."""

    text: str
    topic: str
    """Noun phrase the elaboration sentences talk about."""
    says: tuple[str, ...]
    """How a section states the point (first: nearly verbatim)."""
    tampered: tuple[str, ...]
    """Changed versions (a value swapped, the meaning reversed)."""


def _person(rng: random.Random, used: set[str]) -> str:
    return f"{rng.choice(FIRST_NAMES)} {invented_name(rng, used)}"


def _points(rng: random.Random, subject: str, used: set[str]) -> list[_Point]:
    """A pool of bullet points about ``subject`` (each with its tampered variants)."""
    s = subject
    cap = s[0].upper() + s[1:]
    out: list[_Point] = []
    fresh = [
        f"{m} {t}".strip() for m in _MODIFIERS for t in _THINGS if f"{m} {t}".strip() not in used
    ]
    for thing in rng.sample(fresh, 8):
        used.add(thing)
        p1, p2 = _person(rng, used), _person(rng, used)
        place = invented_name(rng, used)
        y = rng.randint(1890, 2015)
        k = rng.randint(12, 480)
        options = [
            _Point(
                text=f"{p1} oversaw the work on the {thing} of {s} in {y}.",
                topic=f"the {thing}",
                says=(
                    f"{p1} oversaw the work on the {thing} of {s} in {y}.",
                    f"In {y}, the work on the {thing} was overseen by {p1}.",
                ),
                tampered=(
                    f"{p2} oversaw the work on the {thing} of {s} in {y}.",
                    f"{p1} oversaw the work on the {thing} of {s} in {y + rng.randint(3, 19)}.",
                ),
            ),
            _Point(
                text=f"The {thing} was finished ahead of schedule.",
                topic=f"the {thing}",
                says=(
                    f"The {thing} was finished ahead of schedule.",
                    f"Work on the {thing} ended earlier than planned.",
                ),
                tampered=(f"The {thing} was finished far behind schedule.",),
            ),
            _Point(
                text=f"About {k} people used the {thing} in its first year.",
                topic=f"the {thing}",
                says=(
                    f"About {k} people used the {thing} in its first year.",
                    f"In its first year the {thing} was used by about {k} people.",
                ),
                tampered=(
                    f"About {k * rng.randint(3, 9)} people used the {thing} in its first year.",
                ),
            ),
            _Point(
                text=f"The {thing} was paid for by local donors rather than the town council.",
                topic=f"the funding of the {thing}",
                says=(
                    f"The {thing} was paid for by local donors rather than the town council.",
                    f"Local donors, not the town council, paid for the {thing}.",
                ),
                tampered=(
                    f"The {thing} was paid for by the town council rather than local donors.",
                ),
            ),
            _Point(
                text=f"Volunteers can help run the {thing} without any prior training.",
                topic=f"volunteering at the {thing}",
                says=(
                    f"Volunteers can help run the {thing} without any prior training.",
                    f"No prior training is needed to volunteer at the {thing}.",
                ),
                tampered=(f"Volunteers cannot help run the {thing} without prior training.",),
            ),
            _Point(
                text=f"The council of {place} supported the plans for the {thing}.",
                topic=f"the plans for the {thing}",
                says=(
                    f"The council of {place} supported the plans for the {thing}.",
                    f"The plans for the {thing} had the support of the council of {place}.",
                ),
                tampered=(f"The council of {place} opposed the plans for the {thing}.",),
            ),
            _Point(
                text=f"{p2} argued that the {thing} should stay open to everyone.",
                topic=f"access to the {thing}",
                says=(
                    f"{p2} argued that the {thing} should stay open to everyone.",
                    f"According to {p2}, the {thing} had to remain open to all.",
                ),
                tampered=(
                    f"{p2} argued that the {thing} should be reserved for members.",
                    f"{p1} argued that the {thing} should stay open to everyone.",
                ),
            ),
        ]
        out.extend(rng.sample(options, 3))
    out.append(
        _Point(
            text=f"{cap} remains an important part of local life.",
            topic=s,
            says=(f"{cap} remains an important part of local life.",),
            tampered=(f"{cap} has lost its place in local life.",),
        )
    )
    return out


def _restate(points: list[str]) -> str:
    return " ".join(points)


def make_longeval_pair(*, seed: int, setting: str, length: str, index: int) -> dict[str, Any]:
    """One LongForm pair in the published LongEval shape."""
    rng = sub_rng("longeval", seed, setting, length, index)
    sequential = setting.endswith("Sequential")
    used: set[str] = set()
    place = invented_name(rng, used)
    subj_tpl, title_tpl, _ = rng.choice(_SUBJECTS)
    subject, title = subj_tpl.format(p=place), title_tpl.format(p=place)
    founder = _person(rng, used)
    facts: dict[str, Any] = {
        "name": subject[4:] if subject.startswith("the ") else subject,
        "founded": str(rng.randint(1850, 1990)),
        "founder": founder,
        "location": place,
        "members_at_start": rng.randint(8, 90),
        "aims": rng.sample(
            ["education", "conservation", "sport", "music", "history", "community", "science"], 3
        ),
    }
    n_sections = rng.randint(*_SECTIONS[length])
    pool: list[_Point] = []
    while len(pool) < n_sections * 7:
        pool += _points(rng, subject, used)
    groups: list[list[_Point]] = []
    at = 0
    for _ in range(n_sections - 1):
        take = rng.randint(4, 7)
        groups.append(pool[at : at + take])
        at += take
    json_text = json.dumps(facts, indent=2)
    json_points = [
        f"{facts['name']} was founded in {facts['founded']}.",
        f"Its founder was {founder}.",
        f"It is based in {place}.",
        f"It started with {facts['members_at_start']} members.",
        f"Its aims are {', '.join(facts['aims'])}.",
    ]
    question = (
        f"Please write a long article based on the title: {title} and the following bullet points: "
        f"```json\n{json_text}\n```, "
        + ", ".join("\n".join(f"- {p.text}" for p in g) for g in groups)
    )

    # The tampered plan: 2-5 points changed, 0-2 left out, never in the JSON's own facts (those
    # are tampered by changing one value).
    flat = [(gi, pi) for gi, g in enumerate(groups) for pi in range(len(g))]
    n_tamper = min(len(flat), rng.randint(2, 5))
    tampered = dict.fromkeys(rng.sample(flat, n_tamper), "")
    for key in tampered:
        tampered[key] = rng.choice(groups[key[0]][key[1]].tampered)
    rest = [x for x in flat if x not in tampered]
    dropped = set(rng.sample(rest, min(len(rest), rng.randint(0, 2))))
    json_key = rng.choice(["founded", "founder", "members_at_start"])
    bad_facts = dict(facts)
    if json_key == "founded":
        bad_facts["founded"] = str(int(str(facts["founded"])) + rng.randint(4, 30))
    elif json_key == "founder":
        bad_facts["founder"] = _person(rng, used)
    else:
        bad_facts["members_at_start"] = int(facts["members_at_start"]) * rng.randint(3, 6)
    bad_json_points = [
        f"{bad_facts['name']} was founded in {bad_facts['founded']}.",
        f"Its founder was {bad_facts['founder']}.",
        f"It is based in {place}.",
        f"It started with {bad_facts['members_at_start']} members.",
        f"Its aims are {', '.join(facts['aims'])}.",
    ]
    heads = [
        rng.choice(("Beginnings", "How It Started", "Origins")),
        *(
            rng.choice(("The ", "On the ", "About the ")) + g[0].topic.removeprefix("the ").title()
            for g in groups
        ),
    ]

    def side(rejected: bool, scale: float) -> str:
        r = sub_rng(seed, setting, length, index, "text", rejected)
        out: list[str] = []
        for si in range(n_sections):
            if si == 0:
                pts: list[str] = bad_json_points if rejected else json_points
                follows = _restate(bad_json_points) if rejected else f"```json\n{json_text}\n```"
                lead = f"Based on the title: {title} and the given bullet points: {follows}, "
            else:
                g = groups[si - 1]
                pts = []  # (the group's points as this side follows them)
                for pi, p in enumerate(g):
                    if rejected and (si - 1, pi) in dropped:
                        continue
                    if rejected and (si - 1, pi) in tampered:
                        pts.append(tampered[(si - 1, pi)])
                    else:
                        pts.append(p.text)
                if sequential or r.random() < 0.5:
                    lead = (
                        f"Based on the title: {title} , the previously generated text, and the "
                        f"given bullet points: {_restate(pts)} "
                    )
                else:
                    lead = f"Based on the title: {title} and the given bullet points: {_restate(pts)}, "
            body: list[str] = []
            topics = [subject] + ([] if si == 0 else [p.topic for p in groups[si - 1]])
            body.append(elaboration(r, r.choice(topics)))
            for j, text in enumerate(pts):
                point = (
                    None if si == 0 else next((p for p in groups[si - 1] if p.text == text), None)
                )
                say = r.choice(point.says) if point is not None else text
                body.append(say)
                for _ in range(max(0, round(scale * r.uniform(0.6, 1.4)))):
                    body.append(elaboration(r, point.topic if point else topics[j % len(topics)]))
            paras: list[str] = []
            while body:
                cut = r.randint(3, 6)
                paras.append(" ".join(body[:cut]))
                body = body[cut:]
            out.append(
                lead
                + f"I have composed the following section.### {heads[si]}\n\n"
                + "\n\n".join(paras)
            )
        return "".join(out)

    from agentmem.tokens import count_tokens

    nominal = length_tokens(length)
    pair_target = nominal * rng.uniform(0.62, 0.92)
    q_tokens = count_tokens(question)
    chosen_longer = rng.random() < 0.75  # the published long-form chosen sides are usually longer
    ratio = rng.uniform(0.78, 0.95) if chosen_longer else rng.uniform(1.03, 1.15)
    scale = 2.0
    lo, hi = PAIR_LOW * nominal * 1.03, PAIR_HIGH * nominal * 0.98
    chosen = rejected = ""
    for _ in range(8):
        chosen, rejected = side(False, scale), side(True, scale * ratio)
        total = q_tokens + count_tokens(chosen) + count_tokens(rejected)
        if lo <= total <= hi and abs(total - pair_target) <= 0.1 * pair_target:
            break
        n_points = sum(len(g) for g in groups) + 5
        per = max(1.0, (total - q_tokens) / max(1.0, 2 * n_points * (scale + 1)))
        scale = max(0.0, (pair_target - q_tokens) / (2 * n_points * per) - 1)
    pattern = "sequential" if sequential else "parallel"
    meta = {
        "setting": setting,
        "seed": seed,
        "index": index,
        "family": "longform",
        "shape": "longeval",
        "title": title,
        "n_units": n_sections,
        "change": {
            "tampered": [
                {"original": groups[g][p].text, "modified": t} for (g, p), t in tampered.items()
            ],
            "dropped": [groups[g][p].text for g, p in sorted(dropped)],
            "json": {"key": json_key, "original": facts[json_key], "modified": bad_facts[json_key]},
        },
    }
    return make_record(
        question=question,
        chosen=chosen,
        rejected=rejected,
        task=pattern,
        subtask=f"longeval_article_{pattern}",
        ctx_length=length,
        meta=meta,
        question_tokens=q_tokens,
    )
