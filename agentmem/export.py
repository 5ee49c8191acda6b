"""Turn recorded runs into MemRewardBench preference pairs, so users' own traces become a
verifier suite for their reward models.

For every step where the update policy threw away a candidate that differs from the one it kept,
one pair:

* ``chosen``: the run as it happened, rendered in the benchmark's published layout
  (:func:`agentmem.render.render_trajectory`);
* ``rejected``: the same run with one rejected candidate committed at that step instead of the
  accepted one. The attempts shown at the step are the same (the accepted one now appears among
  the wrong updates), the next step that read the memory reads the substituted one, and so do the
  parallel summary and the answer block when they show it. Both sides therefore carry the same
  texts; they differ in which memory the agent kept.

With ``construction="self-correct"`` a run gives one pair built the way the benchmark built its
Noise data from its judge-in-the-loop runs: ``chosen`` shows every step with ``No wrong updated
memory``, ``rejected`` is the same run with the rejected attempts shown as wrong updated
memories -- the committed memories are identical, the rejected side carries the noise.

``question`` is an instruction, the document between ``[Context]`` and ``[Question]`` markers,
and the question, as in the benchmark's files. The document comes from the run config when the
pipeline kept it (``keep_document``); otherwise it is reassembled from the chunks the steps read
(the chunker's split is lossless, and the SHA-256 in the config is checked when present).

``task`` / ``subtask`` use the published naming so benchmark loaders map them: a substituted
update or fusion is a *Noise* pair (a wrong update kept: ``S-Noise`` / ``P-Noise``,
``...-self_correct``), a substituted final answer a *Drop* pair (the answer is wrong:
``S-Drop`` / ``P-Drop``, ``...-wrong_answer``); sequential runs are ``S-``, parallel and mixed
runs ``P-`` (the benchmark's "Mixed"). ``ctx_length`` is the smallest of 8k…128k (×1024 tokens,
cl100k_base) that holds the question; longer questions get their own bucket (``256k`` …).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from typing import Any, Literal

from agentmem._types import Answer, Attempt, Step, Trajectory
from agentmem.exceptions import UserError

__all__ = [
    "CONSTRUCTIONS",
    "EXPORT_FORMATS",
    "Construction",
    "Pick",
    "build_question",
    "ctx_length_label",
    "export_pairs",
    "export_run",
]

EXPORT_FORMATS = ("memrewardbench",)
"""Formats :func:`export_pairs` can write (``agentmem trace export --format``)."""

Pick = Literal["hardest", "all"]
"""Which rejected candidates make pairs: the highest-scored one per step, or every one."""

Construction = Literal["substitute", "self-correct"]
"""How a pair is built from a run (see :func:`export_pairs`)."""

CONSTRUCTIONS: tuple[Construction, ...] = ("substitute", "self-correct")

EXPORT_VERSION = 1
"""Bump when the records' content or meta layout changes."""

_INSTRUCTION = (
    "Below is a long document. Most of it is unrelated to the question and only a few passages "
    "matter; read it carefully, then answer the question that follows it."
)
_LENGTHS_K = (8, 16, 32, 64, 128)


def build_question(question: str, document: str | None) -> str:
    """The benchmark's ``question`` field: instruction, ``[Context]`` document, ``[Question]``."""
    if document is None:
        return question
    return f"{_INSTRUCTION} [Context]\n{document}\n\n[Question]{question}"


def ctx_length_label(tokens: int) -> str:
    """Smallest benchmark length bucket holding ``tokens`` (``8k`` … ``128k``, then powers of 2)."""
    for k in _LENGTHS_K:
        if tokens <= k * 1024:
            return f"{k}k"
    return f"{2 ** math.ceil(math.log2(tokens / 1024))}k"


def _reassemble(trajectory: Trajectory) -> str | None:
    chunks = {s.chunk.index: s.chunk.text for s in trajectory.steps if s.chunk is not None}
    if not chunks:
        return None
    return "".join(chunks[i] for i in sorted(chunks))


def _document(trajectory: Trajectory, config: dict[str, Any]) -> tuple[str | None, str]:
    kept = config.get("document")
    if isinstance(kept, str) and kept:
        return kept, "run config"
    text = _reassemble(trajectory)
    if text is None:
        return None, "unavailable"
    sha = config.get("document_sha256")
    n_chunks = config.get("n_chunks")
    distinct = len({s.chunk.index for s in trajectory.steps if s.chunk is not None})
    if isinstance(sha, str) and hashlib.sha256(text.encode()).hexdigest() != sha:
        return text, (
            f"reassembled from {distinct}"
            + (f" of {n_chunks}" if isinstance(n_chunks, int) else "")
            + " chunks (partial: the run did not read the whole document)"
        )
    return text, "reassembled from chunks"


def _rank(a: Attempt, position: int) -> tuple[float, int]:
    return (a.reward.value, position)


def _substitute(trajectory: Trajectory, k: int, position: int) -> Trajectory:
    """A copy of ``trajectory`` where step ``k`` committed attempt ``position``."""
    steps = list(trajectory.steps)
    step = steps[k]
    old, new = step.memory, step.attempts[position].candidate.text
    steps[k] = dataclasses.replace(step, chosen=position)
    answer = trajectory.answer
    if step.kind == "answer":
        if answer is not None:
            answer = Answer(text=new, extracted=new.strip(), usage=answer.usage)
    else:
        # The next update that read this memory reads the substituted one.
        for j in range(k + 1, len(steps)):
            s = steps[j]
            same_line = step.kind == "fusion" or s.group == step.group
            if s.kind == "update" and same_line:
                if s.previous_memory == old:
                    steps[j] = dataclasses.replace(s, previous_memory=new)
                break
    return dataclasses.replace(trajectory, steps=steps, answer=answer)


def _distinct_rejected(step: Step) -> list[tuple[int, Attempt]]:
    """Rejected attempts whose text differs from the committed memory and from each other.

    Identical samples (best-of-N with a deterministic updater) would make chosen == rejected.
    """
    seen = {step.memory.strip()}
    out: list[tuple[int, Attempt]] = []
    for i, a in enumerate(step.attempts):
        text = a.candidate.text.strip()
        if i != step.chosen and text not in seen:
            seen.add(text)
            out.append((i, a))
    return out


def _only(trajectory: Trajectory, keep: dict[int, list[int]]) -> Trajectory:
    """A copy where step ``k`` shows only attempts ``keep[k]`` plus its committed one."""
    steps: list[Step] = []
    for k, s in enumerate(trajectory.steps):
        wanted = sorted({*keep.get(k, []), s.chosen})
        steps.append(
            dataclasses.replace(
                s, attempts=[s.attempts[i] for i in wanted], chosen=wanted.index(s.chosen)
            )
        )
    return dataclasses.replace(trajectory, steps=steps)


def export_pairs(
    trajectory: Trajectory,
    *,
    config: dict[str, Any] | None = None,
    document: str | None = None,
    pick: Pick = "hardest",
    construction: Construction = "substitute",
) -> list[dict[str, Any]]:
    """Benchmark-format records (see module docs).

    Args:
        trajectory: a recorded run (``store.load_trajectory(run_id)``).
        config: the run config (``RunInfo.config``): supplies the kept document, its hash, and
            the pattern details recorded in ``meta``.
        document: the document text, overriding the config's.
        pick: ``substitute`` only: ``hardest`` (per step, the rejected attempt the reward model
            scored highest; ties go to the later attempt) or ``all`` (one pair per rejected
            attempt).
        construction: ``substitute`` (one pair per step: a rejected candidate committed instead
            of the accepted one) or ``self-correct`` (one pair per run, the benchmark's Noise
            recipe: chosen shows no rejected attempts, rejected shows them all as
            ``wrong_updated_memories``; the committed memories are the same).

    Rejected candidates with the same text as the committed one (or as an earlier rejected one)
    are ignored. Returns an empty list when no step rejected a different candidate.
    """
    from agentmem.render import render_trajectory
    from agentmem.tokens import count_tokens

    if pick not in ("hardest", "all"):
        raise UserError(f"pick must be 'hardest' or 'all', got {pick!r}")
    if construction not in CONSTRUCTIONS:
        raise UserError(
            f"construction must be one of {', '.join(CONSTRUCTIONS)}, got {construction!r}"
        )
    distinct = {k: _distinct_rejected(s) for k, s in enumerate(trajectory.steps)}
    distinct = {k: v for k, v in distinct.items() if v}
    if not distinct:
        return []
    config = dict(config or {})
    if document is not None:
        doc, source = document, "given"
    else:
        doc, source = _document(trajectory, config)
    question = build_question(trajectory.question, doc)
    q_tokens = count_tokens(question)
    sequential = trajectory.pattern == "sequential"
    parts = "" if sequential else str(trajectory.groups)
    base_meta: dict[str, Any] = {
        "source": "agentmem",
        "export_version": EXPORT_VERSION,
        "construction": construction,
        "run_id": trajectory.run_id,
        "pattern": trajectory.pattern,
        "groups": trajectory.groups,
        "policy": trajectory.policy,
        "reward_model": trajectory.reward_model,
        "answer": None if trajectory.answer is None else trajectory.answer.extracted,
        "context": source,
        "question_tokens": q_tokens,
    }

    def record(chosen: str, rejected: str, variant: str, meta: dict[str, Any]) -> dict[str, Any]:
        suffix = "wrong_answer" if variant == "Drop" else "self_correct"
        return {
            "question": question,
            "chosen": chosen,
            "rejected": rejected,
            "task": f"{'S' if sequential else 'P'}-{variant}",
            "subtask": f"agentmem-{trajectory.pattern}{parts}-{suffix}",
            "ctx_length": ctx_length_label(q_tokens),
            "meta": {**base_meta, **meta},
        }

    if construction == "self-correct":
        shown = {k: [i for i, _ in v] for k, v in distinct.items()}
        steps = [
            {"kind": s.kind, "group": s.group, "index": s.index, "wrong_attempts": shown[k]}
            for k, s in enumerate(trajectory.steps)
            if k in shown
        ]
        return [
            record(
                render_trajectory(_only(trajectory, {})),
                render_trajectory(_only(trajectory, shown)),
                "Noise",
                {"steps": steps},
            )
        ]

    targets: list[tuple[int, int]] = []
    for k, rejected in distinct.items():
        if pick == "all":
            targets.extend((k, i) for i, _ in rejected)
        else:
            best = max(rejected, key=lambda ia: _rank(ia[1], ia[0]))
            targets.append((k, best[0]))
    chosen_text = render_trajectory(trajectory)
    records: list[dict[str, Any]] = []
    for k, position in targets:
        step: Step = trajectory.steps[k]
        kept, swapped = step.committed, step.attempts[position]
        meta = {
            "step": {"kind": step.kind, "group": step.group, "index": step.index},
            "decision": step.decision,
            "chosen_attempt": step.chosen,
            "rejected_attempt": position,
            "chosen_score": kept.reward.value,
            "rejected_score": swapped.reward.value,
            "rejected_rationale": swapped.reward.rationale,
            "scorer": kept.reward.scorer,
            "scorer_version": kept.reward.version,
        }
        variant = "Drop" if step.kind == "answer" else "Noise"
        rejected_text = render_trajectory(_substitute(trajectory, k, position))
        records.append(record(chosen_text, rejected_text, variant, meta))
    return records


async def export_run(
    store: Any, run_id: str, *, pick: Pick = "hardest", construction: Construction = "substitute"
) -> list[dict[str, Any]]:
    """:func:`export_pairs` for a run in a trace store (raises UserError for an unknown id)."""
    trajectory = await store.load_trajectory(run_id)
    info = await store.get_run(run_id)
    config = info.config if info is not None else None
    return export_pairs(trajectory, config=config, pick=pick, construction=construction)
