"""What the question (instruction + long context) tells every feature family, computed once.

Both orders of a pair, and every update of a run, share one question: its analysis is cached by a
hash of the text in a bounded LRU, so the 0.5 MB context is tokenised once.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from rewards.heuristic._text import (
    entities,
    fast_vocab_counts,
    stable_hash,
    stem,
    stems,
)

__all__ = ["QuestionFacts", "analyse_question", "clear_cache", "unit_text", "units_with"]

_CACHE_SIZE = 16
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
    """The question proper (the part after ``[Question]``/``Query:``), or the title."""
    context: str
    """The long context the trajectories read (conversation, document, or bullet points)."""
    vocab: frozenset[str]
    """Every lower-cased word of the whole question."""
    numbers: frozenset[str]
    """Numbers written in the question."""
    counts: dict[str, int]
    """How often each word of the question occurs (to skip scans for common names)."""
    query_words: frozenset[str]
    """Stems of the content words of the query."""
    query_entities: frozenset[str]
    """Names in the query (what the answer is about)."""
    statements: list[str] = field(default_factory=list)
    """Dialogue: every conversation line, in order (for staleness and transcript detection)."""
    bullets: list[str] = field(default_factory=list)
    """Long-form: required items (bullet sentences and JSON values) the sections must respect."""
    bullet_words: frozenset[str] = frozenset()
    """Long-form: stems of the content words of the required items."""
    derived: dict[str, object] = field(default_factory=dict)
    """Lazily computed, question-only values other families keep here (e.g. update chains)."""

    def supports(self, word: str) -> bool:
        """Whether the question contains ``word`` or an inflection of it."""
        if word in self.vocab:
            return True
        st = stem(word)
        return any(st + suf in self.vocab for suf in _INFLECTIONS)

    @property
    def evidence(self) -> list[str]:
        """Context sentences or messages most likely needed for the answer (computed on first
        use: long-form judging never needs it)."""
        hit = self.derived.get("evidence")
        if hit is None:
            hit = self.derived["evidence"] = _evidence(
                self.context, self.statements, self.query_words, self.query_entities, self.query
            )
        return hit  # type: ignore[return-value]

    @property
    def low_context(self) -> str:
        """The context, lower-cased (computed on first use)."""
        hit = self.derived.get("low_context")
        if hit is None:
            hit = self.derived["low_context"] = self.context.lower()
        return hit  # type: ignore[return-value]


_INFLECTIONS = (
    "",
    "s",
    "es",
    "ed",
    "d",
    "ing",
    "e",
    "er",
    "ers",
    "ly",
    "ies",
    "ied",
    "y",
    "ion",
    "ions",
)


def clear_cache() -> None:
    """Forget cached question analyses."""
    with _lock:
        _cache.clear()


def analyse_question(question: str) -> QuestionFacts:
    """Analyse ``question`` (cached by content hash, bounded LRU of 16 entries)."""
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
    # No question marker (long-form instructions): the title, else the opening instruction.
    head = question[:4000]
    title = re.search(r"^\s*Title:\s*(.+)$", head, re.M)
    if title:
        return title.group(1).strip()[:_QUERY_MAX], question
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    return first.strip()[:_QUERY_MAX], question


def _bullets(question: str) -> list[str]:
    out: list[str] = []
    for block in re.findall(r"```(?:json)?\s*(.*?)```", question, re.S):
        try:
            data = json.loads(block)
        except ValueError:
            out.extend(ln.strip() for ln in block.splitlines() if len(ln.strip()) > 3)
            continue
        out.extend(_json_values(data, ""))
    # items are "- ..." lines; groups of them are joined by ", - " ("- A., - B.\n- C.")
    for m in re.finditer(r"(?:^|\n|[,:]\s)\s*[-*•]\s+(.+?)(?=,\s+[-*•]\s|\n|$)", question):
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


def unit_text(line: str) -> str:
    """A conversation line without its time of day and fact id (dates and speaker kept)."""
    m = _MSG.match(line)
    if m:
        return f"{_TIME_OF_DAY.sub(' ', m.group(1))} {m.group(2)} {m.group(3)}"
    return _FACT_ID.sub("", line)


def _analyse(question: str) -> QuestionFacts:
    query, context = _split_query(question)
    title = re.search(
        r"based on the title:\s*(.+?)\s+and the following bullet points",
        question[:4000],
        re.I | re.S,
    )
    if title and not any(m in question for m in _QUERY_MARKERS):
        query = title.group(1)
    vocab, nums, counts = fast_vocab_counts(question)
    qwords = frozenset(stems(query))
    qents = frozenset(entities(query))
    statements: list[str] = []
    conv_at = context.find("Conversation:")
    if conv_at >= 0:
        statements = [
            ln.strip()
            for ln in context[conv_at + len("Conversation:") :].splitlines()
            if ln.strip()
        ]
    head = question[:4000]
    bullets = (
        _bullets(question)
        if "bullet points" in head or "```" in head or "requirements" in head.lower()
        else []
    )
    bwords: set[str] = set()
    for b in bullets:
        bwords.update(stems(b))
    return QuestionFacts(
        query=query,
        context=context,
        vocab=vocab,
        numbers=nums,
        counts=counts,
        query_words=qwords,
        query_entities=qents,
        statements=statements,
        bullets=bullets,
        bullet_words=frozenset(bwords),
    )


_SENT_END = re.compile(r"[.!?][\"'’”)]*\s|\n")


def _unit_span(text: str, pos: int, lines: bool) -> tuple[int, int]:
    """The sentence (or line, for conversations) around ``pos``."""
    if lines:
        a = text.rfind("\n", 0, pos) + 1
        b = text.find("\n", pos)
        return a, (b if b >= 0 else len(text))
    lo, hi = max(0, pos - _WINDOW), min(len(text), pos + _WINDOW)
    a = lo
    for m in _SENT_END.finditer(text, lo, pos):
        a = m.end()
    m = _SENT_END.search(text, pos, hi)
    b = m.start() + 1 if m else hi
    # Keep the clause around the hit: a statement after a colon or semicolon (or, in a long
    # sentence, after a comma) is its own fact ("... replied with great intrepidity: Hugo went
    # to the bedroom.").
    # (A colon inside a time of day, "23:15", cuts nothing.)
    cuts = ",;:" if text.count(" ", a, b) > _LONG_UNIT else ";:"
    a = max(a, *(_cut_before(text, c, a, pos) + 1 for c in cuts))
    ends = [i for i in (_cut_after(text, c, pos, b) for c in cuts) if i >= 0]
    return a, min([b, *ends])


def _splits(text: str, i: int) -> bool:
    """Whether the mark at ``i`` separates clauses (not a colon between digits)."""
    return not (
        text[i] == ":" and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
    )


def _cut_before(text: str, c: str, a: int, pos: int) -> int:
    """The last clause-separating ``c`` in ``text[a:pos]``, or -1."""
    i = text.rfind(c, a, pos)
    while i >= 0 and not _splits(text, i):
        i = text.rfind(c, a, i)
    return i


def _cut_after(text: str, c: str, pos: int, b: int) -> int:
    """The first clause-separating ``c`` in ``text[pos:b]``, or -1."""
    i = text.find(c, pos, b)
    while i >= 0 and not _splits(text, i):
        i = text.find(c, i + 1, b)
    return i


_MAX_HITS = 400
_QUERY_MAX = 1000
_HOP1 = 24
_HOP_CAP = 16
_HOP_NAMES = 24
_MAX_EVIDENCE = 48
_WINDOW = 600
_LONG_UNIT = 25


def _units_with(
    low: str, context: str, key: str, lines: bool, cap: int
) -> set[tuple[int, int]] | None:
    """Spans of the units holding ``key`` at a word start; None when there are more than ``cap``."""
    units: set[tuple[int, int]] = set()
    i = low.find(key)
    while i >= 0:
        if i == 0 or not low[i - 1].isalnum():
            units.add(_unit_span(context, i, lines))
            if len(units) > cap:
                return None
        i = low.find(key, i + len(key))
    return units


def _evidence(
    context: str,
    statements: list[str],
    qwords: frozenset[str],
    qents: frozenset[str],
    query: str = "",
) -> list[str]:
    """Context units that share the query's names and rarest words, then the units that share
    the names those units introduce (two more hops), in context order.

    Found with ``str.find`` on the lower-cased context (no tokenisation of the whole context):
    each query stem's occurrences at a word start are mapped to their sentence (or conversation
    line); a unit scores the inverse document frequency of the query stems it holds, names three
    times. Names for the next hop must be rare (at most ``_HOP_CAP`` units): a multi-hop question
    ("the designer of X was born in ...") needs the designer's own sentences.
    """
    if not context or not qwords:
        return []
    lines = bool(statements)
    low = context.lower()
    n_units = max(1, low.count("\n") + (0 if lines else low.count(". ")))
    ent_stems = {stem(e) for e in qents}
    hits: dict[tuple[int, int], set[str]] = {}
    df: dict[str, int] = {}
    for w in qwords:
        if len(w) < 3:
            continue
        key = w[:-1] if len(w) > 4 and w[-1] in "ye" else w
        units = _units_with(low, context, key, lines, _MAX_HITS)
        if not units:  # absent, or so common it cannot point at evidence
            continue
        df[w] = len(units)
        for u in units:
            hits.setdefault(u, set()).add(w)
    if not hits:
        return []
    scored: list[tuple[float, int, tuple[int, int]]] = []
    for span, ws in hits.items():
        score = sum(
            math.log((n_units + 1) / (df[w] + 0.5)) * (3.0 if w in ent_stems else 1.0) for w in ws
        )
        scored.append((score, -span[0], span))
    scored.sort(reverse=True)
    top = scored[0][0]
    chosen = {sp for sc, _, sp in scored[:_HOP1] if sc >= 0.6 * top}
    # a choice between two things ("Which is older, the chapel or the tithe barn?") needs
    # what the context says of each, however rare one side's words are
    for alt in _alternatives(query):
        best = max(scored, key=lambda x: (len(hits[x[2]] & alt), x[0]))
        if len(hits[best[2]] & alt) * 2 >= len(alt):
            chosen.add(best[2])
    hop_of = dict.fromkeys(chosen, 0)
    seen_names = set(qents)
    # Only the best-matching units open the next hop: their names lead to the facts about the
    # things the question is really about (not about every name near a common query word).
    # (Conversations keep a wider frontier: a message's topic words are spread over lines.)
    open_at = 0.8 if lines else 0.95
    frontier = {sp for sc, _, sp in scored[:_HOP1] if sc >= open_at * top}
    for hop in (1, 2):
        ordered: dict[str, None] = {}
        for a, b in sorted(frontier):
            for name in sorted(entities(context[a:b])):
                if name not in seen_names:
                    ordered[name] = None
        names = list(ordered)[:_HOP_NAMES]
        seen_names.update(names)
        frontier = set()
        for name in names:
            units = _units_with(low, context, name, lines, _HOP_CAP)
            if units:
                frontier |= units - chosen
        for sp in frontier:
            hop_of.setdefault(sp, hop)
        chosen |= frontier
        if len(chosen) >= _MAX_EVIDENCE or not frontier:
            break
    keep = sorted(sorted(chosen, key=lambda sp: (hop_of[sp], sp[0]))[:_MAX_EVIDENCE])
    return list(dict.fromkeys(context[a:b].strip() for a, b in keep))


_CHOICE = re.compile(r",\s*(?:the\s+)?([^,?]+?)\s+or\s+(?:the\s+)?([^,?]+?)\s*\?\s*$", re.I)
"""The two things a question offers to choose between, after its comma."""


def _alternatives(query: str) -> list[frozenset[str]]:
    """Stems of each thing a question offers to choose between ("..., the chapel of St Bride or
    the tithe barn?" -> {chapel, st, bride}, {tithe, barn}); empty when it offers no choice."""
    m = _CHOICE.search(query.strip())
    if not m:
        return []
    out = [frozenset(stems(m.group(1))), frozenset(stems(m.group(2)))]
    return [a for a in out if a]


def units_with(q: QuestionFacts, name: str) -> list[str] | None:
    """Context sentences (or lines) naming ``name``; None when more than ``_HOP_CAP`` do."""
    spans = _units_with(q.low_context, q.context, name, bool(q.statements), _HOP_CAP)  # type: ignore[arg-type]
    if spans is None:
        return None
    return [q.context[a:b] for a, b in sorted(spans)]
