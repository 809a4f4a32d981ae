"""The hand-over state on SQLite and PostgreSQL: waiting → claimed → returned, and transcripts."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from store_helpers import context, handoffs, occurrences

from bot.needs.log import GuestSaid, HandoffRequested, NeedOpened
from bot.store import handover
from bot.store.migrate import upgrade
from bot.store.needlog import apply_payload, to_payload

T0 = datetime(2026, 12, 2, 8, 0, 0)


@pytest.fixture
def db(db_url: str, engines) -> Engine:
    """A migrated database of each backend (``db_url`` is parametrised)."""
    upgrade(db_url)
    return engines(db_url)


def write(db: Engine, *records, at: datetime = T0) -> None:
    """Deliver records exactly as the need log's flusher does."""
    with db.begin() as connection:
        for record in records:
            apply_payload(connection, to_payload(record, at=at))


def ask_for_person(conversation: str, table: str = "7", urgent: bool = False) -> HandoffRequested:
    """What the dialogue records when a guest at ``table`` asks for a person."""
    where = replace(context(conversation, f"{conversation}-m1"), table=table)
    return HandoffRequested(f"{conversation}-h", "cho mình gặp nhân viên", where, None, urgent)


def test_escalation_queues_the_conversation_with_its_table_and_words(db: Engine) -> None:
    write(db, ask_for_person("a"), ask_for_person("a"))  # a replayed write changes nothing
    [waiting] = handover.queue(db)
    assert (waiting.table, waiting.status, waiting.claimed_by) == ("7", "waiting", None)
    assert [(line.author, line.text) for line in waiting.lines] == [
        ("guest", "cho mình gặp nhân viên")
    ]
    assert handoffs(db)[0]["table"] == "7"


def test_need_log_rows_carry_the_table(db: Engine) -> None:
    where = replace(context("a", "m1"), table="5")
    write(db, NeedOpened("k1", "phone_power", "hết pin rồi", where))
    assert occurrences(db)[0]["table"] == "5"


def test_emergencies_come_first_then_the_longest_waiting(db: Engine) -> None:
    write(db, ask_for_person("early", "1"), at=T0)
    write(db, ask_for_person("later", "2"), at=T0 + timedelta(minutes=1))
    write(db, ask_for_person("sos", "3", urgent=True), at=T0 + timedelta(minutes=2))
    assert [w.table for w in handover.queue(db)] == ["3", "1", "2"]


def test_claim_reply_guest_message_and_hand_back(db: Engine) -> None:
    write(db, ask_for_person("a"))
    [waiting] = handover.queue(db)
    key = context("a").conversation_key
    assert not handover.is_held(db, key)
    assert handover.claim(db, waiting.id, "Lan", T0)
    assert handover.is_held(db, key)
    assert not handover.claim(db, waiting.id, "Minh", T0)  # someone else has it
    assert not handover.reply(db, waiting.id, "Minh", "để em", T0)
    assert handover.reply(db, waiting.id, "Lan", "Dạ em ra ngay ạ", T0 + timedelta(seconds=30))
    write(db, GuestSaid("g1", "cảm ơn em", context("a", "m2")), at=T0 + timedelta(seconds=40))
    view = handover.guest_view(db, key, after=0)
    assert view.held_by == "Lan"
    assert [(line.staff_name, line.text) for line in view.lines] == [("Lan", "Dạ em ra ngay ạ")]
    assert handover.guest_view(db, key, after=view.lines[-1].id).lines == ()
    [held] = handover.queue(db)
    assert [line.author for line in held.lines] == ["guest", "staff", "guest"]
    assert handover.hand_back(db, waiting.id, T0 + timedelta(minutes=1))
    assert not handover.is_held(db, key)
    assert handover.queue(db) == []
    assert handover.guest_view(db, key, after=0).held_by is None


def test_a_returned_conversation_waits_again_on_the_next_escalation(db: Engine) -> None:
    write(db, ask_for_person("a"))
    [first] = handover.queue(db)
    handover.claim(db, first.id, "Lan", T0)
    handover.hand_back(db, first.id, T0)
    later = T0 + timedelta(hours=1)
    write(db, replace(ask_for_person("a"), key="a-h2"), at=later)
    [again] = handover.queue(db)
    assert (again.id, again.status, again.claimed_by, again.waiting_since) == (
        first.id,
        "waiting",
        None,
        later,
    )


def test_an_emergency_in_a_held_conversation_marks_it_urgent(db: Engine) -> None:
    write(db, ask_for_person("a"))
    [waiting] = handover.queue(db)
    handover.claim(db, waiting.id, "Lan", T0)
    write(db, replace(ask_for_person("a", urgent=True), key="a-sos"))
    [held] = handover.queue(db)
    assert (held.urgent, held.claimed_by) == (True, "Lan")


def test_version_changes_with_the_queue(db: Engine) -> None:
    before = handover.version(db)
    write(db, ask_for_person("a"))
    assert handover.version(db) != before
