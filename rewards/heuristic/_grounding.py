"""Grounding: names, numbers and words in the memory that the question's context does not support.

Every claim a memory makes should come from what the agent read. A name or a number the context
never mentions is invented (hallucinated or tampered); a high share of unsupported content words
is a weaker sign of the same thing. Sentences are analysed once and memoised, so a memory that
is carried over from step to step costs only its new sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from rewards.heuristic._coverage import (
    _root,
    context_times,
    latest_negated,
    opposite_roots,
    topic_roots,
)
from rewards.heuristic._formats import date_spans, money_spans, shift_date, time_spans
from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts, units_with
from rewards.heuristic._text import (
    CANCEL_CUE,
    ENDED_WORDS,
    NEGATIONS,
    NUMBER_WORDS,
    SentenceInfo,
    memory_sentences,
    numbers,
    sentence_info,
    sentences,
    stem,
    stems,
    words,
)
from rewards.heuristic._totals import MULTIPLIERS

__all__ = [
    "COMMENTARY",
    "grounding_features",
    "unsupported",
    "unsupported_claim_texts",
    "unsupported_claims",
]

_T = TypeVar("_T")
_SMALL = frozenset(str(i) for i in range(0, 13))
_CLAIM = 0.8
_MAX_LOOKUPS = 64
_COMMON_NAME = 48  # occurrences; a rare name sits in at most 16 sentences


def unsupported(
    infos: tuple[SentenceInfo, ...],
    supports: Callable[[str], bool],
    nums: frozenset[str],
    memo: dict[str, tuple[frozenset[str], frozenset[str], int]] | None = None,
) -> tuple[set[str], set[str], int, int]:
    """(invented names, invented numbers, unsupported content words, content words) of sentences.

    Small integers (0-12) are not counted as invented: they are usually derived counts. ``memo``
    keeps per-sentence results across the memories of one trajectory.
    """
    ents: set[str] = set()
    nums_out: set[str] = set()
    miss = total = 0
    for info in infos:
        hit = memo.get(info.norm) if memo is not None else None
        if hit is None:
            hit = (
                frozenset(e for e in info.entities if not supports(e)),
                frozenset(n for n in info.numbers if n not in nums and n not in _SMALL),
                sum(1 for w in info.words if not supports(w)),
            )
            if memo is not None:
                memo[info.norm] = hit
        ents |= hit[0]
        nums_out |= hit[1]
        miss += hit[2]
        total += len(info.words)
    return ents, nums_out, miss, total


_NUMERIC = re.compile(r"\d{1,9}(?:\.\d+)?")


def _stated_values(q: QuestionFacts) -> frozenset[float]:
    """Numbers the context states, in digits or as words ("sixteen players")."""
    hit = q.derived.get("stated_values")
    if hit is None:
        vals = {float(x) for x in q.numbers if _NUMERIC.fullmatch(x)}
        vals |= {float(v) for w, v in NUMBER_WORDS.items() if w in q.vocab}
        vals |= {v for w, v in MULTIPLIERS.items() if w in q.vocab}  # "doubled": a factor 2
        hit = q.derived["stated_values"] = frozenset(vals)
    return hit  # type: ignore[return-value]


def _derivable(candidates: set[str], q: QuestionFacts) -> set[str]:
    """The candidate numbers that the context states in words, or that are sums or differences
    of stated numbers and of candidates already so derived (a memory that works out "16 picked,
    2 dropped out -> 14", then "14 + 3 = 17", invents nothing)."""
    known = set(_stated_values(q))
    todo = {c: float(c) for c in candidates if _NUMERIC.fullmatch(c)}
    found: set[str] = set()
    changed = True
    while changed and todo:
        changed = False
        for c, x in list(todo.items()):
            if (
                x in known
                or any(x - a in known or a - x in known for a in known)
                or _product(x, known)
            ):
                found.add(c)
                known.add(x)
                del todo[c]
                changed = True
    return found


def _worked_numbers(texts: list[str], q: QuestionFacts) -> set[str]:
    """The numbers of ``texts`` the context does not state but that the memory worked out from
    stated ones, through any chain of its own numbers (12 - 5 = 7, then 7 + 9 = 16)."""
    mine = {n for txt in texts for info in memory_sentences(txt) for n in info.numbers}
    return _derivable(mine - q.numbers, q)


def _worked(texts: list[str], q: QuestionFacts) -> set[str]:
    """Every number of ``texts`` that the context states or that the memory worked out:
    arithmetic on stated numbers, sums of money, times and dates written another way or
    worked out from stated ones."""
    return (
        _worked_numbers(texts, q)
        | _stated_sums(texts, q)
        | _worked_spans(texts, q, time_spans, _time_derivable)
        | _worked_spans(texts, q, date_spans, _date_derivable)
    )


def _worked_spans(
    texts: list[str],
    q: QuestionFacts,
    spans: Callable[[str], list[tuple[int, int, int]]],
    derivable: Callable[[int, QuestionFacts], bool],
) -> set[str]:
    """The numbers and words of the values ``spans`` finds in ``texts`` (times, dates) that the
    context writes the same way or from which ``derivable`` works them out ("3.30pm" -> 3,
    30pm). The context is scanned only for values it does not write the same way."""
    out: set[str] = set()
    for txt in texts:
        for a, b, v in spans(txt):
            span = txt[a:b]
            if _digits_stated(span, q) or derivable(v, q):
                out.update(numbers(span))
                out.update(stem(w) for w in words(span))
    return out


def _time_derivable(t: int, q: QuestionFacts) -> bool:
    """A time the context states, or a stated time moved by a stated length of time ("3 pm"
    pushed back "half an hour" -> 3.30pm)."""
    times, lengths = context_times(q)
    return t in times or any(
        (c + d) % 720 == t or (c - d) % 720 == t for c in times for d in lengths
    )


_RELATIVE_DAY = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight"
    r"|next week|this week|weekend)\b",
    re.I,
)
_WEEK_AHEAD = 14
"""Days after a dated message within which a memory may date what it calls "on Friday"."""


def _date_derivable(v: int, q: QuestionFacts) -> bool:
    """A date the context states, or one a memory worked out from a dated message and a
    relative day ("on Friday", said on 9 November -> 15 November)."""
    stated = _context_scan(q, "context_dates", lambda c: frozenset(x for _, _, x in date_spans(c)))
    return v in stated or bool(
        _context_scan(q, "context_relative_day", lambda c: _RELATIVE_DAY.search(c) is not None)
        and any(shift_date(d, k) == v for d in stated for k in range(1, _WEEK_AHEAD))
    )


def _context_scan(q: QuestionFacts, key: str, scan: Callable[[str], _T]) -> _T:
    """``scan`` of the whole context, cached on the question under ``key`` (run only when a
    memory writes a value that needs it)."""
    if key not in q.derived:
        q.derived[key] = scan(q.context)
    return q.derived[key]  # type: ignore[return-value]


def _digits_stated(span: str, q: QuestionFacts) -> bool:
    """Whether the context writes every number of ``span`` as it stands ("3.30" for "3.30pm")."""
    nums = numbers(span)
    return bool(nums) and all(n in q.numbers for n in nums)


def _stated_sums(texts: list[str], q: QuestionFacts) -> set[str]:
    """The numbers of ``texts`` that write a sum of money the context states, in any form
    ("£1.50" -> 1.50, 1, 50 when the context says "one pound fifty")."""
    out: set[str] = set()
    for txt in texts:
        for a, b, v in money_spans(txt):
            span = txt[a:b]
            if _digits_stated(span, q) or v in _context_scan(
                q, "context_sums", lambda c: frozenset(x for _, _, x in money_spans(c))
            ):
                out.update(numbers(span))
                out.update(w for w in words(span) if w.isdigit())
    return out


def _initialism(q: QuestionFacts, word: str) -> bool:
    """Whether ``word`` (2-4 letters) is the initials of a name the context writes out ("LA"
    for "Los Angeles", "NHS" for "National Health Service"); cached on the question."""
    if not (2 <= len(word) <= 4 and word.isalpha()):
        return False
    cache: dict[str, bool] = q.derived.setdefault("initialisms", {})  # type: ignore[assignment]
    hit = cache.get(word)
    if hit is None:
        pattern = r"\s+(?:(?:of|the|and|for)\s+)?".join(rf"{c.upper()}[a-z]+" for c in word)
        hit = cache[word] = re.search(rf"\b{pattern}\b", q.context) is not None
    return hit


def _product(x: float, known: set[float]) -> bool:
    """``x`` is a product or an exact quotient of two known numbers ("5 crates of 12 jars" ->
    60). Not tried against long lists of numbers, where some pair always fits."""
    if len(known) > 64 or x == 0:
        return False
    return any(a and (x / a in known or a * x in known) for a in known if a not in (0.0, 1.0))


def grounding_features(t: ParsedTrajectory, q: QuestionFacts) -> dict[str, float]:
    """Raw grounding values of one trajectory (higher = less grounded)."""
    if t.layout == "empty":
        return {"invented_names": 0.0, "invented_numbers": 0.0}
    if t.layout == "longform":
        # writing from a plan means adding detail: names, numbers and words the plan never
        # states are the text's content, not errors (what contradicts the plan is judged by
        # the constraint detectors); counting them would favour the thinner text
        return {}
    texts = [m for m in t.memories if m]
    if t.answer:
        texts.append(t.answer)
    memo: dict[str, bool] = {}
    per_sentence: dict[str, tuple[frozenset[str], frozenset[str], int]] = {}

    def supports(w: str) -> bool:
        hit = memo.get(w)
        if hit is None:
            hit = memo[w] = q.supports(w) or _initialism(q, w)
        return hit

    ents: set[str] = set()
    nums: set[str] = set()
    share_sum, n = 0.0, 0
    for txt in texts:
        e, nu, miss, total = unsupported(memory_sentences(txt), supports, q.numbers, per_sentence)
        ents |= e
        nums |= nu
        if total:
            share_sum += miss / total
            n += 1
    worked = _worked(texts, q)
    nums -= worked
    out = {"invented_names": float(len(ents)), "invented_numbers": float(len(nums))}
    if t.layout != "dialogue":  # stores paraphrase conversations into facts by design
        out["unsupported_words"] = share_sum / n if n else 0.0
    if t.layout == "reasoning":
        claims = unsupported_claim_texts(t, q, worked)
        t.notes["unsupported_claims"] = claims
        out["unsupported_claims"] = float(len(claims))
    return out


COMMENTARY = (
    frozenset(
        [
            "section",
            "passage",
            "text",
            "question",
            "context",
            "story",
            "narrative",
            "memory",
            "mentioned",
            "answer",
            "information",
            "clue",
            "clues",
            "part",
            "background",
            "lines",
            "references",
            "facts",
            "document",
            "conclusion",
            "relevant",
            "notes",
            "note",
            "given",
            "therefore",
            "current",
            "so",
            "far",
            "i",
            "my",
            "me",
            "we",
            "our",
            "us",
            "seems",
            "likely",
            "perhaps",
            "maybe",
        ]
    )
    | NEGATIONS
)
"""Words that mark a clause as commentary on the reading (or a negative/hedged statement),
not a claim about the world that the context should contain."""


def _name_units(q: QuestionFacts, name: str) -> list[frozenset[str]] | None:
    """Stems of the context units naming ``name`` (None when the name is not rare there).

    A pure function of (question, name), memoised on the question. Word counts of the question
    skip the scan for names it never uses or uses too often to be rare.
    """
    cache: dict[str, list[frozenset[str]] | None] = q.derived.setdefault("name_units", {})  # type: ignore[assignment]
    if name not in cache:
        n = q.counts.get(name, 0)
        # Absent, or so frequent it cannot be rare: no scan needed.
        spans = units_with(q, name) if 0 < n <= _COMMON_NAME else None
        cache[name] = None if spans is None else [_claim_stems(u) for u in spans]
    return cache[name]


def unsupported_claims(t: ParsedTrajectory, q: QuestionFacts) -> int:
    """Number of :func:`unsupported_claim_texts`."""
    return len(unsupported_claim_texts(t, q))


def unsupported_claim_texts(
    t: ParsedTrajectory, q: QuestionFacts, worked: set[str] | None = None
) -> list[str]:
    """Distinct memory clauses that assert something about rare names the context never says.

    A clause is a claim when it names at least one name that is rare in the context and is not
    commentary about the reading itself (no 'section', 'passage', 'question', ...). It is
    supported when one context sentence holds all its rare names and 80% of its words. Only the
    first ``_MAX_LOOKUPS`` distinct names of the trajectory (in order of appearance) are looked
    up, which bounds the cost on memories full of capitalised words and depends on this
    trajectory alone (never on earlier calls).
    """
    if worked is None:
        texts = [m for m in t.memories if m]
        worked = _worked(texts, q)
    seen: set[str] = set()
    checkable: dict[str, None] = {}
    bad: list[str] = []
    for m in t.memories:
        for raw in sentences(m):
            info = sentence_info(raw)
            if info.norm in seen or not info.entities:
                continue
            seen.add(info.norm)
            if set(info.norm.split()) & COMMENTARY:
                continue
            unit_sets: list[list[frozenset[str]]] = []
            for name in sorted(info.entities):
                if name not in checkable:
                    if len(checkable) >= _MAX_LOOKUPS:
                        continue
                    checkable[name] = None
                units = _name_units(q, name)
                if units:
                    unit_sets.append(units)
            if not unit_sets:
                continue
            # the question's own words label what the memory is about ("Netball captain:"),
            # and numbers the memory works out from stated ones are arithmetic, not claims
            need = _digits(info.stems) - q.query_words - worked
            if need & _ENDED_STEMS and _context_ends(q):
                need -= _ENDED_STEMS  # "entry free" for "no longer charges"
            if need and latest_negated(q) is not None:
                # "lido shut" for "the lido will not open": the opposite word says the "not"
                turned = opposite_roots(topic_roots(q))
                need = frozenset(w for w in need if _root(w) not in turned)
            ok = not need or _held_by_one(need, unit_sets)
            if not ok and all(stem(e) in q.query_words for e in info.entities):
                # it names only the question's subject, as a label ("Castle trip: postponed
                # to 19 May"): the context may say it in a sentence that calls the subject
                # "the trip", so any sentence holding the claim's words supports it
                ok = _said_anywhere(q, info.words, need)
            if not ok and " than " in info.norm:
                ok = _comparison_supported(q, info.norm)
            if not ok:
                ok = _clauses_supported(q, raw, unit_sets, worked)
            if not ok:
                bad.append(info.norm)
    return bad


_CLAUSE = re.compile(r"[,;()\u2014]|:(?!\d)|\s(?:and|but|while|after|before|when)\s", re.I)


def _clauses_supported(
    q: QuestionFacts, sentence: str, unit_sets: list[list[frozenset[str]]], worked: set[str]
) -> bool:
    """A memory sentence joining what several context sentences say about its names ("Edith
    opened a haberdashery in 1961, aged 29 (born 1932)") is supported when each of its clauses
    is supported by one sentence naming them. A worked-out number's label ("aged 29",
    "38 years") is the memory's own arithmetic, like the number. Never for one clause: the
    single-sentence check has judged it."""
    parts = [p for p in _CLAUSE.split(sentence) if p and p.strip()]
    if len(parts) < 2:
        return False
    for part in parts:
        info = sentence_info(part)
        ws = info.words
        labels = {
            stem(ws[j])
            for i, w in enumerate(ws)
            if w in worked
            for j in (i - 1, i + 1)
            if 0 <= j < len(ws) and not ws[j].isdigit()
        }
        need = _digits(info.stems) - q.query_words - worked - labels
        if need and not _held_by_one(need, unit_sets):
            return False
    return True


def _held_by_one(need: frozenset[str], unit_sets: list[list[frozenset[str]]]) -> bool:
    """Whether one context unit holds 80% of ``need``."""
    return any(len(need & u) >= _CLAIM * len(need) for units in unit_sets for u in units)


def _digits(sts: frozenset[str] | set[str]) -> frozenset[str]:
    """Stems with number words written as digits ("four" -> "4"), so a claim and a context
    sentence meet whichever way each writes a number."""
    return frozenset(str(NUMBER_WORDS[w]) if w in NUMBER_WORDS else w for w in sts)


def _claim_stems(text: str) -> frozenset[str]:
    """Stems of a context sentence as claims are checked against them (numbers as digits)."""
    return _digits(stems(text))


_ENDED_STEMS = frozenset(stem(w) for w in ENDED_WORDS)
"""Stems of the words by which a memory says something ended ("entry free")."""


def _context_ends(q: QuestionFacts) -> bool:
    """Whether the context ends something ("no longer charges"), so that a memory saying it
    ended paraphrases it (cached on the question; the context is scanned only when a claim
    uses such a word)."""
    hit = q.derived.get("context_ends")
    if hit is None:
        hit = q.derived["context_ends"] = bool(CANCEL_CUE.search(q.context))
    return hit  # type: ignore[return-value]


_RAREST = 3
_MAX_LINES = 64


def _said_anywhere(q: QuestionFacts, words: tuple[str, ...], need: frozenset[str]) -> bool:
    """Whether some context sentence holds 80% of ``need``: sentences holding the claim's
    rarest words are looked at (found through the sentence index, not by a scan)."""
    from rewards.heuristic._staleness import sentence_index

    idx = sentence_index(q)
    present = sorted(
        {w for w in words if w in idx.where and stem(w) in need}, key=lambda w: len(idx.where[w])
    )
    lines = {i for w in present[:_RAREST] for i in idx.where[w][:_MAX_LINES]}
    cache: dict[int, frozenset[str]] = q.derived.setdefault("sentence_stems", {})  # type: ignore[assignment]
    for i in sorted(lines):
        st = cache.get(i)
        if st is None:
            st = cache[i] = _claim_stems(idx.bodies[i])
        if len(need & st) >= _CLAIM * len(need):
            return True
    return False


_LESSER = frozenset(
    [
        "shorter",
        "smaller",
        "lower",
        "younger",
        "fewer",
        "less",
        "lighter",
        "cheaper",
        "narrower",
        "earlier",
        "slower",
        "thinner",
        "nearer",
        "closer",
        "shallower",
        "weaker",
        "quieter",
    ]
)
"""Comparatives that say the first side is below the second ("shorter than"); any other
comparative ("taller", "more") says it is above."""
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _comparison_supported(q: QuestionFacts, norm: str) -> bool:
    """A comparison the memory worked out ("spire 42 m taller than chimney 38 m") is supported
    when the context states each side on its own and, when each side gives one number, the
    numbers are in the order the comparative claims."""
    left, _, right = norm.partition(" than ")
    lw = left.split()
    at = next(
        (
            i
            for i in range(len(lw) - 1, -1, -1)
            if lw[i].endswith("er") or lw[i] in ("more", "less", "fewer")
        ),
        None,
    )
    if at is None:
        return False
    comp = lw[at]
    for side in (" ".join(lw[:at] + lw[at + 1 :]), right):
        info = sentence_info(side)
        need = info.stems - q.query_words
        if need and not _said_anywhere(q, info.words, need):
            return False
    a, b = _NUMBER.findall(left), _NUMBER.findall(right)
    if len(a) == 1 and len(b) == 1 and float(a[0]) != float(b[0]):
        return (float(a[0]) < float(b[0])) == (comp in _LESSER)
    return True
