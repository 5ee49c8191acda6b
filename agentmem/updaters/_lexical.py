"""Lexical features for the extractive baseline: sentences, terms, entities, relevance.

Pure functions, no model. Relevance of a sentence to a question is an IDF-weighted term overlap
(IDF over the sentences in play), plus smaller credits for sharing terms with the
question-relevant sentences already selected (multi-hop "bridge" entities) and for carrying the
kind of token the question asks for (numbers for "how many/when", names for "who/where").
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["Scored", "near_duplicate", "rank_sentences", "sentences", "terms"]

_SENT_END = re.compile(r"(?<=[.!?。！？])[\"'”’)\]]*\s+|\n\s*\n|\n(?=\s*[-*•\d]+[.)]?\s)")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_NUMBER = re.compile(r"\d")
_CAP = re.compile(r"\b[A-Z][\w'-]*")
_MAX_SENTENCE_WORDS = 80

_STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "may",
        "might",
        "must",
        "shall",
        "upon",
        "said",
        "says",
        "one",
        "two",
        "many",
        "much",
    ]
)

_ASKS_NUMBER = re.compile(
    r"\b(how (many|much|old|long|far)|when|what (year|date|time)|which year|number)\b", re.I
)
_ASKS_NAME = re.compile(r"\b(who|whom|whose|where|which)\b", re.I)


def sentences(text: str) -> list[str]:
    """Split text into sentences (and bullet/paragraph units); long runs are cut into ~80 words."""
    out: list[str] = []
    for part in _SENT_END.split(text):
        part = " ".join(part.split())
        if not part:
            continue
        words = part.split(" ")
        for i in range(0, len(words), _MAX_SENTENCE_WORDS):
            out.append(" ".join(words[i : i + _MAX_SENTENCE_WORDS]))
    return out


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def terms(text: str) -> set[str]:
    """Content terms: lower-cased, stop words removed, lightly stemmed."""
    return {
        _stem(w)
        for w in (m.lower() for m in _WORD.findall(text))
        if (w not in _STOP and len(w) > 1) or w.isdigit()
    }


def near_duplicate(a: set[str], b: set[str], threshold: float = 0.8) -> bool:
    """Jaccard similarity of two term sets at or above ``threshold``."""
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= threshold


class Scored:
    """A sentence with its position, terms and relevance score."""

    __slots__ = ("order", "score", "terms", "text")

    def __init__(self, text: str, order: tuple[int, int], term_set: set[str]) -> None:
        self.text = text
        self.order = order
        self.terms = term_set
        self.score = 0.0


def rank_sentences(
    question: str, units: Sequence[tuple[str, tuple[int, int]]], *, extra_terms: Iterable[str] = ()
) -> list[Scored]:
    """Score sentences for ``question``; returns them de-duplicated, in their original order.

    ``units`` are (sentence, order key) pairs; exact and near duplicates keep the first copy.
    ``extra_terms`` (e.g. from a reviewer's feedback) count as half-weight question terms.
    """
    items: list[Scored] = []
    exact: set[frozenset[str]] = set()
    seen: list[set[str]] = []
    for text, order in units:
        ts = terms(text)
        key = frozenset(ts)
        if key in exact:
            continue
        # Jaccard >= 0.8 needs sizes within a factor 0.8 of each other: compare only those.
        lo, hi = 0.8 * len(ts), 1.25 * len(ts)
        if any(lo <= len(s) <= hi and near_duplicate(ts, s) for s in seen[-400:]):
            continue
        exact.add(key)
        seen.append(ts)
        items.append(Scored(text, order, ts))
    if not items:
        return []
    df: Counter[str] = Counter()
    for it in items:
        df.update(it.terms)
    n = len(items)

    def idf(t: str) -> float:  # BM25's idf: terms in most sentences count for almost nothing
        d = df.get(t, 0)
        return math.log(1.0 + (n - d + 0.5) / (d + 0.5))

    q_terms = terms(question)
    extra = terms(" ".join(extra_terms)) - q_terms
    q_weight = sum(idf(t) for t in q_terms) or 1.0
    wants_number = bool(_ASKS_NUMBER.search(question))
    wants_name = bool(_ASKS_NAME.search(question))
    q_caps = {c.lower() for c in _CAP.findall(question)}
    for it in items:
        direct = sum(idf(t) for t in it.terms & q_terms) / q_weight
        direct += 0.5 * sum(idf(t) for t in it.terms & extra) / q_weight
        bonus = 0.0
        if wants_number and _NUMBER.search(it.text):
            bonus += 0.1
        caps = {c.lower() for c in _CAP.findall(it.text[1:])}  # skip the sentence-initial capital
        if wants_name and caps:
            bonus += 0.05
        if q_caps & caps:
            bonus += 0.1
        it.score = direct + (bonus if direct > 0 else bonus / 4)
    # Bridge: credit for sharing rarer terms with the *other* most question-relevant sentences
    # (multi-hop: "Mary took the key" + "Mary went to the garden").
    top = [s for s in sorted(items, key=lambda s: -s.score)[:5] if s.score > 0]
    common = {t for t, d in df.items() if d > max(2, n // 4)}
    anchor_count: Counter[str] = Counter()
    for s in top:
        anchor_count.update(s.terms - q_terms - common)
    if anchor_count:
        a_weight = sum(idf(t) for t in anchor_count) or 1.0
        in_top = {id(s) for s in top}
        for it in items:
            own = 1 if id(it) in in_top else 0
            shared = [t for t in it.terms if anchor_count.get(t, 0) - own > 0]
            if shared:
                it.score += 0.3 * min(1.0, 3 * sum(idf(t) for t in shared) / a_weight)
    return items
