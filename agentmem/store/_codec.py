"""Plain-dict form of the trace dataclasses, shared by every store, ``--json`` output and export.

The dict form is what goes to JSON; :func:`step_from_dict` and friends rebuild the exact
dataclasses. JSON has no tuples or sets, so free-form payloads (reward ``evidence``, run
``config``) are normalised with :func:`normalise_json` on the way in -- every store applies the
same normalisation, so what comes back from the in-memory store equals what comes back from SQL.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from agentmem._trace import RunInfo
from agentmem._types import Answer, Attempt, Candidate, Chunk, Step, Trajectory, Usage
from rewards._types import Reward

__all__ = [
    "answer_from_dict",
    "answer_to_dict",
    "dumps",
    "normalise_json",
    "run_info_to_dict",
    "step_from_dict",
    "step_to_dict",
    "trajectory_from_dict",
    "trajectory_to_dict",
]


def _default(obj: Any) -> Any:
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=repr)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    other: Any = obj  # duck-typed below (pydantic models, numpy scalars and arrays)
    if hasattr(other, "model_dump"):  # pydantic models
        return other.model_dump(mode="json")
    if hasattr(other, "item") and callable(other.item):  # numpy scalars
        return other.item()
    if hasattr(other, "tolist") and callable(other.tolist):  # numpy arrays
        return other.tolist()
    return repr(obj)


def dumps(obj: Any) -> str:
    """Compact JSON text; tuples become lists, sets sorted lists, other objects their repr."""
    return json.dumps(
        obj, default=_default, ensure_ascii=False, separators=(",", ":"), allow_nan=True
    )


def normalise_json(obj: Any) -> Any:
    """``obj`` as it reads back from JSON (the form every store returns)."""
    return json.loads(dumps(obj))


def _usage_to_dict(u: Usage) -> dict[str, Any]:
    return {
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
        "cost": u.cost,
        "latency_s": u.latency_s,
        "model": u.model,
    }


def _usage_from_dict(d: dict[str, Any]) -> Usage:
    return Usage(
        prompt_tokens=int(d.get("prompt_tokens", 0)),
        completion_tokens=int(d.get("completion_tokens", 0)),
        cost=float(d.get("cost", 0.0)),
        latency_s=float(d.get("latency_s", 0.0)),
        model=str(d.get("model", "")),
    )


def reward_to_dict(r: Reward) -> dict[str, Any]:
    """A reward as a dict (evidence normalised to JSON)."""
    return {
        "value": r.value,
        "rationale": r.rationale,
        "scorer": r.scorer,
        "version": r.version,
        "latency_s": r.latency_s,
        "tokens": r.tokens,
        "cost": r.cost,
        "evidence": normalise_json(r.evidence),
    }


def reward_from_dict(d: dict[str, Any]) -> Reward:
    """Inverse of :func:`reward_to_dict`."""
    return Reward(
        value=float(d["value"]),
        rationale=str(d.get("rationale", "")),
        scorer=str(d.get("scorer", "")),
        version=str(d.get("version", "1")),
        latency_s=float(d.get("latency_s", 0.0)),
        tokens=int(d.get("tokens", 0)),
        cost=float(d.get("cost", 0.0)),
        evidence=dict(d.get("evidence") or {}),
    )


def attempt_to_dict(a: Attempt) -> dict[str, Any]:
    """One attempt (candidate, its usage and its reward) as a dict."""
    return {
        "round": a.round,
        "candidate": {
            "text": a.candidate.text,
            "feedback": a.candidate.feedback,
            "usage": _usage_to_dict(a.candidate.usage),
        },
        "reward": reward_to_dict(a.reward),
    }


def attempt_from_dict(d: dict[str, Any]) -> Attempt:
    """Inverse of :func:`attempt_to_dict`."""
    c = d["candidate"]
    return Attempt(
        candidate=Candidate(
            text=str(c["text"]),
            feedback=c.get("feedback"),
            usage=_usage_from_dict(c.get("usage") or {}),
        ),
        reward=reward_from_dict(d["reward"]),
        round=int(d.get("round", 0)),
    )


def step_to_dict(step: Step) -> dict[str, Any]:
    """A step, with every attempt, as a JSON-ready dict."""
    chunk = step.chunk
    return {
        "kind": step.kind,
        "group": step.group,
        "index": step.index,
        "previous_memory": step.previous_memory,
        "chunk": None
        if chunk is None
        else {"index": chunk.index, "text": chunk.text, "tokens": chunk.tokens},
        "attempts": [attempt_to_dict(a) for a in step.attempts],
        "chosen": step.chosen,
        "decision": step.decision,
        "latency_s": step.latency_s,
        "errors": list(step.errors),
    }


def step_from_dict(d: dict[str, Any]) -> Step:
    """Inverse of :func:`step_to_dict`."""
    c = d.get("chunk")
    return Step(
        kind=d["kind"],
        group=int(d["group"]),
        index=int(d["index"]),
        previous_memory=str(d.get("previous_memory", "")),
        chunk=None
        if c is None
        else Chunk(index=int(c["index"]), text=str(c["text"]), tokens=int(c["tokens"])),
        attempts=[attempt_from_dict(a) for a in d["attempts"]],
        chosen=int(d["chosen"]),
        decision=d["decision"],
        latency_s=float(d.get("latency_s", 0.0)),
        errors=[str(e) for e in d.get("errors", [])],
    )


def answer_to_dict(a: Answer) -> dict[str, Any]:
    """The final answer as a dict."""
    return {"text": a.text, "extracted": a.extracted, "usage": _usage_to_dict(a.usage)}


def answer_from_dict(d: dict[str, Any]) -> Answer:
    """Inverse of :func:`answer_to_dict`."""
    return Answer(
        text=str(d["text"]),
        extracted=str(d.get("extracted", "")),
        usage=_usage_from_dict(d.get("usage") or {}),
    )


def run_info_to_dict(info: RunInfo) -> dict[str, Any]:
    """Run metadata as a JSON-ready dict."""
    return {
        "run_id": info.run_id,
        "question": info.question,
        "pattern": info.pattern,
        "status": info.status,
        "config": normalise_json(info.config),
        "error": info.error,
        "created_at": info.created_at,
        "finished_at": info.finished_at,
        "n_steps": info.n_steps,
    }


def trajectory_to_dict(t: Trajectory) -> dict[str, Any]:
    """A whole trajectory as a JSON-ready dict."""
    return {
        "run_id": t.run_id,
        "question": t.question,
        "pattern": t.pattern,
        "groups": t.groups,
        "reward_model": t.reward_model,
        "policy": t.policy,
        "steps": [step_to_dict(s) for s in t.steps],
        "answer": None if t.answer is None else answer_to_dict(t.answer),
    }


def trajectory_from_dict(d: dict[str, Any]) -> Trajectory:
    """Inverse of :func:`trajectory_to_dict` (e.g. a saved ``agentmem trace show --json``)."""
    answer = d.get("answer")
    return Trajectory(
        run_id=str(d["run_id"]),
        question=str(d["question"]),
        pattern=d["pattern"],
        groups=int(d.get("groups", 1)),
        steps=[step_from_dict(s) for s in d.get("steps") or []],
        answer=None if answer is None else answer_from_dict(answer),
        reward_model=str(d.get("reward_model", "")),
        policy=str(d.get("policy", "")),
    )


def trajectory_fields(info: RunInfo, steps: list[Step]) -> dict[str, Any]:
    """The Trajectory fields a store derives from a run's info and steps.

    ``groups``, ``reward_model`` and ``policy`` come from the run config when the pipeline put
    them there (keys ``groups``; ``reward_model`` or ``rm``; ``policy``, a label or a dict with
    a ``label``); ``groups`` otherwise counts the distinct groups of update steps.
    """
    cfg = info.config
    groups = cfg.get("groups")
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        groups = len({s.group for s in steps if s.kind == "update"}) or 1
    rm = cfg.get("reward_model", cfg.get("rm", ""))
    policy = cfg.get("policy", "")
    if isinstance(policy, dict) and isinstance(policy.get("label"), str):
        policy = policy["label"]  # the pipeline records {"label": ..., "threshold": ...}
    return {
        "run_id": info.run_id,
        "question": info.question,
        "pattern": info.pattern,
        "groups": groups,
        "reward_model": rm if isinstance(rm, str) else dumps(rm),
        "policy": policy if isinstance(policy, str) else dumps(policy),
    }
