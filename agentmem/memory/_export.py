"""Export a session's memory evolution as MemRewardBench dialogue pairs (Mem0 / A-Mem settings),
so users can check their reward model on their own conversations.

For every ``add()`` in which the write policy turned an operation down, one pair:

* ``chosen``: the memory store as it was committed right after that call, rendered like the
  benchmark's Mem0 dumps (facts) or A-Mem notes (notes) by :mod:`agentmem.render`;
* ``rejected``: the same store with the turned-down operations applied instead (the junk ADD
  kept, the rejected UPDATE/DELETE done) -- the memory a system without write scoring would hold.

``question`` holds an instruction, the conversation so far and a query. The answer to that query
does not change between the sides; they differ in memory quality, so ``task`` is ``Mem0-MEM`` /
``A-Mem-MEM`` and the subtask ends in ``_hard`` (the published naming of the Mem settings).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agentmem.memory._history import Version
from agentmem.memory._scope import Scope
from agentmem.memory._store import MemoryStore

__all__ = ["DEFAULT_QUERY", "export_pairs"]

DEFAULT_QUERY = (
    "What should an assistant remember about this user to help them in future conversations?"
)
_INSTRUCTION = (
    "Two memory systems each stored the conversation below. Answer the query at the end using the "
    "information in the conversation."
)


def _iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, UTC).isoformat()


def _render(kind: str, rows: list[dict[str, Any]], scope: Scope) -> str:
    from agentmem.render import AMemNote, Mem0Entry, render_amem_notes, render_mem0_dump

    if kind == "note":
        return render_amem_notes(
            [
                AMemNote(
                    content=r["text"],
                    context=r.get("context", ""),
                    keywords=r.get("keywords", []),
                    tags=r.get("tags", []),
                    timestamp=datetime.fromtimestamp(r["created_at"], UTC).strftime("%Y%m%d%H%M"),
                )
                for r in rows
            ]
        )
    return render_mem0_dump(
        [
            Mem0Entry(
                id=r["id"],
                memory=r["text"],
                created_at=_iso(r["created_at"]) or "",
                updated_at=_iso(r.get("updated_at")),
                user_id=scope.user_id,
            )
            for r in rows
        ]
    )


def _state_at(versions: list[Version], t: float) -> dict[str, dict[str, Any]]:
    state: dict[str, dict[str, Any]] = {}
    for v in sorted(versions, key=lambda v: (v.created_at, v.memory_id, v.version)):
        if v.valid_from <= t and (v.valid_to is None or v.valid_to > t):
            a = v.attrs or {}
            state[v.memory_id] = {
                "id": v.memory_id,
                "text": v.text,
                "created_at": v.created_at,
                "updated_at": v.valid_from if v.version > 1 else None,
                "context": a.get("context", ""),
                "keywords": list(a.get("keywords", [])),
                "tags": list(a.get("tags", [])),
            }
    return state


async def export_pairs(
    store: MemoryStore, scope: Scope, *, query: str = DEFAULT_QUERY
) -> list[dict[str, Any]]:
    """Benchmark-format records (``question``, ``chosen``, ``rejected``, ``task``, ``subtask``,
    ``ctx_length``, ``meta``) for every add() of ``scope`` with a turned-down operation."""
    from agentmem.export import ctx_length_label
    from agentmem.tokens import count_tokens

    requests = await store.history.requests(scope.key)
    versions = [v for v in await store.history.versions_in_scope(scope.key) if v.kind == store.kind]
    events = await store.history.events(scope_key=scope.key)
    commit_time: dict[str, float] = {}
    for e in events:
        commit_time[e.request_id] = max(commit_time.get(e.request_id, 0.0), e.created_at)
    transcript: list[str] = []
    out: list[dict[str, Any]] = []
    setting = "A-Mem" if store.kind == "note" else "Mem0"
    for req in requests:
        res = req.result
        for m in res.get("conversation") or []:
            transcript.append(f"{m['role']}: {m['content']}")
        rejected_ops = [o for o in res.get("outcomes", []) if o.get("status") == "rejected"]
        if not rejected_ops or req.key not in commit_time:
            continue
        state = _state_at(versions, commit_time[req.key])
        chosen_rows = list(state.values())
        alt = {k: dict(v) for k, v in state.items()}
        t = commit_time[req.key]
        # what a system without write scoring would hold: the FIRST proposal for each fact
        firsts: dict[int, dict[str, Any]] = {}
        for o in res.get("outcomes", []):
            if o.get("reason") in ("link", "evolve"):
                continue
            firsts.setdefault(int(o.get("fact_index") or 0), o)
        for o in res.get("outcomes", []):
            first = firsts.get(int(o.get("fact_index") or 0))
            if (
                o.get("status") != "applied"
                or first is None
                or first is o
                or first.get("status") != "rejected"
            ):
                continue
            if (
                o["op"] == "ADD" and o.get("memory_id") in alt
            ):  # a revision that replaced the first proposal
                del alt[o["memory_id"]]
            elif o["op"] == "UPDATE" and o.get("target") in alt and o.get("old_text") is not None:
                alt[o["target"]]["text"] = o["old_text"]
        for o in res.get("outcomes", []):  # rejected neighbour evolution (notes)
            if (
                o.get("status") == "rejected"
                and o.get("reason") == "evolve"
                and o.get("target") in alt
                and o.get("attrs")
            ):
                alt[o["target"]].update(
                    {k: v for k, v in o["attrs"].items() if k in ("context", "tags")}
                )
        for n, o in enumerate(firsts.values()):
            if o.get("status") != "rejected":
                continue
            if o["op"] == "ADD" and o.get("text"):
                alt[f"rejected-{req.key}-{n}"] = {
                    "id": f"{req.key[:8]}-{n}",
                    "text": o["text"],
                    "created_at": t,
                    "updated_at": None,
                }
            elif o["op"] == "UPDATE" and o.get("target") in alt:
                alt[o["target"]].update(text=o["text"], updated_at=t)
            elif o["op"] == "DELETE" and o.get("target") in alt:
                del alt[o["target"]]
        chosen = _render(store.kind, chosen_rows, scope)
        rejected = _render(store.kind, list(alt.values()), scope)
        if chosen == rejected:
            continue
        question = f"{_INSTRUCTION}\nConversation:\n" + "\n".join(transcript) + f"\nQuery: {query}"
        out.append(
            {
                "question": question,
                "chosen": chosen,
                "rejected": rejected,
                "task": f"{setting}-MEM",
                "subtask": f"{'a_mem' if setting == 'A-Mem' else 'mem0'}_agentmem_session_hard",
                "ctx_length": ctx_length_label(count_tokens(question)),
                "meta": {
                    "source": "agentmem",
                    "scope": str(scope),
                    "request_id": req.key,
                    "rejected_ops": [
                        {k: o.get(k) for k in ("op", "text", "score", "rationale")}
                        for o in rejected_ops
                    ],
                },
            }
        )
    return out
