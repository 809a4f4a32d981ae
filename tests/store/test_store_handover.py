"""The hand-over state on SQLite and PostgreSQL: waiting → claimed → returned, and transcripts."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from store_helpers import context, handoffs, occurrences

from bot.needs.log import GuestSaid, HandoffRequested, NeedOpened, RatingGiven
from bot.store import handover, ratings
from bot.store.migrate import upgrade
from bot.store.models import Rating, Wait
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
    assert [h["status"] for h in handoffs(db)] == ["done"]  # off the report's waiting list too
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


def waits(db: Engine) -> list:
    """Every ``waits`` row, oldest first."""
    with db.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(Wait).order_by(Wait.id))]


def test_each_wait_keeps_its_time_to_the_first_staff_reply(db: Engine) -> None:
    write(db, ask_for_person("a"), ask_for_person("a"))  # replayed: still one wait
    [waiting] = handover.queue(db)
    handover.reply(db, waiting.id, "Lan", "Dạ em ra ngay ạ", T0 + timedelta(seconds=90))
    handover.reply(db, waiting.id, "Lan", "Em tới rồi ạ", T0 + timedelta(minutes=3))
    handover.hand_back(db, waiting.id, T0 + timedelta(minutes=4))
    later = T0 + timedelta(hours=1)
    write(db, replace(ask_for_person("a", urgent=True), key="a-h2"), at=later)
    first, second = waits(db)
    assert (first["first_reply_at"], first["answered_by"], first["table"]) == (
        T0 + timedelta(seconds=90),
        "Lan",
        "7",
    )
    assert (second["started_at"], second["first_reply_at"], second["urgent"]) == (
        later,
        None,
        True,
    )


def test_an_escalation_while_held_is_not_a_new_wait(db: Engine) -> None:
    write(db, ask_for_person("a"))
    [waiting] = handover.queue(db)
    handover.claim(db, waiting.id, "Lan", T0)
    write(db, replace(ask_for_person("a"), key="a-again"), at=T0 + timedelta(minutes=2))
    assert len(waits(db)) == 1


def test_a_rating_is_filed_under_the_latest_need_and_updated_by_its_card(db: Engine) -> None:
    where = replace(context("a", "m1"), table="5")
    write(db, NeedOpened("k1", "phone_power", "hết pin rồi", where), at=T0)
    key = where.conversation_key
    ratings.rate(db, key, ratings.GuestRating("card-0001", 2, ended_by="thanks"), T0)
    again = ratings.GuestRating("card-0001", 4, "Sạc nhanh, cảm ơn", "thanks")
    ratings.rate(db, key, again, T0 + timedelta(minutes=1))
    ratings.rate(db, "someone-else", ratings.GuestRating("card-0002", 5), T0)
    with db.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(select(Rating).order_by(Rating.id))]
    assert [(r["stars"], r["comment"], r["need"], r["table"]) for r in rows] == [
        (4, "Sạc nhanh, cảm ơn", "phone_power", "5"),
        (5, None, None, None),
    ]


@pytest.mark.parametrize("stars, ended_by", [(0, None), (6, None), (3, "left")])
def test_a_rating_out_of_range_is_refused(stars: int, ended_by: str) -> None:
    with pytest.raises(ValueError):
        ratings.GuestRating("card-0001", stars, ended_by=ended_by)


def test_the_transcript_starts_with_what_was_said_before_the_escalation(db: Engine) -> None:
    earlier = (("guest", "em có sạc không, số em 0912345678"), ("bot", "Như vậy đã ổn chưa ạ?"))
    write(db, replace(ask_for_person("a"), earlier=earlier))
    write(db, replace(ask_for_person("a"), earlier=earlier))  # replayed: no second copy
    [waiting] = handover.queue(db)
    assert [(line.author, line.text) for line in waiting.lines] == [
        ("guest", "em có sạc không, số em [SĐT]"),
        ("bot", "Như vậy đã ổn chưa ạ?"),
        ("guest", "cho mình gặp nhân viên"),
    ]
    assert handover.guest_view(db, context("a").conversation_key, 0).lines == ()  # staff only


def test_stars_tapped_on_zalo_reach_the_ratings_through_the_need_log(db: Engine) -> None:
    where = replace(context("z", "m1"), channel="zalo")
    write(db, NeedOpened("k1", "internet_access", "wifi pass là gì", where), at=T0)
    tapped = RatingGiven("z-rating", 5, replace(where, message_id="m2"), "goodbye")
    write(db, tapped, at=T0 + timedelta(minutes=2))
    write(db, tapped, at=T0 + timedelta(minutes=2))  # replayed by the outbox: still one
    with db.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(select(Rating))]
    assert [(r["stars"], r["need"], r["channel"], r["ended_by"]) for r in rows] == [
        (5, "internet_access", "zalo", "goodbye")
    ]
