"""Real databases for the need-log store tests: a SQLite file, or a PostgreSQL schema.

Every PostgreSQL test gets a schema of its own (``search_path`` in the URL), dropped
with everything in it when the test ends, so the shared database stays clean.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, Optional

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from bot.store.db import make_engine
from bot.store.needlog import SqlNeedLog
from bot.store.outbox import Outbox

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@contextmanager
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A URL whose connections live in a fresh schema; the schema is dropped afterwards."""
    schema = f"test_store_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, future=True, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """An empty database: a SQLite file in tmp_path, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'needs.db'}"
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    """An empty PostgreSQL schema (for tests that only make sense on PostgreSQL)."""
    with postgres_schema(postgres_url) as url:
        yield url


@pytest.fixture
def engines() -> Iterator[Callable[[str], Engine]]:
    """``make_engine`` that disposes every engine it made when the test ends."""
    made: List[Engine] = []

    def factory(url: str) -> Engine:
        engine = make_engine(url)
        made.append(engine)
        return engine

    yield factory
    for engine in made:
        engine.dispose()


@pytest.fixture
def need_logs(tmp_path) -> Iterator[Callable[..., SqlNeedLog]]:
    """Build SqlNeedLogs (outbox in tmp_path by default); all are closed at the end."""
    made: List[SqlNeedLog] = []

    def factory(
        engine: Engine, outbox_path: Optional[Any] = None, retry_seconds: float = 0.05
    ) -> SqlNeedLog:
        log = SqlNeedLog(
            engine, Outbox(outbox_path or tmp_path / "outbox.sqlite"), retry_seconds=retry_seconds
        )
        made.append(log)
        return log

    yield factory
    for log in made:
        log.close(timeout=2)
