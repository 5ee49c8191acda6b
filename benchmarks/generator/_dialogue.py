"""Multi-turn dialogue pairs: Mem0-/A-Mem- × Out/Mem (paper §3.3).

A synthetic multi-session conversation between two people: timestamps, personal facts (city, job,
pet, hobby, instrument, favourite dish, sibling), later turns that contradict earlier ones ("we
moved from Lisbon to Porto"), and a lot of chit-chat (template small talk and quoted speech from
the public-domain filler). Two runs of a memory system ingest it; the trajectory of each is the
final memory store (a Mem0 dump or A-Mem notes), as in the published data.

The rejected run skipped the memory update of one or more turns:

* Out: it skipped the update the query needs, so its memory holds the superseded value and the
  answer read from it is wrong;
* Mem: it skipped other updates (a stale or missing fact), while the query's fact is current, so
  the answer survives but the memory is worse.
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
from benchmarks.generator._docqa import FIRST_NAMES, SYLLABLES_A, SYLLABLES_B
from benchmarks.generator._filler import corpus
from benchmarks.generator._lengths import fit_to_length, length_tokens, target_tokens

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


def _events(
    rng: random.Random, a: str, b: str, query_slot: str
) -> tuple[list[_Event], list[tuple[str, str]]]:
    events: list[_Event] = []
    slots = list(_SLOTS)
    used: set[str] = set()

    def fresh(values: tuple[str, ...]) -> str:
        v = rng.choice([x for x in values if x not in used])
        used.add(v)
        return v

    for person in (a, b):
        for slot in slots if person == a else rng.sample(slots, 4):
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
        for name, values, say, _, _ in _STATIC:
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


def _background(
    rng: random.Random, speakers: tuple[str, str], count: int, used: set[str]
) -> list[_Event]:
    """Trivia the speakers share in passing: stored by the memory systems, never asked about."""
    out: list[_Event] = []

    def name() -> str:
        while True:
            n = rng.choice(_BG_SYL_A) + rng.choice(_BG_SYL_B)
            if n not in used:
                used.add(n)
                return n

    for i in range(count):
        fact = rng.choice(_BG_FACT).format(
            n=name(),
            n2=name(),
            p=f"{rng.choice(_BG_FIRST)} {name()}",
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


def make_dialogue_pair(*, seed: int, setting: str, length: str, index: int) -> dict[str, Any]:
    """One Mem0-/A-Mem- Out/Mem pair."""
    rng = sub_rng("dialogue", seed, setting, length, index)
    system = "amem" if setting.startswith("A-Mem") else "mem0"
    out = setting.endswith("Out")
    a, b = rng.sample(_PEOPLE, 2)
    query_slot = rng.choice(list(_SLOTS))
    events, upd_keys = _events(rng, a, b, query_slot)
    background = _background(rng, (a, b), 4 + length_tokens(length) // 2048, set())
    for e in background:  # shared trivia goes anywhere in the conversation
        events.insert(rng.randint(0, len(events)), e)
    c = corpus()
    nominal = length_tokens(length)
    target = target_tokens(rng, length)
    chat_pool = [
        rng.choice(c.plain_quotes) if rng.random() < 0.6 else rng.choice(_CHAT)
        for _ in range(int(nominal / 12))
    ]
    start = datetime(2023, 1, 1) + timedelta(days=rng.randrange(300), hours=9)
    ev_seed = rng.random()
    instruction = rng.choice(_INSTRUCTIONS)
    query = _SLOTS[query_slot]["query"].format(p=a)

    def order(k: int) -> list[tuple[str, str, _Event | None]]:
        """k chit-chat turns with the informative turns placed in order among them."""
        r = sub_rng("order", ev_seed, k)
        slots = sorted(r.sample(range(k + len(events)), len(events)))
        turns: list[tuple[str, str, _Event | None]] = []
        ci, ei = 0, 0
        t = start
        for pos in range(k + len(events)):
            if r.random() < 0.04:
                t += timedelta(days=r.randint(2, 20), minutes=r.randint(0, 600))
            t += timedelta(minutes=r.randint(0, 3))
            if ei < len(events) and slots[ei] == pos:
                e = events[ei]
                turns.append((_stamp(t), e.speaker, e))
                ei += 1
            else:
                speaker = a if ci % 2 == 0 else b
                turns.append((_stamp(t), speaker, None))
                ci += 1
        return turns

    def text_of(turns: list[tuple[str, str, _Event | None]]) -> str:
        lines = []
        ci = 0
        for stamp, speaker, e in turns:
            msg = e.text if e else chat_pool[ci % len(chat_pool)]
            if e is None:
                ci += 1
            lines.append(f"[{stamp}] Speaker {speaker} says: {msg}")
        return "\n".join(lines)

    cache: dict[int, list[tuple[str, str, _Event | None]]] = {}

    def build_q(k: int) -> str:
        cache[k] = order(k)
        return f"{instruction}\nConversation:\n{text_of(cache[k])}\nQuery: {query}"

    question, k, q_tokens = fit_to_length(build_q, int(target / 32), length)
    turns = cache[k]
    ev_stamp = {id(e): stamp for stamp, _, e in turns if e is not None}
    ev_time = {
        id(e): datetime.strptime(stamp.replace(" on ", " "), "%I:%M %p %d %B, %Y")
        for stamp, _, e in turns
        if e is not None
    }

    # Which updates the rejected run skipped.
    first_of = {(e.speaker, e.slot): e for e in events if e.old is None and e.slot != "bg"}
    update_of = {(e.speaker, e.slot): e for e in events if e.old is not None}
    skipped: list[_Event] = []
    if out:
        skipped.append(update_of[(a, query_slot)])
        if rng.random() < 0.4:
            skipped.append(rng.choice([update_of[k2] for k2 in upd_keys if k2 != (a, query_slot)]))
    else:
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

    # Ingestion clock: Mem0 stamps entries when it processes them (shared by both runs).
    ingest = datetime(2025, 11, 3, 8, 0, 0) + timedelta(seconds=rng.randrange(86400))
    proc_time = {}
    for _, _, e in turns:
        if e is not None:
            ingest += timedelta(seconds=rng.uniform(0.3, 9.0))
            proc_time[id(e)] = ingest
    ids = {id(e): str(uuid.UUID(int=rng.getrandbits(128), version=4)) for e in events}
    user_id = f"memory_qa_{seed}_{index}_{length}_{rng.getrandbits(32):08x}"
    verbose_base = {id(e): int(rng.random() < 0.3) for e in events}
    variant = {id(e): rng.randrange(6) for e in events}
    keywords_extra = {id(e): rng.random() for e in events}
    delete_add = {id(e): rng.random() < 0.35 for e in events if e.old is not None}

    def entries(
        side: Side, pads: Counter[Hashable]
    ) -> list[tuple[_Event, datetime, datetime | None, int, str]]:
        """Final store: (event shown, created, updated, verbosity, id) per live memory."""
        live: dict[tuple[str, str], tuple[_Event, datetime, datetime | None, str]] = {}
        for e in events:
            if side == "rejected" and id(e) in skipped_ids:
                continue
            key = (e.speaker, e.slot if e.slot != "bg" else e.value)
            if e.old is None or key not in live:
                live[key] = (e, proc_time[id(e)], None, ids[id(e)])
            elif delete_add[id(e)]:
                del live[key]
                live[key] = (e, proc_time[id(e)], None, ids[id(e)])
            else:
                _, created, _, mid = live[key]
                live[key] = (e, created, proc_time[id(e)], mid)
        rows = sorted(live.values(), key=lambda r: r[1])
        # Mem0 also re-writes entries when a later turn touches the same fact (an UPDATE that
        # changes nothing visible): each run does so on its own, so `updated_at` being set says
        # nothing about which run kept up with the conversation.
        last = max(proc_time.values())
        rate = sub_rng("touch-rate", seed, setting, length, index, side).uniform(0.1, 0.5)
        out = []
        for e, cr, up, mid in rows:
            touch = sub_rng("touch", seed, setting, length, index, side, mid).random()
            if up is None and touch < rate:
                up = cr + (last - cr) * touch / rate
            out.append((e, cr, up, min(2, verbose_base[id(e)] + pads[id(e)]), mid))
        return out

    def iso(t: datetime) -> str:
        return t.isoformat(timespec="microseconds") + "-08:00"

    def build(side: Side, pads: Counter[Hashable]) -> str:
        rows = entries(side, pads)
        if system == "mem0":
            return render_mem0_dump(
                [
                    Mem0Entry(
                        id=mid,
                        memory=_memory_of(e, v, variant[id(e)]),
                        created_at=iso(cr),
                        updated_at=iso(up) if up else None,
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
                    content=ev_content(e),
                    context=ctx,
                    keywords=kws,
                    tags=[tag, "personal"] if v else [tag],
                    timestamp=ev_time[id(e)].strftime("%Y%m%d%H%M"),
                )
            )
        return render_amem_notes(notes)

    def ev_content(e: _Event) -> str:
        return f"Speaker {e.speaker} says: {e.text}"

    slots = [id(e) for e in events]
    chosen_longer = chosen_longer_for(seed, setting, length, index)
    chosen, rejected, pad_counts = balance(
        rng, build, slots, chosen_longer=chosen_longer, unit_chars=25, max_rounds=400
    )

    current = {k2: e.value for k2, e in update_of.items()}
    gold = current[(a, query_slot)]
    rej_live = {(e.speaker, e.slot): e.value for e, *_ in entries("rejected", Counter())}
    rejected_answer = rej_live.get((a, query_slot), "unknown")
    assert (rejected_answer != gold) if out else (rejected_answer == gold)
    variant = "easy" if out else "hard"
    name = "mem0" if system == "mem0" else "a_mem"
    task = f"{'Mem0' if system == 'mem0' else 'A-Mem'}-{'Out' if out else 'MEM'}"
    meta = {
        "setting": setting,
        "seed": seed,
        "index": index,
        "family": "dialogue",
        "memory_system": system,
        "query": query,
        "answer": gold,
        "rejected_answer": rejected_answer,
        "speakers": [a, b],
        "n_turns": len(turns),
        "change": {
            "kind": "skipped_updates",
            "turns": [f"[{ev_stamp[id(e)]}] Speaker {e.speaker} says: {e.text}" for e in skipped],
        },
        "padding": pad_counts,
        "first_mention": first_of[(a, query_slot)].value,
    }
    return make_record(
        question=question,
        chosen=chosen,
        rejected=rejected,
        task=task,
        subtask=f"{name}_synth_{variant}",
        ctx_length=length,
        meta=meta,
        question_tokens=q_tokens,
    )
