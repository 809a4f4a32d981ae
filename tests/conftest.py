"""Shared fixtures: a trained model, databases, and the whole stack on free ports."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from bot import environment
from bot.paths import BUSINESS_PATH, ROOT
from harness.stack import Stack, start_stack, stop_stack

environment.apply()


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The newest model in models/ (``make test`` trains it; trained here if missing)."""
    from bot.rasa.model import latest_model, train

    model = latest_model(required=False)
    if model is None:
        model = train().model
    return model


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """``TEST_DATABASE_URL`` (PostgreSQL), or skip saying why."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped (CI sets it)")
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(url, future=True, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure means "not reachable"
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL is not reachable: {error}")
    return url


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Iterator[Stack]:
    """Rasa (REST + socketio), the action server and the web app, running for real.

    The business profile is a copy (``BUSINESS_FILE``) a test may edit to check
    that answers follow the file without retraining; ``env["BUSINESS_FILE"]``.
    """
    workdir = tmp_path_factory.mktemp("stack")
    business = workdir / "business.yml"
    shutil.copy(BUSINESS_PATH, business)
    stack = start_stack(workdir, trained_model, extra_env={"BUSINESS_FILE": str(business)})
    yield stack
    stop_stack(stack)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return ROOT
