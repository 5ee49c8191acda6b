"""Coverage: does the memory keep what the question needs until the end?

The question names what matters (its entities); the context sentences or messages that share
those names are the likely evidence. A memory that loses the evidence's distinctive words, or
the question's own names, cannot support a correct answer.
"""

from __future__ import annotations

import math
import re

from rewards.heuristic._formats import (
    clock_keys,
    clock_times,
    date_keys,
    date_spans,
    day_lengths,
    durations,
    money_keys,
    money_spans,
    shift_date,
    time_spans,
)
from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts, unit_text
from rewards.heuristic._staleness import (
    _CUES,
    _TIME_WORDS,
    ConversationIndex,
    announces_change,
    conversation_index,
    sentence_index,
    specific_words,
)
from rewards.heuristic._text import (
    ASSISTANT_ROLES,
    CANCEL_CUE,
    ENDED_WORDS,
    NUMBER_WORDS,
    ORDINAL,
    STOPWORDS,
    fast_words,
    memory_sentences,
    names_in_running_text,
    stem,
    stems,
    text_stems,
)
from rewards.heuristic._totals import quantities, total_explanation

__all__ = [
    "context_times",
    "coverage_features",
    "evidence_facts",
    "final_parts",
    "latest_negated",
    "opposite_roots",
    "paired_fact_coverage",
    "stale_values",
    "superseded_facts",
    "superseded_values",
    "topic_roots",
    "value_words",
]

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
        texts = []
        for e in q.evidence:
            st = frozenset(stems(unit_text(e)))
            if len(st) >= 2:
                facts.append(st)
                texts.append(unit_text(e))
        hit = q.derived["evidence_facts"] = facts
        q.derived["evidence_fact_texts"] = texts
    return hit  # type: ignore[return-value]


def evidence_fact_texts(q: QuestionFacts) -> list[str]:
    """The text of each evidence fact, aligned with :func:`evidence_facts`."""
    evidence_facts(q)
    return q.derived["evidence_fact_texts"]  # type: ignore[return-value]


def superseded_facts(q: QuestionFacts) -> frozenset[int]:
    """Evidence facts (indexes into :func:`evidence_facts`) that the context itself replaced: an
    earlier statement about what the question asks (it holds one of the question's topic words)
    followed later in the context by the context's last word on it (:func:`latest_answer_line`),
    which it does not repeat. A memory that drops such a fact while holding the later statement
    has applied an update; it has not lost evidence. (Document contexts only.)"""
    hit = q.derived.get("superseded_facts")
    if hit is not None:
        return hit  # type: ignore[return-value]
    out: set[int] = set()
    latest = latest_answer_line(q) if not q.statements else None
    facts = evidence_facts(q)
    if latest is not None and facts:
        idx = sentence_index(q)
        line, words = latest
        body = idx.bodies[line] if 0 <= line < len(idx.bodies) else ""
        at = q.context.find(body) if body else -1
        query_roots = _query_roots(q)
        names = {stem(e.lower()) for e in q.query_entities}
        topic = {r for r in query_roots if r not in names}
        latest_stems = {stem(w) for w in words}
        for k, text in enumerate(evidence_fact_texts(q)):
            pos = q.context.find(text)
            if at < 0 or pos < 0 or pos >= at or text.strip() == body.strip():
                continue
            if facts[k] & latest_stems:
                continue  # it repeats the later statement's values: not replaced
            if any(_root(st) in topic for st in facts[k]):
                out.add(k)
    out.update(_value_replaced(q))
    hit = q.derived["superseded_facts"] = frozenset(out)
    return hit


def _value_replaced(q: QuestionFacts) -> dict[int, frozenset[str]]:
    """Evidence facts stating a value the context later replaced, without any replacement
    ("admitted to Ward 4" once "moved to Ward 9"), each with the values that replaced it.
    (Document contexts only.)"""
    out: dict[int, frozenset[str]] = {}
    if q.statements:
        return out
    replaced = superseded_values(q)
    if not replaced:
        return out
    for k, text in enumerate(evidence_fact_texts(q)):
        ws = value_words(text)  # (stems drop one-digit numbers: "Ward 4")
        for v, newer in replaced:
            if v in ws and not (newer & ws):
                out[k] = out.get(k, frozenset()) | newer
    return out


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


def _query_roots(q: QuestionFacts) -> set[str]:
    """The question's words as roots (what "a line about the question" is matched on); a
    hyphenated word also by its head ("kick" for "kick-off": lines are indexed word by word)."""
    return {r for w in q.query_words for r in _roots(w)}


def _roots(st: str) -> tuple[str, ...]:
    """The root of a stem, and of its head when hyphenated ("kick-off" -> kick-off, kick)."""
    head = st.split("-", 1)[0]
    return (_root(st), _root(head)) if head != st and len(head) >= 3 else (_root(st),)


_DERIVED = frozenset(("ure", "ures", "ion", "ions", "er", "ers", "or", "ors", "ment", "al"))
"""Suffixes that make a noun of a verb's root ("clos" + "ure", "act" + "ion")."""


def _derived_root(st: str, roots: list[str] | set[str]) -> str:
    """The root among ``roots`` that ``st`` is a noun of ("closure" -> clos), or that is a noun
    of ``st`` ("director" for "directed", "setter" for "set": a doubled last letter), or ""."""
    return next(
        (
            r
            for r in roots
            if (st.startswith(r) and st[len(r) :] in _DERIVED)
            or (len(st) >= 4 and r.startswith(st) and r[len(st) :] in _DERIVED)
            or (
                len(st) >= 3
                and r.startswith(st + st[-1])
                and r[len(st) + 1 :] in _DERIVED  # "setter", "runner", "planner"
            )
        ),
        "",
    )


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

    idx = conversation_index(q) if q.statements else sentence_index(q)
    n = max(1, len(idx.bodies))
    names = {e.lower() for e in q.query_entities}
    name_stems = {stem(x) for x in names}
    query_roots = _query_roots(q)
    topic: dict[str, set[int]] = {}
    long_roots = [r for r in query_roots if len(r) >= 5]
    heads = {r[:3] for r in query_roots}  # a derived noun shares its root's first letters
    named: set[int] = {i for i, sp in enumerate(idx.line_speakers) if sp and sp in names}
    for w, lines in idx.where.items():
        st = stem(w)
        if st in name_stems or w in names:
            named.update(lines)
        elif len(st) >= 3 and w not in idx.speakers:
            # a hyphenated word is on topic by its head ("kick-off" for "kick off"), a derived
            # word by its query word's root ("conductor" for "conducts")
            root = (
                next((r for r in _roots(st) if r in query_roots), "")
                or next((r for r in long_roots if st.startswith(r)), "")
                or (_derived_root(st, query_roots) if st[:3] in heads else "")
                # a verb done again is on its root's topic ("reopened" for "open")
                or (r2 if st.startswith("re") and (r2 := _root(st[2:])) in query_roots else "")
            )
            if root:
                topic.setdefault(root, set()).update(lines)
    scores: dict[int, float] = {}
    # what a chat assistant says ("Another move!") is not the people's word on anything
    machine = {i for i, sp in enumerate(idx.line_speakers) if sp in ASSISTANT_ROLES}
    for lines in topic.values():
        if len(lines) > n // 2:
            continue  # too common to point anywhere
        idf = math.log((n + 1) / (len(lines) + 0.5))
        for i in lines - machine:
            scores[i] = scores.get(i, 0.0) + idf
    if named and len(named) <= n // 2:
        bonus = 3.0 * math.log((n + 1) / (len(named) + 0.5))
        for i in scores:
            if i in named:
                scores[i] += bonus
        if not scores and not q.statements:
            # no sentence speaks of the question's topic in its words ("What is Priti Shah's
            # job now?" over "Priti Shah became a midwife"): the sentences naming its subject
            # are what the text says about it
            scores = dict.fromkeys(named, bonus)
    hit = None
    if not q.statements and (_WHERE.match(q.query.strip()) or _WHO.match(q.query.strip())):
        # "where" asks for a place and "who" for a person: the last word on it is the latest
        # sentence that puts the question's subject somewhere (or names a new holder), not the
        # latest one that merely mentions it
        subject = _where_subject(q.query)
        if subject:
            topic = {r: lines for r, lines in topic.items() if r in subject} or topic
        if _WHO.match(q.query.strip()):
            hit = _latest_holder(q, idx, topic, names, named)
        else:
            hit = _latest_place(idx, topic, query_roots, names)
        if hit is not None:
            hit = (hit[0], frozenset(_new_words(idx, hit[0], set(hit[1]), topic)))
            q.derived["latest_is_typed"] = True
            q.derived["latest_answer_line"] = hit
            return hit
    if scores:
        top = max(scores.values())
        line = max(i for i, sc in scores.items() if sc >= 0.9 * top)

        def values(i: int) -> set[str]:
            # a line's specific words but the question's own (in any inflection or derived
            # noun: "closure" for "closed") and its names
            return {
                w
                for w in specific_words(idx, i) - names
                if _root(st := stem(w)) not in query_roots
                and not _derived_root(st, query_roots)
                and not _CUES.fullmatch(w)  # a change word is not a value
            }

        words = values(line)
        if q.statements:
            # a question about the subject, asked at or after that line ("How old are the
            # twins?"), is answered by the other speaker's next turn: that answer is the latest
            asked = [
                j
                for lines in topic.values()
                for j in lines
                if j >= line and idx.bodies[j].rstrip().endswith("?")
            ]
            nxt = max(asked) + 1 if asked else len(idx.bodies)
            if nxt < len(idx.bodies) and idx.line_speakers[nxt] != idx.line_speakers[nxt - 1]:
                answer = values(nxt)
                if answer:
                    line, words = nxt, answer
        # a later line that names one of its values again is the conversation's later word on
        # the same thing (an update: "no more carpenter work, I'm a pharmacist now"); what it
        # adds is what a current memory must hold
        later = [j for w in words for j in idx.where.get(w, ()) if j > line]
        if not q.statements:
            # in a document, a later sentence that merely names the same person or place again
            # ("Tomasz went to visit his cousin") is not an update of what the question asks:
            # it must speak of the question's topic too
            later = [j for j in later if any(j in topic[r] for r in topic)]
        if q.statements and not later:
            later = _correction_after(idx, line)
        if not q.statements and not later:
            # a later sentence about the question's topic that announces a change ("From June,
            # the market moves to the last Saturday") updates it even without repeating a value
            announced = [
                j
                for j, sc in scores.items()
                if j > line
                and sc >= 0.5 * top
                and (_CUES.search(idx.bodies[j]) or _shifts(idx.bodies[j]))
            ]
            if announced:
                # what the announcement brings that the earlier statement lacked, time words
                # included ("the last Saturday"), but not its change words or the question's
                nxt = max(announced)
                before = set(idx.clauses(line)[0])
                brought = {
                    w
                    for w in idx.clauses(nxt)[0]
                    if len(w) >= 3
                    and w not in STOPWORDS
                    and w not in before
                    and not _CUES.fullmatch(w)
                    and _root(stem(w)) not in query_roots
                }
                if brought:
                    line, words = nxt, brought
        if later:
            nxt = max(later)
            added = values(nxt) - words
            if added:
                line, words = nxt, added
        if (
            q.statements
            and line + 2 < len(idx.bodies)
            and idx.bodies[line + 1].rstrip().endswith("?")
            and idx.line_speakers[line + 1] != idx.line_speakers[line]
            and idx.line_speakers[line + 2] == idx.line_speakers[line]
            and any(line + 2 in lines for lines in topic.values())
        ):
            # the other speaker asks straight back ("Which one?") and the reply goes on about
            # the question's topic ("The Riverside Marathon, 4 hours 12 minutes"): part of the
            # word (a reply on something else -- "my lips hurt" -- is not)
            words = words | values(line + 2)
        if not q.statements:  # a document sentence may say several things; a turn says one
            words = _focus(idx, line, words, query_roots)
        # "on Friday instead of Wednesday": the value a change names as replaced is the old one
        words = (words - _replaced(idx.bodies[line])) or words
        # a time of day, a sum of money or a date is a value however it is written ("22:45",
        # "quarter to eleven"; "£1.50", "one pound fifty"; "21 June", "June 21st")
        words |= _written_values(idx.bodies[line], q.query)
        if not q.statements and _shifts(idx.bodies[line]):
            # "kick-off has been pushed back half an hour": the time it moved to
            words |= _shifted_times(idx, line, topic)
        if not q.statements:
            words = _new_words(idx, line, words, topic)
            line, words = _follow_replacements(q, line, words)
        else:
            line, words = _restated_value(idx, line, words, topic)
        if CANCEL_CUE.search(idx.bodies[line]):
            # "the museum no longer charges": a memory holds the update by saying it ended
            words = words | ENDED_WORDS
        if words:
            # an ordinal date ("the 16th") is held by a memory writing "16"
            words |= {w[:-2] for w in words if ORDINAL.fullmatch(w)}
            hit = (line, frozenset(words))
    q.derived["latest_answer_line"] = hit
    return hit


def _follow_replacements(q: QuestionFacts, line: int, words: set[str]) -> tuple[int, set[str]]:
    """The sentence and values that replaced the values of ``words`` which the context itself
    replaced later (:func:`superseded_values`: "planned for 12 May" ... "postponed to 19 May"),
    followed to the last replacement; ``line`` and ``words`` when none was replaced."""
    replaced = dict(superseded_values(q))
    at: dict[str, int] = q.derived.get("superseded_at", {})  # type: ignore[assignment]
    done: set[str] = set()
    while old := {w for w in words if w in replaced and w not in done}:
        done |= old
        nxt = max(at[w] for w in old)
        if nxt <= line:
            break
        line, words = nxt, set().union(*(replaced[w] for w in old))
    return line, words


def _restated_value(
    idx: ConversationIndex, line: int, words: set[str], topic: dict[str, set[int]]
) -> tuple[int, set[str]]:
    """The same speaker's later line on the topic that gives another time, sum or date than
    ``line`` ("it's on 14 March" ... "Actually, I got that wrong, her birthday is on 24
    March"), with those values; ``line`` and ``words`` when there is none."""
    kinds = {w[0] for w in words if w[:1] in "@$#"}
    if not kinds:
        return line, words
    who = idx.line_speakers[line]
    for j in sorted({j for lines in topic.values() for j in lines if j > line}, reverse=True):
        if idx.line_speakers[j] == who:
            keys = {k for k in _written_values(idx.bodies[j], "") if k[0] in kinds} - words
            if keys:
                return j, keys
    return line, words


def _keys(words: set[str] | frozenset[str]) -> set[str]:
    """Roots of words, and of a verb done again its plain root ("reopened" -> open)."""
    out: set[str] = set()
    for w in words:
        r = _root(stem(w))
        out.add(r)
        if r.startswith("re") and len(r) > 5:
            out.add(r[2:])
    return out


def holds_latest(latest: frozenset[str], texts: list[str]) -> bool:
    """Whether ``texts`` say one of the latest sentence's words, in any inflection ("open" for
    "reopened", "Fridays" for "Friday")."""
    held: set[str] = set()
    for t in texts:
        held |= value_words(t)
    return bool(latest & held) or bool(_keys(latest) & _keys(held))


def context_times(q: QuestionFacts) -> tuple[frozenset[int], frozenset[int]]:
    """Times of day and lengths of time the context states (cached on the question; scanned
    only when a memory writes a time)."""
    hit = q.derived.get("context_times")
    if hit is None:
        hit = q.derived["context_times"] = (
            clock_times(q.context),
            frozenset(durations(q.context)),
        )
    return hit  # type: ignore[return-value]


def _moved_by_a_length(
    times: set[int] | frozenset[int], texts: list[str], q: QuestionFacts
) -> bool:
    """Whether ``texts`` state one of ``times`` moved by a length of time the context states
    ("starts at 19:30", "runs two hours and ten minutes" -> "ends 21:40")."""
    held = {t for txt in texts for t in clock_times(txt)}
    if not times or not held:
        return False
    lengths = context_times(q)[1]
    return any((t + d) % 720 in held or (t - d) % 720 in held for t in times for d in lengths)


def value_words(text: str) -> set[str]:
    """The words of ``text`` with its times of day, sums of money and dates as keys ("@510" for
    "half past eight", "$150" for "£1.50", "#621" for "21 June"), so that values meet however
    they are written."""
    return {*fast_words(text), *clock_keys(text), *money_keys(text), *date_keys(text)}


_SHIFT = re.compile(
    r"\b(?:pushed|put|moved|set|brought|delayed|postponed|later|earlier|forward|back)\b", re.I
)
"""Words that move a time by a length ("pushed back half an hour", "an hour earlier")."""


def _shifts(sentence: str) -> bool:
    """Whether a sentence moves a time or a date by a length of time ("pushed back half an
    hour", "delayed by two days"), stating no new time or date itself."""
    return (
        bool(_SHIFT.search(sentence))
        and bool(durations(sentence) or day_lengths(sentence))
        and not clock_keys(sentence)
        and not date_keys(sentence)
    )


def _shifted_times(idx: ConversationIndex, line: int, topic: dict[str, set[int]]) -> set[str]:
    """The times and dates (as :func:`clock_keys` and :func:`date_keys`) that the latest earlier
    sentence on the topic stated, moved by the lengths ``line`` gives, either way ("3 pm",
    "pushed back half an hour" -> 3.30 or 2.30: which way "back" goes is left open)."""
    body = idx.bodies[line]
    minutes, days = durations(body), day_lengths(body)
    for j in sorted({j for lines in topic.values() for j in lines if j < line}, reverse=True):
        times = clock_times(idx.bodies[j]) if minutes else frozenset()
        dates = {v for _, _, v in date_spans(idx.bodies[j])} if days else set()
        if times or dates:
            return {
                f"@{(t + sign * d) % 720}" for t in times for d in minutes for sign in (1, -1)
            } | {f"#{shift_date(v, sign * d)}" for v in dates for d in days for sign in (1, -1)}
    return set()


def _written_values(sentence: str, query: str) -> frozenset[str]:
    """The times of day, sums of money and dates a sentence states (as :func:`clock_keys`,
    :func:`money_keys` and :func:`date_keys`), but one its change names as replaced ("at half
    past eight instead of nine") and one the question itself states."""
    replaced = tuple(
        (m.start(g), m.end(g))
        for m in _REPLACED.finditer(sentence)
        for g in range(1, 4)
        if m.group(g)
    )
    keys = (
        clock_keys(sentence, replaced)
        | money_keys(sentence, replaced)
        | date_keys(sentence, replaced)
    )
    return keys - (clock_keys(query) | money_keys(query) | date_keys(query))


def _new_words(
    idx: ConversationIndex, line: int, words: set[str], topic: dict[str, set[int]]
) -> set[str]:
    """The words of the latest sentence that no earlier sentence on the question's topic already
    said: what it brings ("meets in the Garden Room" after "meets in Room 4": garden, not room).
    All of them when every one was said before (a return to an earlier place)."""
    earlier = {j for lines in topic.values() for j in lines if j < line}
    return {w for w in words if not earlier.intersection(idx.where.get(w, ()))} or words


_WHERE = re.compile(r"where\b", re.I)
_WHO = re.compile(r"who\b", re.I)
_CAPITAL = re.compile(r"\b[A-Z][a-z\u00c0-\u024f]+(?:['\u2019]s)?\b")
_WHERE_SUBJECT = re.compile(
    r"where\s+(?:is|was|are|were|does|do|did|has|have|had|will|would|can|could|should)\s+"
    r"(.+?)(?=\s+(?:when|after|before|while|during|since|until|at|in|on|by|now|today|then)\b|[?,.]|$)",
    re.I,
)


def _where_subject(query: str) -> set[str]:
    """Roots of the words naming what a "where" question asks about ("Where was the spare key
    when Omar came home?" -> spare, key): the words before any clause of time, which tells when,
    not what. Empty when the question has another shape."""
    m = _WHERE_SUBJECT.match(query.strip())
    if not m:
        return set()
    return {_root(st) for st in stems(m.group(1))}


_PLACE = re.compile(
    r"\b(?:at|in|on|behind|under|inside|into|near|beside|by|onto|outside|above|below"
    r"|next to|in front of|to(?=\s+(?:the|a|an|his|her|their|its|my|our|[A-Z])\b))\s+"
    r"((?:(?:the|a|an|his|her|their|its|my|our)\s+)?[\w'\u2019\-]+(?:\s+[\w'\u2019\-]+){0,2})"
)
"""A place phrase: a preposition of place and the (up to three) words after it ("behind the
counter", "to the sports hall", "in room 12"); "to" only before a determiner or a name, so that
"to collect it" is not a place."""
_MOVED = re.compile(r"\b(?:moved|moves|moving|relocated|transferred|now|instead)\b", re.I)
"""Words that announce a change of place ("moved to", "now starts at", "meets in ... instead")."""
_DETERMINERS = frozenset(["the", "a", "an", "his", "her", "their", "its", "my", "our"])
_COUNTS = frozenset(NUMBER_WORDS) | {"noon", "midnight"}


def place_words(sentence: str) -> set[str]:
    """The words naming places in ``sentence`` ("on a chair by the window" -> chair, window);
    a phrase of time ("at nine", "in October", "at closing time") is not a place."""
    out: set[str] = set()
    for m in _PLACE.finditer(sentence):
        ws = [w for w in fast_words(m.group(1)) if w not in _DETERMINERS]
        if not ws or ws[0].isdigit() or ws[0] in _COUNTS:
            continue  # "at nine", "at 9": a time
        if any(w in _TIME_WORDS or w in _CALENDAR or (w.isdigit() and len(ws) == 1) for w in ws):
            continue
        out.update(w for w in ws if w not in STOPWORDS and len(w) >= 2)
    return out


def _context_names(q: QuestionFacts) -> frozenset[str]:
    """Words the context capitalises inside a sentence somewhere (names), lower case; calendar
    and time words excluded. (Cached on the question.)"""
    hit = q.derived.get("context_names")
    if hit is None:
        found = names_in_running_text([q.context])
        hit = q.derived["context_names"] = frozenset(
            w for w in found if w not in _CALENDAR and w not in _TIME_WORDS and w not in STOPWORDS
        )
    return hit  # type: ignore[return-value]


def _latest_holder(
    q: QuestionFacts,
    idx: ConversationIndex,
    topic: dict[str, set[int]],
    names: set[str],
    named: set[int],
) -> tuple[int, frozenset[str]] | None:
    """The latest sentence about the question's subject that names someone no earlier sentence
    about it named ("the team voted for Hannah to take over"), and those new names.

    Names are words the context capitalises inside a sentence; a sentence is about the subject
    when it holds one of the question's topic words (not a date) or names the subject itself
    ("Gwen sold the inn to a brewery, which installed Rhys Parry" for "Who runs the Hollybush
    Inn?"). None when no sentence about the subject brings in a new name (the first holder is
    then the only one)."""
    known = _context_names(q)
    lines = sorted({i for root, ls in topic.items() if root not in _CALENDAR for i in ls} | named)
    seen: set[str] = set()
    hit: tuple[int, frozenset[str]] | None = None
    for i in lines:
        here = {
            low[:-2] if low.endswith(("'s", "\u2019s")) else low
            for low in (m.group(0).lower() for m in _CAPITAL.finditer(idx.bodies[i]))
        }
        here = {w for w in here if w in known and w not in names}
        new = here - seen
        if seen and new:
            hit = (i, frozenset(new))
        seen |= here
    return hit


def _latest_place(
    idx: ConversationIndex, topic: dict[str, set[int]], query_roots: set[str], names: set[str]
) -> tuple[int, frozenset[str]] | None:
    """The latest sentence that places the question's subject somewhere, and its place words.

    A sentence is about the subject when it holds the question's topic words (its words but
    names and dates); the candidates are the place-stating sentences with at least as many of
    those words as the best such sentence has, less one (so "the exam moves to the sports hall"
    counts for "the chemistry exam", but "the November book ... in Lisbon" not for "the book
    club"). None when no sentence places the subject."""
    per: dict[int, int] = {}
    for root, lines in topic.items():
        if root in _CALENDAR:
            continue
        for i in lines:
            per[i] = per.get(i, 0) + 1
    placed = {i: c for i, c in per.items() if place_words(idx.bodies[i])}
    if not placed:
        return None
    best = max(placed.values())
    line = max(
        i
        for i, c in placed.items()
        # (or an announced move or change that names the subject at all: "training has moved
        # to ...", "the Sunday ride now starts at ...")
        if c >= max(1, best - 1) or _MOVED.search(idx.bodies[i])
    )
    words = place_words(idx.bodies[line]) - names
    words = {w for w in words if _root(stem(w)) not in query_roots}
    return (line, frozenset(words)) if words else None


_CORRECTION_REACH = 3
"""Lines after a statement within which its speaker's correction still refers to it."""


def _correction_after(idx: ConversationIndex, line: int) -> list[int]:
    """The same speaker's next line within a few turns, when it carries a change word ("I cycle
    to work." -- "Even in winter?" -- "Actually, I take the ferry instead."): a correction of
    what was just said, even when it does not repeat the topic's words."""
    who = idx.line_speakers[line]
    if not who:
        return []
    for j in range(line + 1, min(len(idx.bodies), line + 1 + _CORRECTION_REACH)):
        if idx.line_speakers[j] == who:
            return [j] if announces_change(idx.bodies[j]) else []
    return []


def _focus(idx: ConversationIndex, line: int, words: set[str], query_roots: set[str]) -> set[str]:
    """The words of the clause that speaks about the question's topic ("... and painted the front
    door dark green" -> painted, dark, green), when that clause holds any; else all of them."""
    ws, clause, _ = idx.clauses(line)
    hits: dict[int, int] = {}
    for w, c in zip(ws, clause, strict=True):
        st = stem(w)
        if _root(st) in query_roots or _derived_root(st, query_roots):
            hits[c] = hits.get(c, 0) + 1
    if not hits:
        return words
    best = max(hits, key=lambda c: (hits[c], -c))
    near = {w for w, c in zip(ws, clause, strict=True) if c == best} & words
    return near or words


_REPLACED = re.compile(
    r"\b(?:instead\s+of|rather\s+than|in\s+place\s+of|replacing)\s+((?:[£$€]?[\w'\u2019-]+(?:[:.]\d\d)?\s*){1,3})"
    r"|,\s*(?:not|no\s+longer)\s+((?:[£$€]?[\w'\u2019-]+(?:[:.]\d\d)?\s*){1,3})"
    r"|\b(?:switched|moved|changed|transferred|relocated|shifted|postponed|swapped)\s+from\s+"
    r"((?:[£$€]?[\w'\u2019-]+(?:[:.]\d\d)?\s+){1,3}?)to\b",
    re.I,
)


def _replaced(sentence: str) -> set[str]:
    """Words a sentence names as what its change replaces: the words after "instead of",
    "rather than", "in place of", "replacing" or a contrasting ", not" / ", no longer", up to the
    next punctuation ("collected on Friday instead of Wednesday" -> wednesday), and the X of a
    change "from X to Y" ("switched from Mill Lane to Tanner's Row" -> mill, lane)."""
    out: set[str] = set()
    for m in _REPLACED.finditer(sentence):
        span = next(g for g in m.groups() if g)
        out.update(w.lower() for w in re.findall(r"[\w'\u2019-]+", span))
    return out - STOPWORDS


_VALUE = re.compile(r"\b(\d+(?:[.,:]\d+)?)\b|(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+)\b")


def _values(text: str, skip: set[str]) -> dict[str, str]:
    """Values a sentence states: numbers, and capitalised words inside it (names, places); not
    the question's own names and not time words. Maps the value (lower case) to its type.

    Not :func:`rewards.heuristic._text.numbers` / ``entities``: a clock time ("the 10:15 train")
    must stay one value, or the train's time would count as the replacement of its platform;
    and a capitalised word opening a sentence ("Overnight ...") is not taken for a name here."""
    out: dict[str, str] = {}
    text = text.strip()
    # a time of day, a sum of money or a date is one value however it is written ("half past
    # eight", "8:30"; "one pound fifty", "£1.50"); the digits inside it are not values of their own
    taken: list[tuple[int, int]] = []
    for kind, spans, mark in (
        ("time", time_spans(text), "@"),
        ("money", money_spans(text), "$"),
        ("date", date_spans(text), "#"),
    ):
        for a, b, v in spans:
            out[f"{mark}{v}"] = kind
            taken.append((a, b))
    for m in _VALUE.finditer(text):
        num, name = m.group(1), m.group(2)
        if num and any(a <= m.start() < b for a, b in taken):
            continue
        if num:
            out[num] = "num"
        elif (
            name
            and (low := name.lower()) not in skip
            and low not in _TIME_WORDS
            and low not in _CALENDAR
        ):
            out[low] = "name"
    return out


_CALENDAR = frozenset(
    (
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("january", "february", "march", "april", "may", "june", "july", "august"),
        *("september", "october", "november", "december", "spring", "summer", "autumn", "winter"),
    )
)
"""Capitalised words that date a statement rather than state a value."""


def superseded_values(q: QuestionFacts) -> list[tuple[str, frozenset[str]]]:
    """Values the context itself replaced: a number or name stated in an evidence sentence about
    the question's subject, when a LATER evidence sentence about the same subject (they share
    one of the question's names or topic words) states other values of the same type and not
    this one -- "opens at 7 am" then "brought the opening forward to 6 am". Each comes with the
    values that replaced it. (Document contexts only; cached on the question.)"""
    hit = q.derived.get("superseded_values")
    if hit is not None:
        return hit  # type: ignore[return-value]
    out: list[tuple[str, frozenset[str]]] = []
    if not q.statements:
        names = {e.lower() for e in q.query_entities}
        name_roots = {_root(stem(n)) for n in names}
        keys = _query_roots(q) | name_roots
        found = []
        for pos, body in enumerate(sentence_index(q).bodies):  # context order
            roots = {r for st in stems(body) for r in _roots(st)}
            subj = roots & keys
            if subj:
                vals = _values(body, names)
                if vals:
                    found.append((pos, vals, subj, roots - name_roots - set(vals)))
        seen: set[str] = set()
        at: dict[str, int] = {}
        q.derived["superseded_at"] = at
        for i, (_, vals, subj, said) in enumerate(found):
            for v, kind in vals.items():
                if v in seen:
                    continue
                for later_pos, later, later_subj, later_said in found[i + 1 :]:
                    same = {w for w, k in later.items() if k == kind}
                    if (
                        same
                        and v not in later
                        and subj & later_subj
                        # about the same thing, not merely the same person: "Maya Roth married
                        # Eli Brandt" is not replaced by "Maya Roth teaches music in York"
                        and said & later_said
                    ):
                        out.append((v, frozenset(same)))
                        at[v] = later_pos
                        seen.add(v)
                        break
        # two values that each replace the other are two things the text keeps mentioning
        # in turn ("a spaniel called Tansy" ... "a dog called Rolo" ... Tansy again), not an
        # update of one by the other
        out = [
            (v, newer)
            for v, newer in out
            if not any(v in newer2 for w, newer2 in out if w in newer)
        ]
    q.derived["superseded_values"] = out
    return out


def stale_values(memories: list[str], q: QuestionFacts) -> int:
    """Replaced values the memory still states without any of the values that replaced them;
    a statement the context later turned round ("is heated from May", then "will not be heated
    this May") counts as one when the memory speaks of it only the old way round."""
    sup = superseded_values(q)
    out = 0
    if sup:
        held = {w.lower() for m in memories for w in re.findall(r"\b\w+(?:[.,:]\d+)?\b", m)}
        held |= {k for m in memories for k in (*clock_keys(m), *money_keys(m), *date_keys(m))}
        out = sum(1 for v, newer in sup if v in held and not (newer & held))
    if _sense_kept(memories, q) is False:
        out += 1
    return out


def _sense_kept(memories: list[str], q: QuestionFacts) -> bool | None:
    """When the context's last word turned a statement round (:func:`latest_negated`): whether
    the memories say it the latest way round somewhere (True) or speak of it only the old way
    (False); None when the sense never changed or the memories do not speak of it."""
    latest = latest_negated(q)
    if latest is None:
        return None
    topic = topic_roots(q)
    said = {_says_negated(c, topic) for m in memories for c in _MEMORY_UNITS.split(m)}
    said.discard(None)
    return (latest in said) if said else None


_NOT = re.compile(
    r"\b(?:not|never|no\s+longer|cannot|\w+n['\u2019]t|cancell?ed|called\s+off|scrapped|axed)\b",
    re.I,
)
"""Words that turn a context statement round ("will not be heated", "no longer sings")."""
_MEMORY_NOT = frozenset(
    ("not", "never", "no", "none", "off", "cannot", "cancelled", "canceled", "scrapped", "axed")
)
"""The same in a memory's shorthand ("concert off", "pool: no heating")."""
_MEMORY_UNITS = re.compile(r"[;!?\n]|\.(?!\d)|\s(?:but|while|whereas)\s", re.I)
"""A memory's statements: its sentences and ';'-parts ("Weir footbridge: closed" is one)."""
_CLAUSES = re.compile(r"[,;:!?.()\u2014](?!\d)|\s(?:but|and|then|so|because)\s", re.I)


def topic_roots(q: QuestionFacts) -> set[str]:
    """The question's words but its names, as roots: what a statement must speak of to be
    about what the question asks."""
    names = {_root(stem(e.lower())) for e in q.query_entities}
    return _query_roots(q) - names


_OPPOSITE_GROUPS = (("open", "clos", "shut"), ("allow", "permit", "ban", "forbidden", "prohibit"))
"""Roots of state words whose opposites say "not" without a "not": a place "closed" is not
open; a thing "banned" is not allowed (the first of each group is the positive side)."""
_OPPOSITES = {
    a: frozenset(b for b in g if (b in g[:1]) != (a in g[:1])) for g in _OPPOSITE_GROUPS for a in g
}


def opposite_roots(topic: set[str]) -> frozenset[str]:
    """Roots that say a topic word the other way round ("clos" for "open")."""
    return frozenset(o for r in topic for o in _OPPOSITES.get(r, ()))


def _says_negated(clause: str, topic: set[str]) -> bool | None:
    """Whether a clause about the question's topic says it the negative way round (None when
    the clause does not speak of the topic). "unheated" is "heat" negated, "closed" is "open"
    negated."""
    about = negated = False
    opposite = opposite_roots(topic)
    for w in fast_words(clause):
        if w in _MEMORY_NOT or w.endswith(("n't", "n\u2019t")):
            negated = True
            continue
        st = _root(stem(w))
        if st in opposite:
            about = True
            negated = not negated
        elif st in topic or _derived_root(st, topic):
            about = True
        elif w.startswith(("un", "non")) and len(w) > 5:
            rest = _root(stem(w[3:] if w.startswith("non") else w[2:]).lstrip("-"))
            if rest in topic or _derived_root(rest, topic):
                about = negated = True
    return negated if about else None


def latest_negated(q: QuestionFacts) -> bool | None:
    """Whether the context's last word on the question turned an earlier statement round: True
    when it says "not" of what an earlier sentence on the same topic affirmed ("The youth choir
    sings at the cathedral" ... "will no longer sing there"), False when it affirms what was
    denied, None when no statement about the topic changed its sense. (Document contexts only;
    cached on the question.)"""
    hit = q.derived.get("latest_negated", False)
    if hit is not False:
        return hit  # type: ignore[return-value]
    hit = None
    latest = latest_answer_line(q) if not q.statements else None
    if latest is not None:
        topic = topic_roots(q)
        body = sentence_index(q).bodies[latest[0]]
        now = _sense(body, topic)
        at = q.context.find(body)
        if now is not None and at >= 0:
            for text in evidence_fact_texts(q):
                pos = q.context.find(text)
                if (
                    0 <= pos < at
                    and text.strip() != body.strip()
                    and _sense(text, topic) == (not now)
                ):
                    hit = now
                    break
    q.derived["latest_negated"] = hit
    return hit


def _sense(sentence: str, topic: set[str]) -> bool | None:
    """Whether a context sentence denies something of the topic (a clause about it carries
    "not", "no longer", "cancelled" ...); None when no clause speaks of the topic."""
    out: bool | None = None
    for clause in _CLAUSES.split(sentence):
        sense = _says_negated(clause, topic)
        if sense is None:
            continue
        opposite = bool(opposite_roots(topic) & {_root(st) for st in stems(clause)})
        if bool(_NOT.search(clause)) != opposite:
            return True
        out = False
    return out


def coverage_features(t: ParsedTrajectory, q: QuestionFacts) -> dict[str, float]:
    """Raw coverage values of one trajectory (higher = better coverage, in [0, 1])."""
    out: dict[str, float]
    if t.layout in ("dialogue", "empty") and q.statements:
        # a store must hold what the conversation last said about the question's subject
        out = {"nonempty": 0.0 if t.layout == "empty" else 1.0}
        latest = latest_answer_line(q)
        if latest is not None:
            held = {w for it in t.items for w in value_words(it)}
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
    answer_memory = _answer_memory(t)
    if t.layout == "reasoning":
        # an update applied: no value the context replaced is still stated in its stead
        out["stale_values"] = float(stale_values(answer_memory, q))
        # a worked-out total must fold in every later change of the same amount
        total = _total(t, q)
        if total is not None:
            out["changes_missed"] = total[0]
        # the memory the answer reads must hold what the context last said about the question
        latest = latest_answer_line(q)
        if latest is not None:
            kept = (
                holds_latest(latest[1], answer_memory)
                or _sense_kept(answer_memory, q)
                # a time worked out from the latest one ("ends 21:40" for "starts at 19:30")
                or _moved_by_a_length(
                    clock_times(sentence_index(q).bodies[latest[0]]), answer_memory, q
                )
            )
            out["latest_kept"] = 1.0 if kept else 0.0
    facts = evidence_facts(q)
    if facts:
        # A fact is kept when most of its words stand together in one memory sentence (a bag of
        # words over the whole memory would credit "Kofi journeyed to the cellar" for a lost
        # "Mateo journeyed to the cellar").
        final = _final_overlaps(t, q, facts)
        # what the context replaced is not needed to answer: judge the facts still current
        gone = superseded_facts(q) if t.layout == "reasoning" else frozenset()
        current = [r for k, r in enumerate(final) if k not in gone]
        if not current and not q.derived.get("latest_is_typed"):
            # every fact replaced by a "last word" found by topic words alone: too unsure of
            # that line to judge on it only, judge on all the facts
            current = final
        if current:  # (else the context moved the subject elsewhere: latest_kept judges that)
            out["facts_final"] = sum(min(1.0, r / _ENOUGH) for r in current) / len(current)
        if t.layout == "reasoning":
            ever = _best_overlaps(facts, t.memories)
            # a fact the context itself replaced is not lost when the memory holds its update
            # (the context's last word on the question, or the value that replaced the fact's)
            replaced = set(superseded_facts(q)) if out.get("latest_kept") == 1.0 else set()
            held = {w for m in answer_memory for w in value_words(m)}
            replaced |= {k for k, newer in _value_replaced(q).items() if newer & held}
            texts = evidence_fact_texts(q)
            skip = {e.lower() for e in q.query_entities}
            lost = sum(
                1
                for k, (f, e) in enumerate(zip(final, ever, strict=True))
                if e >= _ENOUGH > f
                and k not in replaced
                # a fact cut down to its values ("Ward 9" for "moved to Ward 9, the recovery
                # ward, after her operation") was shortened, not dropped
                and not ((vals := set(_values(texts[k], skip))) and vals <= held)
            )
            out["facts_dropped"] = lost / len(facts)
    qe = {stem(e) for e in q.query_entities}
    if qe and t.layout == "reasoning":  # per-user dialogue stores drop the speaker's name
        out["query_names"] = len(qe & fst) / len(qe)
    if t.layout == "empty":
        out["nonempty"] = 0.0
    elif t.layout in ("dialogue", "plain"):
        out["nonempty"] = 1.0
    return out


def _total(t: ParsedTrajectory, q: QuestionFacts) -> tuple[float, frozenset[float]] | None:
    """:func:`total_explanation` of the memory the answer reads (and the answer), cached on the
    question by that text."""
    texts = _answer_memory(t) + ([t.answer] if t.answer else [])
    cache: dict[str, tuple[float, frozenset[float]] | None]
    cache = q.derived.setdefault("totals", {})  # type: ignore[assignment]
    key = "\n\x00".join(texts)
    if key not in cache:
        cache[key] = total_explanation(texts, q)
    return cache[key]


def _final_overlaps(
    t: ParsedTrajectory, q: QuestionFacts, facts: list[frozenset[str]]
) -> list[float]:
    """How much of each evidence fact the memory the answer reads holds; a fact whose amount
    the memory's worked-out total folded in ("walk now 7 miles" for "10 miles", shortened by 3)
    is held, in worked form."""
    memory = _answer_memory(t)
    final = _best_overlaps(facts, memory)
    if t.layout == "reasoning":
        # a time worked out from a fact's time by a stated length holds the fact
        texts = evidence_fact_texts(q)
        final = [
            max(r, _ENOUGH)
            if r < _ENOUGH and _moved_by_a_length(clock_times(texts[k]), memory, q)
            else r
            for k, r in enumerate(final)
        ]
    total = _total(t, q) if t.layout == "reasoning" else None
    if total and total[1]:
        texts = evidence_fact_texts(q)
        final = [
            max(r, _ENOUGH) if _amounts(texts[k]) & total[1] else r for k, r in enumerate(final)
        ]
    return final


def _amounts(text: str) -> frozenset[float]:
    """The amounts a sentence states (numbers with their units, as running totals read them)."""
    return frozenset(v for _, v, _ in quantities(text))


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
    gone = superseded_facts(q)
    mask = [
        max(x, y) >= _ENOUGH and k not in gone
        for k, (x, y) in enumerate(zip(ever_a, ever_b, strict=True))
    ]
    n = sum(mask)
    if not n:
        return None
    fin_a = _final_overlaps(ta, q, facts)
    fin_b = _final_overlaps(tb, q, facts)
    cov_a = sum(min(1.0, r / _ENOUGH) for r, m in zip(fin_a, mask, strict=True) if m) / n
    cov_b = sum(min(1.0, r / _ENOUGH) for r, m in zip(fin_b, mask, strict=True) if m) / n
    return cov_a, cov_b
