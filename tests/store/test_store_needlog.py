"""The SQL need log end to end: records through the outbox into real tables.

Round trip (NeedOpened + NeedUpdated → one row with the outcome, a handoff
→ one handoffs row) and idempotency (the same records twice → still one row;
an outcome delivered before its row, as two replicas racing may do).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from store_helpers import context, handoffs, occurrences

from bot.needs.log import (
    ESCALATED,
    MET,
    NO_ANSWER,
    UNMET,
    HandoffRequested,
    NeedOpened,
    NeedUpdated,
    occurrence_key,
)
from bot.store.migrate import upgrade
from bot.store.needlog import apply_payload, to_payload, utcnow

CTX = context("conv-abc", "msg-1")
KEY = occurrence_key(CTX.conversation_key, CTX.message_id, "phone_power")
OPENED = NeedOpened(
    KEY,
    "phone_power",
    "em ơi có sạc iphone không, máy anh sắp tắt",
    CTX,
    item="sạc iphone",
    confidence=0.93,
)
UPDATED = NeedUpdated(
    KEY, sub_goal="own_phone", alternatives=("mượn sạc của nhân viên", "pin dự phòng"), outcome=MET
)
HANDOFF = HandoffRequested(
    occurrence_key(CTX.conversation_key, "msg-2", "ask_human"),
    "cho anh gặp nhân viên",
    CTX,
    need="phone_power",
    urgent=True,
)


def test_round_trip_need_then_outcome_then_handoff(db_url, engines, need_logs):
    upgrade(db_url)
    engine = engines(db_url)
    log = need_logs(engine)
    before = utcnow()

    log.write([OPENED])
    log.write([UPDATED, HANDOFF])
    assert log.flush() is True
    assert log.pending() == 0

    rows = occurrences(engine)
    assert len(rows) == 1
    row = rows[0]
    assert row["key"] == KEY
    assert row["need"] == "phone_power"
    assert row["text"] == OPENED.text
    assert row["item"] == "sạc iphone"
    assert row["conversation_key"] == "conv-abc"
    assert (row["channel"], row["model_id"]) == ("rest", "model-test")
    assert row["confidence"] == 0.93
    assert row["outcome"] == MET
    assert row["sub_goal"] == "own_phone"
    assert row["alternatives"] == ["mượn sạc của nhân viên", "pin dự phòng"]
    assert before - timedelta(seconds=1) <= row["created_at"] <= utcnow()
    assert row["updated_at"] >= row["created_at"]

    waiting = handoffs(engine)
    assert len(waiting) == 1
    assert waiting[0]["key"] == HANDOFF.key
    assert waiting[0]["text"] == "cho anh gặp nhân viên"
    assert waiting[0]["need"] == "phone_power"
    assert bool(waiting[0]["urgent"]) is True
    assert waiting[0]["status"] == "waiting"
    assert waiting[0]["handled_at"] is None


def test_need_without_update_keeps_the_default_outcome(db_url, engines, need_logs):
    upgrade(db_url)
    engine = engines(db_url)
    log = need_logs(engine)
    log.write([OPENED])
    assert log.flush() is True
    assert [r["outcome"] for r in occurrences(engine)] == [NO_ANSWER]


def test_same_records_written_twice_are_stored_once(db_url, engines, need_logs):
    upgrade(db_url)
    engine = engines(db_url)
    log = need_logs(engine)

    log.write([OPENED, UPDATED, HANDOFF])
    assert log.flush() is True
    first = occurrences(engine)
    log.write([OPENED, UPDATED, HANDOFF])  # e.g. Rasa retried the action call
    assert log.flush() is True
    assert log.pending() == 0

    rows = occurrences(engine)
    assert len(rows) == 1
    assert len(handoffs(engine)) == 1
    # Replaying the opening must not reset the outcome, nor move the occurrence in time.
    assert rows[0]["outcome"] == MET
    assert rows[0]["sub_goal"] == "own_phone"
    assert rows[0]["created_at"] == first[0]["created_at"]
    assert rows[0]["id"] == first[0]["id"]


def test_redelivered_payloads_change_nothing(db_url, engines):
    """The outbox may deliver a batch twice (crash between commit and removal)."""
    upgrade(db_url)
    engine = engines(db_url)
    at = datetime(2024, 5, 1, 10, 0, 0)
    payloads = [
        to_payload(OPENED, at),
        to_payload(UPDATED, at + timedelta(minutes=1)),
        to_payload(HANDOFF, at + timedelta(minutes=2)),
    ]
    with engine.begin() as connection:
        for payload in payloads:
            apply_payload(connection, payload)
    snapshot = (occurrences(engine), handoffs(engine))
    with engine.begin() as connection:
        for payload in payloads:
            apply_payload(connection, payload)
    assert (occurrences(engine), handoffs(engine)) == snapshot
    assert snapshot[0][0]["created_at"] == at


def test_late_duplicate_of_an_opening_keeps_its_first_time(db_url, engines):
    upgrade(db_url)
    engine = engines(db_url)
    first, later = datetime(2024, 5, 1, 10, 0), datetime(2024, 5, 3, 9, 0)
    with engine.begin() as connection:
        apply_payload(connection, to_payload(OPENED, first))
        apply_payload(connection, to_payload(UPDATED, first + timedelta(minutes=1)))
    with engine.begin() as connection:
        apply_payload(connection, to_payload(OPENED, later))
    (row,) = occurrences(engine)
    assert row["created_at"] == first
    assert row["outcome"] == MET


def test_outcome_before_its_need_two_replicas_racing(db_url, engines, need_logs, tmp_path):
    """Replica B logs the outcome before replica A's opening reaches the database."""
    upgrade(db_url)
    engine = engines(db_url)
    replica_a = need_logs(engine, tmp_path / "a.sqlite")
    replica_b = need_logs(engine, tmp_path / "b.sqlite")

    replica_b.write([NeedUpdated(KEY, sub_goal="call_only", outcome=UNMET)])
    assert replica_b.flush() is True
    (early,) = occurrences(engine)
    assert early["need"] is None  # a placeholder the report skips until the row arrives
    assert early["outcome"] == UNMET

    replica_a.write([OPENED])  # outcome defaults to no_answer
    assert replica_a.flush() is True

    rows = occurrences(engine)
    assert len(rows) == 1
    row = rows[0]
    assert row["outcome"] == UNMET  # the update's, not the default
    assert row["sub_goal"] == "call_only"
    assert row["need"] == "phone_power"
    assert row["text"] == OPENED.text
    assert row["conversation_key"] == "conv-abc"
    assert row["created_at"] is not None


def test_later_outcome_replaces_an_earlier_one(db_url, engines, need_logs):
    upgrade(db_url)
    engine = engines(db_url)
    log = need_logs(engine)
    log.write([OPENED, NeedUpdated(KEY, outcome=UNMET), NeedUpdated(KEY, outcome=ESCALATED)])
    assert log.flush() is True
    (row,) = occurrences(engine)
    assert row["outcome"] == ESCALATED
    assert row["sub_goal"] is None


def test_an_answered_question_is_one_masked_row_even_when_replayed(db_url, engines, need_logs):
    from sqlalchemy import select

    from bot.needs.log import QuestionAnswered
    from bot.store.models import NeedOccurrence, QuestionAsked

    upgrade(db_url)
    engine = engines(db_url)
    log = need_logs(engine)
    key = occurrence_key(CTX.conversation_key, "msg-9", "question:ask_hours")
    asked = QuestionAnswered(key, "ask_hours", "mấy giờ đóng cửa, gọi 0901234567 nhé", CTX)

    log.write([asked])
    log.write([asked])  # a retried action call
    assert log.flush() is True

    with engine.connect() as connection:
        rows = connection.execute(select(QuestionAsked)).all()
        needs = connection.execute(select(NeedOccurrence)).all()
    assert len(rows) == 1 and not needs  # topics never count as needs
    assert (rows[0].topic, rows[0].outcome, rows[0].channel) == ("ask_hours", MET, CTX.channel)
    assert "0901234567" not in rows[0].text
