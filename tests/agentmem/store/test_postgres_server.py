"""The PostgresServer test helper: a private server that leaves nothing behind."""

from __future__ import annotations

import socket

import asyncpg
import pytest

from agentmem.testing import PostgresServer, PostgresUnavailableError, find_postgres_bin


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.postgres
async def test_server_starts_serves_databases_and_cleans_up() -> None:
    with PostgresServer() as pg:
        root = pg.root
        assert root is not None and (root / "data" / "PG_VERSION").is_file()
        url = pg.new_database("helper_check")
        assert url == f"postgresql+asyncpg://postgres@127.0.0.1:{pg.port}/helper_check"
        conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{pg.port}/helper_check")
        try:
            assert await conn.fetchval("SELECT current_database()") == "helper_check"
            assert int((await conn.fetchval("SHOW server_version")).split(".")[0]) >= 13
        finally:
            await conn.close()
        with pytest.raises(PostgresUnavailableError, match="already exists"):
            pg.new_database("helper_check")
        pg.drop_database(url)
        with pytest.raises(asyncpg.InvalidCatalogNameError):
            await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{pg.port}/helper_check")
    assert not root.exists()
    assert not _port_open(pg.port)


def test_bad_database_name_is_refused() -> None:
    pg = PostgresServer()
    with pytest.raises(ValueError, match="got 'x; DROP'"):
        pg.new_database("x; DROP")


def test_missing_binaries_fail_with_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr("glob.glob", lambda _pattern: [])
    with pytest.raises(PostgresUnavailableError, match="apt-get install postgresql"):
        find_postgres_bin()
