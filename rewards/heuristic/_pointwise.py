"""Pointwise scoring of one memory update for the online path.

Signals, each turned into a penalty in [0, 1] with ``v / (v + smooth)`` (fractions are used as
they are):

* faithfulness -- names and numbers in the candidate that neither the question, the previous
  memory nor the chunk contain (invented), and the share of unsupported words;
* keeping what the question needs -- the question's names and the chunk's evidence sentences
  (those sharing the question's names or rare words) must survive into the candidate;
* dropping -- question-relevant sentences of the previous memory whose words the candidate lost;
* redundancy -- repeated or restated sentences inside the candidate;
* unsupported claims -- clauses about named things that no sentence of the previous memory or
  the chunk supports (a wrong or conflated fact built from real names);
* budget -- tokens over the memory budget, when one is set;
* an empty candidate when there was something to keep.
"""

from __future__ import annotations

from dataclasses import dataclass

from rewards._types import UpdateContext
from rewards.heuristic._answer import extract_answer
from rewards.heuristic._grounding import COMMENTARY, unsupported
from rewards.heuristic._question import _INFLECTIONS, analyse_question
from rewards.heuristic._redundancy import duplicate_ratio
from rewards.heuristic._text import fast_vocab, memory_sentences, sentences, stem, stems

__all__ = ["UpdateScore", "score_update_features"]

# name -> (weight, smooth); smooth None = the value is already a fraction in [0, 1].
_POINT_SPECS: dict[str, tuple[float, float | None]] = {
    "invented_names": (2.0, 1.0),
    "invented_numbers": (2.0, 1.0),
    "unsupported_words": (1.0, None),
    "query_names_lost": (1.5, None),
    "chunk_evidence_missed": (2.0, None),
    "previous_dropped": (2.5, None),
    "dup_sentences": (1.5, None),
    "unsupported_claims": (2.5, 0.5),
    "over_budget": (1.5, None),
    "empty": (4.0, None),
}


@dataclass(kw_only=True)
class UpdateScore:
    """Pointwise score with its breakdown."""

    value: float
    """In [0, 1]."""
    features: dict[str, float]
    """Raw feature values."""
    penalties: dict[str, float]
    """Each feature's penalty in [0, 1]."""


def _relevant(sents: list[str], qstems: set[str], qents: set[str]) -> list[set[str]]:
    out = []
    for s in sents:
        st = stems(s)
        if (qents and st & qents) or len(st & qstems) >= 2:
            out.append(st)
    return out


def _unsupported_claims(candidate: str, source: str) -> int:
    """Candidate clauses naming something that no sentence of the source (previous memory and
    chunk) supports with 80% of its words; commentary on the reading is not a claim."""
    src = [i.stems for i in memory_sentences(source)] if source.strip() else []
    bad = 0
    for info in memory_sentences(candidate):
        if not info.entities or set(info.norm.split()) & COMMENTARY or not info.stems:
            continue
        need = info.stems
        if not any(len(need & st) >= 0.8 * len(need) for st in src):
            bad += 1
    return bad


def score_update_features(u: UpdateContext) -> UpdateScore:
    """Score one update (pure function: deterministic, no I/O)."""
    q = analyse_question(u.question)
    cand = u.candidate or ""
    source = f"{u.question}\n{u.previous_memory}\n{u.chunk}"
    src_words, src_nums = fast_vocab(source)

    def supports(w: str) -> bool:
        if w in src_words:
            return True
        st = stem(w)
        return any(st + suf in src_words for suf in _INFLECTIONS)

    feats: dict[str, float] = {}
    text = extract_answer(cand) if u.kind == "answer" else cand
    ents, nums, miss, total = unsupported(memory_sentences(text), supports, src_nums)
    feats["invented_names"] = float(len(ents))
    feats["invented_numbers"] = float(len(nums))
    feats["unsupported_words"] = miss / total if total else 0.0
    cst = stems(cand)
    qents = {stem(e) for e in q.query_entities}
    qstems = set(q.query_words)
    if qents:
        had = qents & (stems(u.previous_memory) | stems(u.chunk))
        feats["query_names_lost"] = len(had - cst) / len(had) if had else 0.0
    if u.chunk:
        ev = _relevant(sentences(u.chunk), qstems, qents)
        if ev:
            missed = [len((e - qstems) - cst) / max(len(e - qstems), 1) for e in ev]
            feats["chunk_evidence_missed"] = sum(missed) / len(missed)
    if u.previous_memory and u.kind != "answer":
        rel = _relevant(sentences(u.previous_memory), qstems, qents)
        if rel:
            lost = [len((e - qstems) - cst) / max(len(e - qstems), 1) for e in rel]
            feats["previous_dropped"] = sum(lost) / len(lost)
    feats["dup_sentences"] = duplicate_ratio(memory_sentences(cand))[0]
    feats["unsupported_claims"] = float(
        _unsupported_claims(cand, f"{u.previous_memory}\n{u.chunk}")
    )
    if u.memory_budget_tokens:
        from agentmem.tokens import count_tokens

        n = count_tokens(cand)
        feats["over_budget"] = max(0.0, (n - u.memory_budget_tokens) / u.memory_budget_tokens)
    had_content = bool(u.previous_memory.strip()) or bool(
        u.chunk and _relevant(sentences(u.chunk), qstems, qents)
    )
    feats["empty"] = 1.0 if (not cand.strip() and had_content) else 0.0
    penalties: dict[str, float] = {}
    total = pen = 0.0
    for name, v in feats.items():
        w, smooth = _POINT_SPECS[name]
        p = min(1.0, v) if smooth is None else v / (v + smooth)
        penalties[name] = p
        total += w
        pen += w * p
    value = 1.0 - pen / total if total else 1.0
    if feats["empty"]:
        value = min(value, 0.05)
    return UpdateScore(value=min(1.0, max(0.0, value)), features=feats, penalties=penalties)
