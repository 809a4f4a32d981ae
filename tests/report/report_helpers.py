"""Crafted need-log rows for the report tests, written the way the store writes them."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Optional, Sequence

from sqlalchemy.engine import Connection, Engine

from bot.needs.log import Context, HandoffRequested, NeedOpened, NeedUpdated
from bot.store.needlog import apply_payload, to_payload

_serial = itertools.count()


def _occurrence(
    connection: Connection,
    need: str,
    outcome: Optional[str],
    at: datetime,
    text: str,
    item: Optional[str],
) -> str:
    key = f"occ-{next(_serial)}"
    context = Context(f"conv-{key}", f"msg-{key}", "rest", "model-test")
    apply_payload(connection, to_payload(NeedOpened(key, need, text, context, item=item), at))
    if outcome is not None:
        update = NeedUpdated(key, outcome=outcome)
        apply_payload(connection, to_payload(update, at + timedelta(minutes=1)))
    return key


def put(
    engine: Engine,
    need: str,
    outcome: Optional[str],
    at: datetime,
    text: str = "có sạc không",
    item: Optional[str] = None,
) -> str:
    """One need occurrence at ``at`` (naive UTC) and, if given, its outcome."""
    with engine.begin() as connection:
        return _occurrence(connection, need, outcome, at, text, item)


def put_many(
    engine: Engine, need: str, outcomes: Sequence[str], at: datetime, text: str = "có sạc không"
) -> None:
    """One occurrence per outcome, a minute apart from ``at`` on (one transaction)."""
    with engine.begin() as connection:
        for i, outcome in enumerate(outcomes):
            _occurrence(connection, need, outcome, at + timedelta(minutes=i), text, None)


def put_handoff(
    engine: Engine, text: str, at: datetime, need: Optional[str] = None, urgent: bool = False
) -> str:
    """A guest waiting for staff."""
    key = f"handoff-{next(_serial)}"
    context = Context(f"conv-{key}", f"msg-{key}", "rest", "model-test")
    record = HandoffRequested(key, text, context, need=need, urgent=urgent)
    with engine.begin() as connection:
        apply_payload(connection, to_payload(record, at))
    return key


def put_outcome_only(engine: Engine, key: str, outcome: str, at: datetime) -> None:
    """An outcome whose opening has not arrived yet (a placeholder row without need)."""
    with engine.begin() as connection:
        apply_payload(connection, to_payload(NeedUpdated(key, outcome=outcome), at))


def put_questions(engine: Engine, topic: str, texts: Sequence[str], at: datetime) -> None:
    """Questions about ``topic`` answered from the profile, a minute apart from ``at``."""
    from bot.needs.log import QuestionAnswered

    with engine.begin() as connection:
        for i, text in enumerate(texts):
            key = f"question-{next(_serial)}"
            context = Context(f"conv-{key}", f"msg-{key}", "rest", "model-test")
            record = QuestionAnswered(key, topic, text, context)
            apply_payload(connection, to_payload(record, at + timedelta(minutes=i)))
