"""Running totals: a count the memory worked out must include every change the context gives.

A "how many / how much / how long ..." question over a story of changes ("held 200 litres", "30 leaked",
"50 were added") is answered by a running total. A memory that stops folding changes in keeps a
total that was true once (170) and is wrong now (220): the stale-value detector cannot see it,
because neither number is written in the context. This detector explains each number of the
answer's memory as a signed sum of the context's amounts of the same unit (litres with litres,
books with books) and counts the amounts, later than the first one used, that the best
explanation leaves out and that the memory does not state on its own. The signs are searched,
not read from verbs, so no list of "increase" and "decrease" words is needed.
"""

from __future__ import annotations

import itertools
import re

from rewards.heuristic._question import QuestionFacts
from rewards.heuristic._text import NUMBER_WORDS, STOPWORDS, stem

__all__ = ["MULTIPLIERS", "missed_changes", "quantities", "total_explanation"]

_QUANTITY_QUESTION = re.compile(
    r"\bhow (?:many|much|long|far|tall|high|heavy|deep|wide|big)\b|\btotal\b|\bnumber of\b", re.I
)
"""A question asking for an amount: a count, or a size in units ("How long is the walk now?")."""
_WORD_NUMBERS = {w: float(v) for w, v in NUMBER_WORDS.items() if w != "one"} | {"dozen": 12.0}
"""Number words as amounts; not "one", which in prose is mostly a pronoun ("no one")."""
MULTIPLIERS = {"doubled": 2.0, "twice": 2.0, "tripled": 3.0, "trebled": 3.0, "quadrupled": 4.0}
"""Words that multiply an amount ("the number of drivers doubled"): a factor, as an amount."""
_WORD_NUMBERS |= MULTIPLIERS
_TOKEN = re.compile(
    r"\d+(?:st|nd|rd|th)\b|\d+(?::\d+)+|\d+(?:[.,]\d+)?|[A-Za-z][\w'\u2019\-]*|[.!?;,\n]"
)
_CLOCK_BEFORE = frozenset(("at", "by", "until", "till", "from", "before", "after", "around"))
_CLOCK_AFTER = frozenset(("am", "pm", "o'clock", "oclock", "hours", "minutes", "percent"))
_SHORT_STORY = 40
"""Sentences (roughly) up to which every amount of the context may count as a change."""
_MAX_AMOUNTS = 8
"""Amounts of one unit searched (3**8 sign/leave-out patterns at most)."""
_UNIT_SPAN = 2
"""Words after a number that may name its unit ("10 donated books")."""


Amount = tuple[int, float, frozenset[str]]
"""(position in the text, value, stems of the unit words after it)."""


def quantities(text: str) -> list[Amount]:
    """Numbers of ``text`` with the words after them; clock times, years and ordinals skipped."""
    matches = list(_TOKEN.finditer(text))
    toks = [m.group(0) for m in matches]
    out: list[Amount] = []
    for i, tok in enumerate(toks):
        low = tok.lower()
        if ":" in tok or (tok[0].isdigit() and tok[-1].isalpha()):
            continue  # a clock time, or an ordinal ("the 16th")
        prev = toks[i - 1].lower() if i else ""
        after = toks[i + 1].lower() if i + 1 < len(toks) else ""
        at = matches[i].start()
        money = at > 0 and text[at - 1] in "£$€"
        if not money and (
            after in _CLOCK_AFTER
            or (prev in _CLOCK_BEFORE and (not after[:1].isalpha() or after in STOPWORDS))
        ):
            continue  # "3 pm", "at ten.", "at nine on Sunday": a time ("at 300 pounds", "by £5" is not)
        if tok[0].isdigit():
            value = float(tok.replace(",", ""))
            if len(tok) == 4 and 1800 <= value <= 2100:
                continue  # a year
        elif low in _WORD_NUMBERS:
            value = _WORD_NUMBERS[low]
        else:
            continue
        unit: set[str] = set()
        for nxt in toks[i + 1 : i + 1 + _UNIT_SPAN]:
            if nxt in ".!?;,\n" or nxt[0].isdigit():
                break
            w = nxt.lower()
            if w not in STOPWORDS and w not in _WORD_NUMBERS:
                unit.add(stem(w))
        out.append((i, value, frozenset(unit)))
    return out


def _context_amounts(q: QuestionFacts) -> list[Amount]:
    hit = q.derived.get("context_amounts")
    if hit is None:
        hit = q.derived["context_amounts"] = quantities(q.context)
    return hit  # type: ignore[return-value]


def _best_explanation(value: float, amounts: list[float]) -> set[int] | None:
    """Indexes of the amounts whose signed sum is ``value`` (the first one used counts
    positive: it is the starting level): one starting from the story's first amount if any
    does, and of those the one using most amounts; None when no combination gives ``value``."""
    best: set[int] | None = None
    rank = (False, 0)
    n = len(amounts)
    for pattern in itertools.product((0, 1, -1), repeat=n):
        used = [k for k in range(n) if pattern[k]]
        if not used or pattern[used[0]] != 1:
            continue
        key = (used[0] == 0, len(used))
        if best is not None and key <= rank:
            continue
        if abs(sum(pattern[k] * amounts[k] for k in used) - value) < 1e-6:
            best, rank = set(used), key
    return best


_MAX_PRODUCT = 6
"""Amounts of one unit up to which a product of two of them is tried as one term."""


def _explain(value: float, amounts: list[float]) -> set[int] | None:
    """:func:`_best_explanation`, or failing that one in which two amounts multiply into a
    single term ("5 crates of 12 jars, 7 broke" -> 5 * 12 - 7 = 53): indexes into ``amounts``."""
    used = _best_explanation(value, amounts)
    if used is not None or len(amounts) > _MAX_PRODUCT:
        return used
    for i, j in itertools.combinations(range(len(amounts)), 2):
        merged = [v for k, v in enumerate(amounts) if k != j]
        merged[i] = amounts[i] * amounts[j]
        found = _best_explanation(value, merged)
        if found is not None and i in found:
            return {k if k < j else k + 1 for k in found} | {j}
    return None


def missed_changes(memories: list[str], q: QuestionFacts) -> float | None:
    """Changes of the asked quantity that the memory's worked-out total leaves out.

    None when the question does not ask for a quantity, the context holds fewer than two amounts
    of the memory number's unit, or no number of the memory is a signed sum of them (the
    detector has nothing to say). Of the memory's numbers, the one explained by the most
    amounts is its total; amounts after the first one it uses, neither folded into it nor
    stated elsewhere in the memory, are missed.
    """
    found = total_explanation(memories, q)
    return None if found is None else found[0]


def total_explanation(
    memories: list[str], q: QuestionFacts
) -> tuple[float, frozenset[float]] | None:
    """(changes missed, amounts folded in) of the memory's worked-out total; see
    :func:`missed_changes`. The amounts folded in are values of the context the memory holds in
    worked form ("walk now 7 miles" folds in the 10 miles and the 3 it was shortened by); none
    when the total is a single amount as stated or misses a change."""
    asked = _QUANTITY_QUESTION.search(q.query)
    if not asked or q.statements:
        return None
    # a size ("how long", "how far") is measured in its unit: other amounts are not changes
    size = asked.group(0).lower().split()[-1] not in ("many", "much", "total", "of")
    ctx = _context_amounts(q)
    if len(ctx) < 2:
        return None
    short = len(ctx) <= _MAX_AMOUNTS and q.context.count(".") <= _SHORT_STORY
    text = "\n".join(memories)
    held = quantities(text)
    query_units = {stem(w) for w in q.query_words}
    best_used = 0
    verdict: tuple[float, frozenset[float]] | None = None
    for pos, value, unit in held:
        want = unit | query_units  # ("40 put out" in a memory about buns counts buns)
        same = [a for a in ctx if a[2] & want]
        if short and len(same) < len(ctx) and not size:
            # a short story: every amount may be one of the changes ("9 riders arrived" adds
            # guests), whatever word follows it
            same = ctx
        if not 2 <= len(same) <= _MAX_AMOUNTS:
            continue  # (too many amounts of one unit: a list, not one quantity's story)
        used = _explain(value, [a[1] for a in same])
        if used is None or len(used) < best_used:
            continue
        others = {v for p, v, _ in held if p != pos}
        first = min(used)
        missed = sum(
            1 for k in range(first + 1, len(same)) if k not in used and same[k][1] not in others
        )
        best_used = len(used)
        # amounts count as folded in only into a total worked out from several of them that
        # misses no later change (a stale total does not hold what it once folded in)
        folded = (
            frozenset(same[k][1] for k in used) if len(used) > 1 and not missed else frozenset()
        )
        verdict = (float(missed), folded)
    return verdict
