"""Apply the Alembic migrations of the need log (``make run`` does this)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from alembic import command
from alembic.config import Config

from bot import settings
from bot.store.db import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at our migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: Optional[str] = None, revision: str = "head") -> None:
    """Bring the database at ``url`` (default ``DATABASE_URL``) to ``revision``."""
    _run(command.upgrade, url, revision)


def downgrade(url: Optional[str] = None, revision: str = "base") -> None:
    """Revert the database at ``url`` to ``revision``."""
    _run(command.downgrade, url, revision)


def _run(step: Callable[[Config, str], None], url: Optional[str], revision: str) -> None:
    url = settings.resolve_sqlite_url(url or settings.database_url())
    config = alembic_config(url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
    finally:
        engine.dispose()
