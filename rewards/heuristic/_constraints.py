"""Constraint adherence for long-form generation.

The instruction lists what every section must respect: bullet points and JSON values (names,
numbers, dates, ranges). A trajectory is checked on three things:

* the instruction it *says* it followed: restated bullet sentences that the instruction does not
  contain were altered on the way;
* the numbers its sections state near a required item: a different number where the instruction
  fixes one violates it;
* polarity: a section sentence that matches a bullet's words but flips its polarity contradicts
  the instruction: it gains or loses a negation, uses the negative-prefixed form of one of the
  bullet's words (``unable``/``able``, ``disagree``/``agree``), or reverses a comparison the
  bullet makes ("A rather than B" stated as "B rather than A"). No word list of opposites is
  used: such a list encodes whichever tamperings its author has seen.
"""

from __future__ import annotations

import re

from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts
from rewards.heuristic._requirements import check_sections, parse_requirements
from rewards.heuristic._text import NEGATIONS, numbers, sentences, shingles, stem, stems, words

__all__ = ["constraint_features"]

_MATCH = 0.6
_CONTRAST = re.compile(r"\b(rather than|instead of|more than|over)\b", re.I)
_JSON_KEY = re.compile(r'"[\w ]{1,40}"\s*:\s*|[{}\[\]]')
_NEG_PREFIX = re.compile(r"^(?:un|in|ir|il|im|dis|non)(?=[a-z]{4,})")


def _polarity(ws: list[str]) -> int:
    """Negation cues in ``ws``, not counting 'not only' / 'not just' (which do not negate)."""
    n = 0
    for i, w in enumerate(ws):
        if w in NEGATIONS and not (
            w == "not" and i + 1 < len(ws) and ws[i + 1] in ("only", "just", "merely")
        ):
            n += 1
    return n


_CLAUSES = re.compile(r"[,;:\u2014]|\s(?:but|while|whereas|although|though)\s", re.I)


def _matching_clause(sentence: str, bullet_stems: set[str]) -> list[str]:
    """The words of the clause of ``sentence`` sharing most stems with the bullet: a negation
    scopes over its clause, so "allowed on the lawn, not inside" still states the bullet's
    "allowed on the lawn" positively."""
    parts = [words(c) for c in _CLAUSES.split(sentence)]
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return words(sentence)
    return max(parts, key=lambda p: len({stem(w) for w in p} & bullet_stems))


_SIDE = 3
"""Words on each side of a comparison word that say what is compared."""


def _sides(text: str) -> tuple[set[str], set[str]] | None:
    """Stems of up to three words on either side of a comparison ("the larger pot rather than
    the smaller one"), if any."""
    m = _CONTRAST.search(text)
    if m is None:
        return None
    before, after = words(text[: m.start()]), words(text[m.end() :])
    if not before or not after:
        return None
    return {stem(w) for w in before[-_SIDE:]}, {stem(w) for w in after[:_SIDE]}


def _reversed(bullet: str, sentence: str) -> bool:
    """The sentence makes the bullet's comparison the other way round: a word that tells the
    bullet's first side from its second ("larger") stands on the second side of the sentence,
    and one of the second side's ("smaller") on its first ("B rather than A")."""
    b, s = _sides(bullet), _sides(sentence)
    if b is None or s is None:
        return False
    first, second = b[0] - b[1], b[1] - b[0]
    return bool((first & s[1]) - s[0]) and bool((second & s[0]) - s[1])


def constraint_features(t: ParsedTrajectory, q: QuestionFacts) -> dict[str, float]:
    """Raw constraint-violation values of one long-form trajectory (higher = worse)."""
    if t.layout != "longform" or not q.bullets:
        return {}
    out: dict[str, float] = {}
    qsh = q.derived.get("bullet_shingles")
    if qsh is None:
        qsh = set()
        for b in q.bullets:
            qsh |= shingles(words(b), 3)
        q.derived["bullet_shingles"] = qsh
    restated_bad = restated_all = 0
    for seg in t.segments:
        restated = _JSON_KEY.sub("\n", seg.restated.replace("```json", " ").replace("```", " "))
        for sent in sentences(restated.replace('"', " ")):
            ws = words(sent)
            if len(ws) < 4:
                continue
            sh = shingles(ws, 3)
            restated_all += 1
            if len(sh - qsh) > 0:  # type: ignore[operator]
                restated_bad += 1
    if restated_all:
        out["restated_altered"] = float(restated_bad)
    text = "\n".join(seg.text for seg in t.segments)
    sents = sentences(text)
    sent_data = [(s, set(stems(s)), words(s)) for s in sents]
    text_nums = set(numbers(text))
    holding: dict[str, list[int]] = {}  # stem -> sentences holding it (only those are compared)
    for k, (_, sst, _) in enumerate(sent_data):
        for st in sst:
            holding.setdefault(st, []).append(k)
    flips = 0
    num_conflicts = 0
    for b in q.bullets:
        bst = stems(b)
        if len(bst) < 3:
            continue
        bws = words(b)
        bpol = _polarity(bws)
        bnums = set(numbers(b))
        bset = set(bws)
        shared: dict[int, int] = {}
        for st in bst:
            for k in holding.get(st, ()):
                shared[k] = shared.get(k, 0) + 1
        need = _MATCH * len(bst)
        for k in sorted(k for k, n in shared.items() if n >= need):
            s, _, sws = sent_data[k]
            if (
                (_polarity(_matching_clause(s, bst)) > 0) != (bpol > 0)
                or _reversed(b, s)
                or any(
                    (base := _NEG_PREFIX.sub("", w)) != w and base in bset for w in set(sws) - bset
                )
            ):
                flips += 1
            if bnums and not bnums & text_nums:
                # the plan's number is stated nowhere in the text, and this sentence about the
                # same point states another one (a text that gives the plan's number somewhere
                # may add other numbers: "45 minutes in all, the first 20 with the lid on")
                snums = set(numbers(s))
                if snums and not snums & bnums:
                    num_conflicts += 1
    out["polarity_flips"] = float(flips)
    reqs = q.derived.get("requirements")
    if reqs is None:
        head = q.context[:4000]
        cut = head.lower().find("requirements")
        reqs = q.derived["requirements"] = parse_requirements(
            q.bullets, head[:cut] if cut > 0 else ""
        )
    details: dict[str, list[str]] = {}
    missed, _checked, violations = check_sections(
        reqs,  # type: ignore[arg-type]
        [seg.text for seg in t.segments],
        q.supports,
        details,
    )
    t.notes["requirements_missed"] = details.get("missed", [])
    t.notes["relation_violations"] = details.get("relations", [])
    out["requirements_missed"] = float(missed)
    out["relation_violations"] = float(violations)
    out["number_conflicts"] = float(num_conflicts)
    return out
