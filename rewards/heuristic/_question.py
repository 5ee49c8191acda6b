"""What the question (instruction + long context) tells every feature family, computed once.

Both orders of a pair, and every update of a run, share one question: its analysis is cached by a
hash of the text in a bounded LRU, so the 0.5 MB context is tokenised once.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from rewards.heuristic._text import (
    entities,
    numbers,
    sentences,
    shingles,
    stable_hash,
    stem,
    stems,
    words,
)

__all__ = ["QuestionFacts", "analyse_question", "clear_cache"]

_CACHE_SIZE = 64
_cache: OrderedDict[tuple[int, int], QuestionFacts] = OrderedDict()
_lock = threading.Lock()

_MSG = re.compile(r"^\s*\[([^\]]{3,60})\]\s*(?:Speaker\s+)?([A-Z][\w\-]*)\s+says\s*:\s*(.*)$")
_TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}\s*(?:am|pm)?\s*(?:on)?", re.I)
_FACT_ID = re.compile(r"^\s*fact_\d+\s*:\s*")
_QUERY_MARKERS = ("[Question]", "Query:", "Question:", "[question]")


@dataclass(kw_only=True)
class QuestionFacts:
    """Question-derived features shared by both trajectories of a pair."""

    query: str
    """The question proper (the part after ``[Question]``/``Query:``), or the instruction."""
    context: str
    """The long context the trajectories read (conversation, document, or bullet points)."""
    vocab: frozenset[str]
    """Every lower-cased word of the whole question."""
    entities: frozenset[str]
    """Lower-cased names appearing in the question."""
    numbers: frozenset[str]
    """Numbers written in the question."""
    query_words: frozenset[str]
    """Stems of the content words of the query."""
    query_entities: frozenset[str]
    """Names in the query (what the answer is about)."""
    evidence: list[str] = field(default_factory=list)
    """Context sentences or messages most likely needed for the answer."""
    evidence_terms: frozenset[str] = frozenset()
    """Stems of the evidence's content words that the query itself does not contain."""
    messages: list[str] = field(default_factory=list)
    """Dialogue: the conversation's messages (text after 'X says:'), in order."""
    statements: list[str] = field(default_factory=list)
    """Dialogue: every conversation line, in order (for staleness)."""
    bullets: list[str] = field(default_factory=list)
    """Long-form: required items (bullet sentences and JSON values) the sections must respect."""
    bullet_words: frozenset[str] = frozenset()
    """Long-form: stems of the content words of the required items."""
    required_numbers: frozenset[str] = frozenset()
    """Long-form: numbers the instruction states."""
    idf: dict[str, float] = field(default_factory=dict)
    """Inverse document frequency of context stems over context units (sentences or messages)."""
    vocab_stems: frozenset[str] = frozenset()
    """Stems of every content word of the question."""
    message_shingles: frozenset[int] = frozenset()
    """Dialogue: 4-word shingles of the conversation lines (to spot raw transcript dumps)."""
    derived: dict[str, object] = field(default_factory=dict)
    """Lazily computed, question-only values other families keep here (e.g. update chains)."""
    _shingles: frozenset[int] | None = None

    def question_shingles(self, text: str) -> frozenset[int]:
        """4-word shingles of the whole question (computed on first use, then kept)."""
        if self._shingles is None:
            self._shingles = frozenset(shingles(words(text), 4))
        return self._shingles


def clear_cache() -> None:
    """Forget cached question analyses."""
    with _lock:
        _cache.clear()


def analyse_question(question: str) -> QuestionFacts:
    """Analyse ``question`` (cached by content hash, bounded LRU of 64 entries)."""
    key = (stable_hash(question), len(question))
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    facts = _analyse(question)
    with _lock:
        _cache[key] = facts
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return facts


def _split_query(question: str) -> tuple[str, str]:
    best = -1
    marker = ""
    for m in _QUERY_MARKERS:
        i = question.rfind(m)
        if i > best:
            best, marker = i, m
    if best >= 0:
        return question[best + len(marker) :].strip(), question[:best]
    lines = [ln for ln in question.strip().splitlines() if ln.strip()]
    last = lines[-1] if lines else question
    return last.strip(), question


def _bullets(question: str) -> list[str]:
    out: list[str] = []
    for block in re.findall(r"```(?:json)?\s*(.*?)```", question, re.S):
        try:
            data = json.loads(block)
        except ValueError:
            out.extend(ln.strip() for ln in block.splitlines() if len(ln.strip()) > 3)
            continue
        out.extend(_json_values(data, ""))
    for m in re.finditer(r"(?:^|\n|,\s)\s*[-*•]\s+(.+)", question):
        out.append(m.group(1).strip())
    return [b for b in out if b]


def _json_values(data: object, key: str) -> list[str]:
    if isinstance(data, dict):
        vals: list[str] = []
        for k, v in data.items():
            vals.extend(_json_values(v, str(k)))
        return vals
    if isinstance(data, list):
        vals = []
        for v in data:
            vals.extend(_json_values(v, key))
        return vals
    if data is None:
        return []
    text = str(data)
    if key and not isinstance(data, str):  # a bare number means little without its key
        text = f"{key.replace('_', ' ')}: {text}"
    return [text]


def _unit_text(line: str) -> str:
    """A conversation line without its time of day and fact id (dates and speaker kept)."""
    m = _MSG.match(line)
    if m:
        return f"{_TIME_OF_DAY.sub(' ', m.group(1))} {m.group(2)} {m.group(3)}"
    return _FACT_ID.sub("", line)


def _analyse(question: str) -> QuestionFacts:
    query, context = _split_query(question)
    title = re.search(
        r"based on the title:\s*(.+?)\s+and the following bullet points", question, re.I | re.S
    )
    if title and not any(m in question for m in _QUERY_MARKERS):
        query = title.group(1)
    all_words = words(question)
    qwords = frozenset(stems(query))
    qents = frozenset(entities(query))
    messages: list[str] = []
    statements: list[str] = []
    conv_at = context.find("Conversation:")
    if conv_at >= 0:
        for line in context[conv_at + len("Conversation:") :].splitlines():
            st = line.strip()
            if not st:
                continue
            statements.append(st)
            m = _MSG.match(st)
            messages.append(m.group(3) if m else _FACT_ID.sub("", st))
    units = [_unit_text(x) for x in statements] if statements else sentences(context)
    unit_words = [stems(u) for u in units]
    df: Counter[str] = Counter()
    for ws in unit_words:
        df.update(ws)
    n = max(len(units), 1)
    idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}
    evidence = _evidence(units, unit_words, qwords, qents, idf)
    ev_terms: set[str] = set()
    for e in evidence:
        ev_terms.update(stems(e))
    ev_terms -= qwords
    ev_terms = {t for t in ev_terms if not t.isdigit()}
    bullets = _bullets(question)
    bwords: set[str] = set()
    req_nums: set[str] = set()
    for b in bullets:
        bwords.update(stems(b))
        req_nums.update(numbers(b))
    msg_sh: set[int] = set()
    for msg in messages:
        msg_sh |= shingles(words(msg), 4)
    return QuestionFacts(
        query=query,
        context=context,
        vocab=frozenset(all_words),
        entities=frozenset(entities(question)),
        numbers=frozenset(numbers(question)),
        query_words=qwords,
        query_entities=qents,
        evidence=evidence,
        evidence_terms=frozenset(ev_terms),
        messages=messages,
        statements=statements,
        bullets=bullets,
        bullet_words=frozenset(bwords),
        required_numbers=frozenset(req_nums),
        idf=idf,
        vocab_stems=frozenset(stem(w) for w in set(all_words)),
        message_shingles=frozenset(msg_sh),
    )


def _evidence(
    units: list[str],
    unit_words: list[set[str]],
    qwords: frozenset[str],
    qents: frozenset[str],
    idf: dict[str, float],
) -> list[str]:
    """Context units that share the query's names, else its rarest words (at most 8)."""
    if not units or not qwords:
        return []
    scored: list[tuple[float, int]] = []
    for i, ws in enumerate(unit_words):
        if not ws:
            continue
        shared = ws & qwords
        if not shared:
            continue
        score = sum(idf.get(w, 0.0) for w in shared)
        ent_hits = {stem(e) for e in qents} & ws
        score += 2.0 * len(ent_hits)
        scored.append((score, i))
    if not scored:
        return []
    scored.sort(reverse=True)
    top = scored[0][0]
    keep = sorted(i for s, i in scored[:8] if s >= 0.6 * top)
    return [units[i] for i in keep]
