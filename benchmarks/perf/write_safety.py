"""32 concurrent writers on 8 users with injected faults: is anything lost, duplicated or reordered?

    .venv/bin/python -m benchmarks.perf.write_safety [--writers 32] [--users 8] [--writes 25]
        [--index-fail 0.1] [--propose-fail 0.05] [--cancel 0.05] [--postgres] [--seed N]

Every writer is a client of one :class:`agentmem.memory.FactsMemory` (offline steps, a reward
model that takes ~2 ms) that retries a failed or cancelled ``add()`` with the same idempotency key
until it returns, as a careful caller does. Each writer sends, in its own order: new facts of its
own, updates of its own counter ("counter of writer W is N", N increasing), and every fifth write
a fact shared by all the writers of its user, sent by them at the same time. Faults injected at
random: the index write after the SQL commit fails (``--index-fail``), the proposer's model call
fails (``--propose-fail``), the caller cancels the add mid-way (``--cancel``).

Afterwards (once the reconciler has caught the index up) it checks, from the SQL history and the
index: **lost** -- a fact whose add() returned but that is not a current memory, or not found by a
search for its own text; **duplicated** -- two current memories with the same text in one scope,
or two current counters of one writer; **out of order** -- a counter whose versions do not
increase, or whose final value is not the writer's last. All three must be 0. Prints one block.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from agentmem.memory import (
    FactsMemory,
    FunctionExtractor,
    FunctionProposer,
    Scope,
    WritePolicy,
    open_store,
)
from rewards import Reward

_COUNTER = re.compile(r"^counter of writer (\d+) is (\d+)$")
_WORDS = [
    "amber",
    "basil",
    "cedar",
    "delta",
    "ember",
    "fjord",
    "garnet",
    "harbor",
    "indigo",
    "juniper",
    "kestrel",
    "lagoon",
    "meadow",
    "nutmeg",
    "orchid",
    "pepper",
    "quartz",
    "raven",
    "saffron",
    "tundra",
    "umber",
    "violet",
    "willow",
    "yarrow",
    "zephyr",
]


class _Faults:
    def __init__(self, rng: random.Random, index_fail: float, propose_fail: float) -> None:
        self.rng = rng
        self.lock = threading.Lock()
        self.index_fail = index_fail
        self.propose_fail = propose_fail
        self.counts: Counter[str] = Counter()

    def hit(self, kind: str, p: float) -> bool:
        with self.lock:
            if self.rng.random() < p:
                self.counts[kind] += 1
                return True
            return False


class _RM:
    """Scores every write 0.9 after ~2 ms (the benchmark is about safety, not judgement)."""

    from rewards import RMSpec as _Spec

    spec = _Spec(name="fixed-0.9")

    async def score_update(self, update: Any) -> Reward:
        await asyncio.sleep(0.002)
        return Reward(value=0.9, rationale="ok", scorer="fixed-0.9")


def _propose(faults: _Faults):  # type: ignore[no-untyped-def]
    def propose(facts: list[str], related: list[Any], feedback: str | None) -> list[dict[str, Any]]:
        if faults.hit("proposer", faults.propose_fail):
            raise ConnectionError("injected: model endpoint reset")
        ops: list[dict[str, Any]] = []
        for i, fact in enumerate(facts):
            m = _COUNTER.match(fact)
            if m:
                own = [
                    r for r in related if r.text.startswith(f"counter of writer {m.group(1)} is ")
                ]
                if own:
                    ops.append({"event": "UPDATE", "id": own[0].ref, "text": fact, "fact": i})
                    continue
            ops.append({"event": "ADD", "text": fact, "fact": i})
        return ops

    return propose


async def _run(args: argparse.Namespace) -> int:
    from agentmem._logging import configure_logging

    configure_logging("error")  # the injected faults would log one warning each
    rng = random.Random(args.seed)
    faults = _Faults(rng, args.index_fail, args.propose_fail)
    tmp = Path(tempfile.mkdtemp(prefix="agentmem-write-safety-"))
    pg = None
    kw: dict[str, Any] = {}
    if args.postgres:
        from agentmem.testing import PostgresServer

        pg = PostgresServer()
        pg.__enter__()
        kw = {"db_url": pg.new_database("write_safety"), "qdrant_location": ":memory:"}
    store = open_store(tmp / "mem", **kw)
    memory = FactsMemory(
        store=store,
        extractor=FunctionExtractor(fn=lambda msgs: [msgs[-1]["content"]]),
        proposer=FunctionProposer(fn=_propose(faults)),
        reward_model=_RM(),  # type: ignore[arg-type]
        policy=WritePolicy.parse("score"),
    )
    store.retry_delays = (0.02, 0.1, 0.5)
    users: list[Scope] = [Scope(user_id=f"user{u}") for u in range(args.users)]
    calls = Counter[str]()
    returned: dict[tuple[str, str], str] = {}  # (scope key, fact) -> how it ended
    counters_sent: dict[int, int] = {}
    latencies: list[float] = []

    async with memory:
        index = store.index
        apply_sync = getattr(index, "apply_sync", None)
        upsert = index.upsert

        def flaky_apply(*a: Any) -> None:
            if faults.hit("index", faults.index_fail):
                raise ConnectionError("injected: index write failed")
            assert apply_sync is not None
            apply_sync(*a)

        async def flaky_upsert(points: Any) -> None:
            if faults.hit("index", faults.index_fail):
                raise ConnectionError("injected: index write failed")
            await upsert(points)

        if apply_sync is not None:
            index.apply_sync = flaky_apply  # type: ignore[attr-defined]
        else:
            index.upsert = flaky_upsert  # type: ignore[method-assign]

        async def write(w: int, i: int, scope: Scope, fact: str, key: str) -> None:
            started = time.perf_counter()
            calls["attempted"] += 1
            for _ in range(50):
                calls["add"] += 1
                try:
                    coro = memory.add(
                        [{"role": "user", "content": fact}], scope=scope, idempotency_key=key
                    )
                    if faults.hit("cancel", args.cancel):
                        await asyncio.wait_for(coro, timeout=rng.uniform(0.0, 0.01))
                    else:
                        await coro
                    returned[(scope.key, fact)] = "ok"
                    calls["committed"] += 1
                    latencies.append(time.perf_counter() - started)
                    return
                except (TimeoutError, ConnectionError) as exc:
                    calls[type(exc).__name__] += 1
                    await asyncio.sleep(0.005)
            returned[(scope.key, fact)] = "gave up"

        barrier: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
        arrived: Counter[int] = Counter()
        per_user = args.writers // args.users

        n_users: int = args.users

        async def writer(w: int) -> None:
            u = w % n_users
            scope = users[u]
            for i in range(args.writes):
                if i % 5 == 4:  # a fact all the writers of this user send at the same time
                    arrived[i * 1000 + u] += 1
                    if arrived[i * 1000 + u] >= per_user:
                        barrier[i * 1000 + u].set()
                    await barrier[i * 1000 + u].wait()
                    fact = f"user{u} shared fact {i} is {_WORDS[i % len(_WORDS)]}"
                    await write(w, i, scope, fact, f"shared-{u}-{i}-{w}")
                elif i % 2 == 0:
                    fact = f"writer {w} note {i} mentions {_WORDS[(w + i) % len(_WORDS)]} {_WORDS[(3 * w + i) % len(_WORDS)]}"
                    await write(w, i, scope, fact, f"note-{w}-{i}")
                else:
                    counters_sent[w] = i
                    await write(w, i, scope, f"counter of writer {w} is {i}", f"counter-{w}-{i}")

        started = time.perf_counter()
        await asyncio.gather(*(writer(w) for w in range(args.writers)))
        wall = time.perf_counter() - started
        reconciled = await store.wait_reconciled(timeout=60)

        # -- check ---------------------------------------------------------------------------
        lost = duplicated = out_of_order = unsearchable = 0
        for scope in users:
            live = await memory.get_all(scope=scope)
            texts = Counter(m.text for m in live)
            duplicated += sum(n - 1 for n in texts.values() if n > 1)
            for (key, fact), how in returned.items():
                if key != scope.key or how != "ok" or _COUNTER.match(fact):
                    continue
                if fact not in texts:
                    lost += 1
                elif fact not in [m.text for m in await memory.search(fact, scope=scope, limit=5)]:
                    unsearchable += 1
            by_writer: dict[int, list[Any]] = defaultdict(list)
            for m in live:
                c = _COUNTER.match(m.text)
                if c:
                    by_writer[int(c.group(1))].append(m)
            for w, ms in by_writer.items():
                duplicated += len(ms) - 1
                values = [
                    int(c.group(2))
                    for v in await memory.versions(ms[0].id, scope=scope)
                    if (c := _COUNTER.match(v.text))
                ]
                if values != sorted(values) or values[-1] != counters_sent.get(w):
                    out_of_order += 1
            for w in range(args.writers):
                if (
                    w % args.users == users.index(scope)
                    and w in counters_sent
                    and w not in by_writer
                ):
                    lost += 1
        pending = len(await store.history.pending("fact"))

    if pg is not None:
        pg.__exit__(None, None, None)
    attempted, committed = calls["attempted"], calls["committed"]
    lat = sorted(latencies)
    print(
        f"write_safety: {args.writers} writers on {args.users} users, {args.writes} writes each, "
        f"{'PostgreSQL + Qdrant (client local mode)' if args.postgres else 'SQLite + Qdrant Edge'}\n"
        f"  faults injected: index writes failed {faults.counts['index']}, proposer calls failed "
        f"{faults.counts['proposer']}, adds cancelled {faults.counts['cancel']} "
        f"(add() calls {calls['add']}, retried after an error {calls['ConnectionError'] + calls['TimeoutError']})\n"
        f"  writes attempted {attempted} ({len(returned)} distinct facts), committed {committed}, "
        f"lost {lost}, duplicated {duplicated}, "
        f"out of order {out_of_order}, not searchable {unsearchable}, index pending {pending} "
        f"(reconciled: {reconciled})\n"
        f"  wall {wall:.2f} s, {committed / wall:.0f} writes/s, add() latency median "
        f"{statistics.median(lat) * 1000:.1f} ms, p95 {lat[int(0.95 * (len(lat) - 1))] * 1000:.1f} ms "
        "(retries included)"
    )
    ok = (
        lost == duplicated == out_of_order == unsearchable == pending == 0
        and committed == attempted
    )
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--writers", type=int, default=32)
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--writes", type=int, default=25, help="logical writes per writer")
    ap.add_argument("--index-fail", type=float, default=0.1, help="chance an index write fails")
    ap.add_argument("--propose-fail", type=float, default=0.05, help="chance a proposer call fails")
    ap.add_argument("--cancel", type=float, default=0.05, help="chance the caller cancels an add")
    ap.add_argument("--postgres", action="store_true", help="PostgreSQL history + qdrant-client")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    if args.writers % args.users:
        ap.error("--writers must be a multiple of --users")
    return asyncio.run(_run(args))


if __name__ == "__main__":
    sys.exit(main())
