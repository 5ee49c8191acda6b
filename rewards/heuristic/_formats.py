"""Times of day, sums of money and dates however they are written.

A timetable says "23:15", a memory "11.15pm", an answer "quarter past eleven": the same time.
Each is read as minutes on a twelve-hour face (0-719), so that "20:30" and "half past eight" meet;
whether a text means morning or evening is rarely in doubt within one question. A notice says
"one pound fifty", a memory "£1.50", another "150p": the same sum, read in hundredths of the
currency (the currency itself is not compared: a question rarely mixes two). "21 June", "June
21st" and "the 21st of June" are one date (day and month; a year is a number of its own).
"""

from __future__ import annotations

import datetime as dt
import re

from rewards.heuristic._text import NUMBER_WORDS

__all__ = [
    "clock_keys",
    "clock_times",
    "date_keys",
    "date_spans",
    "day_lengths",
    "durations",
    "money_keys",
    "money_spans",
    "shift_date",
    "time_spans",
    "value_spans",
]

_HOUR_WORDS = {w: v for w, v in NUMBER_WORDS.items() if 1 <= v <= 12}
_HOUR = r"(\d{1,2}|" + "|".join(sorted(_HOUR_WORDS, key=len, reverse=True)) + ")"
_DIGITS = re.compile(
    r"(?<![\w.,:£$€])"
    r"(\d{1,2})[:.](\d{2})(?!\d|[.,:]\d)\s*(am|pm|a\.m\.|p\.m\.)?"
    r"(?!\s*(?:%|(?:per\s?cent|pounds?|dollars?|euros?|pence|cents?|kg|km|miles?"
    r"|met(?:re|er)s?|lit(?:re|er)s?)\b))",
    re.I,
)
"""23:15, 8.30, 10.45pm (not a price "£8.30", not a decimal "8.305" or a share "2.50%")."""
_MERIDIEM = re.compile(r"(?<![\w.£$€])(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)(?!\w)", re.I)
"""9am, 7 pm."""
_PAST = re.compile(
    r"\b(half|quarter|ten|five|twenty|twenty-five|twenty five)\s+(past|to)\s+" + _HOUR + r"\b",
    re.I,
)
"""half past eight, quarter to nine, ten past six."""
_OCLOCK = re.compile(r"\b" + _HOUR + r"\s+o['\u2019]clock\b", re.I)
_NAMED_RE = re.compile(r"\b(noon|midday|midnight)\b", re.I)
"""noon, midnight: twelve o'clock."""
_PAST_MINUTES = {"half": 30, "quarter": 15, "ten": 10, "five": 5, "twenty": 20}


_HAS_DIGIT = re.compile(r"\d")
_TO_HOUR = re.compile(r"(?:half|quarter|ten|five|twenty)\s+to\s")
"""Cheap tests run before the patterns (most sentences state no time at all)."""


def _hour(token: str) -> int | None:
    h = int(token) if token.isdigit() else _HOUR_WORDS.get(token.lower())
    return h if h is not None and 0 <= h <= 24 else None


def time_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, minutes on a twelve-hour face) of every time of day stated in ``text``."""
    out: list[tuple[int, int, int]] = []
    digits = _HAS_DIGIT.search(text) is not None
    if digits and (":" in text or "." in text):
        for m in _DIGITS.finditer(text):
            h, mins = int(m.group(1)), int(m.group(2))
            if h <= 24 and mins < 60:
                out.append((m.start(), m.end(), (h % 12) * 60 + mins))
    low = text.lower()
    if digits and ("am" in low or "pm" in low or "a.m" in low or "p.m" in low):
        for m in _MERIDIEM.finditer(text):
            h = int(m.group(1))
            if 1 <= h <= 12:
                out.append((m.start(), m.end(), (h % 12) * 60))
    if " past " in low or (" to " in low and _TO_HOUR.search(low)):
        for m in _PAST.finditer(text):
            h = _hour(m.group(3))
            if h is None:
                continue
            part = m.group(1).lower().replace("-", " ")
            mins = 25 if part == "twenty five" else _PAST_MINUTES[part]
            at = (h % 12) * 60 + (mins if m.group(2).lower() == "past" else -mins)
            out.append((m.start(), m.end(), at % 720))
    if "clock" in low:
        for m in _OCLOCK.finditer(text):
            h = _hour(m.group(1))
            if h is not None:
                out.append((m.start(), m.end(), (h % 12) * 60))
    if "noon" in low or "midday" in low or "midnight" in low:
        out.extend((m.start(), m.end(), 0) for m in _NAMED_RE.finditer(text))
    return out


def clock_times(text: str) -> frozenset[int]:
    """Times of day stated in ``text``, as minutes on a twelve-hour face."""
    return frozenset(t for _, _, t in time_spans(text))


def _keyed(
    spans: list[tuple[int, int, int]], mark: str, skip: tuple[tuple[int, int], ...]
) -> frozenset[str]:
    """Values of ``spans`` as word-like keys ("@675"), those starting inside one of the ``skip``
    spans left out."""
    return frozenset(f"{mark}{v}" for a, _, v in spans if not any(lo <= a < hi for lo, hi in skip))


def clock_keys(text: str, skip: tuple[tuple[int, int], ...] = ()) -> frozenset[str]:
    """:func:`clock_times` as word-like keys ("@675"), to sit beside words in a set of values;
    times starting inside one of the ``skip`` spans left out."""
    return _keyed(time_spans(text), "@", skip)


_SMALL_NUMBER = "|".join(sorted((w for w in NUMBER_WORDS if w != "hundred"), key=len, reverse=True))
_UNIT = r"(?:pounds?|quid|dollars?|euros?|bucks)"
_SYMBOL_SUM = re.compile(r"[£$€]\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?(?![\d.]\d)")
"""£1.50, $12, €1,200."""
_DIGIT_SUM = re.compile(
    r"(?<![\w.£$€])(\d+)(?:\.(\d{2}))?\s*"
    + _UNIT
    + r"(?:\s+(?:and\s+)?(\d{1,2})(?:\s*(?:p|pence|cents?))?)?\b",
    re.I,
)
"""1.50 pounds, 3 dollars 20."""
_PENCE = re.compile(r"(?<![\w.£$€])(\d{1,3})\s*(?:p|pence|cents?)\b", re.I)
"""50p, 75 cents."""
_WORD_SUM = re.compile(
    r"\b(a|"
    + _SMALL_NUMBER
    + r")\s+"
    + _UNIT
    + r"(?:\s+(?:and\s+)?("
    + _SMALL_NUMBER
    + r"|\d{1,2})"
    r"(?:\s+(?:p|pence|cents?))?)?\b",
    re.I,
)
"""one pound fifty, a pound, ten dollars and twenty cents."""
_WORD_PENCE = re.compile(r"\b(" + _SMALL_NUMBER + r")\s+(?:pence|cents?)\b", re.I)
"""fifty pence."""


def _count(token: str) -> int:
    """A number written in digits, as a word, or "a"."""
    return (
        int(token)
        if token.isdigit()
        else (1 if token.lower() == "a" else NUMBER_WORDS[token.lower()])
    )


_UNIT_AT = re.compile(r"(?:pounds?|quid|dollars?|euros?|bucks)\b", re.I)
_PENCE_AT = re.compile(r"(?:pence|cents?)\b", re.I)
_DIGIT_P = re.compile(r"\d\s*[pPcC]")
"""A cheap test for "50p" or "75 cents" before the pattern runs."""
_REACH = (16, 40)
"""Characters before and after a unit word within which its sum is written."""


def _near(rx: re.Pattern[str], text: str, anchors: re.Pattern[str]) -> list[re.Match[str]]:
    """Matches of ``rx`` around the matches of ``anchors`` (a unit word): a long text is not
    scanned word by word for number words."""
    found: dict[int, re.Match[str]] = {}
    for u in anchors.finditer(text):
        lo, hi = max(0, u.start() - _REACH[0]), min(len(text), u.end() + _REACH[1])
        for m in rx.finditer(text, lo, hi):
            found.setdefault(m.start(), m)
    return [found[k] for k in sorted(found)]


def money_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, hundredths) of every sum of money stated in ``text``."""
    out: list[tuple[int, int, int]] = []
    if "£" in text or "$" in text or "€" in text:
        for m in _SYMBOL_SUM.finditer(text):
            whole = int(m.group(1).replace(",", ""))
            out.append((m.start(), m.end(), whole * 100 + int(m.group(2) or 0)))
    low = text.lower()
    if any(u in low for u in ("pound", "quid", "dollar", "euro", "buck")):
        for m in _near(_DIGIT_SUM, text, _UNIT_AT):
            cents = int(m.group(2) or 0) or int(m.group(3) or 0)
            out.append((m.start(), m.end(), int(m.group(1)) * 100 + cents))
        for m in _near(_WORD_SUM, text, _UNIT_AT):
            cents = _count(m.group(2)) if m.group(2) else 0
            out.append((m.start(), m.end(), _count(m.group(1)) * 100 + cents))
    taken = [(a, b) for a, b, _ in out]
    pence = [*_PENCE.finditer(text)] if _DIGIT_P.search(text) else []
    if "pence" in low or "cent" in low:
        pence.extend(_near(_WORD_PENCE, text, _PENCE_AT))
    for m in pence:
        if not any(a <= m.start() < b for a, b in taken):
            out.append((m.start(), m.end(), _count(m.group(1))))
    return out


def money_keys(text: str, skip: tuple[tuple[int, int], ...] = ()) -> frozenset[str]:
    """Sums of money in ``text`` as word-like keys ("$150" for £1.50), to sit beside words in a
    set of values; sums starting inside one of the ``skip`` spans left out."""
    return _keyed(money_spans(text), "$", skip)


_MONTH_NAMES = [
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
_MONTH = (
    r"("
    + "|".join(m.capitalize() for m in _MONTH_NAMES)
    + r"|"
    + "|".join(m[:3].capitalize() for m in _MONTH_NAMES)
    + r"|Sept)\b\.?"
)
_MONTH_INDEX = {name[:3]: k + 1 for k, name in enumerate(_MONTH_NAMES)}
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_DAY_MONTH = re.compile(r"\b" + _DAY + r"\s+(?:of\s+)?" + _MONTH)
"""21 June, 21st of June, 3 Sept."""
_MONTH_DAY = re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r"\b(?!\s*[:.]\d)")
"""June 21, June 21st (not "May 10:30")."""


def date_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, month * 100 + day) of every day-and-month date stated in ``text``."""
    out: list[tuple[int, int, int]] = []
    if _HAS_DIGIT.search(text) is None:
        return out
    for rx, day_at in ((_DAY_MONTH, 1), (_MONTH_DAY, 2)):
        for m in rx.finditer(text):
            day = int(m.group(day_at))
            month = _MONTH_INDEX[m.group(3 - day_at)[:3].lower()]
            if 1 <= day <= 31:
                out.append((m.start(), m.end(), month * 100 + day))
    return out


def date_keys(text: str, skip: tuple[tuple[int, int], ...] = ()) -> frozenset[str]:
    """Dates in ``text`` as word-like keys ("#621" for 21 June); dates starting inside one of
    the ``skip`` spans left out."""
    return _keyed(date_spans(text), "#", skip)


_DURATION = re.compile(
    r"\b(?:(?P<half>half an hour)|(?P<quarter>(?:a\s+)?quarter of an hour)"
    r"|(?P<hour_half>an hour and a half)|(?P<an_hour>an hour)"
    r"|(?P<n>\d{1,3}|" + _SMALL_NUMBER + r")(?P<and_half>\s+and\s+a\s+half)?\s*"
    r"(?P<unit>hours?|hrs?|h|minutes?|mins?))\b",
    re.I,
)
"""half an hour, an hour and a half, 90 minutes, two hours, 2 and a half hours."""


_HOURS_MINUTES = re.compile(
    r"\b(\d{1,2}|" + _SMALL_NUMBER + r")\s*(?:hours?|hrs?|h)\s*(?:and\s+)?"
    r"(\d{1,2}|" + _SMALL_NUMBER + r")\s*(?:minutes?|mins?)\b",
    re.I,
)
"""two hours and ten minutes, 2 h 10 min: one length."""


def durations(text: str) -> list[int]:
    """Lengths of time stated in ``text``, in minutes ("two hours and ten minutes" is 130, and
    its parts 120 and 10)."""
    out: list[int] = []
    low = text.lower()
    if "hour" not in low and "min" not in low and "hr" not in low and " h" not in low:
        return out
    out.extend(_count(m.group(1)) * 60 + _count(m.group(2)) for m in _HOURS_MINUTES.finditer(text))
    for m in _DURATION.finditer(text):
        if m.group("half"):
            out.append(30)
        elif m.group("quarter"):
            out.append(15)
        elif m.group("hour_half"):
            out.append(90)
        elif m.group("an_hour"):
            out.append(60)
        else:
            n = _count(m.group("n"))
            per = 60 if m.group("unit").lower().startswith("h") else 1
            out.append(n * per + (per // 2 if m.group("and_half") else 0))
    return out


def value_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of every time of day, sum of money and date in ``text``; keys as
    :func:`clock_keys`, :func:`money_keys` and :func:`date_keys` write them."""
    return [
        (a, b, f"{mark}{v}")
        for spans, mark in (
            (time_spans(text), "@"),
            (money_spans(text), "$"),
            (date_spans(text), "#"),
        )
        for a, b, v in spans
    ]


_DAY_LENGTH = re.compile(
    r"\b(?:(?P<fortnight>a fortnight)|(?P<a>an?|one)\s+(?P<u1>day|week)"
    r"|(?P<n>\d{1,3}|" + _SMALL_NUMBER + r")\s+(?P<u2>days|weeks))\b",
    re.I,
)
"""a week, two days, 10 days, a fortnight."""


def day_lengths(text: str) -> list[int]:
    """Lengths of days or weeks stated in ``text``, in days."""
    out: list[int] = []
    low = text.lower()
    if "day" not in low and "week" not in low and "fortnight" not in low:
        return out
    for m in _DAY_LENGTH.finditer(text):
        if m.group("fortnight"):
            out.append(14)
        elif m.group("a"):
            out.append(7 if m.group("u1").lower() == "week" else 1)
        else:
            n = _count(m.group("n"))
            out.append(n * 7 if m.group("u2").lower() == "weeks" else n)
    return out


def shift_date(key: int, days: int) -> int:
    """A date (month * 100 + day, as :func:`date_spans` gives it) moved by ``days``."""
    try:
        d = dt.date(2001, key // 100, key % 100) + dt.timedelta(days=days)
    except ValueError:
        return key
    return d.month * 100 + d.day
