"""Pointwise text analysis: a proposed memory split into claims, and the sources that back them.

A memory update is judged against what the updater read: the chunk (a document section or a
conversation) and the previous memory. This module turns the candidate into *clauses* (bullets,
sentences and their ``and``/``;``/comma parts, with layout such as list markers and field labels
removed) and indexes the sources so that each clause can be asked: are its names, numbers and
words there, and do they stand together in one source sentence?

Words that are never evidence of invention are excused: role words ("User", "Speaker"), a few
paraphrase and reporting words ("named", "years old", "mentioned"), sentence-initial capitals
that look like verbs ("Enjoys hiking"), and the question's own words. A handful of synonym
classes ("lives"/"moved to"/"resides") let an ordinary paraphrase of a fact count as supported.

Reading-agent memories also comment on their reading ("The lines about Mary are background and
can be set aside"), label their parts ("Current conclusion:") and draw conclusions ("Putting
this together: ..."): such sentences are *commentary*, not claims; only their names and numbers
are checked. Used only by the pointwise scorer; the pairwise path never imports it.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

from rewards.heuristic._grounding import COMMENTARY
from rewards.heuristic._question import _INFLECTIONS
from rewards.heuristic._text import (
    _COMMON_SUFFIXES,
    _MONTHS,
    _NOT_NAMES,
    NEGATIONS,
    STOPWORDS,
    fast_vocab,
    stem,
)
from rewards.heuristic._text import NUMBER_WORDS as _TEXT_NUMBER_WORDS

__all__ = [
    "FILLER_STEMS",
    "NUMBER_WORDS",
    "ROLE_STEMS",
    "SYNONYMS",
    "Clause",
    "Source",
    "Unit",
    "analyse_source",
    "covered",
    "inflected",
    "is_conversation",
    "split_units",
    "verbatim_in",
]

_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_SENT_END = re.compile(r"([.!?;][\"'”’)]?)\s+|\n+")
"""Sentence ends (also after a closing quote: '"... tea." Nadia walked to the garden.'); the
end punctuation stays with its sentence."""
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d{1,3}[.)])\s+")
_LABEL = re.compile(r"^\s*([A-Z][A-Za-z]{1,20}(?: \d{1,3})?)\s*:\s+(?=\S)")
_CLAUSE_SPLIT = re.compile(r";\s*|,\s+(?:and\s+|but\s+)?|\s+(?:and|but|whereas|while)\s+")
_SPEAKER_CUES = ("i am ", "i'm ", "i’m ", "name is ", "call me ", "this is ")
_SPEAKER_NAME = re.compile(r"\s*([A-Z][a-z]+)\b")
_CONCLUDE = frozenset(
    "conclusion conclude answer together therefore thus hence verdict so".split()  # noqa: SIM905
)
"""Words of a label that introduces an inference ("Current conclusion:", "Putting this together:")."""
_COLON = re.compile(r"(?<=[^\d\s]):\s+")
_ANAPHORA = frozenset("it this that they these those which he she its their".split())  # noqa: SIM905
_STARTERS = frozenset(
    """
    Apart Everything Nothing Something Anything Nobody Everyone Someone Anyone None Besides
    Instead Overall Together Otherwise Indeed Afterwards Eventually Today Tomorrow Yesterday Now
    Later Earlier Next Last Again Soon Never Always Often Sometimes Please Whose Whatever
    Whoever Whichever Else According Regarding Concerning Following Per Via Except Unlike Like
    Near Around About Behind Beyond Beside Towards Toward Against Along Amid Throughout Inside
    Outside Unless Until Whether Whereas Wherever Whenever Hence Consequently Accordingly
    Likewise Similarly Nevertheless Nonetheless Anyway Plus Rather Whilst Nor Yet
    """.split()  # noqa: SIM905
)
"""Sentence openers that are ordinary words, not names (beyond ``_text``'s list)."""
_ROLE_LINE = re.compile(r"^\s*(?:user|assistant|system|human|ai)\s*:", re.I | re.M)

METADATA_LABELS = frozenset({"Keywords", "Tags", "Links"})
"""Field labels whose lines classify a memory (A-Mem keywords and tags) rather than claim facts."""

LAYOUT_LABELS = frozenset(
    """
    Content Context Memory Memories Note Notes Fact Facts Summary Answer Evidence Question Update
    Updated Status Current Previous New Step Section Part Chunk Conclusion Reasoning Clue Clues
    Known Unknown Keywords Tags Links Result Results Observation Observations Topic Topics
    """.split()  # noqa: SIM905
)
"""Labels that are layout, not names (anything else before a colon is checked like a name)."""

ROLE_STEMS = frozenset(
    stem(w) for w in ("user", "users", "speaker", "speakers", "assistant", "person", "human")
)
"""Who a dialogue fact is about: never an invented name, never a word that needs support."""

_FILLER_WORDS = (
    "name named names call called known age aged old year years mention mentioned mentions "
    "said state stated states tell told share shared shares report reported note noted "
    "express expressed indicate indicated include includes included including currently "
    "recently also identify identifies identified describe described describes yet already far "
    "else"
)
FILLER_STEMS = frozenset(stem(w) for w in _FILLER_WORDS.split())
"""Paraphrase and reporting words a faithful fact adds freely ("User's name is Alice")."""

_SYNONYM_CLASSES = (
    "live lives living lived moved move moving reside resides resided relocated relocate based",
    "work works worked working job jobs employed employee profession occupation career",
    "like likes liked love loves loved enjoy enjoys enjoyed fan favorite favourite prefer "
    "prefers preferred passion",
    "own owns owned bought buy buys purchased",
    "study studies studied studying learn learns learning learned student",
    "married marry wife husband spouse partner",
    "born birth birthday",
)
SYNONYMS: dict[str, frozenset[str]] = {}
"""Stem -> the stems of its synonym class (a small, stated list of common fact predicates)."""
for _line in _SYNONYM_CLASSES:
    _cls = frozenset(stem(w) for w in _line.split())
    for _s in _cls:
        SYNONYMS[_s] = _cls | SYNONYMS.get(_s, frozenset())

NUMBER_WORDS = {
    w: str(v)
    for w, v in _TEXT_NUMBER_WORDS.items()
    if w not in ("zero", "one")  # "one" is a pronoun far more often than a count
} | {"thousand": "1000"}
"""Spelled-out numbers, normalised to digits ("three children" and "3 kids" state one count)."""

_SKIP_CLAUSE = (COMMENTARY - NEGATIONS) | frozenset(
    [
        "probably",
        "possibly",
        "presumably",
        "apparently",
        "suggests",
        "suggest",
        "implies",
        "imply",
        "unclear",
        "unknown",
        "assume",
        "assumed",
        "infer",
        "inferred",
        "guess",
        "evidence",
        "reasoning",
        "findings",
        "working",
    ]
)
"""A clause holding one of these words comments on the reading or hedges; it asserts nothing
to check (its names and numbers still are)."""


def _norm_word(w: str) -> str:
    w = w.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w.strip("'-")


def _number(tok: str) -> str | None:
    """The canonical digits of a number token, or None when it is not a number."""
    if tok[0].isdigit():
        m = _NUMERAL.fullmatch(tok.replace(",", ""))
        return m.group(1) if m else None
    return NUMBER_WORDS.get(tok.lower())


_NUMERAL = re.compile(r"(\d+(?:\.\d+)?)(?:st|nd|rd|th)?", re.I)
"""A number, or an ordinal written with digits ("3rd" states the number 3)."""


@dataclass(frozen=True, slots=True)
class Clause:
    """One claim of a memory: the smallest piece checked against the sources."""

    text: str
    """The clause as written (layout removed)."""
    names: frozenset[str]
    """Lower-cased words that look like names (capitalised, not sentence-initial verbs)."""
    numbers: frozenset[str]
    """Numbers it states, as digits."""
    need: frozenset[str]
    """Stems of its content words, minus role and filler words and numbers."""
    forms: tuple[tuple[str, str], ...]
    """(stem, word as written, lower-cased) of each ``need`` stem: the word is looked up first."""
    negated: bool
    """It holds a negation ("not", "never", ...)."""
    commentary: bool
    """It comments on the reading ("the section does not say ...") rather than claims a fact."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One sentence of a memory, with its field and its clauses."""

    text: str
    """The sentence as written, list marker and label removed."""
    label: str
    """The label it sits under ("Content", "Context", "Memory 2"), '' when unlabelled."""
    norm: str
    """Lower-cased words, single-spaced (exact duplicates compare equal)."""
    need: frozenset[str]
    """Union of its clauses' ``need`` stems."""
    clauses: tuple[Clause, ...]
    """Its claims."""
    commentary: bool
    """The sentence comments on the reading; none of its clauses is a claim."""


def _clause(text: str, initial: bool, commentary: bool) -> Clause | None:
    names: set[str] = set()
    nums: set[str] = set()
    need: dict[str, str] = {}
    low_words: list[str] = []
    first = initial
    for m in _WORD.finditer(text):
        tok = m.group(0)
        low = _norm_word(tok)
        at_start, first = first, False
        if not low:
            continue
        low_words.append(low)
        num = _number(low)
        if num is not None:
            nums.add(num)
            continue
        if len(low) < 2 or low in STOPWORDS or low in NEGATIONS:
            continue
        st = stem(low)
        if st in ROLE_STEMS or low in ROLE_STEMS:
            continue
        if (
            tok[0].isupper()
            and tok not in _NOT_NAMES
            and not (at_start and (tok in _STARTERS or commentary))
            and low not in _MONTHS
            # a capital inside a sentence marks a name even when its stem is a filler word
            # ("married to Fared": not "far")
            and (not at_start or st not in FILLER_STEMS)
        ):
            verb_like = len(low) > 3 and (low.endswith(_COMMON_SUFFIXES) or low.endswith("s"))
            if not (at_start and verb_like):
                names.add(low)
        if st not in FILLER_STEMS:
            need.setdefault(st, low)
    if not low_words:
        return None
    ws = set(low_words)
    return Clause(
        text=text,
        names=frozenset(names),
        numbers=frozenset(nums),
        need=frozenset(need),
        forms=tuple(need.items()),
        negated=bool(ws & NEGATIONS),
        commentary=commentary,
    )


@functools.lru_cache(maxsize=512)
def split_units(text: str) -> tuple[Unit, ...]:
    """The sentences of a memory text as units of clauses (memoised per text).

    List markers are layout; a leading ``Label:`` names the field the line belongs to, and lines
    under a metadata label (``Keywords:``, ``Tags:``, ``Links:``) are skipped. A label that is not
    a known layout word is kept as text, so a name written as a label is still checked.
    """
    out: list[Unit] = []
    for line in text.splitlines():
        line = _BULLET.sub("", line, count=1)
        where = ""
        m = _LABEL.match(line)
        if m:
            label = m.group(1)
            if label.split(" ")[0] in METADATA_LABELS:
                continue
            if label.split(" ")[0] in LAYOUT_LABELS:
                where = label
                line = line[m.end() :]
        after_commentary = conclusion = False
        for sent in _sentences(line):
            pieces = _COLON.split(sent)
            for k, piece in enumerate(pieces):
                piece = _BULLET.sub("", piece, count=1).strip()
                if not piece:
                    continue
                first = piece.split(" ", 1)[0].lower()
                label = k + 1 < len(pieces) and piece.count(" ") < 6  # "Current conclusion:"
                inherit = label or conclusion or (after_commentary and first in _ANAPHORA)
                unit = _unit(piece, where, inherit)
                conclusion = False
                if unit is not None:
                    out.append(unit)
                    after_commentary = unit.commentary
                    # "Current conclusion: ...", "Putting this together: ..." introduce an
                    # inference drawn from the memory, not a fact read in the source.
                    conclusion = k + 1 < len(pieces) and bool(set(unit.norm.split()) & _CONCLUDE)
    return tuple(out)


@functools.lru_cache(maxsize=8192)
def _unit(sent: str, where: str, inherit: bool) -> Unit | None:
    """One sentence's unit (memoised: a memory carries most sentences from step to step).

    Commentary is decided for the whole sentence ("The lines about Mary are background and can be
    set aside": no clause of it is a claim), and passes to a following sentence that opens with
    a pronoun ("...; it adds nothing new").
    """
    words = {_norm_word(w) for w in _WORD.findall(sent)}
    commentary = inherit or bool(words & _SKIP_CLAUSE)
    parts = [p for p in _CLAUSE_SPLIT.split(sent) if p and p.strip()]
    clauses = []
    for k, part in enumerate(parts):
        c = _clause(part, initial=(k == 0), commentary=commentary)
        if c is not None:
            clauses.append(c)
    if not clauses:
        return None
    norm = " ".join(_norm_word(w) for w in _WORD.findall(sent))
    need: frozenset[str] = frozenset().union(*(c.need for c in clauses))
    return Unit(
        text=sent,
        label=where,
        norm=norm,
        need=need,
        clauses=tuple(clauses),
        commentary=commentary,
    )


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank sentence of ``text``."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        end = m.start() + len(m.group(1) or "")
        if not text[pos:end].isspace() and end > pos:
            out.append((pos, end))
        pos = m.end()
    if pos < len(text) and not text[pos:].isspace():
        out.append((pos, len(text)))
    return out


def _sentences(text: str) -> list[str]:
    return [text[a:b].strip() for a, b in _sentence_spans(text)]


def _speakers(text: str, low: str) -> frozenset[str]:
    """Names the text gives its speaker: "I am Alice", "my name is Alice", "call me Al"."""
    out: set[str] = set()
    for cue in _SPEAKER_CUES:
        i = low.find(cue)
        while i >= 0:
            if i == 0 or not low[i - 1].isalnum():
                m = _SPEAKER_NAME.match(text, i + len(cue))
                if m:
                    out.add(m.group(1).lower())
            i = low.find(cue, i + 1)
    return frozenset(out)


def verbatim_in(sentence: str, text: str) -> bool:
    """Whether ``sentence`` stands in ``text`` as a whole sentence (not a clipped piece: "live
    in Lisbon" cut out of "I do not live in Lisbon" does not count)."""
    if not sentence:
        return False
    i = text.find(sentence)
    while i >= 0:
        head = text[max(0, i - 16) : i].rstrip(" \t")
        end = i + len(sentence)
        tail = text[end : end + 2]
        starts = not head or head[-1] in "\n.!?;:-*•\"'"
        ends = (
            not tail
            or tail[0] in "\n.!?;"
            or (sentence[-1] in ".!?;" and tail[0].isspace())
            or tail[0] in "\"'"
        )
        if starts and ends:
            return True
        i = text.find(sentence, i + 1)
    return False


def is_conversation(chunk: str) -> bool:
    """Whether the chunk is a conversation (``user: ...`` lines), as dialogue memories pass it.

    One write of a dialogue memory stores one fact of the conversation, so it is not expected to
    carry every relevant line of the chunk (a document-reading update is).
    """
    return bool(_ROLE_LINE.search(chunk))


@dataclass(kw_only=True)
class Source:
    """What the updater read (previous memory and chunk), indexed for support queries.

    Lookups search the lower-cased text with a compiled pattern and map hits to sentences by
    their start offsets, so only the few sentences a clause points at are ever tokenised.
    """

    vocab: frozenset[str]
    """Every lower-cased word."""
    numbers: frozenset[str]
    """Every number, as digits (spelled-out numbers included)."""
    low: str
    """The whole source, lower-cased."""
    sents: list[str]
    """Its sentences (and conversation lines), in order."""
    starts: list[int]
    """Offset of each sentence in :attr:`low`."""
    speakers: frozenset[str]
    """Names the source gives the speaker ("I am Alice", "User's name is Alice"): who a fact is
    about, like "User"."""
    prefix_cache: frozenset[str] | None = None
    """Prefixes (5 to 7 letters) of :attr:`vocab`'s words (computed on first use)."""
    key_cache: dict[int, frozenset[str]] = field(default_factory=dict)
    """Lazily computed words, stems, numbers and synonym tags of a sentence, by index."""

    def supports(self, word: str) -> bool:
        """Whether ``word`` (lower-case) or an inflection of it occurs in the source."""
        if word in self.vocab:
            return True
        st = stem(word)
        return any(st + suf in self.vocab for suf in _INFLECTIONS)

    def supports_stem(self, st: str) -> bool:
        """Whether a stem, or a stem of its synonym class, occurs in the source (inflected)."""
        return inflected(st, self.vocab) or any(
            inflected(s, self.vocab) for s in SYNONYMS.get(st, ())
        )

    def shares_prefix(self, word: str) -> bool:
        """Whether a source word starts like ``word`` (a long word less two letters, at most
        seven): derivations of one root ("allergy"/"allergic", "vegetarianism"/"vegetarian")."""
        n = min(len(word) - 2, 7)
        if n < 5:
            return False
        if self.prefix_cache is None:
            self.prefix_cache = frozenset(
                w[:k] for w in self.vocab if len(w) >= 5 for k in range(5, min(len(w), 7) + 1)
            )
        return word[:n] in self.prefix_cache

    def keys(self, i: int) -> frozenset[str]:
        """Words, stems, numbers (as digits) and synonym-class tags of sentence ``i``."""
        hit = self.key_cache.get(i)
        if hit is None:
            ks: set[str] = set()
            for tok in _WORD.findall(self.sents[i].lower()):
                w = _norm_word(tok) if ("'" in tok or "’" in tok or "-" in tok) else tok
                if not w:
                    continue
                num = _number(w)
                if num is not None:
                    ks.add("#" + num)
                st = stem(w)
                ks.update((w, st))
                for syn in SYNONYMS.get(st, ()):
                    ks.add("~" + syn)
            hit = self.key_cache[i] = frozenset(ks)
        return hit

    def _hits(self, pattern: str) -> list[int]:
        """Sentences where the regex ``pattern`` (on the lower-cased text) matches."""
        out: dict[int, None] = {}
        for m in re.finditer(pattern, self.low):
            i = bisect.bisect_right(self.starts, m.start()) - 1
            if i >= 0:
                out[i] = None
        return list(out)

    def sentences_with_all(self, names: frozenset[str], numbers: frozenset[str]) -> list[int]:
        """Indices of the sentences holding every name (lower-case, as a word) and number
        (digits or spelled out). Each is searched for first; only sentences holding them all
        are tokenised to confirm."""
        pool: set[int] | None = None
        for name in sorted(names):
            hits = self._hits(rf"(?<![^\W_]){re.escape(name)}(?![^\W_])")
            pool = set(hits) if pool is None else pool & set(hits)
        for n in sorted(numbers):
            forms = [re.escape(n), *(w for w, d in NUMBER_WORDS.items() if d == n)]
            hits = self._hits(rf"(?<![^\W_])(?:{'|'.join(forms)})(?:st|nd|rd|th)?(?![^\W_])")
            pool = set(hits) if pool is None else pool & set(hits)
        keys = [*names, *("#" + n for n in numbers)]
        return [i for i in sorted(pool or ()) if all(k in self.keys(i) for k in keys)]

    def sentences_with_any(self, stems_: frozenset[str]) -> list[int]:
        """Indices of the sentences holding a word that starts like one of ``stems_`` (or a
        synonym); a prefilter, callers check :meth:`keys`."""
        probes = set()
        for s in stems_:
            for x in (s, *SYNONYMS.get(s, ())):
                probes.add(re.escape(x[:4] if len(x) > 4 else x))
        if not probes:
            return []
        return self._hits(rf"(?<![^\W_])(?:{'|'.join(sorted(probes))})")

    def window(self, i: int) -> frozenset[str]:
        """Keys of sentence ``i`` and its neighbours (a fact told over two sentences)."""
        ks = self.keys(i)
        for j in (i - 1, i + 1):
            if 0 <= j < len(self.sents):
                ks = ks | self.keys(j)
        return ks


_DOUBLED = ("ed", "ing", "er", "ers", "y")


def inflected(st: str, vocab: frozenset[str]) -> bool:
    """Whether ``vocab`` holds the stem ``st`` in some inflection ("grab" -> "grabbed",
    "study" -> "studied")."""
    if any(st + suf in vocab for suf in _INFLECTIONS):
        return True
    if len(st) > 2 and st[-1] not in "aeiouwxy" and any(st + st[-1] + s in vocab for s in _DOUBLED):
        return True
    return st.endswith("y") and (st[:-1] + "ied" in vocab or st[:-1] + "ies" in vocab)


def covered(need: frozenset[str], keys: frozenset[str]) -> int:
    """How many of ``need``'s stems the keys hold, directly or through a synonym."""
    return sum(1 for s in need if s in keys or "~" + s in keys)


@functools.lru_cache(maxsize=16)
def analyse_source(previous_memory: str, chunk: str) -> Source:
    """Index the previous memory and the chunk (memoised: retries re-read the same chunk)."""
    text = f"{previous_memory}\n{chunk}"
    vocab, nums = fast_vocab(text)
    digits = set(nums) | {d for w, d in NUMBER_WORDS.items() if w in vocab}
    digits |= {n.split(".")[0] for n in nums if n.endswith(".0")}
    digits |= {d for d in map(_number, nums) if d is not None}
    spans = _sentence_spans(text)
    low = text.lower()
    return Source(
        vocab=vocab,
        speakers=_speakers(text, low),
        numbers=frozenset(digits),
        low=low,
        sents=[text[a:b].strip() for a, b in spans],
        starts=[a for a, _ in spans],
    )
