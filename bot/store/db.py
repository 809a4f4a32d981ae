"""Database engine and sessions from ``DATABASE_URL`` (SQLite by default)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, Optional

from sqlalchemy import create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import QueuePool

from bot import settings


def make_engine(url: Optional[str] = None) -> Engine:
    """An engine for ``url`` (default: ``DATABASE_URL``), tuned per backend.

    SQLite runs in WAL mode so the report can read while the bot writes, with
    pooled connections: SQLAlchemy 1.4 opens and closes a file database per
    use, and the close of the last one checkpoints the WAL (fsyncs) — a tenth
    of the action server's time at 50 concurrent conversations (issue #17).
    PostgreSQL connections fail fast (3 s) so an outage is noticed quickly and
    records wait in the outbox instead of blocking conversations.
    """
    url = settings.resolve_sqlite_url(url or settings.database_url())
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, **_sqlite_pool(parsed.database))
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"connect_timeout": 3} if parsed.get_backend_name() == "postgresql" else {}
    return create_engine(url, future=True, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_pool(database: Optional[str]) -> Dict[str, Any]:
    """Keep file connections open (SQLAlchemy 2.0's default); memory stays per thread."""
    if not database or database == ":memory:":
        return {"connect_args": {"timeout": 30}}
    args = {"timeout": 30, "check_same_thread": False}  # the pool hands them between threads
    return {"poolclass": QueuePool, "connect_args": args}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def insert_for(connection: Connection) -> Callable[..., Any]:
    """The dialect's INSERT, which has ``on_conflict_do_*`` (our idempotent upserts)."""
    name = connection.dialect.name
    if name == "sqlite":
        return sqlite.insert
    if name == "postgresql":
        return postgresql.insert
    raise RuntimeError(f"the need log supports SQLite and PostgreSQL, not {name}")
