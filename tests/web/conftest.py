"""The real web app (FastAPI TestClient) on a migrated SQLite need log in tmp_path.

Building the app loads the catalog (a fraction of a second), so one app per
module serves the tests that use default options; every test still starts
from empty tables and gets its own client address (its own rate-limit bucket
and cookie jar). Tests that need other options build their own app.
"""

from __future__ import annotations

import itertools
from typing import Callable, Iterator, List

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from web_helpers import TOKEN

from bot.store.db import make_engine
from bot.store.migrate import upgrade
from bot.web.app import create_app

_addresses = (f"198.51.100.{i % 250 + 1}" for i in itertools.count())


@pytest.fixture(scope="module")
def shared_engine(tmp_path_factory) -> Iterator[Engine]:
    """One migrated SQLite file per test module."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'needs.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def shared_app(shared_engine: Engine) -> FastAPI:
    """The app with the test staff token and a limit no ordinary test reaches."""
    return create_app(engine=shared_engine, staff_token=TOKEN, rate=10_000.0, burst=10_000)


@pytest.fixture
def engine(shared_engine: Engine, monkeypatch) -> Engine:
    """The need log, emptied (rowids restart at 1); report days in Ho Chi Minh City."""
    monkeypatch.setenv("REPORT_TIMEZONE", "Asia/Ho_Chi_Minh")
    monkeypatch.delenv("STAFF_TOKEN", raising=False)
    monkeypatch.delenv("RASA_PUBLIC_URL", raising=False)
    with shared_engine.begin() as connection:
        connection.execute(text("DELETE FROM need_occurrences"))
        connection.execute(text("DELETE FROM handoffs"))
        connection.execute(text("DELETE FROM conversation_messages"))
        connection.execute(text("DELETE FROM conversations"))
        connection.execute(text("DELETE FROM waits"))
        connection.execute(text("DELETE FROM ratings"))
    return shared_engine


def _client(app: FastAPI, address: str) -> TestClient:
    return TestClient(
        app, raise_server_exceptions=False, follow_redirects=False, client=(address, 50000)
    )


@pytest.fixture
def client(shared_app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    """A client of the shared app (500s come back as responses, redirects are not followed)."""
    with _client(shared_app, next(_addresses)) as client:
        yield client


@pytest.fixture
def make_client(engine: Engine) -> Iterator[Callable[..., TestClient]]:
    """Build a client on a new ``create_app(engine=..., **options)``."""
    clients: List[TestClient] = []

    def factory(**options) -> TestClient:
        options.setdefault("staff_token", TOKEN)
        client = _client(create_app(engine=engine, **options), next(_addresses))
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
