"""The whole stack with Messenger and Zalo configured against a local fake of their APIs."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from channel_helpers import FakePlatform, channel_env

from harness.stack import Stack, start_stack, stop_stack


@pytest.fixture(scope="session")
def fake_platform() -> Iterator[FakePlatform]:
    """The fake Zalo OA and Graph APIs (one for the session; tests match their own ids)."""
    fake = FakePlatform()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def channel_stack(
    tmp_path_factory: pytest.TempPathFactory, trained_model: Path, fake_platform: FakePlatform
) -> Iterator[Stack]:
    """Rasa, the action server and the web app with both channels configured."""
    workdir = tmp_path_factory.mktemp("channels")
    stack = start_stack(workdir, trained_model, extra_env=channel_env(fake_platform))
    yield stack
    stop_stack(stack)
