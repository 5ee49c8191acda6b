"""Multi-turn dialogue pairs: Mem0-/A-Mem- × Out/Mem (paper §3.3).

A synthetic multi-session conversation between two people: timestamps, personal facts (city, job,
pet, hobby, instrument, favourite dish, sibling), later turns that contradict earlier ones ("we
moved from Lisbon to Porto"), and a lot of chit-chat (template small talk and quoted speech from
the public-domain filler). Two runs of a memory system ingest it; the trajectory of each is the
final memory store (a Mem0 dump or A-Mem notes), as in the published data.

A Mem0 run extracts a short memory from every informative turn, as Mem0 does from chat (the
published stores hold about one memory per two or three turns). A second conversation style,
after the published ``Conflict_Resolution`` records, is a list of numbered fact lines in which
later facts overwrite earlier ones; there the good store keeps every fact, updated in place.

The rejected store is one of the kinds the published records show:

* ``stale``: the run skipped the memory update of one or more turns. Out: it skipped the update
  the query needs, so the answer read from it is wrong. Mem: it skipped other updates (a stale or
  missing fact) while the query's fact is current.
* ``dump``: the run stored every turn verbatim (Mem0 with inference off: timestamps, speaker
  labels, small talk and all; A-Mem notes without keywords or tags). Out: the turn the query needs
  is missing from it as well. Mem: it is complete, only raw.
* ``empty`` (Out only, in fact-list conversations as in the published record): the run stored
  nothing.

Sizes follow the published records: ``ctx_length`` measures the whole pair (question + both
stores); the length of each side follows from its store kind.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from agentmem.render import AMemNote, Mem0Entry, render_amem_notes, render_mem0_dump
from benchmarks.generator._common import Side, balance, chosen_longer_for, make_record, sub_rng
from benchmarks.generator._docqa import FIRST_NAMES, SYLLABLES_A, SYLLABLES_B, invented_name
from benchmarks.generator._filler import corpus
from benchmarks.generator._lengths import PAIR_HIGH, PAIR_LOW, fit_tokens, length_tokens

__all__ = ["make_dialogue_pair"]

_PEOPLE = (
    "Amara",
    "Bastian",
    "Celine",
    "Dmitri",
    "Esme",
    "Farid",
    "Greta",
    "Hamish",
    "Ilse",
    "Joaquin",
    "Keiko",
    "Lorcan",
    "Marisol",
    "Nikolai",
    "Orla",
    "Pavel",
    "Quilla",
    "Rasmus",
    "Saoirse",
    "Tomasz",
)

# slot -> (values, first mention, update, terse memory, verbose memory, query, A-Mem keywords, tag)
_SLOTS: dict[str, dict[str, Any]] = {
    "city": {
        "values": (
            "Lisbon",
            "Porto",
            "Tallinn",
            "Ghent",
            "Bergen",
            "Lyon",
            "Krakow",
            "Valencia",
            "Turku",
            "Graz",
        ),
        "say": (
            "I finally settled in {v}, the flat is small but lovely.",
            "Living in {v} has been great so far, the old town is beautiful.",
        ),
        "update": (
            "Big news: we moved from {old} to {v} last week!",
            "I don't live in {old} anymore, we relocated to {v}.",
        ),
        "terse": "Lives in {v}",
        "verbose": "{p} lives in {v} and is enjoying the city",
        "query": "Which city does {p} live in now?",
        "tag": "residence",
    },
    "job": {
        "values": (
            "nurse",
            "carpenter",
            "data analyst",
            "translator",
            "pastry chef",
            "librarian",
            "surveyor",
            "pharmacist",
            "bus driver",
            "architect",
        ),
        "say": (
            "I work as a {v} now, long hours but I like it.",
            "My job as a {v} keeps me busy most days.",
        ),
        "update": (
            "I quit being a {old}; I started as a {v} this month.",
            "Career change: no more {old} work for me, I'm a {v} now.",
        ),
        "terse": "Works as a {v}",
        "verbose": "{p} works as a {v} and finds the job demanding but rewarding",
        "query": "What is {p}'s current job?",
        "tag": "work",
    },
    "pet": {
        "values": (
            "Biscuit",
            "Pepper",
            "Miso",
            "Juniper",
            "Noodle",
            "Clover",
            "Ziggy",
            "Marble",
            "Tofu",
            "Otis",
        ),
        "say": (
            "Our dog {v} chewed my slippers again today.",
            "{v}, our cat, sleeps on my keyboard every morning.",
        ),
        "update": (
            "Sadly {old} went to live with my parents, but we adopted a puppy called {v}.",
            "We rehomed {old}; the new kitten is called {v}.",
        ),
        "terse": "Has a pet named {v}",
        "verbose": "{p} has a pet named {v} who is part of the family",
        "query": "What is the name of {p}'s pet at the moment?",
        "tag": "pets",
    },
    "hobby": {
        "values": (
            "pottery",
            "rock climbing",
            "birdwatching",
            "salsa dancing",
            "woodcarving",
            "kayaking",
            "chess",
            "sourdough baking",
            "archery",
            "watercolour painting",
        ),
        "say": (
            "I've been really into {v} lately, it clears my head.",
            "Spent the whole weekend on {v} again, I love it.",
        ),
        "update": (
            "I gave up {old}, it wasn't for me; now I'm hooked on {v}.",
            "Switched hobbies: less {old}, much more {v} these days.",
        ),
        "terse": "Enjoys {v}",
        "verbose": "{p} enjoys {v} as a way to relax after work",
        "query": "Which hobby is {p} practising these days?",
        "tag": "hobbies",
    },
    "instrument": {
        "values": (
            "cello",
            "ukulele",
            "piano",
            "trumpet",
            "banjo",
            "flute",
            "drums",
            "harp",
            "accordion",
            "violin",
        ),
        "say": (
            "I'm learning the {v}, practising every evening.",
            "My {v} lessons are going better than expected.",
        ),
        "update": (
            "I sold my {old} and bought a {v}, starting lessons next week.",
            "No more {old} for me, I've switched to the {v}.",
        ),
        "terse": "Plays the {v}",
        "verbose": "{p} is learning to play the {v} and practises regularly",
        "query": "Which instrument is {p} learning now?",
        "tag": "music",
    },
    "dish": {
        "values": (
            "ramen",
            "paella",
            "shakshuka",
            "pierogi",
            "moussaka",
            "pho",
            "risotto",
            "bibimbap",
            "tagine",
            "goulash",
        ),
        "say": (
            "Nothing beats a bowl of {v} after a long day.",
            "I cooked {v} for friends, it's my favourite dish.",
        ),
        "update": (
            "I'm over {old} now, my new favourite is {v}.",
            "Funny, I used to love {old} most, but {v} has taken its place.",
        ),
        "terse": "Favourite dish is {v}",
        "verbose": "{p}'s favourite dish is {v}, which they cook often",
        "query": "What is {p}'s favourite dish now?",
        "tag": "food",
    },
}
_STATIC = (
    (
        "sibling",
        ("Hana", "Rosa", "Ines", "Maja", "Lotte", "Vera"),
        "My sister {v} is visiting next month.",
        "Has a sister named {v}",
        "{p} has a sister named {v} who visits sometimes",
    ),
    (
        "birthmonth",
        ("March", "July", "October", "January", "May"),
        "My birthday is in {v}, I'm already planning a picnic.",
        "Birthday is in {v}",
        "{p}'s birthday is in {v} and they like to celebrate outdoors",
    ),
)
_CHAT = (
    "Thanks, that means a lot!",
    "Haha, that sounds like a lot of fun.",
    "How was your week?",
    "I know what you mean, it's been busy here too.",
    "Let's catch up again soon!",
    "That's so kind of you.",
    "Oh wow, tell me more about it.",
    "I hope the weather gets better this weekend.",
    "Talk soon, take care!",
    "I was just thinking about you yesterday.",
    "Sounds great, keep me posted.",
    "Good luck with everything!",
    "Honestly, I could use a holiday.",
    "That made my day, thank you.",
    "I'm doing well, just a bit tired.",
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_INSTRUCTIONS = (
    "The conversation below was stored in two independent memory systems. Answer the query at the end using the information in the conversation.",
    "Two memory systems each ingested the following multi-session conversation. Use the conversation to answer the query that follows it.",
)


@dataclass(frozen=True, kw_only=True)
class _Event:
    """An informative turn: a fact stated or updated by a speaker."""

    speaker: str
    slot: str
    value: str
    old: str | None
    text: str


def _stamp(t: datetime) -> str:
    hour = t.hour % 12 or 12
    return f"{hour}:{t.minute:02d} {'am' if t.hour < 12 else 'pm'} on {t.day} {_MONTHS[t.month - 1]}, {t.year}"


_EVENT_SLOTS = {"8k": (3, 2, False), "16k": (4, 2, False), "32k": (6, 3, True)}
"""Per length: personal slots of the asked-about speaker, of the other one, and whether both
mention the static facts (longer conversations: every slot of the first, 4 of the second, yes)."""


def _events(
    rng: random.Random, a: str, b: str, query_slot: str, length: str
) -> tuple[list[_Event], list[tuple[str, str]]]:
    n_a, n_b, statics = _EVENT_SLOTS.get(length, (len(_SLOTS), 4, True))
    others = [x for x in _SLOTS if x != query_slot]
    slots_a = [query_slot, *rng.sample(others, n_a - 1)] if n_a < len(_SLOTS) else list(_SLOTS)
    events: list[_Event] = []
    slots = list(_SLOTS)
    used: set[str] = set()

    def fresh(values: tuple[str, ...]) -> str:
        v = rng.choice([x for x in values if x not in used])
        used.add(v)
        return v

    for person in (a, b):
        for slot in slots_a if person == a else rng.sample(slots, n_b):
            spec = _SLOTS[slot]
            v = fresh(spec["values"])
            events.append(
                _Event(
                    speaker=person,
                    slot=slot,
                    value=v,
                    old=None,
                    text=rng.choice(spec["say"]).format(v=v),
                )
            )
        for name, values, say, _, _ in _STATIC if statics else ():
            v = fresh(values)
            events.append(
                _Event(speaker=person, slot=name, value=v, old=None, text=say.format(v=v))
            )
    rng.shuffle(events)
    # Updates come after the first mention: the query slot of speaker a, and 2-3 others.
    firsts = {(e.speaker, e.slot): e for e in events if e.slot in _SLOTS}
    upd_keys = [
        (a, query_slot),
        *rng.sample([k for k in firsts if k != (a, query_slot)], rng.randint(2, 3)),
    ]
    updates: list[_Event] = []
    for key in upd_keys:
        first = firsts[key]
        spec = _SLOTS[key[1]]
        v = fresh(spec["values"])
        updates.append(
            _Event(
                speaker=key[0],
                slot=key[1],
                value=v,
                old=first.value,
                text=rng.choice(spec["update"]).format(v=v, old=first.value),
            )
        )
    # Each update lands at a random place after its own first mention.
    ordered = list(events)
    for u in updates:
        first_at = ordered.index(firsts[(u.speaker, u.slot)])
        ordered.insert(rng.randint(first_at + 1, len(ordered)), u)
    return ordered, upd_keys


_BG_SAY = (
    "Fun fact I read today: {f}.",
    "Did you know that {f}?",
    "Random thing I learned: {f}.",
    "Apparently {f}.",
)
_BG_SYL_A = (*SYLLABLES_A, "Ash", "Bel")
_BG_SYL_B = SYLLABLES_B
_BG_FIRST = FIRST_NAMES
_BG_FACT = (
    "the {n} Bridge was designed by {p}",
    "{p} was born in {n}",
    "the {n} Observatory opened in {y}",
    "{p} won the {n} Prize for poetry in {y}",
    "the river {n} freezes over almost every winter",
    "the {n} Choir has {k} members",
    "{p} founded the {n} Rowing Club in {y}",
    "the town of {n} is twinned with {n2}",
)


def _place_name(rng: random.Random, used: set[str]) -> str:
    return invented_name(rng, used, _BG_SYL_A)


def _background(
    rng: random.Random, speakers: tuple[str, str], count: int, used: set[str]
) -> list[_Event]:
    """Trivia the speakers share in passing: stored by the memory systems, never asked about."""
    out: list[_Event] = []

    for i in range(count):
        tpl = rng.choice(_BG_FACT)
        fact = tpl.format(
            n=_place_name(rng, used) if "{n}" in tpl else "",
            n2=_place_name(rng, used) if "{n2}" in tpl else "",
            p=f"{rng.choice(_BG_FIRST)} {_place_name(rng, used)}" if "{p}" in tpl else "",
            y=rng.randint(1850, 2015),
            k=rng.randint(12, 90),
        )
        text = rng.choice(_BG_SAY).format(f=fact)
        out.append(
            _Event(
                speaker=speakers[i % 2],
                slot="bg",
                value=fact,
                old=None,
                text=text[0].upper() + text[1:],
            )
        )
    return out


_PHRASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # slot -> (terse variants, verbose variants); an entry's variant is fixed for both runs
    "city": (
        ("{p} lives in {v}", "{p} is based in {v}", "Home for {p} is {v}"),
        (
            "{p} lives in {v} and is enjoying the city",
            "{p} has settled in {v} and likes the old town",
            "{p} now calls {v} home and walks around the centre often",
        ),
    ),
    "job": (
        ("{p} works as a {v}", "{p}'s job: {v}", "{p} is employed as a {v}"),
        (
            "{p} works as a {v} and finds the job demanding but rewarding",
            "{p} earns a living as a {v}, with long but satisfying days",
            "{p} is a {v} by profession and talks about work with pride",
        ),
    ),
    "pet": (
        ("{p} has a pet named {v}", "{p}'s pet is called {v}", "{v} is {p}'s pet"),
        (
            "{p} has a pet named {v} who is part of the family",
            "{p} looks after a pet called {v} and shares funny stories about it",
            "{v}, {p}'s pet, features in many of the chats",
        ),
    ),
    "hobby": (
        ("{p} enjoys {v}", "{p}'s hobby is {v}", "{p} spends free time on {v}"),
        (
            "{p} enjoys {v} as a way to relax after work",
            "{p} is keen on {v} and spends most weekends on it",
            "{v} is how {p} unwinds, often for hours at a time",
        ),
    ),
    "instrument": (
        ("{p} plays the {v}", "{p} is learning the {v}", "{p}'s instrument: {v}"),
        (
            "{p} is learning to play the {v} and practises regularly",
            "{p} takes {v} lessons and is making steady progress",
            "{p} practises the {v} most evenings",
        ),
    ),
    "dish": (
        ("{p}'s favourite dish is {v}", "{p} loves {v} most", "Favourite food of {p}: {v}"),
        (
            "{p}'s favourite dish is {v}, which they cook often",
            "{p} would pick {v} over any other meal",
            "{v} is the dish {p} always recommends to friends",
        ),
    ),
    "sibling": (
        ("{p} has a sister named {v}", "{p}'s sister is {v}", "Sister of {p}: {v}"),
        (
            "{p} has a sister named {v} who visits from time to time",
            "{p}'s sister {v} is coming to stay for a while",
            "{p} is close to a sister called {v}",
        ),
    ),
    "birthmonth": (
        ("{p}'s birthday is in {v}", "{p} was born in {v}", "Birthday of {p}: {v}"),
        (
            "{p}'s birthday is in {v} and they like to celebrate outdoors",
            "{p} celebrates a birthday every {v}, usually with a picnic",
            "{p} has a {v} birthday and plans a party each year",
        ),
    ),
}


def _tag(e: _Event) -> str:
    if e.slot in _SLOTS:
        return str(_SLOTS[e.slot]["tag"])
    return {"sibling": "family", "birthmonth": "events"}.get(e.slot, "trivia")


def _memory_of(e: _Event, verbose: int, variant: int) -> str:
    if e.slot == "bg":
        fact = e.value[0].upper() + e.value[1:]
        if not verbose:
            return fact
        return (
            f"{e.speaker} shared that {e.value}",
            f"According to {e.speaker}, {e.value}",
            f"{fact} (a fact {e.speaker} read about)",
        )[variant % 3]
    terse, wordy = _PHRASES[e.slot]
    pool = wordy if verbose else terse
    text = pool[variant % len(pool)].format(v=e.value, p=e.speaker)
    return text[0].upper() + text[1:]


RejectedKind = str
"""``stale``, ``dump`` or ``empty`` (see the module docstring)."""

_DUMP_CONTEXT = "A message from a conversation between {a} and {b}."


def _rejected_kind(rng: random.Random) -> RejectedKind:
    """Chat conversations: a stale distilled store or a verbatim dump (the published empty store
    comes from a fact-list conversation: see :func:`_facts_pair`)."""
    return rng.choices(("stale", "dump"), weights=(55, 45))[0]


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="microseconds") + "-08:00"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _size_band(nominal: int) -> tuple[int, int]:
    """Whole-pair token band the fitting aims inside (a margin under the hard bounds)."""
    return int(PAIR_LOW * nominal * 1.06), int(PAIR_HIGH * nominal * 0.95)


def make_dialogue_pair(*, seed: int, setting: str, length: str, index: int) -> dict[str, Any]:
    """One Mem0-/A-Mem- Out/Mem pair (a chat conversation, or a list of conflicting facts)."""
    rng = sub_rng("dialogue", seed, setting, length, index)
    if rng.random() < 0.3:
        return _facts_pair(rng, seed=seed, setting=setting, length=length, index=index)
    return _chat_pair(rng, seed=seed, setting=setting, length=length, index=index)


def _chat_pair(
    rng: random.Random, *, seed: int, setting: str, length: str, index: int
) -> dict[str, Any]:
    system = "amem" if setting.startswith("A-Mem") else "mem0"
    out = setting.endswith("Out")
    kind = _rejected_kind(rng)
    a, b = rng.sample(_PEOPLE, 2)
    query_slot = rng.choice(list(_SLOTS))
    events, upd_keys = _events(rng, a, b, query_slot, length)
    nominal = length_tokens(length)
    pair_target = nominal * rng.uniform(0.6, 0.9)
    # a turn is ~38 tokens; a stored memory ~85 (Mem0's fields) and one is kept per ~4 turns
    per_turn = 38 * {"dump": 4.0, "stale": 2.2}[kind]
    turns_guess = max(40, int(pair_target / per_turn))
    background = _background(rng, (a, b), max(4, turns_guess // 4 - len(events)), set())
    for e in background:  # shared trivia goes anywhere in the conversation
        events.insert(rng.randint(0, len(events)), e)
    c = corpus()
    chat_pool = [
        rng.choice(c.plain_quotes) if rng.random() < 0.6 else rng.choice(_CHAT)
        for _ in range(turns_guess * 3)
    ]
    start = datetime(2023, 1, 1) + timedelta(days=rng.randrange(300), hours=9)
    ev_seed = rng.random()
    instruction = rng.choice(_INSTRUCTIONS)
    query = _SLOTS[query_slot]["query"].format(p=a)

    # Which updates the stale run skipped (the dump of an Out pair misses the query's one too).
    first_of = {(e.speaker, e.slot): e for e in events if e.old is None and e.slot != "bg"}
    update_of = {(e.speaker, e.slot): e for e in events if e.old is not None}
    skipped: list[_Event] = []
    if out:
        skipped.append(update_of[(a, query_slot)])
        if kind == "stale" and rng.random() < 0.4:
            skipped.append(rng.choice([update_of[k2] for k2 in upd_keys if k2 != (a, query_slot)]))
    elif kind == "stale":
        others = [update_of[k2] for k2 in upd_keys if k2 != (a, query_slot)]
        plain = [
            e
            for e in events
            if e.old is None
            and (e.speaker, e.slot) != (a, query_slot)
            and (e.speaker, e.slot) not in update_of
        ]
        pick = rng.sample(others, rng.randint(1, len(others)))
        if rng.random() < 0.25 and plain:
            pick = [*pick[:1], rng.choice(plain)]
        skipped.extend(pick)
    skipped_ids = {id(e) for e in skipped}
    ingest0 = datetime(2025, 11, 3, 8, 0, 0) + timedelta(seconds=rng.randrange(86400))
    user_id = f"memory_qa_{seed}_{index}_{length}_{rng.getrandbits(32):08x}"
    dump_user = f"memory_qa_{seed}_{index}_{length}_{rng.getrandbits(32):08x}"
    verbose_base = {id(e): int(rng.random() < 0.3) for e in events}
    variant = {id(e): rng.randrange(6) for e in events}
    keywords_extra = {id(e): rng.random() for e in events}
    delete_add = {id(e): rng.random() < 0.35 for e in events if e.old is not None}
    store_seed = rng.random()

    def order(k: int) -> list[tuple[datetime, str, _Event | None]]:
        """k chit-chat turns with the informative turns placed in order among them."""
        r = sub_rng("order", ev_seed, k)
        slots = sorted(r.sample(range(k + len(events)), len(events)))
        turns: list[tuple[datetime, str, _Event | None]] = []
        ci, ei = 0, 0
        t = start
        for pos in range(k + len(events)):
            if r.random() < 0.04:
                t += timedelta(days=r.randint(2, 20), minutes=r.randint(0, 600))
            t += timedelta(minutes=r.randint(0, 3))
            if ei < len(events) and slots[ei] == pos:
                e = events[ei]
                turns.append((t, e.speaker, e))
                ei += 1
            else:
                speaker = a if ci % 2 == 0 else b
                turns.append((t, speaker, None))
                ci += 1
        return turns

    def line_of(turn: tuple[datetime, str, _Event | None], ci: int) -> str:
        t, speaker, e = turn
        msg = e.text if e else chat_pool[ci % len(chat_pool)]
        return f"[{_stamp(t)}] Speaker {speaker} says: {msg}"

    def lines_of(turns: list[tuple[datetime, str, _Event | None]]) -> list[str]:
        out_lines = []
        ci = 0
        for turn in turns:
            out_lines.append(line_of(turn, ci))
            ci += turn[2] is None
        return out_lines

    class _Run:
        """Everything that depends on the conversation's length (k chit-chat turns)."""

        def __init__(self, k: int) -> None:
            self.turns = order(k)
            self.lines = lines_of(self.turns)
            self.question = (
                f"{instruction}\nConversation:\n" + "\n".join(self.lines) + f"\nQuery: {query}"
            )
            r = sub_rng("ingest", store_seed, k)
            ingest = ingest0
            self.proc_time: dict[int, datetime] = {}
            self.turn_time: list[datetime] = []
            for _, _, e in self.turns:
                ingest += timedelta(seconds=r.uniform(0.3, 9.0))
                self.turn_time.append(ingest)
                if e is not None:
                    self.proc_time[id(e)] = ingest
            self.ids = {id(e): _uuid(r) for e in events}
            self.dump_ids = [_uuid(r) for _ in self.turns]
            self.ev_time = {id(e): t for t, _, e in self.turns if e is not None}
            self.ev_line = {
                id(turn[2]): line
                for turn, line in zip(self.turns, self.lines, strict=True)
                if turn[2]
            }

        def entries(
            self, side: Side, pads: Counter[Hashable]
        ) -> list[tuple[_Event, datetime, datetime | None, int, str]]:
            """Distilled store: (event shown, created, updated, verbosity, id) per live memory."""
            live: dict[tuple[str, str], tuple[_Event, datetime, datetime | None, str]] = {}
            for e in events:
                if side == "rejected" and id(e) in skipped_ids:
                    continue
                key = (e.speaker, e.slot if e.slot != "bg" else e.value)
                if e.old is None or key not in live:
                    live[key] = (e, self.proc_time[id(e)], None, self.ids[id(e)])
                elif delete_add[id(e)]:
                    del live[key]
                    live[key] = (e, self.proc_time[id(e)], None, self.ids[id(e)])
                else:
                    _, created, _, mid = live[key]
                    live[key] = (e, created, self.proc_time[id(e)], mid)
            rows = sorted(live.values(), key=lambda row: row[1])
            # Mem0 also re-writes entries when a later turn touches the same fact (an UPDATE that
            # changes nothing visible): each run does so on its own, so `updated_at` being set
            # says nothing about which run kept up with the conversation.
            last = max(self.proc_time.values())
            rate = sub_rng("touch-rate", seed, setting, length, index, side).uniform(0.1, 0.5)
            out_rows = []
            for e, cr, up, mid in rows:
                touch = sub_rng("touch", seed, setting, length, index, side, mid).random()
                if up is None and touch < rate:
                    up = cr + (last - cr) * touch / rate
                out_rows.append((e, cr, up, min(2, verbose_base[id(e)] + pads[id(e)]), mid))
            return out_rows

        def distilled(self, side: Side, pads: Counter[Hashable]) -> str:
            rows = self.entries(side, pads)
            if system == "mem0":
                return render_mem0_dump(
                    [
                        Mem0Entry(
                            id=mid,
                            memory=_memory_of(e, v, variant[id(e)]),
                            created_at=_iso(cr),
                            updated_at=_iso(up) if up else None,
                            user_id=user_id,
                            metadata={"category": _tag(e), "source": "conversation"}
                            if v >= 2
                            else None,
                        )
                        for e, cr, up, v, mid in rows
                    ]
                )
            notes = []
            for e, _cr, _up, v, _ in rows:
                tag = _tag(e)
                kws = [e.speaker, e.value] + ([tag] if keywords_extra[id(e)] < 0.5 or v else [])
                if v >= 2:
                    kws.append(b if e.speaker == a else a)
                other = b if e.speaker == a else a
                ctx = (
                    f"{e.speaker} talks about their {tag} during a chat with {other}.",
                    f"A personal detail from {e.speaker} about {tag}, shared with {other}.",
                    f"{e.speaker} mentions their {tag} while chatting with {other}.",
                )[variant[id(e)] % 3]
                if v >= 1:  # a more verbose note: the distilled fact spelled out (unique per note)
                    ctx += f" In short: {_memory_of(e, 1, variant[id(e)])}."
                notes.append(
                    AMemNote(
                        content=f"Speaker {e.speaker} says: {e.text}",
                        context=ctx,
                        keywords=kws,
                        tags=[tag, "personal"] if v else [tag],
                        timestamp=self.ev_time[id(e)].strftime("%Y%m%d%H%M"),
                    )
                )
            return render_amem_notes(notes)

        def dump(self) -> str:
            """Every turn stored verbatim (less the turns the run failed to store)."""
            kept = [
                i for i, (_, _, e) in enumerate(self.turns) if e is None or id(e) not in skipped_ids
            ]
            if system == "mem0":
                return render_mem0_dump(
                    [
                        Mem0Entry(
                            id=self.dump_ids[i],
                            memory=self.lines[i],
                            created_at=_iso(self.turn_time[i]),
                            user_id=dump_user,
                            extra={"role": "user"},
                        )
                        for i in kept
                    ]
                )
            ctx = _DUMP_CONTEXT.format(a=a, b=b)
            return render_amem_notes(
                [
                    AMemNote(
                        content=self.lines[i].split("] ", 1)[1],
                        context=ctx,
                        keywords=[],
                        tags=[],
                        timestamp=self.turns[i][0].strftime("%Y%m%d%H%M"),
                    )
                    for i in kept
                ]
            )

        def rejected(self, pads: Counter[Hashable]) -> str:
            if kind == "empty":
                return ""
            if kind == "dump":
                return self.dump()
            return self.distilled("rejected", pads)

    runs: dict[int, _Run] = {}

    def whole(k: int) -> str:
        runs[k] = run = _Run(k)
        return "\n".join(
            (run.question, run.distilled("chosen", Counter()), run.rejected(Counter()))
        )

    lo, hi = _size_band(nominal)
    target = min(max(pair_target, lo * 1.05), hi * 0.97)
    _, k, _ = fit_tokens(whole, turns_guess, int(target * 0.93), int(target * 1.07))
    run = runs[k]
    pad_counts = {"chosen": 0, "rejected": 0}
    if kind == "stale":  # two distilled stores: length says nothing about the label
        chosen, rejected, pad_counts = balance(
            rng,
            lambda side, pads: run.distilled(side, pads),
            [id(e) for e in events],
            chosen_longer=chosen_longer_for(seed, setting, length, index),
            unit_chars=25,
            max_rounds=400,
        )
    else:
        chosen, rejected = run.distilled("chosen", Counter()), run.rejected(Counter())

    current = {k2: e.value for k2, e in update_of.items()}
    gold = current[(a, query_slot)]
    if kind == "empty":
        rejected_answer = "unknown"
    else:
        rej_live = {(e.speaker, e.slot): e.value for e, *_ in run.entries("rejected", Counter())}
        rejected_answer = rej_live.get((a, query_slot), "unknown")
    assert (rejected_answer != gold) if out else (rejected_answer == gold)
    name = "mem0" if system == "mem0" else "a_mem"
    task = f"{'Mem0' if system == 'mem0' else 'A-Mem'}-{'Out' if out else 'MEM'}"
    meta = {
        "setting": setting,
        "seed": seed,
        "index": index,
        "family": "dialogue",
        "memory_system": system,
        "conversation": "chat",
        "query": query,
        "answer": gold,
        "rejected_answer": rejected_answer,
        "speakers": [a, b],
        "n_turns": len(run.turns),
        "change": {
            "kind": f"{kind}_store",
            "turns": [run.ev_line[id(e)] for e in skipped],
        },
        "padding": pad_counts,
        "first_mention": first_of[(a, query_slot)].value,
    }
    return make_record(
        question=run.question,
        chosen=chosen,
        rejected=rejected,
        task=task,
        subtask=f"{name}_synth_{'easy' if out else 'hard'}",
        ctx_length=length,
        meta=meta,
    )


# ------------------------------------------------------------------------ conflicting fact lists

_FACT_KINDS: tuple[tuple[str, str, str], ...] = (
    # (statement, query, value kind) -- {s} is the subject, {v} the value
    ("The {s} Bridge was designed by {v}.", "Who designed the {s} Bridge?", "person"),
    ("{s} was born in the city of {v}.", "In which city was {s} born?", "town"),
    (
        "The headquarters of the {s} Society is located in the city of {v}.",
        "In which city is the headquarters of the {s} Society located?",
        "town",
    ),
    ("{s} is a citizen of {v}.", "Which country is {s} a citizen of?", "country"),
    ("{s} speaks the language of {v}.", "Which language does {s} speak?", "language"),
    (
        "The chairperson of the {s} Guild is {v}.",
        "Who is the chairperson of the {s} Guild?",
        "person",
    ),
    (
        "The {s} Observatory was founded in {v}.",
        "In which year was the {s} Observatory founded?",
        "year",
    ),
)
_COUNTRIES = (
    "Portugal", "Norway", "Chile", "Kenya", "Japan", "Canada", "Austria", "Peru", "Ghana",
    "Finland", "Morocco", "Vietnam", "Ireland", "Uruguay", "Greece", "Nepal",
)  # fmt: skip
_LANGUAGES = (
    "Welsh", "Basque", "Swahili", "Korean", "Dutch", "Tagalog", "Icelandic", "Catalan",
    "Hungarian", "Malay", "Estonian", "Quechua",
)  # fmt: skip


def _value(rng: random.Random, kind: str, used: set[str]) -> str:
    for _ in range(100):
        if kind == "person":
            v = f"{rng.choice(FIRST_NAMES)} {rng.choice(SYLLABLES_A)}{rng.choice(SYLLABLES_B)}"
        elif kind == "town":
            return _place_name(rng, used)
        elif kind == "country":
            v = rng.choice(_COUNTRIES)
        elif kind == "language":
            v = rng.choice(_LANGUAGES)
        else:
            v = str(rng.randint(1820, 2012))
        if v not in used:
            used.add(v)
            return v
    raise RuntimeError(f"ran out of {kind} values")


def _facts_pair(
    rng: random.Random, *, seed: int, setting: str, length: str, index: int
) -> dict[str, Any]:
    """A conversation that is a list of facts, later ones overwriting earlier ones."""
    system = "amem" if setting.startswith("A-Mem") else "mem0"
    out = setting.endswith("Out")
    kind = rng.choices(("empty", "stale"), weights=(70, 30))[0] if out else "stale"
    nominal = length_tokens(length)
    pair_target = nominal * rng.uniform(0.55, 0.9)
    instruction = rng.choice(_INSTRUCTIONS)
    facts_seed = rng.random()
    user_id = f"memory_qa_{seed}_{index}_{length}_{rng.getrandbits(32):08x}"
    ingest0 = datetime(2025, 12, 4, 3, 0, 0) + timedelta(seconds=rng.randrange(86400))

    @dataclass(frozen=True, kw_only=True)
    class _Fact:
        key: tuple[int, str]
        """(template, subject): facts with one key overwrite each other."""
        text: str
        value: str
        fid: int

    def facts(k: int) -> tuple[list[_Fact], _Fact, list[_Fact], str]:
        """k facts, 3-5 of them later overwritten; (facts, query's update, other updates, query)."""
        r = sub_rng("facts", facts_seed, k)
        vals: set[str] = set()
        subjects: set[str] = set()
        out_facts: list[_Fact] = []
        ids = r.sample(range(1, 18000), k + 8)
        for i in range(k):
            ti = r.randrange(len(_FACT_KINDS))
            tpl, _, vkind = _FACT_KINDS[ti]
            subj = _value(r, "person" if "{s} " in tpl[:4] else "town", subjects)
            v = _value(r, vkind, vals) if vkind in ("person", "town") else _value(r, vkind, set())
            out_facts.append(
                _Fact(key=(ti, subj), text=tpl.format(s=subj, v=v), value=v, fid=ids[i])
            )
        n_upd = r.randint(3, 5)
        targets = [out_facts[t] for t in r.sample(range(len(out_facts) // 2), n_upd)]
        updates: list[_Fact] = []
        for j, old in enumerate(targets):
            t = out_facts.index(old)
            tpl, _, vkind = _FACT_KINDS[old.key[0]]
            v = old.value
            while v == old.value:
                v = (
                    _value(r, vkind, vals)
                    if vkind in ("person", "town")
                    else _value(r, vkind, set())
                )
            new = _Fact(key=old.key, text=tpl.format(s=old.key[1], v=v), value=v, fid=ids[k + j])
            out_facts.insert(r.randint(t + 1, len(out_facts)), new)
            updates.append(new)
        query_fact = updates[0]
        query = _FACT_KINDS[query_fact.key[0]][1].format(s=query_fact.key[1])
        return out_facts, query_fact, updates[1:], query

    def skipped_of(q_upd: _Fact, others: list[_Fact]) -> set[int]:
        r = sub_rng("skip", facts_seed)
        if out:
            return {q_upd.fid}
        return {f.fid for f in r.sample(others, r.randint(1, len(others)))}

    def store(fs: list[_Fact], skip: set[int]) -> tuple[str, dict[tuple[int, str], str]]:
        r = sub_rng("store", facts_seed, len(fs))
        live: dict[tuple[int, str], tuple[_Fact, datetime, datetime | None, str]] = {}
        t = ingest0
        for f in fs:
            t += timedelta(seconds=r.uniform(0.2, 1.2))
            if f.fid in skip:
                continue
            if f.key in live:  # Mem0's UPDATE: same id, new text, updated_at set
                _, created, _, mid = live[f.key]
                live[f.key] = (f, created, t, mid)
            else:
                live[f.key] = (f, t, None, _uuid(r))
        rows = sorted(live.values(), key=lambda row: row[1])
        values = {k2: row[0].value for k2, row in live.items()}
        if system == "mem0":
            return render_mem0_dump(
                [
                    Mem0Entry(
                        id=mid,
                        memory=f"fact_{f.fid} : {f.text}",
                        created_at=_iso(cr),
                        updated_at=_iso(up) if up else None,
                        user_id=user_id,
                        extra={"role": "user"},
                    )
                    for f, cr, up, mid in rows
                ]
            ), values
        return render_amem_notes(
            [
                AMemNote(
                    content=f"fact_{f.fid} : {f.text}",
                    context="A stated fact from a list of facts given in the conversation.",
                    keywords=[f.key[1], f.value],
                    tags=["fact"],
                    timestamp=(up or cr).strftime("%Y%m%d%H%M"),
                )
                for f, cr, up, _ in rows
            ]
        ), values

    cache: dict[int, tuple[str, str, str, Any]] = {}

    def whole(k: int) -> str:
        k = max(12, k)
        fs, q_upd, others, query = facts(k)
        question = (
            f"{instruction}\nConversation:\n"
            + "\n".join(f"fact_{f.fid} : {f.text}" for f in fs)
            + f"\nQuery: {query}"
        )
        chosen, _ = store(fs, set())
        rejected = "" if kind == "empty" else store(fs, skipped_of(q_upd, others))[0]
        cache[k] = (question, chosen, rejected, (fs, q_upd, others, query))
        return "\n".join((question, chosen, rejected))

    lo, hi = _size_band(nominal)
    target = min(max(pair_target, lo * 1.05), hi * 0.97)
    per_fact = 120 if kind == "stale" else 68
    _, k, _ = fit_tokens(whole, int(target / per_fact), int(target * 0.93), int(target * 1.07))
    question, chosen, rejected, (fs, q_upd, others, query) = cache[max(12, k)]
    gold = q_upd.value
    if kind == "empty":
        rejected_answer = "unknown"
    else:
        rejected_answer = store(fs, skipped_of(q_upd, others))[1].get(q_upd.key, "unknown")
    assert (rejected_answer != gold) if out else (rejected_answer == gold)
    name = "mem0" if system == "mem0" else "a_mem"
    task = f"{'Mem0' if system == 'mem0' else 'A-Mem'}-{'Out' if out else 'MEM'}"
    meta = {
        "setting": setting,
        "seed": seed,
        "index": index,
        "family": "dialogue",
        "memory_system": system,
        "conversation": "facts",
        "query": query,
        "answer": gold,
        "rejected_answer": rejected_answer,
        "n_turns": len(fs),
        "change": {
            "kind": f"{kind}_store",
            "turns": [f"fact_{f.fid} : {f.text}" for f in fs if f.fid in skipped_of(q_upd, others)]
            if kind == "stale"
            else [],
        },
        "padding": {"chosen": 0, "rejected": 0},
    }
    return make_record(
        question=question,
        chosen=chosen,
        rejected=rejected,
        task=task,
        subtask=f"{name}_synth_conflict_{'easy' if out else 'hard'}",
        ctx_length=length,
        meta=meta,
    )
