"""Shared pieces of the generator: record assembly, length balancing, neutral notes.

Length balancing is what keeps the trivial baselines at chance. Every pair first decides, by a
fair coin, whether ``chosen`` is to be the longer trajectory; then neutral padding (notes about
the text just read that carry no evidence, or more verbose wording) is added to the side that
must be longer, from the same templates both sides use everywhere else, until it is longer by a
random margin. So length says nothing about the label, and no phrase marks either side.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Literal

from agentmem.tokens import count_tokens

__all__ = [
    "GENERATOR_VERSION",
    "Side",
    "balance",
    "chosen_longer_for",
    "make_record",
    "neutral_note",
    "sub_rng",
]

GENERATOR_VERSION = "2"
"""Bump whenever the same arguments would produce different files."""

Side = Literal["chosen", "rejected"]


def sub_rng(*parts: object) -> random.Random:
    """A generator seeded from a string (Python hashes str seeds with SHA-512: stable everywhere)."""
    return random.Random(":".join(str(p) for p in parts))


def chosen_longer_for(seed: int, setting: str, length: str, index: int) -> bool:
    """Whether pair ``index`` of a cell is to have the longer ``chosen``: alternating from a random
    offset, so every cell (and every setting) is split evenly."""
    offset = sub_rng("longer", seed, setting, length).randrange(2)
    return (index + offset) % 2 == 0


def balance(
    rng: random.Random,
    build: Callable[[Side, Counter[Hashable]], str],
    slots: Sequence[Hashable],
    *,
    chosen_longer: bool,
    unit_chars: int = 200,
    max_rounds: int = 200,
) -> tuple[str, str, dict[str, int]]:
    """Build both sides, padding the one that must be longer; returns texts and pad counts.

    ``build(side, pads)`` renders one side with ``pads[slot]`` extra neutral units at each slot.
    """
    pads: dict[Side, Counter[Hashable]] = {"chosen": Counter(), "rejected": Counter()}
    text = {s: build(s, pads[s]) for s in ("chosen", "rejected")}
    margin = rng.uniform(0.003, 0.02)
    longer: Side = "chosen" if chosen_longer else "rejected"
    shorter: Side = "rejected" if chosen_longer else "chosen"
    for _ in range(max_rounds):
        gap = len(text[shorter]) * (1 + margin) - len(text[longer])
        if gap < 0:
            # Characters agree; tokens must too (ids and hashes tokenise unlike prose).
            tok_gap = count_tokens(text[shorter]) * (1 + margin / 2) - count_tokens(text[longer])
            if tok_gap < 0:
                break
            gap = tok_gap * 3
        for _ in range(max(1, int(gap // unit_chars))):
            pads[longer][rng.choice(list(slots))] += 1
        text[longer] = build(longer, pads[longer])
    return text["chosen"], text["rejected"], {s: sum(pads[s].values()) for s in pads}


_NOTE_WITH_NAMES = (
    "This section is mostly narrative about {a}; it adds nothing new about {focus}.",
    "The passage follows {a} and {b}, which has no bearing on the question.",
    "Nothing concerning {focus} appears in the part of the text about {a}.",
    "The lines about {a} are background and can be set aside.",
    "{a} is mentioned several times here, but only as part of the surrounding story.",
    "I read the exchange involving {a} and {b}; it does not touch {focus}.",
    "Most of this section concerns {b} rather than anything the question asks about.",
    "The story around {a} continues here without any clue for the question.",
    "References to {a} in this part are unrelated to {focus}.",
    "Apart from the facts listed, the section is about {a} and {b} and can be ignored.",
)
_NOTE_PLAIN = (
    "The remaining text of this section is unrelated to {focus}.",
    "No other sentence in this part bears on the question.",
    "Everything else in the section is background narrative.",
    "I found no further clue about {focus} in this part.",
    "The rest of the section describes events that do not involve {focus}.",
)


def neutral_note(rng: random.Random, names: Sequence[str], focus: str) -> str:
    """A note about the section just read that carries no evidence (same templates for both sides)."""
    if len(names) >= 2 and rng.random() < 0.75:
        a, b = rng.sample(list(names), 2)
        return rng.choice(_NOTE_WITH_NAMES).format(a=a, b=b, focus=focus)
    if names and rng.random() < 0.6:
        tpl = rng.choice([t for t in _NOTE_WITH_NAMES if "{b}" not in t])
        return tpl.format(a=names[0], focus=focus)
    return rng.choice(_NOTE_PLAIN).format(focus=focus)


def make_record(
    *,
    question: str,
    chosen: str,
    rejected: str,
    task: str,
    subtask: str,
    ctx_length: str,
    meta: dict[str, Any],
    question_tokens: int | None = None,
) -> dict[str, Any]:
    """A record in the published schema (fixed key order), with token counts in ``meta``."""
    meta = dict(meta)
    meta["tokens"] = {
        "question": question_tokens if question_tokens is not None else count_tokens(question),
        "chosen": count_tokens(chosen),
        "rejected": count_tokens(rejected),
    }
    meta["chosen_longer"] = meta["tokens"]["chosen"] > meta["tokens"]["rejected"]
    meta["generator_version"] = GENERATOR_VERSION
    return {
        "question": question,
        "chosen": chosen,
        "rejected": rejected,
        "task": task,
        "subtask": subtask,
        "ctx_length": ctx_length,
        "meta": meta,
    }
