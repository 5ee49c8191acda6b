"""Storage: persistence across restart, crash repair, dimension checks, the qdrant-client path,
PostgreSQL history, concurrency and scope isolation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentmem.exceptions import UserError
from agentmem.memory import (
    Change,
    FactsMemory,
    FunctionExtractor,
    FunctionProposer,
    HashEmbedder,
    Scope,
    WriteConflict,
    WritePolicy,
    open_store,
)

ALICE = Scope(user_id="alice")


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


async def test_memories_survive_a_restart(make_memory, tmp_path: Path, script) -> None:
    script.facts = lambda msgs: ["Alice speaks Portuguese"]
    async with make_memory() as memory:
        [a] = (await memory.add(user("I speak Portuguese"), scope=ALICE)).applied
    async with make_memory() as memory:
        [item] = await memory.get_all(scope=ALICE)
        assert item.id == a.memory_id
        assert [h.id for h in await memory.search("portuguese", scope=ALICE)] == [a.memory_id]
        assert [e.status for e in await memory.history(item.id, scope=ALICE)] == ["applied"]


async def test_crash_between_sql_and_index_is_repaired_on_restart(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "m").open()

    def crash(*args):  # the process dies after the SQL intent, before the index write
        raise RuntimeError("simulated crash")

    store.index.apply_sync = crash  # type: ignore[attr-defined]
    store.retry_delays = (3600.0,)  # the reconciler never gets to run: the process "dies"
    [mid] = await store.commit(ALICE, [Change(op="ADD", text="Alice collects stamps")])
    assert mid is not None and store.index_behind  # committed: the write stands
    [pending] = await store.history.pending()
    assert pending.op == "ADD"
    assert await store.search("stamps", ALICE) == []
    assert store._reconciler is not None
    store._reconciler.cancel()
    await store.history.close()
    await store.index.close()

    store = await open_store(tmp_path / "m").open()  # open() repairs
    try:
        assert await store.history.pending() == []
        assert [m.text for m in await store.search("stamps", ALICE)] == ["Alice collects stamps"]
    finally:
        await store.close()


async def test_dimension_mismatch_is_a_clear_error(tmp_path: Path) -> None:
    async with open_store(tmp_path / "m", embedder=HashEmbedder(dim=64)) as store:
        await store.commit(ALICE, [Change(op="ADD", text="Alice likes dense vectors")])
    with pytest.raises(UserError, match=r"dimension 64.*dimension 32"):
        await open_store(tmp_path / "m", embedder=HashEmbedder(dim=32)).open()
    with pytest.raises(UserError, match="bm25"):
        await open_store(tmp_path / "m").open()


async def test_dense_embeddings_search(tmp_path: Path) -> None:
    async with open_store(tmp_path / "m", embedder=HashEmbedder(dim=128)) as store:
        await store.commit(
            ALICE,
            [
                Change(op="ADD", text="Alice loves hiking in the Alps"),
                Change(op="ADD", text="Alice is allergic to peanuts"),
            ],
        )
        [top, _] = await store.search("peanuts allergy", ALICE, limit=2)
        assert top.text == "Alice is allergic to peanuts"


async def test_qdrant_client_local_mode_same_behaviour(make_memory, script) -> None:
    script.facts = lambda msgs: ["Alice lives in Paris"]
    async with make_memory(qdrant_location=":memory:") as memory:
        [a] = (await memory.add(user("I live in Paris"), scope=ALICE)).applied
        script.facts = lambda msgs: ["Alice lives in Berlin"]
        script.ops = lambda facts, related, fb: [
            {"event": "UPDATE", "id": 0, "text": facts[0], "fact": 0}
        ]
        await memory.add(user("I live in Berlin now"), scope=ALICE)
        hits = await memory.search("where does alice live", scope=ALICE)
        assert [(h.id, h.text) for h in hits] == [(a.memory_id, "Alice lives in Berlin")]
        assert await memory.search("berlin", scope=Scope(user_id="bob")) == []
        assert await memory.store.index.count(ALICE.key) == 1


async def test_32_concurrent_writers_on_8_users_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    async def slow_extract(msgs):
        await asyncio.sleep(0.001)  # let writers interleave like real model calls do
        return [m["content"] for m in msgs if m["role"] == "user"]

    memory = FactsMemory(
        store=open_store(tmp_path / "m"),
        extractor=FunctionExtractor(fn=slow_extract),
        proposer=FunctionProposer(
            fn=lambda facts, related, fb: [
                {"event": "ADD", "text": f, "fact": i} for i, f in enumerate(facts)
            ]
        ),
        reward_model=_always(0.9),
        policy=WritePolicy.parse("gate"),
    )
    users = [Scope(user_id=f"user{i}") for i in range(8)]
    async with memory:

        async def writer(w: int) -> None:
            scope = users[w % 8]
            for k in range(6):
                # every user gets 3 distinct facts from each of its 4 writers, and each writer
                # also re-sends one shared fact (the same fact, 4 writers at once)
                text = (
                    f"{scope.user_id} owns gadget number {w // 8}{k}x"
                    if k < 3
                    else f"{scope.user_id} enjoys cooking paella"
                )
                await memory.add(user(text), scope=scope)

        await asyncio.gather(*(writer(w) for w in range(32)))
        for scope in users:
            items = await memory.get_all(scope=scope)
            texts = sorted(m.text for m in items)
            assert len(texts) == len(set(texts)) == 13, (
                texts
            )  # 4 writers x 3 gadgets + 1 shared fact
            assert await memory.store.index.count(scope.key) == 13


def _always(value: float):
    from agentmem.testing import FunctionRewardModel

    return FunctionRewardModel(score=lambda u: value)


_names = st.sampled_from(["alice", "bob", "carol"])
_scopes = st.builds(
    lambda t, u, a, r: Scope(tenant_id=t, user_id=u, agent_id=a, run_id=r),
    st.sampled_from(["default", "acme"]),
    _names,
    st.sampled_from([None, "bot"]),
    st.sampled_from([None, "r1"]),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    writes=st.lists(
        st.tuples(
            _scopes, st.sampled_from(["likes tea", "likes jazz", "lives in Oslo", "has a dog"])
        ),
        min_size=1,
        max_size=12,
    ),
    query_scope=_scopes,
    query=st.sampled_from(["tea", "jazz Oslo dog", "likes", "lives"]),
)
def test_no_query_crosses_scopes(
    tmp_path_factory: pytest.TempPathFactory, writes, query_scope: Scope, query: str
) -> None:
    async def run() -> None:
        store = await open_store(tmp_path_factory.mktemp("iso")).open()
        try:
            stored: set[tuple[Scope, str]] = set()
            for scope, text in writes:
                # metadata that tries to claim another identity must not matter
                change = Change(op="ADD", text=f"{scope.user_id} {text}", metadata={"note": "x"})
                if (scope, text) in stored:  # the same text twice in a scope is refused
                    with pytest.raises(WriteConflict, match="already a current memory"):
                        await store.commit(scope, [change])
                    continue
                await store.commit(scope, [change])
                stored.add((scope, text))
            hits = await store.search(query, query_scope, limit=50)
            assert all(
                (h.tenant_id, h.user_id, h.agent_id, h.run_id)
                == (
                    query_scope.tenant_id,
                    query_scope.user_id,
                    query_scope.agent_id,
                    query_scope.run_id,
                )
                for h in hits
            )
            expected = sum(1 for s, _ in stored if s == query_scope)
            assert len(await store.get_all(query_scope)) == expected
            assert await store.index.count(query_scope.key) == expected
            for h in hits:
                assert await store.get(h.id, query_scope) is not None
            other = Scope(user_id="mallory")
            for h in hits:
                assert await store.get(h.id, other) is None
        finally:
            await store.close()

    asyncio.run(run())


@pytest.mark.postgres
async def test_history_in_postgresql_survives_restart(tmp_path: Path, script, rm) -> None:
    from agentmem.testing import PostgresServer

    with PostgresServer() as pg:
        url = pg.new_database("agentmem_memory")

        def make() -> FactsMemory:
            return FactsMemory(
                store=open_store(tmp_path / "idx", db_url=url),
                extractor=FunctionExtractor(fn=script.extract),
                proposer=FunctionProposer(fn=script.propose),
                reward_model=rm,
            )

        script.facts = lambda msgs: ["Alice lives in Paris"]
        async with make() as memory:
            [a] = (await memory.add(user("I live in Paris"), scope=ALICE)).applied
            script.facts = lambda msgs: ["Alice lives in Berlin"]
            script.ops = lambda facts, related, fb: [
                {"event": "UPDATE", "id": 0, "text": facts[0], "fact": 0}
            ]
            await memory.add(user("I live in Berlin now"), scope=ALICE)
        async with make() as memory:
            assert memory.store.history.url.startswith("postgresql")
            [item] = await memory.get_all(scope=ALICE)
            assert (item.id, item.text, item.version) == (a.memory_id, "Alice lives in Berlin", 2)
            events = await memory.history(item.id, scope=ALICE)
            assert [(e.op, e.old_text) for e in events] == [
                ("ADD", None),
                ("UPDATE", "Alice lives in Paris"),
            ]


async def test_concurrent_twins_with_one_idempotency_key_write_once(memory, script) -> None:
    script.facts = lambda msgs: ["Alice plays chess"]
    a, b = await asyncio.gather(
        memory.add(user("I play chess"), scope=ALICE, idempotency_key="retry-7"),
        memory.add(user("I play chess"), scope=ALICE, idempotency_key="retry-7"),
    )
    assert sorted([a.replayed, b.replayed]) == [False, True]
    assert len(await memory.get_all(scope=ALICE)) == 1
    assert len(await memory.store.events(ALICE)) == 1


async def test_llm_embeddings_probe_the_dimension_and_check_it(tmp_path: Path) -> None:
    from agentmem.llm import LLMClient
    from agentmem.memory import LLMEmbedder
    from agentmem.testing import FakeOpenAIServer

    with FakeOpenAIServer(embedding_dim=48) as server:
        async with (
            LLMClient("openai/embed", api_base=server.base_url, api_key="x") as client,
            open_store(tmp_path / "m", embedder=LLMEmbedder(client=client)) as store,
        ):
            await store.commit(
                ALICE,
                [
                    Change(op="ADD", text="Alice grows tomatoes"),
                    Change(op="ADD", text="Alice sings in a choir"),
                ],
            )
            [hit] = await store.search("tomatoes", ALICE, limit=1)
            assert hit.text == "Alice grows tomatoes"
        probes = [
            r
            for r in server.requests
            if r.path.endswith("/embeddings") and r.body["input"] == ["dimension probe"]
        ]
        assert len(probes) == 1
    with FakeOpenAIServer(embedding_dim=32) as server:
        async with LLMClient("openai/embed", api_base=server.base_url, api_key="x") as client:
            with pytest.raises(UserError, match=r"dimension 48.*dimension 32"):
                await open_store(tmp_path / "m", embedder=LLMEmbedder(client=client)).open()


@pytest.mark.parametrize("backend", ["edge", "qdrant-client"])
async def test_hybrid_dense_plus_bm25_search(tmp_path: Path, backend: str) -> None:
    from agentmem.memory import HybridEmbedder

    kw = {"qdrant_location": ":memory:"} if backend == "qdrant-client" else {}
    emb = HybridEmbedder(dense=HashEmbedder(dim=32))
    async with open_store(tmp_path / "m", embedder=emb, **kw) as store:  # type: ignore[arg-type]
        await store.commit(
            ALICE,
            [
                Change(op="ADD", text=t)
                for t in (
                    "Alice keeps bees on her roof",
                    "Alice's bike is a Colnago",
                    "Alice prefers window seats",
                    "Alice keeps her passport in the drawer",
                )
            ],
        )
        [top] = await store.search("Colnago", ALICE, limit=1)
        assert top.text == "Alice's bike is a Colnago"
        hits = await store.search("where are the bees", ALICE, limit=4)
        assert hits[0].text == "Alice keeps bees on her roof" and len(hits) == 4
        assert await store.search("bees", Scope(user_id="bob")) == []
    if backend == "edge":
        with pytest.raises(UserError, match="hybrid"):
            await open_store(tmp_path / "m", embedder=HashEmbedder(dim=32)).open()


async def test_each_tenant_has_its_own_edge_shard(tmp_path: Path) -> None:
    acme, other = (
        Scope(tenant_id="acme/corp eu", user_id="alice"),
        Scope(tenant_id="beta", user_id="alice"),
    )
    async with open_store(tmp_path / "m") as store:
        await store.commit(acme, [Change(op="ADD", text="Alice likes tea")])
        await store.commit(
            other,
            [Change(op="ADD", text="Alice likes tea"), Change(op="ADD", text="Alice likes jazz")],
        )
        assert (
            await store.index.count(),
            await store.index.count(acme.key),
            await store.index.count(other.key),
        ) == (3, 1, 2)
        assert [m.tenant_id for m in await store.search("tea", acme)] == ["acme/corp eu"]
        assert (
            await store.search("tea", Scope(tenant_id="gamma", user_id="alice")) == []
        )  # no shard, no error
    tenants = sorted(p.name for p in (tmp_path / "m" / "facts" / "tenants").iterdir())
    assert len(tenants) == 2 and tenants[0].startswith("acme_corp_eu-")
    async with open_store(tmp_path / "m") as store:  # shards load lazily after a restart
        assert await store.index.count() == 3
        assert [m.text for m in await store.search("jazz", other)] == ["Alice likes jazz"]


async def test_llm_embedder_does_not_resend_recent_texts() -> None:
    from agentmem.llm import LLMClient
    from agentmem.memory import LLMEmbedder
    from agentmem.testing import FakeOpenAIServer

    with FakeOpenAIServer(embedding_dim=16) as server:
        async with LLMClient("openai/embed", api_base=server.base_url, api_key="x") as client:
            emb = LLMEmbedder(client=client, cache_size=2)
            a = await emb.embed(["one", "two"], query=True)
            b = await emb.embed(["two", "three"])  # "two" is cached, "three" is fetched
            assert a[1] == b[0] and len(b[1]) == 16
            await emb.embed(["one"])  # evicted (cache of 2): fetched again
        sent = [r.body["input"] for r in server.requests if r.path.endswith("/embeddings")]
        assert sent == [["one", "two"], ["dimension probe"], ["three"], ["one"]]


async def test_a_second_process_cannot_open_the_same_embedded_index(tmp_path: Path) -> None:
    from agentmem.exceptions import StoreError

    async with open_store(tmp_path / "m") as store:
        await store.commit(ALICE, [Change(op="ADD", text="Alice likes tea")])
        code = (
            "import asyncio, sys\n"
            "from agentmem.memory import open_store\n"
            "async def main():\n"
            f"    await open_store({str(tmp_path / 'm')!r}).open()\n"
            "asyncio.run(main())\n"
        )
        import subprocess
        import sys

        proc = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
        )
        assert (
            proc.returncode != 0 and "in use by pid" in proc.stderr and "qdrant_url" in proc.stderr
        )
        with pytest.raises(
            StoreError, match="in use"
        ):  # in-process too: a second store on the same folder
            await open_store(tmp_path / "m").open()
    async with open_store(tmp_path / "m") as store:  # released on close
        assert [m.text for m in await store.get_all(ALICE)] == ["Alice likes tea"]


async def test_a_failed_index_write_does_not_leave_a_stale_version_cache(tmp_path: Path) -> None:
    async with open_store(tmp_path / "m") as store:
        [mid] = await store.commit(ALICE, [Change(op="ADD", text="Alice likes tea")])
        real = store.index.apply_sync  # type: ignore[attr-defined]

        def crash(*args):
            raise RuntimeError("index down")

        store.index.apply_sync = crash  # type: ignore[attr-defined]
        await store.commit(  # committed; the index is behind until the reconciler runs
            ALICE, [Change(op="UPDATE", memory_id=mid, text="Alice likes green tea")]
        )
        assert await store.wait_reconciled(timeout=10)
        assert [m.text for m in await store.search("green", ALICE)] == ["Alice likes green tea"]
        store.index.apply_sync = real  # type: ignore[attr-defined]
        await store.commit(ALICE, [Change(op="UPDATE", memory_id=mid, text="Alice likes oolong")])
        assert [(v.version, v.text) for v in await store.versions(mid or "", ALICE)] == [
            (1, "Alice likes tea"),
            (2, "Alice likes green tea"),
            (3, "Alice likes oolong"),
        ]
        assert [m.text for m in await store.search("oolong", ALICE)] == ["Alice likes oolong"]


async def test_a_conflicting_write_from_another_writer_fails_loudly_then_succeeds_on_retry(
    tmp_path: Path,
) -> None:
    from agentmem.exceptions import StoreError

    db = str(tmp_path / "shared-history.db")
    async with (
        open_store(tmp_path / "a", db_url=db) as a,
        open_store(tmp_path / "b", db_url=db) as b,
    ):
        [mid] = await a.commit(ALICE, [Change(op="ADD", text="Alice likes tea")])
        assert mid is not None
        await b.commit(
            ALICE, [Change(op="UPDATE", memory_id=mid, text="Alice likes green tea")]
        )  # v2, behind a's back
        with pytest.raises(StoreError, match="changed since this write was proposed"):
            await a.commit(
                ALICE, [Change(op="UPDATE", memory_id=mid, text="Alice likes oolong")]
            )  # a still believes v1
        await a.commit(
            ALICE, [Change(op="UPDATE", memory_id=mid, text="Alice likes oolong")]
        )  # re-read: v3
        versions = await a.versions(mid, ALICE)
        assert [(v.version, v.text) for v in versions] == [
            (1, "Alice likes tea"),
            (2, "Alice likes green tea"),
            (3, "Alice likes oolong"),
        ]
        assert [v.valid_to is None for v in versions] == [False, False, True]
