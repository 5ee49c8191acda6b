"""Filler prose for generated long-form texts: many sentences, no requirement content.

A long-form trajectory is mostly elaboration around the few sentences that carry requirements
(published texts are LLM essays). Sentences here are assembled from small phrase tables, so a
128K pair can hold thousands of them with little repetition; they state nothing a requirement
could check (no names, numbers, dates or places of the plan), and the chosen and the rejected
side draw them the same way.
"""

from __future__ import annotations

import random

__all__ = ["elaboration", "unit_filler"]

_OPEN = (
    "In practice,",
    "Seen from a distance,",
    "For most readers,",
    "Over time,",
    "Taken together,",
    "At the same time,",
    "In many ways,",
    "Looking closer,",
    "Put simply,",
    "More broadly,",
    "As a result,",
    "Beyond that,",
)
_CLAIM = (
    "{x} shaped how the whole effort was understood",
    "{x} turned out to matter more than anyone expected",
    "{x} set the tone for much of what followed",
    "{x} became a reference point for later discussions",
    "{x} drew attention to questions that had long been ignored",
    "{x} showed how careful planning pays off",
    "{x} made the stakes visible to everyone involved",
    "{x} offered a clear example of steady, patient work",
    "{x} helped people see the larger picture",
    "{x} was discussed at length in the months that followed",
    "{x} continues to inform how similar work is approached",
    "{x} highlighted both the promise and the limits of the approach",
)
_TAIL = (
    "and that lesson has stayed relevant",
    "which is worth keeping in mind",
    "even if the details are easy to overlook",
    "and the consequences reached further than the immediate goal",
    "in ways that are still being discussed",
    "while leaving room for different interpretations",
    "and this is where much of its value lies",
    "as several observers have pointed out",
)
_GENERIC = (
    "This deserves a closer look.",
    "The point is simple, but it is often missed.",
    "Each of these aspects supports the others.",
    "The broader context helps explain why this mattered.",
    "None of this happened in isolation.",
    "The details reward a careful reading.",
    "It is a useful reminder of how much depends on preparation.",
    "Such questions rarely have a single answer.",
)

_UNIT_FILLER: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # kind -> (openings, middles, endings): one sentence = one of each
    "diary": (
        ("In the morning", "After lunch", "Late in the afternoon", "This evening", "Around noon",
         "Before breakfast", "On the way home", "Just before bed"),
        ("I tidied the desk", "I answered a few messages", "I made a pot of soup",
         "I walked to the corner shop", "I sorted a drawer of old papers", "I read on the sofa",
         "I watered the plants", "I called an old friend", "I fixed a squeaky door",
         "I wrote a long letter", "I listened to the radio", "I baked a loaf of bread"),
        ("and felt calmer for it.", "while the rain kept falling.", "without any hurry.",
         "and lost track of time.", "as the light faded.", "and it did me good.",
         "though I was tired.", "with the window open."),
    ),
    "menu": (
        ("For the table", "To keep things balanced", "As a side", "For a lighter touch",
         "To round off the meal", "For colour"),
        ("a crisp green salad is served", "fresh bread comes warm from the oven",
         "a jug of chilled water waits on the side", "seasonal fruit is laid out",
         "a simple herb dressing is offered", "roasted vegetables are shared",
         "a small cheese board is passed around", "a pot of tea is brewed"),
        ("for everyone to share.", "without much fuss.", "to go with everything else.",
         "as usual.", "if anyone is still hungry.", "to keep the meal light."),
    ),
    "floorplan": (
        ("Along the corridor", "Near the stairwell", "By the windows", "At the far end",
         "Next to the lifts", "Around the corner"),
        ("the walls are painted a pale grey", "the floor is laid with oak boards",
         "a row of plants softens the space", "the lighting is warm and even",
         "a small seating area invites a pause", "the ceiling is higher than elsewhere",
         "wide doors keep the flow of people easy", "signs point the way clearly"),
        ("for visitors and staff alike.", "to keep the floor welcoming.", "as on most floors.",
         "which makes the space feel larger.", "without crowding the layout.",
         "so that nobody gets lost."),
    ),
    "outline": (
        ("Before going further", "To set the scene", "In this part", "As a bridge",
         "For context", "To close the section"),
        ("the argument is restated in plain terms", "the main ideas are tied together",
         "a short example makes the point concrete", "the reader is reminded of the goal",
         "earlier remarks are briefly recalled", "the next step is prepared"),
        ("without adding new claims.", "so the thread stays clear.", "in a few lines.",
         "before moving on.", "for the sake of clarity.", "as the structure requires."),
    ),
    "path": (
        ("On the road", "During the drive", "Between the stops", "Through the morning",
         "Late in the day", "At the halfway point"),
        ("the landscape opened up", "we stopped for coffee", "the traffic eased",
         "the hills grew steeper", "we took turns at the wheel", "the weather changed twice"),
        ("and the hours passed quickly.", "as planned.", "without any trouble.",
         "and we kept a steady pace.", "which made the trip pleasant.", "before we knew it."),
    ),
}  # fmt: skip


def elaboration(rng: random.Random, topic: str) -> str:
    """One sentence of essay elaboration about ``topic`` (a noun phrase of the section)."""
    if rng.random() < 0.15:
        return rng.choice(_GENERIC)
    claim = rng.choice(_CLAIM).format(x=topic)
    text = f"{rng.choice(_OPEN)} {claim}"
    if rng.random() < 0.6:
        text += f", {rng.choice(_TAIL)}"
    return text + "."


def unit_filler(rng: random.Random, kind: str) -> str:
    """One neutral sentence for a unit of ``kind`` (diary day, menu, floor, outline part, leg)."""
    first, middle, last = _UNIT_FILLER[kind]
    return f"{rng.choice(first)} {rng.choice(middle)} {rng.choice(last)}"
