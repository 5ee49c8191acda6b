"""The official evaluator's ordering protocol, reproduced exactly (compat mode).

Per task file: seed the RNG with 42, optionally draw a random sample of the file's records (the
official ``random_sample`` option, our ``--limit``), shuffle them, then for each record in the
shuffled order shuffle ``[0, 1]``: ``order[0] == 0`` puts ``chosen`` in the Agent A slot.
Shuffling a list of indices consumes the generator exactly as shuffling the records would (only
the list length matters), so the protocol runs over indices and the records can stream.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

__all__ = ["ChosenAs", "Slot", "protocol_slots"]

ChosenAs = Literal["A", "B"]
"""Which agent slot the chosen trajectory occupies in one judgment."""


@dataclass(frozen=True, kw_only=True)
class Slot:
    """One record's place in the protocol."""

    index: int
    """0-based position of the record among the file's valid records."""
    chosen_as: ChosenAs
    """Where the protocol puts the chosen trajectory."""
    rank: int
    """Position in the protocol's (shuffled) judging order."""


def protocol_slots(n: int, *, seed: int = 42, limit: int | None = None) -> list[Slot]:
    """The records a file contributes and their A/B assignment, in the official judging order.

    ``limit`` reproduces the official ``random_sample``: ``random.sample`` of that many records
    before the shuffle (a limit at or above ``n`` keeps every record and draws no sample when
    larger than ``n``, where the official code would raise).
    """
    rng = random.Random(seed)
    indices = list(range(n))
    if limit is not None and limit <= n:
        indices = rng.sample(indices, limit)
    rng.shuffle(indices)
    slots: list[Slot] = []
    for rank, index in enumerate(indices):
        order = [0, 1]
        rng.shuffle(order)
        slots.append(Slot(index=index, chosen_as="A" if order[0] == 0 else "B", rank=rank))
    return slots
