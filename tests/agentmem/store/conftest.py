"""Fixtures for the trace-store tests: one private PostgreSQL server per session, and stores of
every kind (in-memory, SQLite, PostgreSQL) so the same tests run against each."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from agentmem.store import InMemoryTraceStore, SQLTraceStore
from agentmem.testing import PostgresServer


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL 15 server on 127.0.0.1 for the whole session.

    Fails (does not skip) when the server binaries are missing: CI machines have them.
    """
    with PostgresServer() as server:
        yield server


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, empty SQL trace store (a SQLite file, or a new PostgreSQL database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'traces.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.new_database()
    yield url
    server.drop_database(url)


@pytest.fixture(
    params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
async def trace_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[InMemoryTraceStore | SQLTraceStore]:
    """An open, empty trace store of each kind."""
    if request.param == "memory":
        yield InMemoryTraceStore()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'traces.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.new_database()
    store = await SQLTraceStore(url).open()
    try:
        yield store
    finally:
        await store.aclose()
        if request.param == "postgres":
            server.drop_database(url)
