"""Per-unit requirements of a long-form instruction, and checking each section against them.

Long-form instructions ask for one section per *unit* (a day, a floor, a dated diary entry, an
outline heading) and state requirements that apply to some units: a single unit ("On day 6,
...", "Floor 2 houses ...", "On 30 July 2024, ..."), a range ("Floors 3 to 6 ...", "From day 2 to
day 5, ..."), a periodic rule ("Every second floor (floor 2, 4, ...) ...", "Every Wednesday,
..."), or an outline heading ("The railway: credit Anton Velde."). Requirements that name no unit
are global facts (e.g. the roads of a travel journal); a section sentence that relates two of
their names must match one of them.

A requirement is satisfied by a section when the section holds all its numbers and names and
at least half of its other key words (sections paraphrase: "the whole day stays vegetarian").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rewards.heuristic._text import entities, names_in_running_text, numbers, stems

__all__ = ["Requirement", "Unit", "check_sections", "parse_requirements", "parse_unit"]

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DATE = re.compile(r"\b(\d{1,2})\s+([A-Z][a-z]+)\s+(\d{4})\b")
_ORDINALS = {"other": 2, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7}
_NOUNS = r"(?:day|floor|storey|level|week|room|chapter|part|stage|unit|entry|section|step|month)"
_RANGE = re.compile(
    rf"\b(?:from\s+)?({_NOUNS})s?\s+(\d+)\s+(?:to|through|until|-)\s+(?:(?:{_NOUNS})s?\s+)?(\d+)",
    re.I,
)
_LISTED = re.compile(
    rf"\b(?:on\s+|in\s+)?({_NOUNS})s?\s+(\d+(?:\s*,\s*\d+)*\s*,?\s*(?:and|&|or)\s+\d+)\b", re.I
)
"""Units listed one by one: "on days 1, 3 and 5", "floors 2 and 4"."""
_DATE_RANGE = re.compile(
    r"\bfrom\s+(\d{1,2}\s+[A-Z][a-z]+\s+\d{4})\s+(?:to|until|through)\s+(\d{1,2}\s+[A-Z][a-z]+\s+\d{4})",
    re.I,
)
_EVERY = re.compile(
    rf"\bevery\s+(other|second|third|fourth|fifth|sixth|seventh|\d+)(?:st|nd|rd|th)?\s+({_NOUNS})s?(?:\s*\(([^)]*)\))?",
    re.I,
)
_EVERY_WEEKDAY = re.compile(r"\bevery\s+(" + "|".join(_WEEKDAYS) + r")\b", re.I)
_SINGLE = re.compile(rf"\b(?:on\s+)?({_NOUNS})\s+(\d+)\b", re.I)
_ON_DATE = re.compile(r"\bon\s+(\d{1,2}\s+[A-Z][a-z]+\s+\d{4})", re.I)
_KEYS_NEEDED = 0.5
_IN_MONTH = re.compile(r"\b(?:in|during|throughout)\s+(" + "|".join(_MONTHS) + r")\b", re.I)
_HEADING = re.compile(r"^([^:]{3,60}):\s+(.+)$")
_GENERIC = frozenset(
    {
        stem
        for w in [
            "mention",
            "give",
            "figure",
            "credit",
            "year",
            "must",
            "every",
            "all",
            "include",
            "describe",
            "write",
            "note",
        ]
        for stem in stems(w)
    }
)


def _date(text: str) -> int | None:
    m = _DATE.search(text)
    if not m:
        return None
    month = _MONTHS.get(m.group(2).lower())
    if not month:
        return None
    try:
        return dt.date(int(m.group(3)), month, int(m.group(1))).toordinal()
    except ValueError:
        return None


@dataclass(kw_only=True)
class Unit:
    """One section's position: its index, date, weekday and heading text."""

    label: str
    """The section's first line, lower-cased."""
    index: int | None
    """The first integer of the label (floor/day number, outline position)."""
    date: int | None
    """The label's date as a day ordinal, when it has one."""


def parse_unit(label: str) -> Unit:
    """Read a section label such as 'Floor 3', 'Day 2', 'Tuesday, 30 July 2024', '4. Festivals'
    or 'March' (a month of a calendar: the third unit)."""
    date = _date(label)
    nums = [int(n) for n in re.findall(r"\b\d+\b", label)] if date is None else []
    index = nums[0] if nums else None
    if index is None and date is None:
        first = label.strip().split(" ", 1)[0].lower().strip(":.,")
        index = _MONTHS.get(first)
    return Unit(label=label.lower(), index=index, date=date)


@dataclass(kw_only=True)
class Requirement:
    """One requirement line and the units it applies to."""

    text: str
    """The requirement as written."""
    heading: str | None = None
    """Outline heading it applies to."""
    indices: set[int] | None = None
    """Unit indices it applies to (single or range)."""
    dates: tuple[int, int] | None = None
    """Inclusive date-ordinal range it applies to."""
    period: tuple[int, int] | None = None
    """(start, step): every step-th unit from start."""
    weekday: str | None = None
    """Applies to units whose label names this weekday."""
    numbers: set[str] = field(default_factory=set)
    """Numbers the section must state."""
    names: set[str] = field(default_factory=set)
    """Names the section must state (lower-cased)."""
    keys: set[str] = field(default_factory=set)
    """Other key word stems, half of which the section must hold."""
    distinct: set[str] = field(default_factory=set)
    """The keys fewest requirements share ('trout' in 'the main course is grilled trout'), half
    of which the section must hold too: shared words alone ('main course') prove nothing."""

    @property
    def is_global(self) -> bool:
        """True when it names no unit."""
        return (
            self.heading is None
            and self.indices is None
            and self.dates is None
            and self.period is None
            and self.weekday is None
        )

    def applies(self, u: Unit) -> bool:
        """Whether this requirement applies to unit ``u``."""
        if self.heading is not None:
            return self.heading in u.label
        if self.weekday is not None:
            return self.weekday in u.label
        if self.dates is not None:
            return u.date is not None and self.dates[0] <= u.date <= self.dates[1]
        if u.index is None:
            return False
        if self.indices is not None:
            return u.index in self.indices
        if self.period is not None:
            start, step = self.period
            return u.index >= start and (u.index - start) % step == 0
        return False


def parse_requirements(lines: list[str], preamble: str = "") -> list[Requirement]:
    """Parse requirement lines (bullets of the instruction) into :class:`Requirement`s.

    ``preamble`` is the instruction text before the requirements: words it uses ('describe the
    dishes of each day') are the task's own vocabulary, never the distinctive part of one rule.
    """
    out: list[Requirement] = []
    for line in lines:
        text = line.strip().rstrip(".")
        r = Requirement(text=text)
        payload = text
        if m := _DATE_RANGE.search(text):
            a, b = _date(m.group(1)), _date(m.group(2))
            if a is not None and b is not None:
                r.dates = (a, b)
                payload = text.replace(m.group(0), " ")
        elif m := _ON_DATE.search(text):
            d = _date(m.group(1))
            if d is not None:
                r.dates = (d, d)
                payload = text.replace(m.group(0), " ")
        elif m := _EVERY_WEEKDAY.search(text):
            r.weekday = m.group(1).lower()
            payload = text.replace(m.group(0), " ")
        elif m := _EVERY.search(text):
            word = m.group(1).lower()
            step = _ORDINALS.get(word) or (int(word) if word.isdigit() else 2)
            listed = [int(n) for n in re.findall(r"\d+", m.group(3) or "")]
            r.period = (listed[0] if listed else step, step)
            payload = text.replace(m.group(0), " ")
        elif m := _RANGE.search(text):
            lo, hi = int(m.group(2)), int(m.group(3))
            if lo <= hi <= lo + 1000:
                r.indices = set(range(lo, hi + 1))
                payload = text.replace(m.group(0), " ")
        elif m := _LISTED.search(text):
            r.indices = {int(n) for n in re.findall(r"\d+", m.group(2))}
            payload = text.replace(m.group(0), " ")
        elif m := _SINGLE.search(text):
            r.indices = {int(m.group(2))}
            payload = text.replace(m.group(0), " ")
        elif m := _IN_MONTH.search(text):
            r.heading = m.group(1).lower()  # "In April, ...": the unit labelled April
            payload = text.replace(m.group(0), " ")
        elif m := _HEADING.match(text):
            r.heading = m.group(1).strip().lower()
            payload = m.group(2)
        r.numbers = set(numbers(payload))
        r.names = entities(payload)
        r.keys = (
            stems(payload)
            - _GENERIC
            - {n for n in r.numbers}
            - {s for n in r.names for s in stems(n)}
        )
        out.append(r)
    df: dict[str, int] = {}
    for r in out:
        for k in r.keys:
            df[k] = df.get(k, 0) + 1
    for k in stems(preamble):
        if k in df:
            df[k] += len(out)  # task vocabulary: as common as it gets
    for r in out:
        if r.keys:
            low = min(df[k] for k in r.keys)
            r.distinct = {k for k in r.keys if df[k] == low}
    return out


def satisfied(r: Requirement, text_stems: set[str], text_numbers: set[str], low_text: str) -> bool:
    """Whether a section (its stems, numbers and lower-cased text) satisfies ``r``."""
    if not r.numbers <= text_numbers:
        return False
    if any(n not in low_text for n in r.names):
        return False
    if r.names and len(r.keys) <= 1:
        return True  # "stay in Kyoto": the name is the rule, the one verb is the instruction's
    return not r.keys or (
        len(r.keys & text_stems) >= _KEYS_NEEDED * len(r.keys)
        and len(r.distinct & text_stems) >= _KEYS_NEEDED * len(r.distinct)
    )


def check_sections(
    reqs: list[Requirement],
    sections: list[str],
    supports: Callable[[str], bool] = lambda _w: True,
    details: dict[str, list[str]] | None = None,
) -> tuple[int, int, int]:
    """(missed, checked, relation_violations) of sections against requirements.

    ``details`` (when given) receives one line per problem found, under ``"missed"`` or
    ``"relations"``. ``missed`` counts
    (requirement, section) pairs where the requirement applies and is not
    satisfied; ``relation_violations`` counts section sentences relating two names of the global
    requirements in a way no global requirement states, or relating one of them to a name the
    instruction never mentions (``supports`` says whether the instruction knows a word).
    """
    missed = checked = 0
    per_unit = [r for r in reqs if not r.is_global]
    global_reqs = [r for r in reqs if r.is_global and len(r.names) >= 2]
    global_names: set[str] = set().union(*(r.names for r in global_reqs)) if global_reqs else set()
    violations = 0
    for body, st in ((sec.strip(), stems(sec)) for sec in sections):
        label, _, _rest = body.partition("\n")
        unit = parse_unit(label)
        low = body.lower()
        nums = set(numbers(body))
        for r in per_unit:
            if r.applies(unit):
                checked += 1
                if not satisfied(r, st, nums, low):
                    missed += 1
                    if details is not None:
                        details.setdefault("missed", []).append(f"{label.strip()}: {r.text}")
        if global_reqs:
            for sent in re.split(r"(?<=[.!?])\s+", body):
                names = entities(sent)
                if not names & global_names:
                    continue
                # names inside running text only: a heading in title case or a capital that
                # opens a sentence is style ("### Clothes and Care", "Layer clothing ...")
                names &= names_in_running_text([sent])
                known = names & global_names
                if not known:
                    continue
                bad = (len(known) >= 2 and not any(known <= r.names for r in global_reqs)) or (
                    len(known) == 1 and any(not supports(n) for n in names - known)
                )  # relates names no rule relates, or a known name to one never mentioned
                if bad:
                    violations += 1
                    if details is not None:
                        details.setdefault("relations", []).append(
                            f"{label.strip()}: {sent.strip()[:120]}"
                        )
    return missed, checked, violations
