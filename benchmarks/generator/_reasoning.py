"""Long-context reasoning pairs: Sequential-/Mixed- × Noise/Drop (paper §3.3, Appendix B).

A task's facts are hidden in public-domain text (bAbI-style) or in clue documents among
background documents (multi-hop QA). The context is cut into sections; an agent reads them in
order (sequential) or in 2–3 parallel parts that are summarised and then continued sequentially
to the answer (mixed). Its memory is written the way an LLM agent writes one: the evidence found
so far, what it implies, and a running account of what the text has been about, growing towards
MemAgent's 1,024-token budget. The two trajectories of a pair come from one simulated run:

* Noise (``self_correct``), as the published pairs were built: the run's memory updates were
  checked and a bad update was proposed again. The rejected trajectory keeps the failed attempts
  in its ``<wrong_updated_memories>`` blocks; the chosen one says ``No wrong updated memory``
  everywhere; everything else is identical. In a minority of pairs the rejected memory also
  repeats a segment from some step on. The answer stays right.
* Drop (``wrong_answer``): a supporting fact is lost (removed from the section the agent read, or
  skipped while updating), so the memory lacks the evidence and the final answer is wrong. The
  longer side is a coin flip (neutral notes pad whichever side must be longer).

Sizes follow the published records: ``ctx_length`` measures the whole pair, of which the
question (instruction + context + query) is 8–20%.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agentmem.exceptions import UserError
from agentmem.render import PartMemories, StepText, render_parallel, render_sequential
from agentmem.tokens import count_tokens
from benchmarks.generator._babi import BABI_KINDS, Fact, ReasoningTask, make_babi
from benchmarks.generator._common import (
    Side,
    balance,
    chosen_longer_for,
    make_record,
    neutral_note,
    sub_rng,
)
from benchmarks.generator._docqa import DOCQA_KINDS, make_docqa
from benchmarks.generator._filler import corpus
from benchmarks.generator._lengths import PAIR_HIGH, PAIR_LOW, fit_tokens, length_tokens

__all__ = ["REASONING_KINDS", "make_reasoning_pair"]

REASONING_KINDS = (*BABI_KINDS, *DOCQA_KINDS)

_INSTRUCTIONS = (
    "Below is a long context. Only a few of its sentences are clues for the question at the end; "
    "the rest is unrelated text. Read it carefully and answer the question from the context.",
    "The following context is long and mostly irrelevant: a handful of sentences hold the facts the "
    "question needs. Answer the question after reading the whole context.",
)
_N_FACTS = {"8k": 12, "16k": 14, "32k": 16, "64k": 18, "128k": 20}
_STEPS = {"8k": (4, 6), "16k": (5, 8), "32k": (7, 11), "64k": (11, 16), "128k": (18, 26)}
"""Number of sections (memory updates) per length."""
_MEMORY_CAP = 1000
"""Largest memory in tokens (MemAgent's budget is 1,024)."""
_MIN_QUESTION = 650
"""Smallest question in tokens (the published 8K records have 636–844)."""


@dataclass(kw_only=True)
class _Context:
    units: list[str]
    """Sentences (haystack) or documents, in order."""
    fact_at: dict[int, int]
    """unit index -> fact index."""
    text: str
    """The context as it appears in the question."""
    joiner: str


def _build_context(
    rng: random.Random, task: ReasoningTask, target: int, prefix: str, suffix: str
) -> tuple[str, _Context, int]:
    c = corpus()
    if task.kind.startswith("docqa"):
        # Background documents of varied size; each clue becomes a short document of its own.
        pool: list[str] = []
        while sum(len(d) for d in pool) < target * 7:
            pool.append(" ".join(c.excerpt(rng, rng.randint(30, 160))))
        clue_docs = []
        for f in task.facts:
            ctx = c.excerpt(rng, rng.randint(15, 45))
            pos = rng.randint(0, len(ctx))
            clue_docs.append(" ".join([*ctx[:pos], f.text, *ctx[pos:]]))
        place_seed = rng.random()

        def assemble(k: int) -> _Context:
            r = sub_rng("docs", place_seed, k)
            slots = set(r.sample(range(k + len(clue_docs)), len(clue_docs)))
            units: list[str] = []
            fact_at: dict[int, int] = {}
            bg = iter(pool[:k])
            for pos in range(k + len(clue_docs)):
                if pos in slots:
                    fact_at[pos] = len(fact_at)
                    units.append(clue_docs[fact_at[pos]])
                else:
                    units.append(next(bg))
            text = "\n\n".join(f"Document {i}:\n{u}" for i, u in enumerate(units, 1))
            return _Context(units=units, fact_at=fact_at, text=text, joiner="\n\n")

        guess = max(1, int(len(pool) * target / (target * 1.9)))
    else:
        sentences = c.excerpt(rng, int(target * 1.6))
        positions = sorted(rng.sample(range(len(sentences)), len(task.facts)))

        def assemble(k: int) -> _Context:
            units: list[str] = []
            fact_at: dict[int, int] = {}
            scale = k / len(sentences)
            fi = 0
            for i, s in enumerate(sentences[:k]):
                while fi < len(task.facts) and positions[fi] * scale <= i:
                    fact_at[len(units)] = fi
                    units.append(task.facts[fi].text)
                    fi += 1
                units.append(s)
            while fi < len(task.facts):
                fact_at[len(units)] = fi
                units.append(task.facts[fi].text)
                fi += 1
            return _Context(units=units, fact_at=fact_at, text=" ".join(units), joiner=" ")

        avg = sum(count_tokens(s) for s in sentences[:50]) / 50 + 1
        guess = int(target / avg)

    cache: dict[int, _Context] = {}

    def build(k: int) -> str:
        cache[k] = assemble(k)
        return prefix + cache[k].text + suffix

    question, k, tokens = fit_tokens(
        build, guess, int(0.85 * target), int(1.15 * target), slack=0.3
    )
    return question, cache[k], tokens


def _sections(ctx: _Context, n_steps: int, q_tokens: int) -> list[tuple[list[int], str]]:
    """Cut the units into about ``n_steps`` sections; each with its unit indices."""
    budget = max(40, q_tokens // n_steps)
    out: list[tuple[list[int], str]] = []
    cur: list[int] = []
    size = 0
    for i, u in enumerate(ctx.units):
        t = len(u) // 4 + 1
        if cur and size + t > budget:
            out.append((cur, ctx.joiner.join(ctx.units[j] for j in cur)))
            cur, size = [], 0
        cur.append(i)
        size += t
    if cur:
        out.append((cur, ctx.joiner.join(ctx.units[j] for j in cur)))
    return out


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“'])")
_RECAP_OPEN = (
    "The section also tells that {s}",
    "Other events in this part of the text: {s}",
    "The surrounding story continues: {s}",
    "Background from the text, kept for context: {s}",
    "The passage goes on: {s}",
)
# ----------------------------------------------------------------------------------- memory text


def _lower_first(s: str) -> str:
    return "the " + s[4:] if s.startswith("The ") else s


def _implication(f: Fact) -> str:
    """What a fact changes, in the agent's words (reasoning prose for one memory style)."""
    if f.op == "move":
        return f"{f.who} is now in the {f.where}"
    if f.op == "grab":
        return f"{f.who} now holds the {f.obj}"
    if f.op == "drop":
        return f"{f.who} no longer has the {f.obj}"
    if f.op == "give":
        return f"the {f.obj} is now with {f.to}, not {f.who}"
    if f.obj == "designer":
        return f"the designer of the {f.who} is {f.to}"
    if f.obj == "born":
        return f"{f.to} is the birthplace of {f.who}"
    return f"{f.who} lies in the province of {f.to}"


def _memory_text(
    style: int,
    focus: str,
    lines: Sequence[str],
    notes: Sequence[str],
    conclusion: str,
    implications: Mapping[str, str] | None = None,
) -> str:
    """Render one memory in one of five writing styles (the same style for both sides of a pair)."""
    notes_txt = " ".join(notes)
    if style == 4:
        body = []
        for ln in lines:
            why = (implications or {}).get(ln)
            body.append(f"* {ln} So {why}." if why else f"* {ln}")
        out = f"Working notes on {focus}.\n" + (
            "\n".join(body) if body else "* nothing relevant so far"
        )
        if notes_txt:
            out += f"\n{notes_txt}"
        return out + f"\nPutting this together: {conclusion}."
    if style == 0:
        body = "\n".join(f"- {ln}" for ln in lines) if lines else f"- (no clue about {focus} yet)"
        out = f"Relevant information found so far:\n{body}"
        if notes_txt:
            out += f"\n\nNotes on the latest section: {notes_txt}"
        return out + f"\n\nCurrent conclusion: {conclusion}."
    if style == 1:
        if lines:
            out = "So far the context has stated the following. " + " ".join(lines)
        else:
            out = f"So far the context has said nothing about {focus}."
        if notes_txt:
            out += " " + notes_txt
        return out + f" Given this, {conclusion}."
    if style == 2:
        body = "\n".join(f"{i}. {ln}" for i, ln in enumerate(lines, 1)) if lines else "(none yet)"
        out = f"Key evidence for the question:\n{body}\n\nReasoning: "
        out += f"Following the evidence in order, {conclusion}."
        if notes_txt:
            out += " " + notes_txt
        return out
    intro = f"I am tracking {focus}. "
    if lines:
        out = (
            intro
            + "From the previous memory and this section I know that: "
            + "; ".join(ln.rstrip(".") for ln in lines)
            + "."
        )
    else:
        out = intro + "Nothing relevant has turned up yet."
    if notes_txt:
        out += "\n\n" + notes_txt
    return out + f"\n\nMy current answer would be that {conclusion}."


_ANSWERS = (
    "Based on the memory, {conclusion}.\n\nTherefore, the answer is \\boxed{{{answer}}}",
    "The final memory holds the facts needed. Following them in order, {conclusion}.\n\n\\boxed{{{answer}}}",
    "Reading the memory: {conclusion}. So the answer to the question is \\boxed{{{answer}}}.",
    "From the recorded evidence, {conclusion}.\n\nAnswer: \\boxed{{{answer}}}",
)


@dataclass(kw_only=True)
class _Plan:
    """Everything shared by the two sides of a pair."""

    task: ReasoningTask
    sections: list[tuple[list[int], str]]
    fact_section: dict[int, int]
    recorded: list[int]
    """Facts the agent writes down (supporting ones and a few others), in context order."""
    style: int
    parts: list[list[int]]
    """Section indices per parallel part (one part = sequential)."""
    tail: list[int]
    ctx: _Context
    """The context the sections were cut from."""
    seed: str = ""
    memory_scale: float = 200.0
    """Tokens of a mid-run memory; early memories are smaller, late ones larger (capped)."""
    _recap_pool: dict[int, list[str]] = field(default_factory=dict)

    def task_fact(self, unit: int) -> int | None:
        """Fact index held by a context unit, if any."""
        return self.ctx.fact_at.get(unit)

    def section_without(self, s: int, fact: int) -> str:
        """Section ``s`` as it reads with one fact removed (a Drop on the input)."""
        units, _ = self.sections[s]
        return self.ctx.joiner.join(
            self.ctx.units[u] for u in units if self.ctx.fact_at.get(u) != fact
        )

    def budget(self, s: int) -> int:
        """Memory size in tokens after reading section ``s`` (grows along the run)."""
        pos = s / max(1, len(self.sections) - 1)
        return int(min(_MEMORY_CAP, self.memory_scale * (0.35 + 1.3 * pos)))

    def _story(self, s: int) -> list[str]:
        """Sentences of section ``s`` that hold no fact of the task."""
        if s not in self._recap_pool:
            units, _ = self.sections[s]
            text = " ".join(self.ctx.units[u] for u in units if u not in self.ctx.fact_at)
            self._recap_pool[s] = [
                x.strip() for x in _SENTENCE.split(text) if 30 <= len(x.strip()) <= 400
            ]
        return self._recap_pool[s]

    def recap(self, key: Hashable, s: int, n_facts: int, carried: list[str]) -> list[str]:
        """The running account of the story after reading section ``s``: what an LLM memory
        spends its budget on besides the evidence (the same on both sides of a pair). It keeps
        what the previous memory ``carried`` (latest first) and adds sentences of the section
        just read, so it never states what the agent has not read."""
        room = self.budget(s) - 18 * n_facts - 45
        if room <= 20:
            return []
        r = sub_rng(self.seed, "recap", key)
        pool = self._story(s)
        fresh: list[str] = []
        share = int(room * 0.6)
        for i in sorted(r.sample(range(len(pool)), len(pool))):
            cost = len(pool[i]) // 4 + 2
            if cost <= share:
                fresh.append(pool[i])
                share -= cost
                room -= cost
        if fresh:
            fresh[0] = r.choice(_RECAP_OPEN).format(s=fresh[0])
        kept: list[str] = []
        for old in reversed(carried):  # the most recent account first
            cost = len(old) // 4 + 2
            if cost > room:
                break
            kept.insert(0, old)
            room -= cost
        return kept + fresh


@dataclass(kw_only=True)
class _Variant:
    setting: str
    drop: int | None = None
    drop_mode: str = ""
    noise: str = ""
    """Noise pairs: '' (failed attempts only), 'repeat' or 'block' (also a repeated segment)."""
    noise_fact: int | None = None
    noise_text: str = ""
    noise_from: int = 0
    attempts: dict[Hashable, tuple[str, ...]] = field(default_factory=dict)
    """Noise pairs: step key -> kinds of the failed attempts the rejected side records there."""


_ATTEMPT_KINDS = ("corrupt", "invent", "forget")


def _side_text(
    plan: _Plan, var: _Variant | None, pads: Counter[Hashable], rejected: bool
) -> tuple[str, str]:
    """Render one side (``rejected`` False = the clean chosen run); returns (trajectory, answer)."""
    task = plan.task
    q = task.question
    variant = var if rejected else None

    def lines_for(facts: list[int], sec: int) -> list[str]:
        lines = [task.facts[i].text for i in facts]
        v = variant
        if v is not None and v.noise and sec >= v.noise_from and v.noise_fact in facts:
            at = facts.index(v.noise_fact) + 1
            if v.noise == "repeat":
                lines.append(v.noise_text)
            elif v.noise == "block":  # a segment of the evidence list copied again
                lines.extend(lines[max(0, at - 3) : at])
        return lines

    def notes(key: Hashable, section: str, base: int) -> list[str]:
        # Names from the story only: a note must never wave away an entity of the task.
        c = corpus()
        names = [
            n for n in c.names_in(section, limit=8) if n in c.known_names and n not in fact_words
        ][:4]
        out: list[str] = []
        for j in range(base + pads[key]):
            note = neutral_note(sub_rng(plan.seed, key, j), names, task.focus)
            if note not in out:
                out.append(note)
        return out

    fact_words = {w.strip(".,") for f in task.facts for w in f.text.split()} | set(
        task.focus.split()
    )
    implications = {f.text: _implication(f) for f in task.facts}

    def conclusion(facts: list[int]) -> str:
        return task.conclude(task.solve([task.facts[i] for i in facts]))

    def attempt(
        kind: str, key: Hashable, facts: list[int], new: list[int], s: int, extra: list[str]
    ) -> str:
        r = sub_rng(plan.seed, "attempt", key, kind)
        lines = lines_for(facts, s)
        shown = list(facts)
        if kind == "corrupt" and facts:
            f = new[-1] if new else r.choice(facts)
            lines[facts.index(f)] = _fresh_corruption(task, f, r)
        elif kind == "forget" and new:
            shown = [f for f in facts if f not in new]
            lines = lines_for(shown, s)
        else:  # invent: a claim about the task that no sentence of the context makes
            lines.append(_fresh_corruption(task, r.randrange(len(task.facts)), r))
        return _memory_text(plan.style, task.focus, lines, extra, conclusion(shown), implications)

    def run(
        sec_ids: list[int], start: list[int], start_text: str, key0: str, carried: list[str]
    ) -> tuple[list[StepText], list[int], str, list[str]]:
        steps: list[StepText] = []
        mem_facts = list(start)
        prev = start_text
        for n, s in enumerate(sec_ids):
            unit_ids, section = plan.sections[s]
            seen = [plan.task_fact(u) for u in unit_ids]
            new = [f for f in seen if f is not None and f in plan.recorded]
            if variant is not None and variant.drop is not None and variant.drop in new:
                new.remove(variant.drop)
                if variant.drop_mode == "input":
                    section = plan.section_without(s, variant.drop)
            mem_facts = mem_facts + new
            key = (key0, n)
            base = sub_rng(plan.seed, "base", key).choice((0, 0, 1, 1, 2))
            if plan.budget(s) < 150:  # a small memory budget leaves no room for side notes
                base = 0
            carried = plan.recap(key, s, len(mem_facts), carried)
            extra = notes(key, section, base) + carried
            text = _memory_text(
                plan.style,
                task.focus,
                lines_for(mem_facts, s),
                extra,
                conclusion(mem_facts),
                implications,
            )
            wrong: list[str] = []
            if variant is not None:
                for kind in variant.attempts.get(key, ()):
                    wrong.append(attempt(kind, key, mem_facts, new, s, extra))
            steps.append(
                StepText(
                    previous_memory=prev, section=section, updated_memory=text, wrong_memories=wrong
                )
            )
            prev = text
        return steps, mem_facts, prev, carried

    def answer_text(final: list[int]) -> tuple[str, str]:
        answer = task.solve([task.facts[i] for i in final]) or "unknown"
        text = (
            sub_rng(plan.seed, "answer")
            .choice(_ANSWERS)
            .format(conclusion=conclusion(final), answer=answer)
        )
        return text, answer

    if len(plan.parts) == 1:
        steps, mem_facts, _, _ = run(plan.parts[0], [], "", "seq", [])
        ans_text, answer = answer_text(mem_facts)
        return render_sequential(q, steps, ans_text), answer
    parts_steps = []
    union: list[int] = []
    finals: list[str] = []
    accounts: list[str] = []
    for p, secs in enumerate(plan.parts):
        steps, mem_facts, last, account = run(secs, [], "", f"part{p}", [])
        parts_steps.append(steps)
        union += mem_facts
        finals.append(last)
        accounts += account
    last_sec = plan.parts[-1][-1]
    # the fusion keeps what the part memories said, as much as its budget allows (latest first)
    summary_account = plan.recap(("summary", 0), last_sec, len(union), accounts)
    summary_account = [x for x in summary_account if x in accounts]
    summary = _memory_text(
        plan.style,
        task.focus,
        lines_for(union, last_sec),
        (notes(("summary", 0), "", 0) if pads[("summary", 0)] else []) + summary_account,
        conclusion(union),
        implications,
    )
    tail_steps, final, _, _ = run(plan.tail, union, summary, "tail", summary_account)
    ans_text, answer = answer_text(final)
    text = render_parallel(
        q, parts_steps, PartMemories(memories=finals, summary=summary), ans_text, tail=tail_steps
    )
    return text, answer


def _fresh_corruption(task: ReasoningTask, f: int, rng: random.Random) -> str:
    """A corrupted version of fact ``f`` that is not itself one of the context's facts."""
    real = {x.text for x in task.facts}
    for _ in range(50):
        text = task.corrupt(task.facts[f], rng)
        if text not in real:
            return text
    return task.facts[f].text.replace(".", ", or so it seemed at first.")


def _split_parts(rng: random.Random, n: int) -> tuple[list[list[int]], list[int]]:
    """Mixed pattern: 2–3 parallel parts over the first 60–80% of the sections, then a tail."""
    p = rng.choice((2, 3)) if n >= 5 else 2
    n_par = max(p, round(n * rng.uniform(0.6, 0.8)))
    n_par = min(n_par, n - 1)
    bounds = sorted(rng.sample(range(1, n_par), p - 1)) if n_par > p else list(range(1, p))
    edges = [0, *bounds, n_par]
    return [list(range(edges[i], edges[i + 1])) for i in range(p)], list(range(n_par, n))


def _update_keys(plan: _Plan) -> list[tuple[Hashable, int]]:
    """(step key, section) of every chunk update, in run order."""
    if len(plan.parts) == 1:
        return [(("seq", i), s) for i, s in enumerate(plan.parts[0])]
    keys: list[tuple[Hashable, int]] = []
    for pi, secs in enumerate(plan.parts):
        keys += [((f"part{pi}", i), s) for i, s in enumerate(secs)]
    return keys + [(("tail", i), s) for i, s in enumerate(plan.tail)]


class _SizeError(RuntimeError):
    """A drawn task cannot be sized into the length band (the draw is repeated)."""


def make_reasoning_pair(*, seed: int, setting: str, length: str, index: int) -> dict[str, Any]:
    """One Sequential-/Mixed- Noise/Drop pair (a draw that cannot be sized is drawn again)."""
    for retry in range(8):
        try:
            return _make_reasoning_pair(
                seed=seed, setting=setting, length=length, index=index, retry=retry
            )
        except _SizeError:
            continue
    raise RuntimeError(f"could not size a {length} {setting} pair in 8 draws; report this as a bug")


def _make_reasoning_pair(
    *, seed: int, setting: str, length: str, index: int, retry: int
) -> dict[str, Any]:
    key: tuple[object, ...] = (seed, setting, length, index) + ((retry,) if retry else ())
    rng = sub_rng("reasoning", *key)
    kind = REASONING_KINDS[(index + rng.randrange(len(REASONING_KINDS))) % len(REASONING_KINDS)]
    if kind.startswith("docqa"):
        task = make_docqa(rng, kind, n_distractor_chains=2 + _N_FACTS[length] // 8)
    else:
        task = make_babi(rng, kind, _N_FACTS[length])
    nominal = length_tokens(length)
    pair_target = nominal * rng.uniform(0.62, 0.92)
    q_target = max(_MIN_QUESTION, int(pair_target * rng.uniform(0.09, 0.2)))
    instruction = rng.choice(_INSTRUCTIONS)
    prefix = f"{instruction} [Context]\n"
    suffix = f"\n\n[Question]{task.question}"
    try:
        question, ctx, q_tokens = _build_context(rng, task, q_target, prefix, suffix)
    except UserError as exc:  # this task's clue documents alone overshoot a short context
        raise _SizeError(str(exc)) from exc
    sections = _sections(ctx, rng.randint(*_STEPS[length]), q_tokens)
    fact_section = {
        ctx.fact_at[u]: s
        for s, (units, _) in enumerate(sections)
        for u in units
        if u in ctx.fact_at
    }
    others = [i for i in range(len(task.facts)) if i not in task.references]
    recorded = sorted(set(task.references) | set(rng.sample(others, len(others) // 4)))

    def drop_candidates() -> list[int]:
        return [
            i
            for i in task.references
            if (alt := task.solve([task.facts[j] for j in recorded if j != i])) is not None
            and alt != task.answer
        ]

    if setting.endswith("Drop") and not drop_candidates():
        recorded = sorted(task.references)  # the extra facts would mask every loss

    mixed = setting.startswith("Mixed")
    n = len(sections)
    parts, tail = _split_parts(rng, n) if mixed else ([list(range(n))], [])
    plan = _Plan(
        task=task,
        sections=sections,
        fact_section=fact_section,
        recorded=recorded,
        style=rng.randrange(5),
        parts=parts,
        tail=tail,
        seed=f"{seed}:{setting}:{length}:{index}",
        ctx=ctx,
    )
    n_updates = n + (1 if mixed else 0)
    # both trajectories copy the context once; the rest of the planned size is memory text,
    # shown twice per step (as the previous and as the updated memory)
    plan.memory_scale = max(40.0, (pair_target - 3 * q_tokens) / (4 * n_updates))

    var = _Variant(setting=setting)
    noise = setting.endswith("Noise")
    change: dict[str, Any]
    if not noise:
        var.drop = rng.choice(drop_candidates())
        var.drop_mode = rng.choice(("input", "skipped"))
        change = {"kind": "drop", "mode": var.drop_mode, "fact": task.facts[var.drop].text}
    else:
        keys = _update_keys(plan)
        with_new = {k for k, s in keys if any(fact_section.get(f) == s for f in recorded)}
        k_wrong = min(len(keys), max(2, round(len(keys) * rng.uniform(0.3, 0.65))))
        ranked = sorted(keys, key=lambda ks: (ks[0] not in with_new, rng.random()))
        for step_key, _s in ranked[:k_wrong]:
            n_att = rng.choices((1, 2, 3), weights=(70, 25, 5))[0]
            var.attempts[step_key] = tuple(rng.sample(_ATTEMPT_KINDS, n_att))
        change = {
            "kind": "failed_attempts",
            "steps": len(var.attempts),
            "attempts": sum(len(a) for a in var.attempts.values()),
        }
        if rng.random() < 0.2:  # and the rejected memory keeps a repeated segment
            refs = sorted(
                (i for i in task.references if i in recorded), key=lambda i: fact_section[i]
            )
            f = rng.choice(refs[: max(1, (len(refs) * 2) // 3)])
            var.noise_fact, var.noise_from = f, fact_section[f]
            var.noise = rng.choice(("repeat", "block"))
            if var.noise == "repeat":
                var.noise_text = rng.choice(
                    (
                        task.facts[f].text,
                        f"As noted above, {_lower_first(task.facts[f].text)}",
                        f"(Again: {task.facts[f].text})",
                    )
                )
            change["repeated"] = {"kind": var.noise, "fact": task.facts[f].text}

    slot_keys: list[Hashable] = [k for k, _ in _update_keys(plan)]
    if mixed:
        slot_keys.append(("summary", 0))
    answers: dict[str, str] = {}

    def build(side: Side, pads: Counter[Hashable]) -> str:
        text, ans = _side_text(plan, var, pads, side == "rejected")
        answers[side] = ans
        return text

    chosen_longer = chosen_longer_for(seed, setting, length, index)
    pad_counts: dict[str, int] = {"chosen": 0, "rejected": 0}
    lo, hi = int(PAIR_LOW * nominal * 1.04), int(PAIR_HIGH * nominal * 0.98)
    for _ in range(8):  # scale the memories until the whole pair has the planned size
        if noise:
            chosen, rejected = build("chosen", Counter()), build("rejected", Counter())
        else:
            chosen, rejected, pad_counts = balance(
                rng, build, slot_keys, chosen_longer=chosen_longer
            )
        total = q_tokens + count_tokens(chosen) + count_tokens(rejected)
        if lo <= total <= hi and abs(total - pair_target) <= 0.12 * pair_target:
            break
        memory_part = max(1.0, total - 3 * q_tokens)
        plan.memory_scale *= max(0.3, min(3.0, (pair_target - 3 * q_tokens) / memory_part))
    else:
        # a short pair with many failed attempts: keep fewer of them until it fits
        while noise and total > PAIR_HIGH * nominal and len(var.attempts) > 1:
            del var.attempts[max(var.attempts, key=lambda k: (len(var.attempts[k]), str(k)))]
            chosen, rejected = build("chosen", Counter()), build("rejected", Counter())
            total = q_tokens + count_tokens(chosen) + count_tokens(rejected)
            change["steps"] = len(var.attempts)
            change["attempts"] = sum(len(a) for a in var.attempts.values())
        if not PAIR_LOW * nominal <= total <= PAIR_HIGH * nominal:
            raise _SizeError(f"could not size a {length} {setting} pair ({total} tokens)")
    assert answers["chosen"] == task.answer
    assert (answers["rejected"] == task.answer) if noise else (answers["rejected"] != task.answer)
    pattern = "sequential" if len(parts) == 1 else f"parallel{len(parts)}"
    family = "babi-" + kind if kind in BABI_KINDS else "docqa"
    subtask = f"{family}-{pattern}-{'self_correct' if noise else 'wrong_answer'}"
    task_name = f"{'P' if mixed else 'S'}-{'Noise' if noise else 'Drop'}"
    meta = {
        "setting": setting,
        "seed": seed,
        "index": index,
        "family": "reasoning",
        "kind": kind,
        "query": task.question,
        "answer": task.answer,
        "rejected_answer": answers["rejected"],
        "facts": [f.text for f in task.facts],
        "references": [task.facts[i].text for i in task.references],
        "n_sections": n,
        "parallel_parts": len(parts) if len(parts) > 1 else 0,
        "memory_style": plan.style,
        "change": change,
        "padding": pad_counts,
    }
    return make_record(
        question=question,
        chosen=chosen,
        rejected=rejected,
        task=task_name,
        subtask=subtask,
        ctx_length=length,
        meta=meta,
        question_tokens=q_tokens,
    )
