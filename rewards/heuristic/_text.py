"""Cheap text primitives shared by every feature family: words, sentences, entities, numbers.

Everything here is linear in the text and avoids backtracking regexes, so a 1.5 MB pair costs a
few passes at most. Memories are small; the long context is analysed once per question (see
``_question``) and reused for both orders of a pair.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

__all__ = [
    "NEGATIONS",
    "STOPWORDS",
    "content_words",
    "entities",
    "fraction",
    "normalise",
    "numbers",
    "sentences",
    "shingles",
    "stable_hash",
    "stem",
    "stems",
    "words",
]

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)(?![\w])")
_CAP = re.compile(
    r"\b[A-Z][a-zA-Z'’\-]+(?:\s+(?:of|de|la|van|von|the|and|&)?\s*[A-Z][a-zA-Z'’\-]+)*"
)
_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
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
        "cannot",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "don't",
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
        "isn't",
        "it",
        "it's",
        "its",
        "itself",
        "just",
        "let",
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
        "that's",
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
        "wasn't",
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
        "one",
        "two",
        "also",
        "however",
        "therefore",
        "thus",
        "based",
        "given",
        "information",
        "memory",
        "section",
        "provided",
        "previous",
        "updated",
        "problem",
        "question",
        "answer",
        "step",
        "new",
        "whether",
        "may",
        "might",
        "must",
        "shall",
        "still",
        "there's",
        "there're",
        "they're",
        "we're",
        "i'm",
        "i've",
        "you're",
        "he's",
        "she's",
        "what's",
        "let's",
        "said",
        "says",
        "say",
        "yes",
        "ok",
        "okay",
        "really",
        "much",
        "many",
        "well",
        "like",
        "get",
        "got",
        "make",
        "made",
        "know",
        "think",
        "going",
        "go",
        "went",
        "come",
        "came",
        "see",
        "seen",
        "yeah",
        "hey",
        "hi",
        "thanks",
        "thank",
        "wow",
        "oh",
        "great",
        "good",
        "nice",
        "so",
        "that's",
    ]
)
"""Function words and trajectory boilerplate that never decide whether content is supported."""

NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "cannot",
        "can't",
        "won't",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "hasn't",
        "haven't",
        "hadn't",
        "without",
        "lack",
        "lacks",
        "lacking",
        "fails",
        "fail",
        "failed",
        "neither",
        "nor",
        "none",
        "nothing",
        "nobody",
        "unable",
        "absence",
        "absent",
        "rarely",
        "seldom",
        "hardly",
    ]
)
"""Polarity cues: a sentence that gains or loses one of these states the opposite."""

# Sentence-initial words that are capitalised only by position, never names.
_NOT_NAMES = frozenset(
    [
        "The",
        "A",
        "An",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "Its",
        "He",
        "She",
        "They",
        "We",
        "I",
        "You",
        "His",
        "Her",
        "Their",
        "Our",
        "My",
        "Your",
        "In",
        "On",
        "At",
        "By",
        "For",
        "From",
        "With",
        "Without",
        "And",
        "But",
        "Or",
        "If",
        "When",
        "While",
        "After",
        "Before",
        "Then",
        "There",
        "Here",
        "What",
        "Which",
        "Who",
        "Why",
        "How",
        "As",
        "So",
        "Also",
        "However",
        "Therefore",
        "Thus",
        "Moreover",
        "Furthermore",
        "Additionally",
        "Finally",
        "First",
        "Second",
        "Third",
        "Step",
        "Part",
        "Memory",
        "Updated",
        "Based",
        "Yes",
        "No",
        "Not",
        "Speaker",
        "Query",
        "Question",
        "Answer",
        "Context",
        "Keywords",
        "Tags",
        "Note",
        "Overall",
        "Since",
        "Because",
        "Although",
        "Though",
        "Each",
        "Every",
        "Some",
        "Any",
        "All",
        "Both",
        "Either",
        "Neither",
        "One",
        "Upon",
        "Later",
        "Meanwhile",
        "Once",
        "Despite",
        "During",
        "Within",
        "Between",
        "Among",
        "Through",
        "Across",
        "Into",
        "Onto",
        "Over",
        "Under",
        "Let",
        "Well",
        "Oh",
        "Hey",
        "Hi",
        "Thanks",
        "Thank",
        "Wow",
        "Sure",
        "Okay",
        "Ok",
        "Yeah",
        "Great",
        "Good",
        "Nice",
        "Sounds",
        "Glad",
        "Sorry",
        "Really",
        "Just",
        "Even",
        "Still",
        "Yet",
        "Only",
        "Perhaps",
        "Maybe",
        "Given",
        "Such",
        "Many",
        "Most",
        "Much",
        "More",
        "Less",
        "Other",
        "Another",
        "Any",
        "Do",
        "Does",
        "Did",
        "Is",
        "Are",
        "Was",
        "Were",
        "Be",
        "Been",
        "Have",
        "Has",
        "Had",
        "Can",
        "Could",
        "Will",
        "Would",
        "Should",
        "May",
        "Might",
        "Must",
    ]
)

_MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters, digits, inner apostrophes and hyphens)."""
    return _WORD.findall(text.lower())


def content_words(text: str) -> list[str]:
    """Lower-cased words minus stopwords and one-letter tokens."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in STOPWORDS]


def sentences(text: str) -> list[str]:
    """Split into sentences on end punctuation and line breaks; empty pieces dropped."""
    return [s.strip() for s in _SENT_SPLIT.split(text) if s and s.strip()]


def numbers(text: str) -> list[str]:
    """Numbers written with digits, normalised (thousands commas removed)."""
    out = []
    for m in _NUMBER.findall(text):
        n = m.replace(",", "")
        if n.endswith("."):
            n = n[:-1]
        out.append(n)
    return out


def entities(text: str) -> set[str]:
    """Lower-cased capitalised words that look like names (multi-word names are also split).

    A capitalised word counts only when it is not a sentence-initial function word; each word of a
    multi-word name is returned as well, so 'Deborah Lee James' supports 'James'.
    """
    out: set[str] = set()
    for m in _CAP.findall(text):
        parts = [p for p in re.split(r"\s+", m) if p and p[0].isupper() and p not in _NOT_NAMES]
        for p in parts:
            p = p.strip("'’-").lower()
            if len(p) > 1 and p not in STOPWORDS and p not in _MONTHS:
                out.add(p)
    return out


def stable_hash(text: str) -> int:
    """A process-independent 32-bit hash (``hash()`` is salted per process)."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def shingles(tokens: list[str], k: int = 3) -> set[int]:
    """Hashes of the k-word windows of ``tokens`` (the tokens themselves when shorter than k)."""
    if len(tokens) < k:
        return {hash(" ".join(tokens))} if tokens else set()
    return {hash(" ".join(tokens[i : i + k])) for i in range(len(tokens) - k + 1)}


def normalise(text: str) -> str:
    """Lower-case, words only, single-spaced: the key for exact-duplicate detection."""
    return " ".join(words(text))


def fraction(part: Iterable[object], whole: Iterable[object]) -> float:
    """|part| / |whole| for sized iterables, 0 when ``whole`` is empty."""
    p, w = len(list(part)), len(list(whole))
    return p / w if w else 0.0


_SUFFIXES = ("ingly", "ation", "ings", "ing", "ied", "ies", "edly", "ed", "es", "ly", "s")


def stem(word: str) -> str:
    """A light suffix-stripper so 'travelling', 'traveling' and 'travels' meet at 'travel'."""
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            word = word[: -len(suf)]
            if suf in ("ied", "ies"):
                word += "y"
            break
    if (len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl") or (
        len(word) > 4 and word[-1] == word[-2] == "l"
    ):
        word = word[:-1]
    return word


def stems(text: str) -> set[str]:
    """Stems of the content words of ``text``."""
    return {stem(w) for w in content_words(text)}
