"""Where a staff reply goes: a Messenger or Zalo guest's raw id, kept on the hand-over only."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from store_helpers import context, handoffs, occurrences

from bot.needs.log import HandoffRequested, NeedOpened
from bot.store import handover
from bot.store.migrate import upgrade
from bot.store.needlog import apply_payload, to_payload

T0 = datetime(2026, 12, 2, 8, 0, 0)


@pytest.fixture
def db(db_url: str, engines) -> Engine:
    """A migrated database of each backend."""
    upgrade(db_url)
    return engines(db_url)


def escalate(db: Engine, conversation: str, channel: str, reply_to) -> int:
    where = replace(context(conversation, f"{conversation}-m1"), channel=channel, reply_to=reply_to)
    records = [
        NeedOpened(f"{conversation}-n", "phone_power", "có sạc không", where),
        HandoffRequested(f"{conversation}-h", "cho gặp nhân viên", where),
    ]
    with db.begin() as connection:
        for record in records:
            apply_payload(connection, to_payload(record, at=T0))
    return next(
        w.id
        for w in handover.queue(db)
        if w.lines[0].text == "cho gặp nhân viên" and w.channel == channel
    )


def test_a_zalo_handoff_knows_where_to_reply_and_the_need_log_does_not(db: Engine) -> None:
    conversation = escalate(db, "zalo-conv", "zalo", "8123456789012345678")
    assert handover.reply_target(db, conversation) == handover.ReplyTarget(
        "zalo", "8123456789012345678"
    )
    assert "8123456789012345678" not in repr(occurrences(db)) + repr(handoffs(db))
    [waiting] = handover.queue(db)
    assert waiting.to_json(T0)["channel"] == "zalo"


def test_the_widget_needs_no_reply_target(db: Engine) -> None:
    conversation = escalate(db, "web-conv", "rest", None)
    assert handover.reply_target(db, conversation) is None
    assert handover.reply_target(db, 987654) is None
