"""What a benchmark file looks like: the statistics a faithful suite must share with the real data.

    from benchmarks.shape import pair_shape, surface_rules
    shapes = [pair_shape(r) for r in load_records(["suite/"])]
    print(surface_rules(shapes))

Every figure here is measured from the records' text, never from ``meta`` (published files and
ours carry different ``meta``), so the same code measures the published records, the bundled
suite, a fresh seed or a user's own pairs:

* **size**: cl100k_base tokens of the question and of each trajectory; ``pair_ratio`` is the whole
  pair (question + chosen + rejected) over the nominal length. In the published data
  ``ctx_length`` measures the whole pair: the question is a small share of it.
* **reasoning**: wrong-update blocks per side, whether the two sides are identical outside
  their ``<wrong_updated_memories>`` blocks (how the published Noise pairs were built), the
  largest committed memory in tokens.
* **dialogue**: what the memory store is -- ``empty``, ``dump`` (most entries are verbatim lines
  of the conversation) or ``distilled``.
* **long-form**: whether the question carries a JSON plan, ``#*#``-separated units, or bullets.

:func:`surface_rules` scores trivial rules (length, line count, wrong-block count) per setting:
a suite is only as hard as the best of them allows, and it should allow what the real data allows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from agentmem.tokens import count_tokens

__all__ = [
    "SURFACE_RULES",
    "PairShape",
    "StoreKind",
    "nominal_tokens",
    "pair_shape",
    "store_kind",
    "surface_rules",
    "wrong_blocks",
]

StoreKind = Literal["empty", "dump", "distilled"]
"""What a dialogue memory store holds."""

_WRONG = re.compile(r"<wrong_updated_memories>(.*?)</wrong_updated_memories>", re.S)
_UPDATED = re.compile(r"<updated_memory>(.*?)</updated_memory>", re.S)
_MEMORY_FIELD = re.compile(r"""['"]memory['"]\s*:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")""")
_NOTE_CONTENT = re.compile(r"^\s*(?:Content|Note)\s*:\s*(.+)$", re.M)
_NO_WRONG = "no wrong updated memory"
_BARE_NOTE = re.compile(r"^Keywords:\s*\[\]\s*\nTags:\s*\[\]", re.M)
_STAMP = re.compile(r"^\[[^\]]{5,40}\]\s*")


def nominal_tokens(length: str) -> int | None:
    """``"8k"`` -> 8192; None for a length that is not a number of k."""
    m = re.fullmatch(r"(\d+)k", length.strip().lower())
    return int(m.group(1)) * 1024 if m else None


def wrong_blocks(trajectory: str) -> int:
    """``<wrong_updated_memories>`` blocks that carry a rejected attempt (not the placeholder)."""
    return sum(
        1
        for m in _WRONG.finditer(trajectory)
        if m.group(1).strip() and m.group(1).strip().lower() != _NO_WRONG
    )


def _without_wrong(trajectory: str) -> str:
    return _WRONG.sub("<wrong_updated_memories></wrong_updated_memories>", trajectory)


def _store_entries(store: str) -> list[str]:
    found = [a or b for a, b in _MEMORY_FIELD.findall(store)]
    if found:
        return found
    notes = _NOTE_CONTENT.findall(store)
    if notes:
        return notes
    return [ln for ln in store.splitlines() if ln.strip()]


def store_kind(store: str, conversation: str) -> StoreKind:
    """``empty``; ``dump``: at least 80% of the entries are verbatim lines of the conversation
    (with or without their ``[timestamp]`` prefix) -- for A-Mem notes, which keep each message
    verbatim by design, at least 80% of the notes carry neither keywords nor tags; else
    ``distilled``."""
    entries = [e.strip() for e in _store_entries(store) if e.strip()]
    if not entries:
        return "empty"
    bare_notes = len(_BARE_NOTE.findall(store))
    if _NOTE_CONTENT.search(store) and not _MEMORY_FIELD.search(store):
        return "dump" if bare_notes >= 0.8 * len(entries) else "distilled"
    lines = {ln.strip() for ln in conversation.splitlines() if ln.strip()}
    lines |= {_STAMP.sub("", ln, count=1) for ln in lines}
    verbatim = sum(1 for e in entries if e.replace("\\'", "'") in lines)
    return "dump" if verbatim >= 0.8 * len(entries) else "distilled"


@dataclass(frozen=True, kw_only=True)
class PairShape:
    """The measured shape of one pair."""

    setting: str
    length: str
    question_tokens: int
    chosen_tokens: int
    rejected_tokens: int
    chosen_lines: int
    rejected_lines: int
    pair_ratio: float | None
    """(question + chosen + rejected) tokens / nominal length; None for a non-numeric length."""
    wrong_chosen: int
    wrong_rejected: int
    same_outside_wrong: bool | None
    """Reasoning pairs: identical once the wrong-update blocks are emptied; None otherwise."""
    max_memory_tokens: int
    """Largest ``<updated_memory>`` of either side (0 when the layout has none)."""
    store_chosen: StoreKind | None
    store_rejected: StoreKind | None
    plan: Literal["json", "units", "bullets", "none"] | None
    """Long-form: the shape of the instruction's plan."""

    @property
    def question_share(self) -> float:
        """Question tokens / whole-pair tokens."""
        total = self.question_tokens + self.chosen_tokens + self.rejected_tokens
        return self.question_tokens / total if total else 0.0


def _plan(question: str) -> Literal["json", "units", "bullets", "none"]:
    if "```json" in question or re.search(r"\{\s*\"[^\"]+\"\s*:", question):
        return "json"
    if "#*#" in question:
        return "units"
    if re.search(r"^\s*-\s+\S", question, re.M):
        return "bullets"
    return "none"


def _conversation(question: str) -> str:
    start = question.find("Conversation:")
    end = question.rfind("Query:")
    return question[start if start >= 0 else 0 : end if end > start else len(question)]


def pair_shape(record: object) -> PairShape:
    """Measure one pair (a :class:`~benchmarks.loaders.Record` or anything with the same fields)."""
    question: str = getattr(record, "question")  # noqa: B009 -- duck-typed on purpose
    chosen: str = getattr(record, "chosen")  # noqa: B009
    rejected: str = getattr(record, "rejected")  # noqa: B009
    setting: str = getattr(record, "setting")  # noqa: B009
    length: str = getattr(record, "length")  # noqa: B009
    q, c, r = count_tokens(question), count_tokens(chosen), count_tokens(rejected)
    nominal = nominal_tokens(length)
    reasoning = "<wrong_updated_memories>" in chosen or "<wrong_updated_memories>" in rejected
    dialogue = setting.startswith(("Mem0", "A-Mem"))
    memories = [m for side in (chosen, rejected) for m in _UPDATED.findall(side)]
    conversation = _conversation(question) if dialogue else ""
    return PairShape(
        setting=setting,
        length=length,
        question_tokens=q,
        chosen_tokens=c,
        rejected_tokens=r,
        chosen_lines=chosen.count("\n") + 1 if chosen else 0,
        rejected_lines=rejected.count("\n") + 1 if rejected else 0,
        pair_ratio=(q + c + r) / nominal if nominal else None,
        wrong_chosen=wrong_blocks(chosen),
        wrong_rejected=wrong_blocks(rejected),
        same_outside_wrong=(_without_wrong(chosen) == _without_wrong(rejected))
        if reasoning
        else None,
        max_memory_tokens=max((count_tokens(m) for m in memories), default=0),
        store_chosen=store_kind(chosen, conversation) if dialogue else None,
        store_rejected=store_kind(rejected, conversation) if dialogue else None,
        plan=_plan(question) if setting.startswith("LongForm") else None,
    )


def _pick(a: int, b: int, smaller: bool) -> bool | None:
    """True: the rule picks chosen (value ``a``); None: it cannot tell (a tie)."""
    if a == b:
        return None
    return (a < b) if smaller else (a > b)


SURFACE_RULES: dict[str, Callable[[PairShape], bool | None]] = {
    "shorter": lambda s: _pick(s.chosen_tokens, s.rejected_tokens, smaller=True),
    "longer": lambda s: _pick(s.chosen_tokens, s.rejected_tokens, smaller=False),
    "fewer-lines": lambda s: _pick(s.chosen_lines, s.rejected_lines, smaller=True),
    "more-lines": lambda s: _pick(s.chosen_lines, s.rejected_lines, smaller=False),
    "fewer-wrong-blocks": lambda s: _pick(s.wrong_chosen, s.wrong_rejected, smaller=True),
}
"""Trivial rules: each returns True when it picks the chosen side, None on a tie."""


def surface_rules(
    shapes: Iterable[PairShape], rules: Sequence[str] = tuple(SURFACE_RULES)
) -> dict[str, dict[str, float]]:
    """Accuracy of each surface rule per setting (a tie counts half, as a coin flip would)."""
    scores: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for s in shapes:
        for name in rules:
            pick = SURFACE_RULES[name](s)
            scores[s.setting][name].append(0.5 if pick is None else float(pick))
    return {
        setting: {name: sum(v) / len(v) for name, v in by_rule.items()}
        for setting, by_rule in sorted(scores.items())
    }
