"""The public-domain filler: Jane Austen's six novels, as sentences with their token counts.

Facts are hidden in contiguous excerpts of this text (bAbI-style "haystack" contexts), background
documents are cut from it, and quoted speech from it gives dialogue chit-chat. Everything is
derived deterministically from ``benchmarks/data/filler/austen.txt.xz``.
"""

from __future__ import annotations

import functools
import lzma
import random
import re
from dataclasses import dataclass
from pathlib import Path

from agentmem.exceptions import UserError
from agentmem.tokens import encoding

__all__ = ["CORPUS_PATH", "Corpus", "corpus"]

CORPUS_PATH = Path(__file__).resolve().parent.parent / "data" / "filler" / "austen.txt.xz"

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“‘]?[A-Z])")
_NAME = re.compile(
    r"(?<![.!?]\s)(?<!^)\b(?:Mr\.|Mrs\.|Miss|Lady|Sir|Colonel|Captain)?\s?([A-Z][a-z]{3,})\b"
)
_MAX_SENTENCE_TOKENS = 150
"""Longer "sentences" (letters, lists without full stops) are left out of excerpts: one of them
would be a bigger step than the width of a length band."""
_TITLES = re.compile(r"\b(?:Mr|Mrs|Miss|Lady|Sir|Colonel|Captain|Dr)\b")
_NOT_NAMES = frozenset(
    [
        "The",
        "This",
        "That",
        "They",
        "There",
        "Their",
        "What",
        "When",
        "Where",
        "Which",
        "While",
        "With",
        "Your",
        "Yours",
        "Have",
        "Here",
        "Such",
        "Some",
        "Very",
        "Well",
        "Then",
        "Than",
        "Every",
        "Upon",
        "After",
        "Before",
        "Though",
        "Oh",
        "But",
        "And",
        "For",
        "Nor",
        "Yet",
        "She",
        "Her",
        "His",
        "Him",
        "Had",
        "Was",
        "Were",
        "Will",
        "Would",
        "Could",
        "Should",
        "Must",
        "Shall",
        "May",
        "Might",
        "Being",
        "Good",
        "Dear",
        "Madam",
        "Ma'am",
        "Chapter",
        "Volume",
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "January",
        "February",
        "March",
        "April",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "English",
        "England",
        "London",
        "Bath",
        "Heaven",
        "Lord",
        "God",
        "Yes",
        "Indeed",
        "Nothing",
        "Everything",
        "Nobody",
    ]
)


@dataclass(frozen=True, kw_only=True)
class Corpus:
    """Sentences of the filler text in reading order, with cl100k_base token counts."""

    sentences: tuple[str, ...]
    """Every sentence, in order, whitespace-normalised."""
    tokens: tuple[int, ...]
    """Token count of each sentence (counted alone; joined text differs by a token or so)."""
    quotes: tuple[str, ...]
    """Quoted speech of 8..60 words, quotation marks removed (dialogue chit-chat)."""

    def excerpt(self, rng: random.Random, n_tokens: int) -> list[str]:
        """Consecutive sentences (under 150 tokens each) from a random place, ~``n_tokens`` in all."""
        if n_tokens <= 0:
            return []
        n = len(self.sentences)
        i = rng.randrange(n)
        out: list[str] = []
        total = 0
        while total < n_tokens:
            if self.tokens[i] <= _MAX_SENTENCE_TOKENS:  # skip run-on letters and lists
                out.append(self.sentences[i])
                total += self.tokens[i] + 1
            i = (i + 1) % n
        return out

    @functools.cached_property
    def plain_quotes(self) -> tuple[str, ...]:
        """Quotes that name nobody (they read as anyone's small talk)."""
        return tuple(q for q in self.quotes if self.is_plain(q))

    @functools.cached_property
    def known_names(self) -> frozenset[str]:
        """Capitalised words seen mid-sentence at least three times: the novels' names."""
        from collections import Counter

        counts = Counter(m.group(1) for s in self.sentences for m in _NAME.finditer(s))
        return frozenset(n for n, k in counts.items() if k >= 3 and n not in _NOT_NAMES)

    def is_plain(self, text: str) -> bool:
        """True when ``text`` names no person or place and addresses nobody by title."""
        if _TITLES.search(text):
            return False
        return not any(w.strip(".,;:!?-'\"()") in self.known_names for w in text.split())

    def names_in(self, text: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` capitalised names that appear mid-sentence in ``text`` (first seen first)."""
        seen: list[str] = []
        for m in _NAME.finditer(text):
            name = m.group(1)
            if name not in _NOT_NAMES and name not in seen:
                seen.append(name)
                if len(seen) == limit:
                    break
        return seen


_ABBREV = ("Mr.", "Mrs.", "Dr.", "St.", "Ms.")


def _split(text: str) -> tuple[list[str], list[str]]:
    """Sentences and quoted speech of the corpus text."""
    sentences: list[str] = []
    quotes: list[str] = []
    for para in text.split("\n\n"):
        para = " ".join(para.replace("_", "").split())
        if not para or para.startswith("# "):
            continue
        for q in re.findall(r"[\"“]([^\"”]{30,400})[\"”]", para):
            q = q.strip(" ,;-")
            if 8 <= len(q.split()) <= 60 and q[0].isupper() and q[-1] in ".!?":
                quotes.append(q)
        pending = ""
        for s in _SENTENCE_END.split(para):
            s = (pending + " " + s.strip()).strip() if pending else s.strip()
            if s.endswith(_ABBREV):
                pending = s
                continue
            pending = ""
            if len(s) > 1:
                sentences.append(s)
        if pending:
            sentences.append(pending)
    return sentences, quotes


@functools.cache
def corpus() -> Corpus:
    """The filler corpus (loaded and tokenised once per process, ~2 s)."""
    if not CORPUS_PATH.is_file():
        raise UserError(
            f"filler corpus {str(CORPUS_PATH)!r} is missing; rebuild it with "
            "`python -m benchmarks.generator.build_filler` (needs r-cran-janeaustenr)"
        )
    text = lzma.decompress(CORPUS_PATH.read_bytes()).decode("utf-8")
    sentences, quotes = _split(text)
    enc = encoding()
    tokens = tuple(len(ids) for ids in enc.encode_ordinary_batch(sentences, num_threads=1))
    return Corpus(sentences=tuple(sentences), tokens=tokens, quotes=tuple(quotes))
