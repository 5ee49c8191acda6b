"""Pointwise scoring of one memory update for the online path (the gate's number).

The candidate is read as clauses (see ``_pointwise_units``) and checked against what the updater
read: the previous memory, the chunk, and the question. Each problem found multiplies the score
by a factor below 1, so one serious fault is enough to fail a gate at 0.5 however much else is
right, and more faults score lower:

* faithfulness (factor ``exp(-0.8)`` = 0.45 each) -- invented names and numbers (in none of the
  sources), invented claims (clauses whose words are at least half unsupported), unsupported
  claims (real names and numbers that no source sentence puts together with the clause's
  words: a conflated fact), and contradictions (the clause's predicate is in a source sentence
  that gives a different name or number, or the opposite polarity);
* unsupported words -- the share of content words the sources do not hold (``1 - 0.4 x``);
* redundancy (``exp(-0.4)`` = 0.67 each) -- exact or near duplicates the update added;
* dropping -- question-relevant facts of the previous memory lost (``1 - 0.6 x`` on the mean
  share lost) and other facts lost without a reason in the chunk or a replacement
  (``1 - 0.3 x`` on the share of facts);
* keeping what the question needs (document chunks only; a dialogue write stores one fact) --
  the chunk's evidence sentences (``1 - 0.5 x`` on the share of their words missed) and the
  question's names (``1 - 0.3 x``);
* budget -- tokens over the memory budget (``exp(-1.5 x)``, x = overflow / budget);
* an empty candidate when there was something to keep caps the score at 0.05.

Sentences carried over from the previous memory, or copied whole from the chunk, are supported
by construction; commentary on the reading ("this section adds nothing about X") and labelled
conclusions are not claims (see ``_pointwise_units``). ``penalties`` reports ``1 - factor`` per
feature: how much of the score that feature took away; ``examples`` names the offenders.
Deterministic, no I/O; the sources are indexed lazily and memoised per (previous memory, chunk).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from rewards._types import UpdateContext
from rewards.heuristic._answer import extract_answer
from rewards.heuristic._pointwise_units import (
    FILLER_STEMS,
    NUMBER_WORDS,
    ROLE_STEMS,
    SYNONYMS,
    Clause,
    Source,
    Unit,
    analyse_source,
    covered,
    inflected,
    is_conversation,
    split_units,
    verbatim_in,
)
from rewards.heuristic._question import QuestionFacts, analyse_question
from rewards.heuristic._text import _NOT_NAMES, NEGATIONS, STOPWORDS, stem, stems

__all__ = ["POINT_SPECS", "PointSpec", "UpdateScore", "score_update_features"]


@dataclass(frozen=True, kw_only=True)
class PointSpec:
    """How one pointwise feature turns into a multiplicative factor."""

    kind: Literal["count", "share"]
    """``count``: factor ``exp(-rate * v)``; ``share`` (v in [0, 1]): factor ``1 - rate * v``."""
    rate: float
    """Strength of the penalty."""
    describe: str
    """What the feature measures, in words."""


_FAULT = 0.8
POINT_SPECS: dict[str, PointSpec] = {
    "invented_names": PointSpec(kind="count", rate=_FAULT, describe="names no source mentions"),
    "invented_numbers": PointSpec(kind="count", rate=_FAULT, describe="numbers no source states"),
    "invented_claims": PointSpec(
        kind="count", rate=_FAULT, describe="clauses whose words are mostly unsupported"
    ),
    "unsupported_claims": PointSpec(
        kind="count",
        rate=_FAULT,
        describe="clauses whose names no source sentence relates to their words",
    ),
    "contradictions": PointSpec(
        kind="count",
        rate=_FAULT,
        describe="clauses a source sentence contradicts (other name/number, other polarity)",
    ),
    "unsupported_words": PointSpec(
        kind="share", rate=0.4, describe="share of content words no source holds"
    ),
    "dup_sentences": PointSpec(
        kind="count", rate=0.4, describe="exact or near duplicate sentences the update added"
    ),
    "previous_dropped": PointSpec(
        kind="share",
        rate=0.6,
        describe="share of the question-relevant previous facts' words lost",
    ),
    "dropped_unexplained": PointSpec(
        kind="share",
        rate=0.3,
        describe="share of previous facts lost with no reason in the chunk",
    ),
    "chunk_evidence_missed": PointSpec(
        kind="share",
        rate=0.5,
        describe="share of the chunk's question-relevant words not kept",
    ),
    "query_names_lost": PointSpec(
        kind="share", rate=0.3, describe="share of the question's names lost"
    ),
    "over_budget": PointSpec(kind="count", rate=1.5, describe="tokens over budget / budget"),
    "empty": PointSpec(kind="share", rate=0.95, describe="empty memory when there was content"),
}
"""Every pointwise feature, its penalty shape and strength (stated in one place)."""

_EMPTY_CAP = 0.05


@dataclass(kw_only=True)
class UpdateScore:
    """Pointwise score with its breakdown."""

    value: float
    """In [0, 1]."""
    features: dict[str, float]
    """Raw feature values."""
    penalties: dict[str, float]
    """Each feature's penalty in [0, 1]: the share of the score it took away."""
    examples: dict[str, list[str]] = field(default_factory=dict)
    """The offending names, numbers or clauses behind each non-zero feature."""


@dataclass(kw_only=True)
class _Support:
    """The sources of one update, as the clause checks ask about them."""

    src: Source
    q: QuestionFacts
    q_digits: frozenset[str]

    def word(self, w: str) -> bool:
        return self.src.supports(w) or self.q.supports(w)

    def stem(self, st: str) -> bool:
        if self.src.supports_stem(st):
            return True
        qv = self.q.vocab
        return inflected(st, qv) or any(inflected(s, qv) for s in SYNONYMS.get(st, ()))

    def anchor_names(self, c: Clause) -> frozenset[str]:
        """The clause's names a source sentence must hold: not the speaker ("I am Alice"), and
        not a name only the question gives (the question's subject, which a dialogue chunk
        calls "I")."""
        return frozenset(
            n
            for n in c.names
            if n not in self.src.speakers and (self.src.supports(n) or not self.q.supports(n))
        )

    def number(self, n: str) -> bool:
        return n in self.src.numbers or n in self.q_digits


def _question_digits(q: QuestionFacts) -> frozenset[str]:
    hit = q.derived.get("pointwise_digits")
    if hit is None:
        hit = q.derived["pointwise_digits"] = frozenset(q.numbers) | {
            d for w, d in NUMBER_WORDS.items() if w in q.vocab
        }
    return hit  # type: ignore[return-value]


def _anchors(c: Clause, names: frozenset[str], src: Source) -> list[int]:
    """Source sentences holding every name and number of the clause."""
    return src.sentences_with_all(names, c.numbers)


def _check_claim(c: Clause, sup: _Support, ex: dict[str, list[str]]) -> tuple[int, int]:
    """(unsupported claim, contradiction) flags of one non-commentary clause."""
    src = sup.src
    names = sup.anchor_names(c)
    rest = c.need - {stem(n) for n in c.names}
    unsupported = 0
    anchors: list[int] = []
    if names or c.numbers:
        all_real = all(sup.word(n) for n in names) and all(sup.number(n) for n in c.numbers)
        anchors = _anchors(c, names, src)
        if not anchors:
            # Real names/numbers never stated together (a conflation); invented ones are
            # counted as such already.
            unsupported = int(all_real and bool(src.sents))
        elif rest and 2 * max(covered(rest, src.window(i)) for i in anchors) < len(rest):
            unsupported = 1
    # Polarity: the source sentence that best states the clause says the opposite.
    contradiction = int(bool(anchors) and not unsupported and _flipped(c, anchors, src))
    # Another value: the clause's predicate is stated with a different name or number.
    if not contradiction and (unsupported or not anchors) and (names or c.numbers) and rest:
        contradiction = _swapped(c, names, rest, src)
    if unsupported:
        ex.setdefault("unsupported_claims", []).append(c.text)
    if contradiction:
        ex.setdefault("contradictions", []).append(c.text)
    return unsupported, contradiction


def _polarity(c: Clause, sup: _Support, ex: dict[str, list[str]]) -> int:
    """1 when a negated clause denies what its best source sentence affirms."""
    names = sup.anchor_names(c)
    if not (names or c.numbers):
        return 0
    if not _flipped(c, _anchors(c, names, sup.src), sup.src):
        return 0
    ex.setdefault("contradictions", []).append(c.text)
    return 1


def _flipped(c: Clause, anchors: list[int], src: Source) -> bool:
    """Whether the anchor sentence holding 80% of the clause's words (at least two) states it
    with the opposite polarity (in the comma-separated part that holds most of them)."""
    if not anchors or len(c.need) < 2:
        return False
    best = max(anchors, key=lambda i: covered(c.need, src.keys(i)))
    if covered(c.need, src.keys(best)) * 5 < 4 * len(c.need):
        return False
    part = _best_part(src.sents[best], c.need)
    return c.negated != bool(set(part.lower().split()) & NEGATIONS)


def _best_part(sentence: str, need: frozenset[str]) -> str:
    parts = [p for p in sentence.replace(";", ",").split(",") if p.strip()] or [sentence]
    return max(parts, key=lambda p: len(need & stems(p)))


def _swapped(c: Clause, names: frozenset[str], rest: frozenset[str], src: Source) -> int:
    """1 when a source sentence covers at least half the clause's predicate and states a
    different name (a capitalised word) or number in its place."""
    need_hits = max(1, (len(rest) + 1) // 2)
    for i in src.sentences_with_any(rest):
        keys = src.keys(i)
        if covered(rest, keys) < need_hits:
            continue
        nums = {k[1:] for k in keys if k.startswith("#")}
        if c.numbers and nums and not (c.numbers & nums):
            return 1
        if names and not (names & keys):
            others = {
                w.strip(".,!?;:\"'()")
                for w in src.sents[i].split()[1:]
                if w[:1].isupper() and w.strip(".,!?;:\"'()") not in _NOT_NAMES
            }
            others = {w.lower() for w in others if w.isalpha()}
            others -= STOPWORDS | src.speakers
            if any(stem(w) not in ROLE_STEMS for w in others):
                return 1
    return 0


def _near_dups(units: tuple[Unit, ...]) -> tuple[int, list[str]]:
    """Units that repeat an earlier unit of the same field: the same words, or the same content
    stems and numbers in other function words ("Lives in Lisbon" / "The user lives in Lisbon")."""
    seen: set[tuple[object, ...]] = set()
    dups: list[str] = []
    for u in units:
        nums = frozenset().union(*(c.numbers for c in u.clauses))
        if u.commentary or not (u.need or nums):  # labels and notes on the reading are
            continue  # not facts ("The user said:", "The passage follows Anne ...")
        keys = {("norm", u.label, u.norm), ("stems", u.label, u.need, nums)}
        if keys & seen:
            dups.append(u.norm)
        seen |= keys
    return len(dups), dups


def _relevant(need: frozenset[str], qstems: frozenset[str], qents: frozenset[str]) -> bool:
    """A fact is about the question when it names the question's names, or shares two of its
    words -- or, for a generic question with a single content word ("Where is the key?"), that
    word: its subject."""
    return bool(need & qents) or len(need & qstems) >= min(2, len(qstems) or 2)


def _chunk_evidence(
    src: Source, chunk_start: int, qstems: frozenset[str], qents: frozenset[str]
) -> list[frozenset[str]]:
    """Stems of the chunk sentences that share the question's names or two of its words
    (found by searching the source text first: only those sentences are tokenised)."""
    probes = frozenset(s for s in qstems | qents if len(s) >= 3)
    if not probes:
        return []
    out = []
    for i in sorted(src.sentences_with_any(probes)):
        if src.starts[i] < chunk_start:
            continue
        st = frozenset(stems(src.sents[i])) - ROLE_STEMS - FILLER_STEMS
        if _relevant(st, qstems, qents):
            out.append(st)
    return out


def score_update_features(u: UpdateContext) -> UpdateScore:
    """Score one update (pure function: deterministic, no I/O)."""
    q = analyse_question(u.question)
    cand = u.candidate or ""
    text = extract_answer(cand) if u.kind == "answer" else cand
    sup = _Support(
        src=analyse_source(u.previous_memory, u.chunk), q=q, q_digits=_question_digits(q)
    )
    dialogue = is_conversation(u.chunk)
    qstems = frozenset(q.query_words) - ROLE_STEMS - FILLER_STEMS
    qents = frozenset(stem(e) for e in q.query_entities) - ROLE_STEMS
    feats: dict[str, float] = {}
    ex: dict[str, list[str]] = {}

    # Faithfulness, clause by clause.
    units = split_units(text)
    names: set[str] = set()
    nums: set[str] = set()
    prev_units = split_units(u.previous_memory) if u.previous_memory else ()
    prev_norms = {p.norm for p in prev_units}
    invented = unsupported = contradictions = need_total = novel_total = 0
    for unit in units:
        if unit.norm in prev_norms or (u.chunk and verbatim_in(unit.text, u.chunk)):
            # Carried over from the previous memory, or copied whole from the chunk: supported.
            need_total += sum(len(c.need) for c in unit.clauses if not c.commentary)
            continue
        for c in unit.clauses:
            names |= {n for n in c.names if not sup.word(n)}
            nums |= {n for n in c.numbers if not sup.number(n)}
            if c.commentary:
                continue
            novel = [
                st
                for st, w in c.forms
                if not (sup.word(w) or sup.stem(st) or sup.src.shares_prefix(w))
            ]
            need_total += len(c.need)
            novel_total += len(novel)
            if c.need and 2 * len(novel) >= len(c.need):
                invented += 1
                ex.setdefault("invented_claims", []).append(c.text)
                names_c = sup.anchor_names(c)
                if names_c or c.numbers:
                    rest = c.need - {stem(n) for n in c.names}
                    if rest and _swapped(c, names_c, rest, sup.src):
                        contradictions += 1
                        ex.setdefault("contradictions", []).append(c.text)
                continue
            if c.negated:  # an absence is not found in a source; only its polarity is checked
                contradictions += _polarity(c, sup, ex)
                continue
            bad, contra = _check_claim(c, sup, ex)
            unsupported += bad
            contradictions += contra
    feats["invented_names"] = float(len(names))
    feats["invented_numbers"] = float(len(nums))
    feats["invented_claims"] = float(invented)
    feats["unsupported_claims"] = float(unsupported)
    feats["contradictions"] = float(contradictions)
    feats["unsupported_words"] = novel_total / need_total if need_total else 0.0
    if names:
        ex["invented_names"] = sorted(names)
    if nums:
        ex["invented_numbers"] = sorted(nums)

    # Redundancy the update added (duplicates already in the previous memory are not its fault).
    if u.kind != "answer":
        n_dup, dup_texts = _near_dups(units)
        n_prev, _ = _near_dups(prev_units)
        feats["dup_sentences"] = float(max(0, n_dup - n_prev))
        if feats["dup_sentences"]:
            ex["dup_sentences"] = dup_texts

    # Dropping what the previous memory held.
    cand_keys: set[str] = set()
    for unit in units:
        cand_keys |= unit.need
        for c in unit.clauses:
            cand_keys |= {"#" + n for n in c.numbers}
    if u.previous_memory.strip() and u.kind != "answer":
        _dropped(u, units, prev_units, cand_keys, qstems, qents, feats, ex)

    # Keeping what the chunk offers the question (document reading only).
    evidence = (
        _chunk_evidence(sup.src, len(u.previous_memory) + 1, qstems, qents)
        if u.chunk and not dialogue
        else []
    )
    if evidence and u.kind == "update":
        missed = [len((e - qstems) - cand_keys) / max(len(e - qstems), 1) for e in evidence]
        feats["chunk_evidence_missed"] = sum(missed) / len(missed)
    if qents and not dialogue and u.kind != "answer":
        had = {e for e in qents if sup.src.supports_stem(e)}
        if had:
            feats["query_names_lost"] = len(had - cand_keys) / len(had)

    if u.memory_budget_tokens:
        from agentmem.tokens import count_tokens

        n = count_tokens(cand)
        feats["over_budget"] = max(0.0, (n - u.memory_budget_tokens) / u.memory_budget_tokens)
    had_content = bool(evidence) or (bool(u.previous_memory.strip()) and not dialogue)
    feats["empty"] = 1.0 if (not cand.strip() and had_content) else 0.0

    penalties: dict[str, float] = {}
    value = 1.0
    for name, v in feats.items():
        spec = POINT_SPECS[name]
        factor = math.exp(-spec.rate * v) if spec.kind == "count" else 1.0 - spec.rate * min(1.0, v)
        factor = min(1.0, max(0.0, factor))
        penalties[name] = 1.0 - factor
        value *= factor
    if feats["empty"]:
        value = min(value, _EMPTY_CAP)
    return UpdateScore(
        value=min(1.0, max(0.0, value)), features=feats, penalties=penalties, examples=ex
    )


def _dropped(
    u: UpdateContext,
    units: tuple[Unit, ...],
    prev_units: tuple[Unit, ...],
    cand_keys: set[str],
    qstems: frozenset[str],
    qents: frozenset[str],
    feats: dict[str, float],
    ex: dict[str, list[str]],
) -> None:
    """``previous_dropped`` (question-relevant facts, mean share of words lost) and
    ``dropped_unexplained`` (other facts lost with no reason: the chunk does not mention them
    and no new candidate sentence restates their predicate)."""
    prev_norms = {p.norm for p in prev_units}
    new_need: set[str] = set()
    for unit in units:
        if unit.norm not in prev_norms:
            new_need |= unit.need
            new_need |= {"~" + s for st in unit.need for s in SYNONYMS.get(st, ())}
    chunk_src: Source | None = None
    rel_lost: list[float] = []
    unexplained = counted = 0
    for p in prev_units:
        if p.commentary:  # notes on the reading may go once read
            continue
        pn = frozenset().union(*(c.numbers for c in p.clauses))
        keys = p.need | {"#" + n for n in pn}
        if not keys:
            continue
        lost_keys = keys - cand_keys
        lost = len(lost_keys) / len(keys)
        if _relevant(p.need, qstems, qents):
            rel_lost.append(lost)
            if lost >= 0.5:
                ex.setdefault("previous_dropped", []).append(p.norm)
            continue
        counted += 1
        if lost < 0.5:
            continue
        explained = any(s in new_need or "~" + s in new_need for s in p.need)
        if not explained and u.chunk:
            chunk_src = chunk_src or analyse_source("", u.chunk)
            explained = any(chunk_src.supports_stem(s) for s in lost_keys if s[0] != "#")
        if not explained:
            unexplained += 1
            ex.setdefault("dropped_unexplained", []).append(p.norm)
    if rel_lost:
        feats["previous_dropped"] = sum(rel_lost) / len(rel_lost)
    if counted:
        feats["dropped_unexplained"] = unexplained / counted
