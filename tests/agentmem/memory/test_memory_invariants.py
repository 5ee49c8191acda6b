"""Property test: any sequence of ADD / UPDATE / DELETE / forget keeps the store consistent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentmem.memory import Change, Scope, open_store

ALICE = Scope(user_id="alice")

_steps = st.lists(
    st.tuples(
        st.sampled_from(["ADD", "UPDATE", "DELETE", "FORGET"]),
        st.integers(min_value=0, max_value=5),
        st.sampled_from(["tea", "jazz", "chess", "Oslo", "cats"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=_steps)
def test_versions_history_and_index_stay_consistent(
    tmp_path_factory: pytest.TempPathFactory, steps
) -> None:
    async def run() -> None:
        store = await open_store(tmp_path_factory.mktemp("inv")).open()
        model: dict[
            str, list[str]
        ] = {}  # memory id -> texts of its versions (the expected history)
        live: set[str] = set()
        forgotten: set[str] = set()
        try:
            for n, (op, pick, word) in enumerate(steps):
                ids = sorted(live)
                target = ids[pick % len(ids)] if ids else None
                text = f"Alice likes {word} ({n})"
                if op == "ADD" or target is None:
                    [mid] = await store.commit(ALICE, [Change(op="ADD", text=text)])
                    assert mid is not None
                    model[mid] = [text]
                    live.add(mid)
                elif op == "UPDATE":
                    await store.commit(ALICE, [Change(op="UPDATE", memory_id=target, text=text)])
                    model[target].append(text)
                elif op == "DELETE":
                    await store.commit(ALICE, [Change(op="DELETE", memory_id=target)])
                    live.discard(target)
                else:
                    assert await store.forget(target, ALICE)
                    live.discard(target)
                    forgotten.add(target)
                    del model[target]
            current = {m.id: m.text for m in await store.get_all(ALICE)}
            assert set(current) == live
            assert await store.index.count(ALICE.key) == len(live)
            for mid, texts in model.items():
                versions = await store.versions(mid, ALICE)
                assert [v.text for v in versions] == texts
                assert [v.version for v in versions] == list(range(1, len(texts) + 1))
                assert all(
                    v.valid_to is not None for v in versions[:-1]
                )  # superseded, not destroyed
                assert (versions[-1].valid_to is None) == (mid in live)
                if mid in live:
                    assert current[mid] == texts[-1]
            for mid in forgotten:
                assert await store.versions(mid, ALICE) == []
                assert [e.op for e in await store.history_of(mid, ALICE)] == ["FORGET"]
            assert await store.history.pending() == []
        finally:
            await store.close()

    asyncio.run(run())


async def test_updating_a_closed_memory_is_refused(tmp_path: Path) -> None:
    from agentmem.exceptions import UserError

    async with open_store(tmp_path / "m") as store:
        [mid] = await store.commit(ALICE, [Change(op="ADD", text="Alice likes tea")])
        await store.commit(ALICE, [Change(op="DELETE", memory_id=mid)])
        with pytest.raises(UserError, match="not a current fact"):
            await store.commit(
                ALICE, [Change(op="UPDATE", memory_id=mid, text="Alice likes coffee")]
            )
        with pytest.raises(UserError, match="not a current fact"):
            await store.commit(Scope(user_id="bob"), [Change(op="DELETE", memory_id=mid)])
