"""Cheap text primitives shared by every feature family: words, sentences, entities, numbers.

Everything here is linear in the text and avoids backtracking regexes, so a 1.5 MB pair costs a
few passes at most. Memories are small; the long context is analysed once per question (see
``_question``) and reused for both orders of a pair.
"""

from __future__ import annotations

import functools
import re
import string
import zlib
from collections import Counter
from dataclasses import dataclass

__all__ = [
    "ASSISTANT_ROLES",
    "CANCEL_CUE",
    "ENDED_WORDS",
    "NEGATIONS",
    "NUMBER_WORDS",
    "STOPWORDS",
    "SentenceInfo",
    "content_words",
    "entities",
    "fast_lines",
    "fast_vocab",
    "fast_vocab_counts",
    "fast_words",
    "memory_sentences",
    "numbers",
    "sentence_info",
    "sentences",
    "shingles",
    "stable_hash",
    "stem",
    "stems",
    "text_stems",
    "words",
]

_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)(?![\w])")
_SENT_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because
    been before being below between both but by can cannot could did do does doing don't
    down during each few for from further had has have having he her here hers herself him
    himself his how i if in into is isn't it it's its itself just let me more most my myself
    no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that that's the their theirs them themselves then there these
    they this those through to too under until up very was wasn't we were what when where
    which while who whom why will with would you your yours yourself yourselves one two also
    however therefore thus based given information memory section provided previous updated
    problem question answer step new whether may might must shall still there's there're
    they're we're i'm i've you're he's she's what's let's said says say yes ok okay really
    much many well like get got make made know think going go went come came see seen yeah
    hey hi thanks thank wow oh great good nice so that's since onto another
    """.split()  # noqa: SIM905
)
"""Function words and trajectory boilerplate that never decide whether content is supported."""

NEGATIONS = frozenset(
    """
    not no never cannot can't won't don't doesn't didn't isn't aren't wasn't weren't hasn't
    haven't hadn't without lack lacks lacking fails fail failed neither nor none nothing
    nobody unable absence absent rarely seldom hardly
    """.split()  # noqa: SIM905
)
"""Polarity cues: a sentence that gains or loses one of these states the opposite."""

# Sentence-initial words that are capitalised only by position, never names.
_NOT_NAMES = frozenset(
    """
    The A An This That These Those It Its He She They We I You His Her Their Our My Your In
    On At By For From With Without And But Or If When While After Before Then There Here
    What Which Who Why How As So Also However Therefore Thus Moreover Furthermore
    Additionally Finally First Second Third Step Part Memory Updated Based Yes No Not
    Speaker Query Question Answer Context Keywords Tags Note Overall Since Because Although
    Though Each Every Some Any All Both Either Neither One Upon Later Meanwhile Once Despite
    During Within Between Among Through Across Into Onto Over Under Let Well Oh Hey Hi
    Thanks Thank Wow Sure Okay Ok Yeah Great Good Nice Sounds Glad Sorry Really Just Even
    Still Yet Only Perhaps Maybe Given Such Many Most Much More Less Other Another Any Do
    Does Did Is Are Was Were Be Been Have Has Had Can Could Will Would Should May Might Must
    Mr Mrs Ms Miss Dr Prof Sir Dame Mx
    """.split()  # noqa: SIM905
)

_MONTHS = frozenset(
    """
    january february march april may june july august september october november december
    """.split()  # noqa: SIM905
)


NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}
"""Number words and their values ("sixteen players")."""


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
    """Lower-cased capitalised words that look like names.

    A capitalised word counts unless it is a known function word, or it opens a sentence and
    looks like an ordinary inflected word (-ed, -ing, -es, -ly, -tion, ...): Mem0 facts start
    with verbs ("Received a painting"), which are not names.
    """
    out: set[str] = set()
    start = True
    for m in _WORD.finditer(text):
        tok = m.group(0)
        if not tok[0].isupper():  # most words: nothing more to look at
            start = False
            continue
        prev = text[max(0, m.start() - 2) : m.start()]
        sentence_start = start or any(c in prev for c in ".!?:\n")
        start = False
        if tok in _NOT_NAMES:
            continue
        low = tok.lower().strip("'’-")
        if low.endswith(("'s", "’s")):
            low = low[:-2]
        if len(low) < 2 or low in STOPWORDS or low in _MONTHS or low.isdigit():
            continue
        if sentence_start and low.endswith(_COMMON_SUFFIXES):
            continue
        out.add(low)
    return out


_MID_NAME = re.compile(r"(?<![.!?:\n]\s)(?<![#\-*\d]\s)(?<!^)\b([A-Z][\w'\u2019-]+)", re.M)


def names_in_running_text(texts: list[str]) -> set[str]:
    """Capitalised words inside sentences of ``texts``, headings skipped: in written sections a
    capital opening a sentence ("Inside the palm house ...") or a heading in title case is
    style, not a name."""
    out: set[str] = set()
    for txt in texts:
        for line in txt.splitlines():
            if line.lstrip().startswith("#"):
                continue
            for m in _MID_NAME.finditer(line.strip()):
                low = m.group(1).lower()
                out.add(low[:-2] if low.endswith(("'s", "\u2019s")) else low)
    return out


_COMMON_SUFFIXES = (
    "ed",
    "ing",
    "es",
    "ly",
    "tion",
    "ment",
    "ful",
    "ous",
    "ive",
    "able",
    "ness",
    "ity",
    "ize",
    "ise",
)


def stable_hash(text: str) -> int:
    """A process-independent 32-bit hash (``hash()`` is salted per process)."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def shingles(tokens: list[str], k: int = 3) -> set[int]:
    """Hashes of the k-word windows of ``tokens`` (the tokens themselves when shorter than k)."""
    if len(tokens) < k:
        return {hash(" ".join(tokens))} if tokens else set()
    return {hash(" ".join(tokens[i : i + k])) for i in range(len(tokens) - k + 1)}


_SUFFIXES = (
    "ingly",
    "ation",
    "nesses",
    "ness",
    "ings",
    "ing",
    "ied",
    "ies",
    "edly",
    "ed",
    "es",
    "ly",
    "s",
)


_IRREGULAR = {
    past: base
    for base, forms in {
        "teach": "taught",
        "bring": "brought",
        "buy": "bought",
        "catch": "caught",
        "think": "thought",
        "build": "built",
        "hold": "held",
        "keep": "kept",
        "lead": "led",
        "meet": "met",
        "sell": "sold",
        "tell": "told",
        "win": "won",
        "run": "ran",
        "give": "gave given",
        "take": "took taken",
        "write": "wrote written",
        "drive": "drove driven",
        "ride": "rode ridden",
        "speak": "spoke spoken",
        "choose": "chose chosen",
        "begin": "began begun",
        "sing": "sang sung",
        "fall": "fell fallen",
        "grow": "grew grown",
        "fly": "flew flown",
        "draw": "drew drawn",
        "eat": "ate eaten",
        "send": "sent",
        "spend": "spent",
        "lend": "lent",
        "pay": "paid",
        "leave": "left",
        "find": "found",
        "sit": "sat",
        "stand": "stood",
        "swim": "swam swum",
    }.items()
    for past in forms.split()
}
"""Irregular past forms and their verbs ("taught" -> teach), so a sentence in the past tense
meets a question in the present ("Who teaches Year 3?" -- "Year 3 are taught by ...")."""


@functools.lru_cache(maxsize=32768)
def stem(word: str) -> str:
    """A light suffix-stripper so 'travelling', 'traveling' and 'travels' meet at 'travel' (and
    a possessive 'user's' at 'user'); irregular past forms meet their verb ('taught' at
    'teach')."""
    if word.endswith(("'s", "\u2019s")) and len(word) > 3:
        word = word[:-2]
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word[:1].isdigit() and ORDINAL.fullmatch(word):
        return word[:-2]  # "16th" and "16" state the same day
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


_KEEP = set((string.ascii_lowercase + string.digits + "'-.,").encode())
_EDGE = frozenset(".,'-")
_UQUOTES = tuple(c.encode() for c in "“”‘—–…«»")
_BTRANS = bytes(b if (b in _KEEP or b >= 0x80) else 0x20 for b in range(256))


def fast_vocab(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(words, numbers) of a long text, using C-speed translate/split instead of a regex.

    Equivalent to ``set(words(text))`` and ``set(numbers(text))`` up to edge punctuation, at a
    fraction of the cost on a 0.5 MB context.
    """
    vocab, nums, _counts = fast_vocab_counts(text)
    return vocab, nums


ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")
"""An ordinal in digits ("16th"); it states its number."""


def fast_vocab_counts(text: str) -> tuple[frozenset[str], frozenset[str], dict[str, int]]:
    """:func:`fast_vocab` plus how often each word occurs (a C-speed ``Counter``)."""
    data = text.lower().encode("utf-8", "ignore")
    for quote in _UQUOTES:
        if quote in data:
            data = data.replace(quote, b" ")
    data = data.replace("’".encode(), b"'").translate(_BTRANS)
    raw = Counter(data.decode("utf-8", "ignore").split())
    vocab: set[str] = set()
    nums: set[str] = set()
    counts: dict[str, int] = {}
    for tok, c in raw.items():
        t = tok
        if t[0] in _EDGE or t[-1] in _EDGE:
            t = t.strip(".,'-")
            if not t:
                continue
        if t[0] in "£€" and len(t) > 1 and t[1].isdigit():
            t = t[1:]  # "£30" states 30 ("$" is a separator already)
        if t[0].isdigit():
            n = t.replace(",", "")
            nums.add(n)
            vocab.add(n)
            if ORDINAL.fullmatch(n):  # "the 16th of June" states 16
                nums.add(n[:-2])
                vocab.add(n[:-2])
            vocab.update(p for p in re.split(r"[.,]", t) if p)
        elif "." in t or "," in t:
            for p in re.split(r"[.,]+", t):
                p = p.strip("'-")
                if p:
                    vocab.add(p)
                    counts[p] = counts.get(p, 0) + c
        else:
            vocab.add(t)
            counts[t] = counts.get(t, 0) + c
    for t in [v for v in vocab if v.endswith("'s")]:
        vocab.add(t[:-2])
        counts[t[:-2]] = counts.get(t[:-2], 0) + counts.get(t, 0)
    return frozenset(vocab), frozenset(nums), counts


@dataclass(frozen=True, slots=True)
class SentenceInfo:
    """Everything the feature families read from one memory sentence, computed once."""

    norm: str
    """Normalised text (lower-case words, single-spaced)."""
    words: tuple[str, ...]
    """Content words, in order."""
    stems: frozenset[str]
    """Stems of the content words."""
    shingles: frozenset[int]
    """Hashes of its 3-word windows."""
    entities: frozenset[str]
    """Names it mentions (lower-cased)."""
    numbers: frozenset[str]
    """Numbers it states."""


CANCEL_CUE = re.compile(
    r"\bno longer\b|\bnot any ?more\b|\b(?:stopped|ceased|cancell?ed|scrapped|abolished|ended)\b",
    re.I,
)
"""A sentence that ends something the context stated before."""
ENDED_WORDS = frozenset(
    {"longer", "free", "stopped", "ceased", "cancelled", "canceled", "scrapped", "ended", "none"}
)
"""Words by which a memory says that something ended ("entry now free", "no longer")."""


ASSISTANT_ROLES = frozenset({"assistant", "ai", "bot", "chatbot", "agent", "system", "model"})
"""Speaker labels of the machine side of a chat."""


_LIST_NUMBER = re.compile(r"\s*[-*]?\s*\d+[.)]\s")


@functools.lru_cache(maxsize=8192)
def sentence_info(sentence: str) -> SentenceInfo:
    """Analyse one sentence (memoised: carried-over memories repeat their sentences every step)."""
    ws = words(sentence)
    if len(ws) > 1 and ws[0].isdigit() and _LIST_NUMBER.match(sentence):
        ws = ws[1:]  # list numbering ("2. The dam ...") is layout, not content
    cws = tuple(w for w in ws if len(w) > 1 and w not in STOPWORDS)
    return SentenceInfo(
        norm=" ".join(ws),
        words=cws,
        stems=frozenset(stem(w) for w in cws),
        shingles=frozenset(shingles(ws, 3)),
        entities=frozenset(entities(sentence)),
        numbers=frozenset(numbers(sentence)),
    )


@functools.lru_cache(maxsize=256)
def memory_sentences(text: str) -> tuple[SentenceInfo, ...]:
    """The analysed sentences of one memory text (memoised per text)."""
    return tuple(sentence_info(s) for s in sentences(text))


def text_stems(text: str) -> frozenset[str]:
    """Union of the stems of a memory's sentences (memoised through :func:`memory_sentences`)."""
    out: set[str] = set()
    for info in memory_sentences(text):
        out |= info.stems
    return frozenset(out)


_LINE_KEEP = set((string.ascii_lowercase + string.digits + "\n").encode())
_LINE_TRANS = bytes(b if (b in _LINE_KEEP or b >= 0x80) else 0x20 for b in range(256))


def fast_words(text: str) -> list[str]:
    """Lower-cased words by byte-level translate/split: apostrophes and hyphens split words
    ("children's" -> "children", "s"). The tokeniser the dialogue index and its lookups share;
    newlines survive, so a whole conversation can be tokenised at once and split into lines."""
    data = text.lower().encode("utf-8", "ignore")
    for quote in _UQUOTES:
        if quote in data:
            data = data.replace(quote, b" ")
    return data.replace("’".encode(), b" ").translate(_LINE_TRANS).decode("utf-8", "ignore").split()


def fast_lines(text: str) -> list[list[str]]:
    """:func:`fast_words` of every line of ``text``, in one pass."""
    data = text.lower().encode("utf-8", "ignore")
    for quote in _UQUOTES:
        if quote in data:
            data = data.replace(quote, b" ")
    flat = data.replace("’".encode(), b" ").translate(_LINE_TRANS).decode("utf-8", "ignore")
    return [ln.split() for ln in flat.split("\n")]


TURN_HEADER = re.compile(
    r"^\s*(?:\[[^\]]{3,60}\]\s*)?(?:(?:Speaker|User|Assistant)\s+)?"
    r"([A-Z][\w.'\-]{0,30}(?:\s+[A-Z][\w.'\-]{0,30})?)(?:\s+(?:says|said|writes|wrote))?\s*:\s*"
)
"""A conversation turn's header: an optional ``[timestamp]``, then a capitalised speaker
(``Speaker Ann says:``, ``Ann:``, ``User:``). Stated-fact lists (``fact_12 : ...``) do not match."""


def split_turn(line: str) -> tuple[str, str]:
    """(lower-cased speaker or '', the message) of one conversation line."""
    m = TURN_HEADER.match(line)
    if m is None:
        return "", line.strip()
    return m.group(1).lower(), line[m.end() :].strip()
