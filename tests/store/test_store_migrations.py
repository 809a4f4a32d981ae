"""Alembic migrations of the need log, on SQLite and on PostgreSQL.

Upgrade from an empty database, downgrade to base, upgrade again; the migrated
schema must be exactly what ``bot.store.models`` declares (alembic autogenerate
finds nothing to do), including the names of constraints and indexes.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from bot.store.migrate import alembic_config, downgrade, upgrade
from bot.store.models import Base

KEYED_TABLES = {"need_occurrences", "handoffs"}  # rows with an idempotency key
TABLES = KEYED_TABLES | {
    "bookings",
    "booking_locks",
    "questions",
    "conversations",
    "conversation_messages",
    "waits",
    "ratings",
}


def _head(url: str) -> str:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def _version(engine) -> list:
    with engine.connect() as connection:
        return [
            row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))
        ]


def _differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, Base.metadata)


def _named_schema(engine) -> dict:
    """Unique constraints and indexes by name, as the database reports them."""
    inspector = inspect(engine)
    found = {}
    for table in sorted(TABLES):
        for constraint in inspector.get_unique_constraints(table):
            found[constraint["name"]] = (table, tuple(constraint["column_names"]), "unique")
        for index in inspector.get_indexes(table):
            if index["name"] in found:  # PostgreSQL lists a unique constraint's index too
                continue
            found[index["name"]] = (table, tuple(index["column_names"]), "index")
    return found


def _declared_schema() -> dict:
    """Unique constraints and indexes by name, as the models declare them."""
    declared = {}
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            if constraint.__class__.__name__ == "UniqueConstraint":
                columns = tuple(c.name for c in constraint.columns)
                declared[constraint.name] = (table.name, columns, "unique")
        for index in table.indexes:
            columns = tuple(c.name for c in index.columns)
            declared[index.name] = (table.name, columns, "index")
    return declared


def test_upgrade_from_empty_matches_the_models(db_url, engines):
    engine = engines(db_url)
    assert not TABLES & set(inspect(engine).get_table_names())

    upgrade(db_url)

    assert set(inspect(engine).get_table_names()) >= TABLES
    assert _version(engine) == [_head(db_url)]
    assert _differences(engine) == []
    assert _named_schema(engine) == _declared_schema()


def test_downgrade_to_base_and_upgrade_again(db_url, engines):
    engine = engines(db_url)
    upgrade(db_url)

    downgrade(db_url, "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    assert _version(engine) == []

    upgrade(db_url)
    upgrade(db_url)  # already at head: nothing to do, no error
    assert set(inspect(engine).get_table_names()) >= TABLES
    assert _version(engine) == [_head(db_url)]
    assert _differences(engine) == []


def test_every_model_table_is_created_by_the_migrations(db_url, engines):
    upgrade(db_url)
    created = set(inspect(engines(db_url)).get_table_names()) - {"alembic_version"}
    assert created == set(Base.metadata.tables)


def test_handoff_columns_get_the_migration_defaults(db_url, engines):
    upgrade(db_url)
    with engines(db_url).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO handoffs (key, created_at, conversation_key) "
                "VALUES ('k', '2024-05-01 10:00:00', 'c')"
            )
        )
        row = connection.execute(text("SELECT urgent, status FROM handoffs")).one()
    assert (bool(row.urgent), row.status) == (False, "waiting")


@pytest.mark.parametrize("table", sorted(KEYED_TABLES))
def test_idempotency_key_is_unique(db_url, engines, table):
    upgrade(db_url)
    insert = text(
        f"INSERT INTO {table} (key, created_at, conversation_key) "
        "VALUES ('same', '2024-05-01 10:00:00', 'c')"
    )
    with engines(db_url).begin() as connection:
        connection.execute(insert)
        with pytest.raises(IntegrityError), connection.begin_nested():
            connection.execute(insert)


def test_bookings_migration_downgrades_to_the_need_log_alone(db_url, engines):
    engine = engines(db_url)
    upgrade(db_url)

    downgrade(db_url, "0001_need_log")
    assert set(inspect(engine).get_table_names()) - {"alembic_version"} == KEYED_TABLES

    upgrade(db_url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    assert _differences(engine) == []


def test_questions_migration_downgrades_to_bookings(db_url, engines):
    engine = engines(db_url)
    upgrade(db_url)

    downgrade(db_url, "0002_bookings")
    assert "questions" not in inspect(engine).get_table_names()
    assert "bookings" in inspect(engine).get_table_names()

    upgrade(db_url)
    assert _differences(engine) == []
