"""Need-log rows for the web tests, written the way the store writes them."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.needs.log import Context, HandoffRequested, NeedOpened, NeedUpdated
from bot.store.models import Handoff
from bot.store.needlog import apply_payload, to_payload, utcnow

TOKEN = "staff-token-for-web-tests-0123"
_serial = itertools.count()


def hours_ago(hours: float) -> datetime:
    """Naive UTC, ``hours`` before now (the app reports up to the real now)."""
    return utcnow() - timedelta(hours=hours)


def put(
    engine: Engine,
    need: str,
    outcome: Optional[str],
    text: str,
    at: Optional[datetime] = None,
    channel: str = "rest",
) -> None:
    """One need occurrence (a day ago by default) on ``channel`` and its outcome."""
    key = f"occ-{next(_serial)}"
    at = at or hours_ago(24)
    context = Context(f"conv-{key}", f"msg-{key}", channel, "model-test")
    with engine.begin() as connection:
        apply_payload(connection, to_payload(NeedOpened(key, need, text, context), at))
        if outcome:
            apply_payload(connection, to_payload(NeedUpdated(key, outcome=outcome), at))


def put_handoff(engine: Engine, text: str, urgent: bool = False) -> int:
    """A guest waiting for staff; returns the handoff id."""
    key = f"handoff-{next(_serial)}"
    context = Context(f"conv-{key}", f"msg-{key}", "rest", "model-test")
    record = HandoffRequested(key, text, context, need="phone_power", urgent=urgent)
    with engine.begin() as connection:
        apply_payload(connection, to_payload(record, hours_ago(1)))
        return int(connection.execute(select(Handoff.id).where(Handoff.key == key)).scalar_one())


def handoff_status(engine: Engine, handoff_id: int) -> str:
    """``waiting`` or ``done``."""
    with engine.connect() as connection:
        query = select(Handoff.status).where(Handoff.id == handoff_id)
        return str(connection.execute(query).scalar_one())
