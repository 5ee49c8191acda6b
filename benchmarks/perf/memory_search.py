"""search() latency over 100k memories of one scope among 1M in total (embedded Qdrant Edge).

The index is built once into ``--dir`` (default /tmp/agentmem-perf-search) and reused by later
runs; the build time is printed. Queries go through the public path -- ``MemoryStore.search``:
BM25 query embedding, scope filter, Edge query in a worker thread, pydantic results.

    .venv/bin/python -m benchmarks.perf.memory_search [--total 1000000] [--target 100000] [--queries 300]
    .venv/bin/python -m benchmarks.perf.memory_search --same-tenant --dir /tmp/agentmem-perf-search-same

By default the other 900k memories belong to 9 other tenants (the embedded index keeps one Edge
shard per tenant); ``--same-tenant`` puts them in the target's own tenant under 900 other users
(one shard of 1M points, the scope filter does the work).

Two figures are printed: queries of the 100k-memory target scope (after 20 warm-up queries), and
queries spread over ALL scopes of all tenants, each query a different user picked at random, no
warm-up -- every shard in play, as a multi-tenant service sees it.

Target: median ≤ 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from pathlib import Path

from agentmem.memory import (
    Bm25Embedder,
    EdgeIndex,
    HistoryDB,
    IndexPoint,
    IndexSpec,
    MemoryStore,
    Scope,
)

_SUBJ = [
    "tea",
    "coffee",
    "jazz",
    "chess",
    "Lisbon",
    "Porto",
    "cello",
    "violin",
    "marathon",
    "sushi",
    "ramen",
    "Python",
    "Rust",
    "gardening",
    "sailing",
    "pottery",
    "kayak",
    "opera",
    "cycling",
    "hiking",
    "skiing",
    "surfing",
    "baking",
    "painting",
    "poetry",
]
_VERB = [
    "likes",
    "dislikes",
    "plays",
    "visited",
    "studies",
    "collects",
    "teaches",
    "prefers",
    "avoids",
]
_WHO = [
    "sister",
    "brother",
    "mother",
    "father",
    "friend",
    "colleague",
    "neighbour",
    "daughter",
    "son",
    "partner",
]


def _text(rng: random.Random, i: int) -> str:
    return (
        f"The user {rng.choice(_VERB)} {rng.choice(_SUBJ)} and {rng.choice(_SUBJ)}; their {rng.choice(_WHO)} "
        f"{rng.choice(_VERB)} {rng.choice(_SUBJ)} since {1960 + i % 60} (note {i})"
    )


def _scopes(total: int, target: int, same_tenant: bool = False) -> list[tuple[Scope, int]]:
    """The target scope with ``target`` memories; the rest spread over 9 tenants x 100 users
    (or, with ``same_tenant``, over 900 other users of the target's own tenant)."""
    rest = total - target
    others = [
        Scope(tenant_id="tenant0" if same_tenant else f"tenant{t}", user_id=f"user{t}-{u}")
        for t in range(1, 10)
        for u in range(100)
    ]
    per = rest // len(others)
    out = [(Scope(tenant_id="tenant0", user_id="alice"), target)]
    out += [(s, per + (1 if k < rest - per * len(others) else 0)) for k, s in enumerate(others)]
    return out


def build(path: Path, total: int, target: int, same_tenant: bool = False) -> float:
    """Write the index (synchronously, batched); returns seconds."""
    t0 = time.perf_counter()
    emb = Bm25Embedder()
    idx = EdgeIndex(path=path / "facts")
    idx._open_sync(IndexSpec(kind="sparse", dim=None, embedder=emb.name))
    rng = random.Random(7)
    batch: list[IndexPoint] = []
    n = 0
    import uuid

    for scope, count in _scopes(total, target, same_tenant):
        base = scope.payload()
        for _ in range(count):
            text = _text(rng, n)
            now = 1_700_000_000.0 + n
            mid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            batch.append(
                IndexPoint(
                    id=mid,
                    vector=emb.embed_sync(text),
                    payload={
                        **base,
                        "memory_id": mid,
                        "kind": "fact",
                        "text": text,
                        "hash": "",
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                        "metadata": {},
                        "attrs": {},
                    },
                )
            )
            n += 1
            if len(batch) >= 5000:
                idx.upsert_sync(batch)
                batch = []
        if n % 100_000 < count:
            print(
                f"  built {n:,} / {total:,} points ({time.perf_counter() - t0:.0f} s)", flush=True
            )
    if batch:
        idx.upsert_sync(batch)
    idx.optimize_sync()
    idx.close_sync()
    secs = time.perf_counter() - t0
    (path / "build.json").write_text(
        json.dumps({"total": total, "target": target, "same_tenant": same_tenant, "build_s": secs})
    )
    return secs


async def measure(
    path: Path, queries: int, total_n: int, target_n: int, same_tenant: bool
) -> tuple[list[float], list[float], int, int]:
    """(target-scope times, all-tenant times, points counted, points in the target scope)."""
    target = Scope(tenant_id="tenant0", user_id="alice")
    everyone = [s for s, _ in _scopes(total_n, target_n, same_tenant)]
    rng = random.Random(11)

    def question() -> str:
        return f"what does the user think of {rng.choice(_SUBJ)} and their {rng.choice(_WHO)}"

    # all tenants first, on a freshly opened store: no shard open, no cache warm
    store = MemoryStore(
        index=EdgeIndex(path=path / "facts"), history=HistoryDB(url=str(path / "history.db"))
    )
    spread: list[float] = []
    async with store:
        for _ in range(queries):
            scope = rng.choice(everyone)
            t = time.perf_counter()
            hits = await store.search(question(), scope, limit=5)
            spread.append((time.perf_counter() - t) * 1000)
            assert all(h.user_id == scope.user_id and h.tenant_id == scope.tenant_id for h in hits)
    store = MemoryStore(
        index=EdgeIndex(path=path / "facts"), history=HistoryDB(url=str(path / "history.db"))
    )
    async with store:
        total = await store.index.count()
        in_scope = await store.index.count(target.key)
        for _ in range(20):  # warm-up
            await store.search(f"{rng.choice(_SUBJ)} {rng.choice(_WHO)}", target, limit=5)
        times = []
        for _ in range(queries):
            t = time.perf_counter()
            hits = await store.search(question(), target, limit=5)
            times.append((time.perf_counter() - t) * 1000)
            assert all(h.user_id == "alice" and h.tenant_id == "tenant0" for h in hits)
    return sorted(times), sorted(spread), total, in_scope


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--dir", default="/tmp/agentmem-perf-search")
    ap.add_argument("--total", type=int, default=1_000_000)
    ap.add_argument("--target", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument(
        "--same-tenant",
        action="store_true",
        help="put the other 900k memories in the SAME tenant (other users) instead of 9 other tenants",
    )
    a = ap.parse_args()
    path = Path(a.dir)
    meta = path / "build.json"
    info = json.loads(meta.read_text()) if meta.exists() else None
    if (
        a.rebuild
        or info is None
        or (info["total"], info["target"], info.get("same_tenant", False))
        != (a.total, a.target, a.same_tenant)
    ):
        import shutil

        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        print(
            f"building {a.total:,} memories ({a.target:,} in the target scope) into {path} ...",
            flush=True,
        )
        secs = build(path, a.total, a.target, a.same_tenant)
        info = {"total": a.total, "target": a.target, "build_s": secs}
    layout = (
        "the other users in the SAME tenant (one shard)"
        if a.same_tenant
        else "the others in 9 other tenants (one shard each)"
    )
    print(
        f"index: {a.total:,} memories, {a.target:,} in the target scope, {layout}; "
        f"build time {info['build_s']:.0f} s (reused when present)"
    )
    times, spread, total, in_scope = asyncio.run(
        measure(path, a.queries, a.total, a.target, a.same_tenant)
    )
    print(f"  counted in index: {total:,} total, {in_scope:,} in scope")

    def line(name: str, t: list[float]) -> str:
        return (
            f"{name}: median {statistics.median(t):.2f} ms   p90 {t[int(0.9 * len(t))]:.2f} ms   "
            f"p99 {t[int(0.99 * len(t))]:.2f} ms"
        )

    print(line(f"search() top-5, target scope ({a.target:,}), {a.queries} queries", times))
    print(line("search() top-5, a random user of any tenant per query, cold store", spread))
    print("  (target: median <= 10 ms)")


if __name__ == "__main__":
    main()
