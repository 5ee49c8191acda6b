"""Long-context reasoning pairs: Sequential-/Mixed- × Noise/Drop (paper §3.3, Appendix B).

A task's facts are hidden in public-domain text (bAbI-style) or in clue documents among
background documents (multi-hop QA). The context is cut into sections; an agent reads them in
order (sequential) or in 2–3 parallel parts that are summarised and then continued sequentially
to the answer (mixed). Both trajectories of a pair come from the same simulated run and differ
only in what defines the setting:

* Noise (``self_correct``): the rejected run keeps bad content in its memory from some step to the
  end: a wrong update it should have discarded (a corrupted fact), or a repeated memory segment.
  Its answer stays right; its memory is worse.
* Drop (``wrong_answer``): a supporting fact is lost (removed from the section the agent read, or
  skipped while updating), so the memory lacks the evidence and the final answer is wrong.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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
from benchmarks.generator._lengths import fit_to_length, length_tokens, target_tokens

__all__ = ["REASONING_KINDS", "make_reasoning_pair"]

REASONING_KINDS = (*BABI_KINDS, *DOCQA_KINDS)

_INSTRUCTIONS = (
    "Below is a long context. Only a few of its sentences are clues for the question at the end; "
    "the rest is unrelated text. Read it carefully and answer the question from the context.",
    "The following context is long and mostly irrelevant: a handful of sentences hold the facts the "
    "question needs. Answer the question after reading the whole context.",
)
_SECTION_TOKENS = {"8k": 1000, "16k": 1800, "32k": 3000, "64k": 5000, "128k": 5000}
_N_FACTS = {"8k": 12, "16k": 14, "32k": 16, "64k": 18, "128k": 20}


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
    rng: random.Random, task: ReasoningTask, length: str, prefix: str, suffix: str
) -> tuple[str, _Context, int]:
    c = corpus()
    nominal = length_tokens(length)
    target = target_tokens(rng, length)
    if task.kind.startswith("docqa"):
        # Background documents of varied size; each clue becomes a short document of its own.
        pool: list[str] = []
        while sum(len(d) for d in pool) < nominal * 7:
            pool.append(" ".join(c.excerpt(rng, rng.randint(60, 360))))
        clue_docs = []
        for f in task.facts:
            ctx = c.excerpt(rng, rng.randint(30, 90))
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

        guess = max(1, int(len(pool) * target / (nominal * 1.3)))
    else:
        sentences = c.excerpt(rng, int(nominal * 1.6))
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

    question, k, tokens = fit_to_length(build, guess, length)
    return question, cache[k], tokens


def _sections(ctx: _Context, length: str) -> list[tuple[list[int], str]]:
    """Cut the units into sections of about the section budget; each with its unit indices."""
    budget = _SECTION_TOKENS[length]
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
    wrong_at: dict[int, tuple[int, str]] = field(default_factory=dict)
    """Section index -> (fact index, corrupted text) of a rejected proposal shown in both sides."""
    seed: str = ""

    def task_fact(self, unit: int) -> int | None:
        """Fact index held by a context unit, if any."""
        return self.ctx.fact_at.get(unit)

    def section_without(self, s: int, fact: int) -> str:
        """Section ``s`` as it reads with one fact removed (a Drop on the input)."""
        units, _ = self.sections[s]
        return self.ctx.joiner.join(
            self.ctx.units[u] for u in units if self.ctx.fact_at.get(u) != fact
        )


@dataclass(kw_only=True)
class _Variant:
    setting: str
    drop: int | None = None
    drop_mode: str = ""
    noise: str = ""
    noise_fact: int | None = None
    noise_text: str = ""
    noise_from: int = 0


def _side_text(plan: _Plan, var: _Variant | None, pads: Counter[Hashable]) -> tuple[str, str]:
    """Render one side (``var`` None = the clean chosen run); returns (trajectory, answer)."""
    task = plan.task
    q = task.question

    def lines_for(facts: list[int], sec: int) -> list[str]:
        lines = [task.facts[i].text for i in facts]
        if var is not None and var.noise and sec >= var.noise_from and var.noise_fact in facts:
            at = facts.index(var.noise_fact) + 1
            if var.noise == "wrong":
                lines.insert(at, var.noise_text)
            elif var.noise == "repeat":
                lines.append(var.noise_text)
            elif var.noise == "block":  # a segment of the evidence list copied again
                seg = lines[max(0, at - 3) : at]
                lines.extend(seg)
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

    def run(
        sec_ids: list[int], start: list[int], start_text: str, key0: str
    ) -> tuple[list[StepText], list[int], str]:
        steps: list[StepText] = []
        mem_facts = list(start)
        prev = start_text
        for n, s in enumerate(sec_ids):
            unit_ids, section = plan.sections[s]
            seen = [plan.task_fact(u) for u in unit_ids]
            new = [f for f in seen if f is not None and f in plan.recorded]
            if var is not None and var.drop is not None and var.drop in new:
                new.remove(var.drop)
                if var.drop_mode == "input":
                    section = plan.section_without(s, var.drop)
            mem_facts = mem_facts + new
            key = (key0, n)
            base = sub_rng(plan.seed, "base", key).choice((0, 0, 1, 1, 2))
            text = _memory_text(
                plan.style,
                task.focus,
                lines_for(mem_facts, s),
                notes(key, section, base),
                conclusion(mem_facts),
                implications,
            )
            wrong: list[str] = []
            if s in plan.wrong_at and plan.wrong_at[s][0] in mem_facts:
                fi, bad = plan.wrong_at[s]
                bad_lines = [
                    bad if ln == task.facts[fi].text else ln for ln in lines_for(mem_facts, s)
                ]
                wrong.append(
                    _memory_text(
                        plan.style,
                        task.focus,
                        bad_lines,
                        notes(key, section, base),
                        conclusion(mem_facts),
                        implications,
                    )
                )
            steps.append(
                StepText(
                    previous_memory=prev, section=section, updated_memory=text, wrong_memories=wrong
                )
            )
            prev = text
        return steps, mem_facts, prev

    if len(plan.parts) == 1:
        steps, mem_facts, _ = run(plan.parts[0], [], "", "seq")
        final = mem_facts
        answer = task.solve([task.facts[i] for i in final]) or "unknown"
        ans_text = (
            sub_rng(plan.seed, "answer")
            .choice(_ANSWERS)
            .format(conclusion=conclusion(final), answer=answer)
        )
        return render_sequential(q, steps, ans_text), answer
    parts_steps = []
    union: list[int] = []
    finals: list[str] = []
    for p, secs in enumerate(plan.parts):
        steps, mem_facts, last = run(secs, [], "", f"part{p}")
        parts_steps.append(steps)
        union += mem_facts
        finals.append(last)
    last_sec = plan.parts[-1][-1]
    summary = _memory_text(
        plan.style,
        task.focus,
        lines_for(union, last_sec),
        notes(("summary", 0), "", 0) if pads[("summary", 0)] else [],
        conclusion(union),
        implications,
    )
    tail_steps, final, _ = run(plan.tail, union, summary, "tail")
    answer = task.solve([task.facts[i] for i in final]) or "unknown"
    ans_text = (
        sub_rng(plan.seed, "answer")
        .choice(_ANSWERS)
        .format(conclusion=conclusion(final), answer=answer)
    )
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


def make_reasoning_pair(*, seed: int, setting: str, length: str, index: int) -> dict[str, Any]:
    """One Sequential-/Mixed- Noise/Drop pair."""
    rng = sub_rng("reasoning", seed, setting, length, index)
    kind = REASONING_KINDS[(index + rng.randrange(len(REASONING_KINDS))) % len(REASONING_KINDS)]
    if kind.startswith("docqa"):
        task = make_docqa(rng, kind, n_distractor_chains=2 + _N_FACTS[length] // 8)
    else:
        task = make_babi(rng, kind, _N_FACTS[length])
    instruction = rng.choice(_INSTRUCTIONS)
    prefix = f"{instruction} [Context]\n"
    suffix = f"\n\n[Question]{task.question}"
    question, ctx, q_tokens = _build_context(rng, task, length, prefix, suffix)
    sections = _sections(ctx, length)
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
    if mixed:
        p = rng.choice((2, 3)) if n >= 5 else 2
        n_par = max(p, round(n * rng.uniform(0.6, 0.8)))
        n_par = min(n_par, n - 1)
        bounds = sorted(rng.sample(range(1, n_par), p - 1)) if n_par > p else list(range(1, p))
        edges = [0, *bounds, n_par]
        parts = [list(range(edges[i], edges[i + 1])) for i in range(p)]
        tail = list(range(n_par, n))
    else:
        parts, tail = [list(range(n))], []

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

    # Rejected proposals shown in both trajectories (the published runs revise bad updates too).
    for f in recorded:
        if rng.random() < 0.2:
            plan.wrong_at[fact_section[f]] = (f, _fresh_corruption(task, f, rng))

    var = _Variant(setting=setting)
    change: dict[str, Any]
    if setting.endswith("Drop"):
        cands = drop_candidates()
        var.drop = rng.choice(cands)
        # A revision of the dropped fact cannot show up in a run that never recorded it: keep the
        # count of rejected proposals equal on both sides.
        if plan.wrong_at.get(fact_section[var.drop], (None,))[0] == var.drop:
            del plan.wrong_at[fact_section[var.drop]]
        var.drop_mode = rng.choice(("input", "skipped"))
        change = {"kind": "drop", "mode": var.drop_mode, "fact": task.facts[var.drop].text}
    else:
        refs = [i for i in task.references if i in recorded]
        order = sorted(refs, key=lambda i: fact_section[i])
        early = order[: max(1, (len(order) * 2) // 3)]
        f = rng.choice(early)
        var.noise_fact = f
        var.noise_from = fact_section[f]
        var.noise = rng.choice(("wrong", "wrong", "repeat", "block"))
        if var.noise == "wrong":
            var.noise_text = _fresh_corruption(task, f, rng)
            plan.wrong_at[fact_section[f]] = (f, var.noise_text)
        elif var.noise == "repeat":
            var.noise_text = rng.choice(
                (
                    task.facts[f].text,
                    f"As noted above, {_lower_first(task.facts[f].text)}",
                    f"(Again: {task.facts[f].text})",
                )
            )
        change = {
            "kind": var.noise,
            "fact": task.facts[f].text,
            "text": var.noise_text,
            "from_section": var.noise_from,
        }

    slot_keys: list[Hashable] = []
    if len(parts) == 1:
        slot_keys = [("seq", i) for i in range(n)]
    else:
        for pi, secs in enumerate(parts):
            slot_keys += [(f"part{pi}", i) for i in range(len(secs))]
        slot_keys += [("tail", i) for i in range(len(tail))] + [("summary", 0)]

    answers: dict[str, str] = {}

    def build(side: Side, pads: Counter[Hashable]) -> str:
        text, ans = _side_text(plan, None if side == "chosen" else var, pads)
        answers[side] = ans
        return text

    chosen_longer = chosen_longer_for(seed, setting, length, index)
    chosen, rejected, pad_counts = balance(rng, build, slot_keys, chosen_longer=chosen_longer)
    noise = setting.endswith("Noise")
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
