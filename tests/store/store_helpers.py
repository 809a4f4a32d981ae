"""Helpers shared by the store tests (imported as a plain module)."""

from __future__ import annotations

import socket
import time
from typing import Any, Callable, Dict, List

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.needs.log import Context
from bot.store.models import Handoff, NeedOccurrence


def context(conversation: str = "conv-1", message: str = "msg-1") -> Context:
    """A message context as the Rasa adapter builds it."""
    return Context(conversation, message, channel="rest", model_id="model-test")


def occurrences(engine: Engine) -> List[Dict[str, Any]]:
    """Every need_occurrences row, oldest id first."""
    with engine.connect() as connection:
        rows = connection.execute(select(NeedOccurrence.__table__).order_by(NeedOccurrence.id))
        return [dict(row._mapping) for row in rows]


def handoffs(engine: Engine) -> List[Dict[str, Any]]:
    """Every handoffs row, oldest id first."""
    with engine.connect() as connection:
        rows = connection.execute(select(Handoff.__table__).order_by(Handoff.id))
        return [dict(row._mapping) for row in rows]


def closed_port() -> int:
    """A local TCP port nobody listens on (bound, read, released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
