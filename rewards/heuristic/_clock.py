"""Times of day however they are written: "22:45", "10.45pm", "half past eight", "noon".

A timetable says "23:15", a memory "11.15pm", an answer "quarter past eleven": the same time.
Each is read as minutes on a twelve-hour face (0-719), so that "20:30" and "half past eight" meet;
whether a text means morning or evening is rarely in doubt within one question.
"""

from __future__ import annotations

import re

from rewards.heuristic._text import NUMBER_WORDS

__all__ = ["clock_keys", "clock_times", "time_spans"]

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
_NAMED = {"noon": 0, "midday": 0, "midnight": 0}
_NAMED_RE = re.compile(r"\b(noon|midday|midnight)\b", re.I)
_PAST_MINUTES = {"half": 30, "quarter": 15, "ten": 10, "five": 5, "twenty": 20}


def _hour(token: str) -> int | None:
    h = int(token) if token.isdigit() else _HOUR_WORDS.get(token.lower())
    return h if h is not None and 0 <= h <= 24 else None


def time_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, minutes on a twelve-hour face) of every time of day stated in ``text``."""
    out: list[tuple[int, int, int]] = []
    if ":" in text or "." in text:
        for m in _DIGITS.finditer(text):
            h, mins = int(m.group(1)), int(m.group(2))
            if h <= 24 and mins < 60:
                out.append((m.start(), m.end(), (h % 12) * 60 + mins))
    low = text.lower()
    if "am" in low or "pm" in low or "a.m" in low or "p.m" in low:
        for m in _MERIDIEM.finditer(text):
            h = int(m.group(1))
            if 1 <= h <= 12:
                out.append((m.start(), m.end(), (h % 12) * 60))
    if " past " in low or " to " in low:
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


def clock_keys(text: str, skip: tuple[tuple[int, int], ...] = ()) -> frozenset[str]:
    """:func:`clock_times` as word-like keys ("@675"), to sit beside words in a set of values;
    times starting inside one of the ``skip`` spans left out."""
    return frozenset(
        f"@{t}" for a, _, t in time_spans(text) if not any(lo <= a < hi for lo, hi in skip)
    )
