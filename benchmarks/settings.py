"""The ten canonical MemRewardBench settings and the mapping from every published naming scheme.

The paper (arXiv 2601.11969) reports ten settings in three task groups:

* LCR (long-context reasoning): Sequential-Noise, Sequential-Drop, Mixed-Noise, Mixed-Drop
* MTD (multi-turn dialogue):    Mem0-Out, Mem0-Mem, A-Mem-Out, A-Mem-Mem
* LFG (long-form generation):   LongForm-Sequential, LongForm-Parallel

Published copies of the data name them in several ways: ``task`` values such as ``P-Noise``,
``S-Drop``, ``Mem0-MEM``, ``parallel``, ``parallel-self_correct``; ``subtask`` values such as
``qa7-parallel3-self_correct``, ``mem0_locomo_hard``, ``longeval_wikipedia_sequantial`` (sic).
:func:`canonical_setting` reads the clues both fields carry (family, pattern, variant) and returns
the canonical name, or :data:`UNMAPPED` when the clues are missing or contradict each other, so a
record is never dropped silently and never mislabelled.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = [
    "LENGTHS",
    "SETTINGS",
    "TASK_GROUPS",
    "UNMAPPED",
    "Setting",
    "TaskGroup",
    "canonical_length",
    "canonical_setting",
    "task_group",
]

Setting = Literal[
    "Sequential-Noise",
    "Sequential-Drop",
    "Mixed-Noise",
    "Mixed-Drop",
    "Mem0-Out",
    "Mem0-Mem",
    "A-Mem-Out",
    "A-Mem-Mem",
    "LongForm-Sequential",
    "LongForm-Parallel",
]
"""A canonical setting name, as in the paper's tables."""

TaskGroup = Literal["LCR", "MTD", "LFG"]
"""Long-context reasoning, multi-turn dialogue, long-form generation."""

SETTINGS: tuple[Setting, ...] = (
    "Sequential-Noise",
    "Sequential-Drop",
    "Mixed-Noise",
    "Mixed-Drop",
    "Mem0-Out",
    "Mem0-Mem",
    "A-Mem-Out",
    "A-Mem-Mem",
    "LongForm-Sequential",
    "LongForm-Parallel",
)
"""The ten settings in the paper's column order."""

TASK_GROUPS: dict[TaskGroup, tuple[Setting, ...]] = {
    "LCR": SETTINGS[0:4],
    "MTD": SETTINGS[4:8],
    "LFG": SETTINGS[8:10],
}
"""Which settings each task average covers."""

LENGTHS: tuple[str, ...] = ("8k", "16k", "32k", "64k", "128k")
"""The five context lengths, shortest first."""

UNMAPPED = "unmapped"
"""The bucket of records whose naming matches no canonical setting."""

_Family = Literal["reasoning", "mem0", "amem", "longform"]
_Pattern = Literal["sequential", "parallel"]
_Variant = Literal["noise", "drop", "out", "mem"]


def _clues(value: str) -> tuple[set[_Family], set[_Pattern], set[_Variant]]:
    """Family / pattern / variant clues in one naming field (case- and separator-insensitive)."""
    text = value.strip().lower()
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w]
    joined = "_".join(words)
    fam: set[_Family] = set()
    pat: set[_Pattern] = set()
    var: set[_Variant] = set()
    if joined.startswith("a_mem"):
        fam.add("amem")
        words = words[2:]  # the "mem" of "A-Mem" is the family, not the Mem variant
    elif joined.startswith("amem"):
        fam.add("amem")
        words = words[1:]
    elif joined.startswith("mem0"):
        fam.add("mem0")
    if (
        any(w.startswith(("longeval", "longform", "longgen")) for w in words)
        or "long_form" in joined
    ):
        fam.add("longform")
    if any(
        w in ("babi", "babilong", "longmit", "docqa", "hotpotqa") or re.fullmatch(r"qa\d+", w)
        for w in words
    ):
        fam.add("reasoning")
    for w in words:
        if w.startswith("parallel") or w == "mixed" or w == "p":
            pat.add("parallel")
        elif w.startswith(("sequential", "sequantial")) or w == "s":
            pat.add("sequential")
    if "self_correct" in joined or "noise" in words:
        var.add("noise")
    if "wrong_answer" in joined or "drop" in words:
        var.add("drop")
    if "hard" in words or "mem" in words:
        var.add("mem")
    if "easy" in words or "out" in words:
        var.add("out")
    if var & {"noise", "drop"}:
        fam.add("reasoning")
    return fam, pat, var


def canonical_setting(
    task: str | None, subtask: str | None = None, *, file_name: str | None = None
) -> str:
    """Map a record's ``task``/``subtask`` naming to a canonical setting, else :data:`UNMAPPED`.

    ``file_name`` (optional) disambiguates a bare ``parallel``/``sequential`` task: in the
    long-form file it is a LongForm setting (that is also the default for a bare pattern name).

    >>> canonical_setting("P-Noise", "qa7-parallel3-self_correct")
    'Mixed-Noise'
    >>> canonical_setting("Mem0-MEM", "mem0_locomo_hard")
    'Mem0-Mem'
    >>> canonical_setting("sequential", "longeval_wikipedia_sequantial")
    'LongForm-Sequential'
    >>> canonical_setting("mystery")
    'unmapped'
    """
    fam: set[_Family] = set()
    pat: set[_Pattern] = set()
    var: set[_Variant] = set()
    for value in (task, subtask):
        if value:
            f, p, v = _clues(value)
            fam |= f
            pat |= p
            var |= v
    if not fam and not var and pat and (file_name is None or "form" in file_name.lower()):
        fam.add("longform")  # a bare `parallel` / `sequential` task: the long-form file
    if len(fam) != 1 or len(pat) > 1 or len(var) > 1:
        return UNMAPPED
    family = next(iter(fam))
    pattern = next(iter(pat)) if pat else None
    variant = next(iter(var)) if var else None
    if family == "reasoning":
        if pattern is None or variant not in ("noise", "drop"):
            return UNMAPPED
        return f"{'Mixed' if pattern == 'parallel' else 'Sequential'}-{variant.capitalize()}"
    if family in ("mem0", "amem"):
        if variant not in ("out", "mem"):
            return UNMAPPED
        return f"{'Mem0' if family == 'mem0' else 'A-Mem'}-{variant.capitalize()}"
    if pattern is None or variant is not None:
        return UNMAPPED
    return f"LongForm-{pattern.capitalize()}"


def task_group(setting: str) -> TaskGroup | None:
    """LCR / MTD / LFG for a canonical setting; ``None`` for unmapped."""
    for group, members in TASK_GROUPS.items():
        if setting in members:
            return group
    return None


def canonical_length(value: object) -> str:
    """Normalise a ``ctx_length`` value (``"8k"``, ``"8K"``, ``8192``, ``"8192"``) to ``8k``…``128k``.

    Values that are not one of the five lengths are returned as a clean string (``"4k"``), and a
    missing value as ``"unknown"``, so they get their own bucket.
    """
    if value is None or value == "":
        return "unknown"
    text = str(value).strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+", text):
        n = int(text)
        k = round(n / 1024) if n >= 1024 else 0
        return f"{k}k" if k and abs(n - k * 1024) <= 0.05 * k * 1024 else text
    m = re.fullmatch(r"(\d+)k(?:tokens?)?", text)
    if m:
        return f"{int(m.group(1))}k"
    return text
