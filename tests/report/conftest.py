"""A migrated need log for the report tests: SQLite in tmp_path, or a PostgreSQL schema."""

from __future__ import annotations

import uuid
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from bot.needs.catalog import Catalog
from bot.report.rules import RecommendationRule
from bot.store.db import make_engine
from bot.store.migrate import upgrade


@pytest.fixture
def database_url(tmp_path) -> str:
    """A migrated, empty SQLite need log."""
    url = f"sqlite:///{tmp_path / 'needs.db'}"
    upgrade(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on :func:`database_url`."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The real needs catalog (data/needs/catalog.yml)."""
    return Catalog.load()


@pytest.fixture(scope="session")
def rule() -> RecommendationRule:
    """The real recommendation rule (data/report/recommendations.yml)."""
    return RecommendationRule.load()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def any_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    """A migrated need log on SQLite, or in a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'needs.db'}"
        upgrade(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()
        return
    postgres_url = request.getfixturevalue("postgres_url")
    schema = f"test_report_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, future=True, connect_args={"connect_timeout": 3})
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
        url_text = url.render_as_string(hide_password=False)
        upgrade(url_text)
        engine = make_engine(url_text)
        yield engine
        engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
