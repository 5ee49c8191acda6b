"""Coverage: does the memory keep what the question needs until the end?

The question names what matters (its entities); the context sentences or messages that share
those names are the likely evidence. A memory that loses the evidence's distinctive words, or
the question's own names, cannot support a correct answer.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts, unit_text
from rewards.heuristic._text import fast_words, memory_sentences, stem, stems, text_stems

if TYPE_CHECKING:
    from rewards.heuristic._staleness import ConversationIndex

__all__ = ["coverage_features", "evidence_facts", "final_parts", "paired_fact_coverage"]

_ENOUGH = 0.8
"""Share of an evidence fact's words that, found together in one memory sentence, keep it."""


def final_parts(t: ParsedTrajectory) -> list[str]:
    """The memories the answer is read from.

    Sequential runs: the last memory. Parallel runs: every group's last memory plus the fusion
    (the fusion read them all). Mixed runs that continue after the fusion: the last memory.
    Dialogue stores: every item; long-form: every section.
    """
    if t.layout != "reasoning":
        return list(t.final_memories)
    mems = [s for s in t.steps if s.kind != "answer"]
    if not mems:
        return []
    kinds = [s.kind for s in mems]
    if "fusion" in kinds and kinds[-1] == "fusion":
        return list(t.final_memories)
    return [mems[-1].updated]


def _answer_memory(t: ParsedTrajectory) -> list[str]:
    """The memory the answer step reads: the last committed memory (tail update or fusion)."""
    if t.layout != "reasoning":
        return list(t.final_memories)
    mems = [s for s in t.steps if s.kind != "answer"]
    return [mems[-1].updated] if mems else []


def evidence_facts(q: QuestionFacts) -> list[frozenset[str]]:
    """Stems of each evidence unit (cached on the question)."""
    hit = q.derived.get("evidence_facts")
    if hit is None:
        facts = []
        for e in q.evidence:
            st = frozenset(stems(unit_text(e)))
            if len(st) >= 2:
                facts.append(st)
        hit = q.derived["evidence_facts"] = facts
    return hit  # type: ignore[return-value]


def _best_overlaps(facts: list[frozenset[str]], texts: list[str]) -> list[float]:
    """For each fact, the best share of its stems found together in one memory sentence."""
    infos = {i.norm: i.stems for txt in texts for i in memory_sentences(txt)}
    best = [0.0] * len(facts)
    for st in infos.values():
        if not st:
            continue
        for k, f in enumerate(facts):
            if best[k] < 1.0:
                r = len(f & st) / len(f)
                if r > best[k]:
                    best[k] = r
    return best


def _root(st: str) -> str:
    """A stem without a final e ('live' and 'living' stem to 'live' and 'liv')."""
    return st[:-1] if len(st) > 3 and st.endswith("e") else st


def latest_answer_line(q: QuestionFacts) -> tuple[int, frozenset[str]] | None:
    """The conversation's last word on what the question asks, and its specific words.

    A line is about the question when it holds one of the query's topic words (any query word
    but a name); it scores the inverse line frequency of those words, plus three times that of
    the query's name when the line mentions it or is spoken by it. Among the lines within 90% of
    the best score, the latest is what the conversation last said about the question's subject
    (an update supersedes a first mention). Its specific words are those found in at most two
    lines (values such as a new city or a designer's name), never a speaker, a common or a time
    word. None when nothing matches.
    """
    hit = q.derived.get("latest_answer_line", False)
    if hit is not False:
        return hit  # type: ignore[return-value]
    from rewards.heuristic._staleness import conversation_index, sentence_index, specific_words

    idx = conversation_index(q) if q.statements else sentence_index(q)
    n = max(1, len(idx.bodies))
    names = {e.lower() for e in q.query_entities}
    name_stems = {stem(x) for x in names}
    query_roots = {_root(w) for w in q.query_words}
    topic: dict[str, set[int]] = {}
    named: set[int] = {i for i, sp in enumerate(idx.line_speakers) if sp and sp in names}
    for w, lines in idx.where.items():
        st = stem(w)
        if st in name_stems or w in names:
            named.update(lines)
        elif _root(st) in query_roots and len(st) >= 3 and w not in idx.speakers:
            topic.setdefault(_root(st), set()).update(lines)
    scores: dict[int, float] = {}
    for lines in topic.values():
        if len(lines) > n // 2:
            continue  # too common to point anywhere
        idf = math.log((n + 1) / (len(lines) + 0.5))
        for i in lines:
            scores[i] = scores.get(i, 0.0) + idf
    if named and len(named) <= n // 2:
        bonus = 3.0 * math.log((n + 1) / (len(named) + 0.5))
        for i in scores:
            if i in named:
                scores[i] += bonus
    hit = None
    if scores:
        top = max(scores.values())
        line = max(i for i, sc in scores.items() if sc >= 0.9 * top)
        words = specific_words(idx, line) - set(q.query_words) - names
        # a later line that names one of its values again is the conversation's later word on
        # the same thing (an update: "no more carpenter work, I'm a pharmacist now"); what it
        # adds is what a current memory must hold
        later = [j for w in words for j in idx.where.get(w, ()) if j > line]
        if later:
            nxt = max(later)
            added = specific_words(idx, nxt) - words - set(q.query_words) - names
            if added:
                line, words = nxt, added
        if not q.statements:  # a document sentence may say several things; a turn says one
            words = _focus(idx, line, words, query_roots)
        if words:
            hit = (line, frozenset(words))
    q.derived["latest_answer_line"] = hit
    return hit


def _focus(idx: ConversationIndex, line: int, words: set[str], query_roots: set[str]) -> set[str]:
    """The words of the clause that speaks about the question's topic ("... and painted the front
    door dark green" -> painted, dark, green), when that clause holds any; else all of them."""
    ws, clause, _ = idx.clauses(line)
    hits: dict[int, int] = {}
    for w, c in zip(ws, clause, strict=True):
        if _root(stem(w)) in query_roots:
            hits[c] = hits.get(c, 0) + 1
    if not hits:
        return words
    best = max(hits, key=lambda c: (hits[c], -c))
    near = {w for w, c in zip(ws, clause, strict=True) if c == best} & words
    return near or words


def coverage_features(t: ParsedTrajectory, q: QuestionFacts) -> dict[str, float]:
    """Raw coverage values of one trajectory (higher = better coverage, in [0, 1])."""
    out: dict[str, float]
    if t.layout in ("dialogue", "empty") and q.statements:
        # a store must hold what the conversation last said about the question's subject
        out = {"nonempty": 0.0 if t.layout == "empty" else 1.0}
        latest = latest_answer_line(q)
        if latest is not None:
            held = set().union(*(fast_words(it) for it in t.items)) if t.items else set()
            out["facts_final"] = 1.0 if latest[1] & held else 0.0
        return out
    fst: set[str] = set()
    for m in final_parts(t):
        fst |= text_stems(m)
    out = {}
    if t.layout == "longform":
        if q.bullet_words:
            out["bullet_coverage"] = len(q.bullet_words & fst) / len(q.bullet_words)
        return out
    if t.layout == "reasoning":
        # the memory the answer reads must hold what the context last said about the question
        latest = latest_answer_line(q)
        if latest is not None:
            held: set[str] = set()
            for m in _answer_memory(t):
                held |= set(fast_words(m))
            out["latest_kept"] = 1.0 if latest[1] & held else 0.0
    facts = evidence_facts(q)
    if facts:
        # A fact is kept when most of its words stand together in one memory sentence (a bag of
        # words over the whole memory would credit "Kofi journeyed to the cellar" for a lost
        # "Mateo journeyed to the cellar").
        final = _best_overlaps(facts, _answer_memory(t))
        out["facts_final"] = sum(min(1.0, r / _ENOUGH) for r in final) / len(facts)
        if t.layout == "reasoning":
            ever = _best_overlaps(facts, t.memories)
            lost = sum(1 for f, e in zip(final, ever, strict=True) if e >= _ENOUGH > f)
            out["facts_dropped"] = lost / len(facts)
    qe = {stem(e) for e in q.query_entities}
    if qe and t.layout == "reasoning":  # per-user dialogue stores drop the speaker's name
        out["query_names"] = len(qe & fst) / len(qe)
    if t.layout == "empty":
        out["nonempty"] = 0.0
    elif t.layout in ("dialogue", "plain"):
        out["nonempty"] = 1.0
    return out


def paired_fact_coverage(
    ta: ParsedTrajectory, tb: ParsedTrajectory, q: QuestionFacts
) -> tuple[float, float] | None:
    """``facts_final`` of both sides, over the evidence facts that either side ever held.

    Evidence found by searching the context includes sentences neither agent thought relevant;
    judging the pair on the facts at least one of them kept makes a dropped fact count fully
    instead of being diluted. None when neither side ever held an evidence fact.
    """
    facts = evidence_facts(q)
    if not facts or ta.layout in ("dialogue", "empty") or tb.layout in ("dialogue", "empty"):
        return None
    ever_a = _best_overlaps(facts, ta.memories)
    ever_b = _best_overlaps(facts, tb.memories)
    mask = [max(x, y) >= _ENOUGH for x, y in zip(ever_a, ever_b, strict=True)]
    n = sum(mask)
    if not n:
        return None
    fin_a = _best_overlaps(facts, _answer_memory(ta))
    fin_b = _best_overlaps(facts, _answer_memory(tb))
    cov_a = sum(min(1.0, r / _ENOUGH) for r, m in zip(fin_a, mask, strict=True) if m) / n
    cov_b = sum(min(1.0, r / _ENOUGH) for r, m in zip(fin_b, mask, strict=True) if m) / n
    return cov_a, cov_b
