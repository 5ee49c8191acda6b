"""Where the trace store lives: the default location and the URL forms a user may give.

Accepted forms (``--trace-db`` / ``AGENTMEM_TRACE_DB``):

* a file path (``traces.db``, ``~/runs/t.db``): SQLite;
* ``sqlite:///relative.db``, ``sqlite:////abs/path.db``, ``sqlite://`` (in-memory): SQLite via
  aiosqlite;
* ``postgresql://user:pw@host:5432/db`` (also ``postgres://``): PostgreSQL via asyncpg;
* ``memory://``: the non-persistent :class:`InMemoryTraceStore`.

A driver the user names is replaced by the async one we ship (``sqlite+pysqlite`` becomes
``sqlite+aiosqlite``; ``postgresql+psycopg2`` becomes ``postgresql+asyncpg``).
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from agentmem.exceptions import UserError

__all__ = ["MEMORY_URL", "default_trace_url", "resolve_url", "safe_url", "sqlite_file"]

MEMORY_URL = "memory://"

_EXAMPLES = "e.g. traces.db, sqlite:////abs/path/traces.db or postgresql://user@host:5432/dbname"


def default_trace_url() -> str:
    """``AGENTMEM_TRACE_DB`` if set, else SQLite at ``$XDG_DATA_HOME/agentmem/traces.db``.

    Without ``XDG_DATA_HOME`` that is ``~/.local/share/agentmem/traces.db``; the directory is
    created when the store is opened, not here.
    """
    env = os.environ.get("AGENTMEM_TRACE_DB", "").strip()
    if env:
        return env
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    root = Path(base) if base else Path.home() / ".local" / "share"
    return f"sqlite+aiosqlite:///{root / 'agentmem' / 'traces.db'}"


def safe_url(url: URL | str) -> str:
    """The URL with any password masked, for messages."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except ArgumentError:
            return url
    return url.render_as_string(hide_password=True)


def resolve_url(url: str | None) -> URL:
    """Turn what the user gave into an async SQLAlchemy URL (raises UserError if unusable)."""
    raw = default_trace_url() if url is None else url
    if not isinstance(raw, str) or not raw.strip():
        raise UserError(f"trace store URL must be a non-empty string, got {raw!r} ({_EXAMPLES})")
    raw = raw.strip()
    if "://" not in raw:  # a plain file path
        return URL.create("sqlite+aiosqlite", database=str(Path(raw).expanduser()))
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://") :]
    try:
        parsed = make_url(raw)
    except ArgumentError as exc:
        raise UserError(f"invalid trace store URL {safe_url(raw)!r}: {exc} ({_EXAMPLES})") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        db = parsed.database
        if db and db != ":memory:" and not db.startswith("file:"):
            parsed = parsed.set(database=str(Path(db).expanduser()))
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        if not parsed.database:
            raise UserError(
                f"trace store URL {safe_url(parsed)!r} names no database; add one, "
                "e.g. postgresql://user@host:5432/agentmem"
            )
        return parsed.set(drivername="postgresql+asyncpg")
    raise UserError(
        f"unsupported trace store URL scheme {parsed.drivername!r} in {safe_url(parsed)!r}; "
        f"the trace store runs on SQLite or PostgreSQL ({_EXAMPLES}), or memory:// for no persistence"
    )


def sqlite_file(url: str | None) -> Path | None:
    """The file a SQLite trace-store URL names (``None`` for PostgreSQL, in-memory stores or
    ``file:`` URIs): read-only commands check it exists instead of creating it."""
    if url is not None and url.strip() == MEMORY_URL:
        return None
    parsed = resolve_url(url)
    db = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or db in ("", ":memory:") or db.startswith("file:"):
        return None
    return Path(db)
