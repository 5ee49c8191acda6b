"""Read a rendered trajectory back into steps, memory items or generated sections.

Three published layouts are recognised by their content markers (never by task names):

* **reasoning** -- ``<problem>``/``<memory>``/``<section>``/``<wrong_updated_memories>`` blocks, each
  followed by ``Updated memory:``; parallel runs add ``Part N:`` groups, a summarisation
  (fusion) block and an answer block (``Based on the memory, ...``).
* **dialogue** -- the final memory store: a Python-repr (or JSON) list of dicts with a ``memory``
  field (Mem0), A-Mem notes (``Content:``/``Context:``/``Keywords:``/``Tags:`` lines), or one
  memory per line. An empty string is a legitimate empty store.
* **longform** -- repeated ``Based on the title: ... bullet points: <restated> I have composed
  the following section.<section text>`` blocks.

Anything else is read as one plain memory. Tags are located with ``str.find``; the long
``<section>`` copies of the context are sliced out, never tokenised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Layout", "ParsedTrajectory", "Segment", "StepView", "parse_trajectory"]

Layout = Literal["reasoning", "dialogue", "longform", "plain", "empty"]
"""Which rendering a trajectory uses."""

_NO_WRONG = "no wrong updated memory"
_NO_PREV = "no previous memory"
_COMPOSED = "I have composed the following section."
_STEP_START = re.compile(
    r"\n[ \t]*(?:Step\s*\d+\s*:|Part\s*\d+\s*:|After processing in parallel|Based on the memory, the process"
    r"|The summarization of them is|There are \d+ processed components|<problem>)"
)
_TAG = re.compile(r"</?(?:updated_memory|memory|answer)>")
_BOXED = "\\boxed{"


@dataclass(kw_only=True)
class StepView:
    """One memory update as the trajectory shows it."""

    group: int
    """Parallel part (0 for sequential runs or the sequential tail)."""
    index: int
    """Position of the step in the whole trajectory, from 0."""
    previous: str
    """The memory the step started from ('' at a first step)."""
    section_span: tuple[int, int] | None
    """Where the step's ``<section>`` sits in the trajectory text (sliced lazily; None if absent)."""
    wrong: str
    """Rejected attempts carried in ``<wrong_updated_memories>`` ('' when none)."""
    updated: str
    """The committed new memory, tags removed."""
    kind: Literal["update", "fusion", "answer"] = "update"
    """Chunk update, fusion of the parallel memories, or the answer step."""


@dataclass(kw_only=True)
class Segment:
    """One generated section of a long-form trajectory."""

    restated: str
    """The instruction text the trajectory says it followed (bullet points it restates)."""
    text: str
    """The section it composed."""


@dataclass(kw_only=True)
class ParsedTrajectory:
    """What the feature families read."""

    layout: Layout
    """Detected rendering."""
    raw: str
    """The original text (kept for lazy section slicing)."""
    steps: list[StepView] = field(default_factory=list)
    """Reasoning layout: every update, fusion and answer step, in order."""
    items: list[str] = field(default_factory=list)
    """Dialogue layout: memory items of the store, in stored order; plain layout: its one memory."""
    segments: list[Segment] = field(default_factory=list)
    """Long-form layout: generated sections in order."""
    answer: str = ""
    """The final answer text when the trajectory shows one ('' otherwise)."""
    notes: dict[str, list[str]] = field(default_factory=dict)
    """Concrete findings the feature families leave for the rationale (feature -> examples)."""

    def section(self, step: StepView) -> str:
        """The section text a step read ('' if none)."""
        if step.section_span is None:
            return ""
        a, b = step.section_span
        return self.raw[a:b]

    @property
    def final_memories(self) -> list[str]:
        """The memories the answer is read from: last memory of every group, fusion, answer input."""
        if self.layout == "reasoning":
            last: dict[int, str] = {}
            out: list[str] = []
            for s in self.steps:
                if s.kind == "update":
                    last[s.group] = s.updated
                elif s.kind == "fusion":
                    out.append(s.updated)
            return list(last.values()) + out
        if self.layout == "longform":
            return [seg.text for seg in self.segments]
        return list(self.items)

    @property
    def memories(self) -> list[str]:
        """Every committed memory text in order (items for dialogue, sections for long-form)."""
        if self.layout == "reasoning":
            return [s.updated for s in self.steps if s.kind != "answer"]
        if self.layout == "longform":
            return [seg.text for seg in self.segments]
        return list(self.items)


def _between(
    text: str, open_tag: str, close_tag: str, start: int, end: int
) -> tuple[int, int] | None:
    i = text.find(open_tag, start, end)
    if i < 0:
        return None
    j = text.find(close_tag, i + len(open_tag), end)
    if j < 0:
        j = end
    return i + len(open_tag), j


def _section_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    i = text.find("<section>", start, end)
    if i < 0:
        return None
    j = text.rfind("</section>", i, end)
    return i + len("<section>"), (j if j >= 0 else end)


def _between_back(
    text: str, open_tag: str, close_tag: str, start: int, end: int
) -> tuple[int, int] | None:
    i = text.rfind(open_tag, start, end)
    if i < 0:
        return None
    j = text.find(close_tag, i + len(open_tag), end)
    return i + len(open_tag), (j if j >= 0 else end)


def _clean(text: str) -> str:
    return _TAG.sub("", text).strip()


def _is_placeholder(text: str, placeholder: str) -> bool:
    t = text.strip().lower().rstrip(".")
    return not t or t == placeholder or t == "none"


def _parse_reasoning(text: str) -> ParsedTrajectory:
    out = ParsedTrajectory(layout="reasoning", raw=text)
    # Group boundaries ("Part N:") before the fusion block; the fusion listing repeats "Part N:".
    fusion_at = text.find("After processing in parallel")
    answer_at = text.find("Based on the memory, the process")
    parts = [(m.start(), int(m.group(1))) for m in re.finditer(r"\nPart\s*(\d+)\s*:", text)]
    if fusion_at >= 0:
        parts = [p for p in parts if p[0] < fusion_at]
    marker = "Updated memory:"
    pos, prev_end, idx = 0, 0, 0
    positions: list[int] = []
    while True:
        k = text.find(marker, pos)
        if k < 0:
            break
        nxt = _STEP_START.search(text, k + len(marker))
        end = nxt.start() if nxt else len(text)
        upd = _clean(text[k + len(marker) : end])
        region_start = prev_end
        # Every search is short: forwards over the small problem/memory blocks, backwards from
        # the marker over the small wrong-updates block; the long section is crossed once.
        sec = _section_span(text, region_start, k)
        wrong_from = sec[1] if sec else region_start
        wrong_span = _between_back(
            text, "<wrong_updated_memories>", "</wrong_updated_memories>", wrong_from, k
        )
        mem_span = _between(text, "<memory>", "</memory>", region_start, sec[0] if sec else k)
        wrong = _clean(text[wrong_span[0] : wrong_span[1]]) if wrong_span else ""
        prev = _clean(text[mem_span[0] : mem_span[1]]) if mem_span else ""
        if _is_placeholder(wrong, _NO_WRONG):
            wrong = ""
        if _is_placeholder(prev, _NO_PREV):
            prev = ""
        if sec is not None and _is_placeholder(text[sec[0] : sec[1]], "none"):
            sec = None
        group = 0
        for p_start, p_num in parts:
            if p_start < k:
                group = p_num
        kind: Literal["update", "fusion", "answer"] = "update"
        if (answer_at >= 0 and k > answer_at) or (fusion_at >= 0 and k > fusion_at):
            # After the fusion (or the answer marker) a mixed run may continue sequentially:
            # steps that read a section are updates of the tail, the rest is the answer.
            kind, group = ("update" if sec is not None else "answer"), 0
        positions.append(k)
        out.steps.append(
            StepView(
                group=group,
                index=idx,
                previous=prev,
                section_span=sec,
                wrong=wrong,
                updated=upd,
                kind=kind,
            )
        )
        idx += 1
        pos, prev_end = end, end
    if fusion_at >= 0:
        s = text.find("The summarization of them is as follows:", fusion_at)
        stop = answer_at if answer_at > s else len(text)
        if s >= 0:
            fused = _fusion_text(text[s + len("The summarization of them is as follows:") : stop])
            out.steps.insert(
                sum(1 for k in positions if k < s),
                StepView(
                    group=0,
                    index=-1,
                    previous="",
                    section_span=None,
                    wrong="",
                    updated=fused,
                    kind="fusion",
                ),
            )
    if not out.steps:
        _tagged_only(text, out)
    answers = [s for s in out.steps if s.kind == "answer"]
    if answers:
        out.answer = answers[-1].updated
    elif out.steps and _BOXED in out.steps[-1].updated:
        out.answer = out.steps[-1].updated
    return out


def _tagged_only(text: str, out: ParsedTrajectory) -> None:
    """No ``Updated memory:`` markers: every ``<updated_memory>`` block outside a ``<memory>``
    block is one committed memory, in order."""
    pos, idx, last = 0, 0, None
    while True:
        i = text.find("<updated_memory>", pos)
        if i < 0:
            break
        j = text.find("</updated_memory>", i)
        end = j if j >= 0 else len(text)
        mem_open = text.rfind("<memory>", 0, i)
        mem_close = text.rfind("</memory>", 0, i)
        pos = end + 1
        if mem_open > mem_close:  # inside a <memory> block: a previous memory, not a commit
            continue
        body = _clean(text[i + len("<updated_memory>") : end])
        if body and body != last:
            out.steps.append(
                StepView(
                    group=0,
                    index=idx,
                    previous=last or "",
                    section_span=None,
                    wrong="",
                    updated=body,
                )
            )
            idx += 1
            last = body


def _fusion_text(block: str) -> str:
    """The fused memory: the ``'mem'`` value of a repr'd dict when present, else the block."""
    block = block.strip()
    i = block.find("'mem': ")
    if i < 0:
        i = block.find('"mem": ')
    if i >= 0:
        lit = _read_literal(block, i + 7)
        if lit is not None:
            return _clean(lit[0])
    return _clean(block)


def _read_literal(text: str, i: int) -> tuple[str, int] | None:
    """Read a Python/JSON string literal starting at ``text[i]``; return (value, end index)."""
    n = len(text)
    while i < n and text[i] == " ":
        i += 1
    if i >= n or text[i] not in "'\"":
        return None
    q = text[i]
    j = i + 1
    buf: list[str] = []
    start = j
    while j < n:
        c = text[j]
        if c == "\\" and j + 1 < n:
            buf.append(text[start:j])
            e = text[j + 1]
            buf.append({"n": "\n", "t": "\t", "'": "'", '"': '"', "\\": "\\"}.get(e, "\\" + e))
            j += 2
            start = j
            continue
        if c == q:
            buf.append(text[start:j])
            return "".join(buf), j + 1
        j += 1
    return None


def _parse_mem0(text: str) -> list[str]:
    items: list[str] = []
    for key in ("'memory': ", '"memory": '):
        pos = 0
        while True:
            k = text.find(key, pos)
            if k < 0:
                break
            lit = _read_literal(text, k + len(key))
            if lit is None:
                pos = k + len(key)
                continue
            items.append(lit[0])
            pos = lit[1]
        if items:
            break
    return items


_NOTE_FIELD = re.compile(
    r"^\s*(?:[-*]\s*)?(content|memory|note|context|keywords|tags|timestamp|time|id|links?)\s*:\s*(.*)$",
    re.I,
)


def _parse_notes(text: str) -> list[str]:
    """A-Mem-style notes: field lines grouped into one item per note; metadata fields folded in."""
    items: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        s = line.strip()
        if not s:
            if current:
                items.append(" ".join(current))
                current = []
            continue
        m = _NOTE_FIELD.match(s)
        if m:
            name, value = m.group(1).lower(), m.group(2).strip()
            if name in ("content", "memory", "note") and current:
                items.append(" ".join(current))
                current = []
            if name in ("id", "timestamp", "time", "links", "link"):
                continue
            if name in ("keywords", "tags"):
                value = value.strip("[]").replace("'", "").replace('"', "")
            if value:
                current.append(value)
        else:
            if re.match(r"^(?:Note|Memory)\s*\d+\s*:?$", s, re.I):
                if current:
                    items.append(" ".join(current))
                    current = []
                continue
            current.append(s)
    if current:
        items.append(" ".join(current))
    return [i for i in items if i.strip()]


def _parse_longform(text: str) -> list[Segment]:
    pieces = text.split(_COMPOSED)
    segments: list[Segment] = []
    for i in range(1, len(pieces)):
        body = pieces[i]
        nxt = body.find("Based on the title")
        section = body[:nxt] if nxt >= 0 else body
        head = pieces[i - 1]
        h = head.rfind("Based on the title")
        head = head[h:] if h >= 0 else head
        b = head.find("bullet points:")
        restated = head[b + len("bullet points:") :] if b >= 0 else ""
        segments.append(
            Segment(restated=restated.strip().rstrip(",").strip(), text=section.strip())
        )
    return segments


def parse_trajectory(text: str, *, kind: str = "understanding") -> ParsedTrajectory:
    """Detect the layout of ``text`` and parse it. Never raises on odd input."""
    if not text or not text.strip():
        return ParsedTrajectory(layout="empty", raw=text or "")
    if _COMPOSED in text:
        return ParsedTrajectory(layout="longform", raw=text, segments=_parse_longform(text))
    if "Updated memory:" in text or "<updated_memory>" in text:
        return _parse_reasoning(text)
    head = text.lstrip()[:2]
    if head in ("[{", "[]") or "'memory': " in text or '"memory": ' in text:
        items = _parse_mem0(text)
        return ParsedTrajectory(
            layout="dialogue" if items or head == "[]" else "empty", raw=text, items=items
        )
    if kind == "generation":
        return ParsedTrajectory(
            layout="longform", raw=text, segments=[Segment(restated="", text=text.strip())]
        )
    if re.search(r"^\s*(?:[-*]\s*)?(?:Keywords|Tags|Context)\s*:", text, re.M):
        return ParsedTrajectory(layout="dialogue", raw=text, items=_parse_notes(text))
    lines = [ln.strip(" -*\t") for ln in text.splitlines() if ln.strip(" -*\t")]
    if len(lines) > 1:
        return ParsedTrajectory(layout="dialogue", raw=text, items=lines)
    return ParsedTrajectory(layout="plain", raw=text, items=[text.strip()])
