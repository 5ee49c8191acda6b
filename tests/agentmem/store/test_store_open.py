"""Opening trace stores: URLs a user types, defaults, persistence, and clear errors."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
from store_factories import make_answer, make_info, make_step

from agentmem.exceptions import UserError
from agentmem.store import (
    SCHEMA_VERSION,
    InMemoryTraceStore,
    SQLTraceStore,
    default_trace_url,
    open_trace_store,
)
from agentmem.testing import PostgresServer


async def test_run_survives_closing_and_reopening_the_store(store_url: str) -> None:
    store = await open_trace_store(store_url)
    await store.begin_run(make_info("r1"))
    steps = [make_step(0), make_step(1, rejected=1)]
    for s in steps:
        await store.record_step("r1", s)
    await store.aclose()

    store = await open_trace_store(store_url)  # a later process resumes by id
    try:
        assert await store.recorded_steps("r1") == steps
        await store.begin_run(make_info("r1"))
        await store.record_step("r1", make_step(2))
        await store.finish_run("r1", make_answer())
        traj = await store.load_trajectory("r1")
        assert [s.index for s in traj.steps] == [0, 1, 2]
        assert traj.answer == make_answer()
    finally:
        await store.aclose()


def test_default_url_is_a_sqlite_file_in_the_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AGENTMEM_TRACE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert (
        default_trace_url() == f"sqlite+aiosqlite:///{tmp_path / 'xdg' / 'agentmem' / 'traces.db'}"
    )
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_trace_url().endswith("/home/.local/share/agentmem/traces.db")
    monkeypatch.setenv("AGENTMEM_TRACE_DB", "postgresql://u@db.internal/agentmem")
    assert default_trace_url() == "postgresql://u@db.internal/agentmem"


async def test_default_store_is_created_on_demand(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AGENTMEM_TRACE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    db = tmp_path / "xdg" / "agentmem" / "traces.db"
    assert not db.parent.exists()
    store = await open_trace_store()
    try:
        await store.begin_run(make_info("r1"))
    finally:
        await store.aclose()
    assert db.is_file()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("SELECT value FROM agentmem_trace_schema").fetchone() == (
            str(SCHEMA_VERSION),
        )
        assert conn.execute("SELECT run_id, status FROM agentmem_trace_runs").fetchall() == [
            ("r1", "running")
        ]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("traces.db", "sqlite+aiosqlite:///traces.db"),
        ("sqlite:///rel.db", "sqlite+aiosqlite:///rel.db"),
        ("sqlite+pysqlite:////abs/t.db", "sqlite+aiosqlite:////abs/t.db"),
        ("postgres://u:secret@h:5/db", "postgresql+asyncpg://u:***@h:5/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_url_forms_map_to_async_drivers(given: str, expected: str) -> None:
    assert SQLTraceStore(given).url == expected


async def test_memory_url_gives_the_in_memory_store() -> None:
    assert isinstance(await open_trace_store("memory://"), InMemoryTraceStore)


async def test_in_memory_sqlite_url_works() -> None:
    async with SQLTraceStore("sqlite://") as store:
        await store.begin_run(make_info("r1"))
        await store.record_step("r1", make_step(0))
        await store.record_step("r1", make_step(0))
        assert await store.recorded_steps("r1") == [make_step(0)]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", r"unsupported trace store URL scheme 'mysql'.*SQLite or PostgreSQL"),
        ("", r"must be a non-empty string, got ''"),
        ("postgresql://u@h", r"names no database"),
        ("sqlite:::://", r"invalid trace store URL"),
    ],
)
async def test_invalid_urls_are_user_errors(url: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        await open_trace_store(url)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_unreachable_postgres_is_a_user_error_without_the_password() -> None:
    url = f"postgresql://agent:hunter2@127.0.0.1:{_closed_port()}/traces"
    with pytest.raises(UserError, match=r"cannot open the trace store .*agent:\*\*\*@127") as err:
        await open_trace_store(url)
    assert "hunter2" not in str(err.value)


@pytest.mark.postgres
async def test_missing_postgres_database_is_a_user_error(postgres_server: PostgresServer) -> None:
    with pytest.raises(UserError, match=r"cannot open the trace store .*/no_such_db"):
        await open_trace_store(postgres_server.database_url("no_such_db"))


async def test_a_file_that_is_not_a_database_is_a_user_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(UserError, match=r"cannot open the trace store .*notes\.txt"):
        await open_trace_store(str(bogus))


async def test_unwritable_location_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match=r"cannot create the directory .*file"):
        await open_trace_store(str(tmp_path / "file" / "sub" / "traces.db"))


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    async with SQLTraceStore(str(path)):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE agentmem_trace_schema SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(UserError, match=r"schema version 99, newer than .*upgrade agentmem"):
        await open_trace_store(str(path))


async def test_store_used_before_open_says_how_to_open() -> None:
    from agentmem.exceptions import StoreError

    store = SQLTraceStore("sqlite://")
    with pytest.raises(StoreError, match="not open; use `await open_trace_store"):
        await store.get_run("r1")
