"""A private, throw-away PostgreSQL server for tests and benchmarks.

    with PostgresServer() as pg:
        store = await open_trace_store(pg.url)            # the ``postgres`` database
        other = await open_trace_store(pg.new_database())  # a fresh, empty one

It runs ``initdb`` into a temporary directory and ``pg_ctl start`` on a free port of 127.0.0.1,
with the Unix socket in that directory too, so it touches nothing outside it and needs no
password (``--auth=trust``). PostgreSQL refuses to run as root: when we are root, the directory is
handed to the ``postgres`` OS user and the server binaries run as that user (``runuser``, else
``su``). On exit the server is stopped (``-m immediate``) and the directory removed.

Being a test server it runs with ``fsync=off``: a crash of the *server machine* could lose
data, a crash of a *client* (what tests simulate) cannot.
"""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = ["PostgresServer", "PostgresUnavailableError", "find_postgres_bin"]


class PostgresUnavailableError(RuntimeError):
    """The PostgreSQL server binaries are not installed, or the server would not start."""


def find_postgres_bin() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl`` (PATH first, then /usr/lib/postgresql/*/bin)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    raise PostgresUnavailableError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
        "/usr/lib/postgresql/*/bin; install them (Debian/Ubuntu: `apt-get install postgresql`) "
        "to run the tests marked `postgres`"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """Context manager around a private PostgreSQL server (see module docs)."""

    def __init__(self, *, port: int | None = None, user: str = "postgres") -> None:
        self.port = port or _free_port()
        """TCP port on 127.0.0.1."""
        self.user = user
        """Database superuser created by initdb (trust auth, no password)."""
        self.bin_dir = find_postgres_bin()
        """Where initdb and pg_ctl were found."""
        self.root: Path | None = None
        """Temporary directory (data, socket, log) while running."""
        self._as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        """SQLAlchemy async URL of the ``postgres`` database."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        """SQLAlchemy async URL of database ``name`` on this server."""
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}/{name}"

    @property
    def dsn(self) -> str:
        """Plain libpq/asyncpg DSN of the ``postgres`` database."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def _run(self, args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        if self._as_postgres:
            runuser = shutil.which("runuser")
            if runuser:
                args = [runuser, "-u", "postgres", "--", *args]
            else:
                args = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(args)]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd="/")
        if check and proc.returncode != 0:
            log = ""
            if self.root is not None and (self.root / "server.log").exists():
                log = (self.root / "server.log").read_text(errors="replace")[-2000:]
            raise PostgresUnavailableError(
                f"{Path(args[0]).name} {' '.join(args[1:3])}... failed with exit code "
                f"{proc.returncode}: {proc.stderr.strip() or proc.stdout.strip()}\n{log}"
            )
        return proc

    def start(self) -> Self:
        """initdb + pg_ctl start (blocks until the server accepts connections, ~1 s)."""
        if self.root is not None:
            return self
        self.root = Path(tempfile.mkdtemp(prefix="agentmem-pg-"))
        if len(str(self.root)) > 80:  # the Unix socket path must stay under ~107 bytes
            self.root.rmdir()
            self.root = Path(tempfile.mkdtemp(prefix="agentmem-pg-", dir="/tmp"))
        data = self.root / "data"
        try:
            if self._as_postgres:
                shutil.chown(self.root, user="postgres", group=None)
            self._run(
                [
                    str(self.bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    self.user,
                    "--auth=trust",
                    "--no-locale",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            )
            options = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            self._run(
                [
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(self.root / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            )
        except BaseException:
            self.stop()
            raise
        return self

    def new_database(self, name: str | None = None) -> str:
        """Create an empty database (a fresh name by default) and return its async URL."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        if not name.replace("_", "").isalnum():
            raise ValueError(f"database name must be letters, digits and '_', got {name!r}")
        self._psql(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def drop_database(self, name_or_url: str) -> None:
        """Drop a database made by :meth:`new_database` (closing any connections still open)."""
        name = name_or_url.rsplit("/", 1)[-1].split("?", 1)[0]
        if not name.replace("_", "").isalnum():
            raise ValueError(f"database name must be letters, digits and '_', got {name!r}")
        self._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _psql(self, sql: str) -> None:
        if self.root is None:
            raise PostgresUnavailableError("the PostgreSQL server is not running; call start()")
        psql = self.bin_dir / "psql"
        exe = str(psql) if psql.exists() else (shutil.which("psql") or "psql")
        self._run(
            [exe, "-h", str(self.root), "-p", str(self.port), "-U", self.user, "-d", "postgres",
             "-v", "ON_ERROR_STOP=1", "-q", "-c", sql]
        )  # fmt: skip

    def stop(self) -> None:
        """Stop the server (immediate mode) and remove its directory."""
        root, self.root = self.root, None
        if root is None:
            return
        try:
            if (root / "data" / "postmaster.pid").exists():
                self.root = root  # so a failure can show the log
                self._run(
                    [str(self.bin_dir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "-w", "stop"],
                    check=False,
                )  # fmt: skip
                self.root = None
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running in {self.root}" if self.root else "stopped"
        return f"PostgresServer(port={self.port}, {state})"
