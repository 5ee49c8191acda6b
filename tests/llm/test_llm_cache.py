"""The on-disk response cache (background writes, in-memory misses, persistence) and named limits."""

from __future__ import annotations

import asyncio
from pathlib import Path

from agentmem.llm import ResponseCache, cache_key

BODY = {"choices": [{"message": {"content": "[[A]]"}}], "usage": {"prompt_tokens": 3}}


async def test_background_writes_are_visible_at_once_and_on_disk_after_flush(
    tmp_path: Path,
) -> None:
    cache = ResponseCache(tmp_path)
    keys = [cache_key({"i": i}) for i in range(20)]
    assert await cache.get(keys[0]) is None
    for k in keys:
        cache.put_nowait(k, "m", BODY)
    assert all([await cache.get(k) == BODY for k in keys])  # served before the disk write lands
    await cache.flush()
    cache.close()
    fresh = ResponseCache(tmp_path)  # a new process / client sees them on disk
    assert await fresh.get(keys[7]) == BODY and len(fresh) == 20
    assert await fresh.get(cache_key({"i": 99})) is None
    fresh.close()


async def test_keys_differ_for_any_change_in_the_request() -> None:
    base = {
        "model": "openai/x",
        "body": {"messages": [{"role": "user", "content": "q"}], "temperature": 0},
        "version": "1",
    }
    variants = [
        {**base, "model": "openai/y"},
        {**base, "version": "2"},
        {**base, "body": {**base["body"], "temperature": 0.7}},  # type: ignore[dict-item]
        {**base, "body": {**base["body"], "seed": 1}},  # type: ignore[dict-item]
        {**base, "body": {"messages": [{"role": "user", "content": "q2"}], "temperature": 0}},
    ]
    keys = {cache_key(v) for v in variants} | {cache_key(base)}
    assert len(keys) == 6
    assert cache_key(dict(reversed(list(base.items())))) == cache_key(base)  # order-independent


async def test_two_objects_on_one_file_write_concurrently(tmp_path: Path) -> None:
    a, b = ResponseCache(tmp_path), ResponseCache(tmp_path)
    await asyncio.gather(
        *(
            c.put(cache_key({"i": i, "c": n}), "m", BODY)
            for i in range(25)
            for n, c in enumerate((a, b))
        )
    )
    assert len(a) == 50
    a.close()
    b.close()


async def test_named_limit_bounds_any_coroutine() -> None:
    from agentmem.llm import limit

    now = peak = 0

    async def work() -> None:
        nonlocal now, peak
        async with limit("test-any-work", 3):
            now += 1
            peak = max(peak, now)
            await asyncio.sleep(0.01)
            now -= 1

    await asyncio.gather(*(work() for _ in range(10)))
    assert peak == 3
