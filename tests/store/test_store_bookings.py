"""Bookings on SQLite and PostgreSQL: book, full → alternatives, change, cancel, races.

Now is Wednesday 2 December 2026, 10:00 in Hà Nội; the profile is the test
copy of the sample restaurant with the tables each test needs.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path
from typing import Dict, List
from zoneinfo import ZoneInfo

import pytest

from bot.business.booking import (
    CLOSED,
    FULL,
    IN_THE_PAST,
    NOT_FOUND,
    PARTY_TOO_LARGE,
    REFUSED,
    TOO_FAR_AHEAD,
    BookingDesk,
    BookingRequest,
)
from bot.business.profile import BusinessProfile
from bot.store.bookings import CANCELLED, CODE_ALPHABET, CONFIRMED, WAITLIST, BookingStore
from bot.store.migrate import upgrade

PROFILE_PATH = Path(__file__).resolve().parent.parent / "business" / "business.yml"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZONE)
EVENING = dt.datetime(2026, 12, 3, 19, 0)  # Thursday, local
PHONE = "0912 345 678"


def profile_with(tables: Dict[str, Dict[int, int]]) -> BusinessProfile:
    profile = BusinessProfile.load(PROFILE_PATH)
    branches = [b.copy(update={"tables": tables.get(b.id, b.tables)}) for b in profile.branches]
    return profile.copy(update={"branches": branches})


@pytest.fixture
def make_desk(db_url, engines):
    upgrade(db_url)

    def make(tables: Dict[str, Dict[int, int]]) -> BookingDesk:
        profile = profile_with(tables)
        return BookingDesk(lambda: profile, BookingStore(engines(db_url)))

    return make


def request(at: dt.datetime = EVENING, size: int = 4, branch: str = "hoan-kiem") -> BookingRequest:
    return BookingRequest(branch, at, size, name="Minh", phone=PHONE, conversation_key="conv")


def at(hour: int, minute: int = 0) -> dt.datetime:
    return EVENING.replace(hour=hour, minute=minute)


def test_book_confirms_with_a_short_unambiguous_code(make_desk):
    desk = make_desk({"hoan-kiem": {2: 2, 4: 1}})

    outcome = desk.book(request(size=3), NOW)

    assert outcome.ok and outcome.status == CONFIRMED
    booking = outcome.booking
    assert len(booking.code) == 6 and set(booking.code) <= set(CODE_ALPHABET)
    assert (booking.branch, booking.starts_at, booking.party_size, booking.seats) == (
        "hoan-kiem",
        EVENING,
        3,
        4,
    )
    assert booking.phone == PHONE and booking.conversation_key == "conv"
    assert desk.find(booking.code.lower()) == booking  # codes are read case-insensitively


def test_an_aware_time_is_stored_as_local_wall_clock(make_desk):
    desk = make_desk({})
    utc = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.timezone.utc)  # 19:00 in Hà Nội
    assert desk.book(request(at=utc), NOW).booking.starts_at == EVENING


def test_a_full_slot_offers_nearest_times_the_other_branch_and_the_waitlist(make_desk):
    desk = make_desk({"hoan-kiem": {4: 1}, "cau-giay": {4: 1}})
    assert desk.book(request(), NOW).status == CONFIRMED

    for overlapping in (at(19), at(19, 30), at(18, 0)):  # slots are 90 minutes
        full = desk.book(request(at=overlapping), NOW)
        assert (full.status, full.ok, full.booking) == (FULL, False, None)

    full = desk.book(request(at=at(19)), NOW)
    assert full.alternatives.same_day == (at(17), at(17, 30), at(20, 30))
    assert full.alternatives.other_branches == ("cau-giay",)
    assert full.alternatives.waitlist is True
    assert desk.book(request(at=at(20, 30)), NOW).status == CONFIRMED


def test_a_party_takes_the_smallest_free_table_it_fits(make_desk):
    desk = make_desk({"hoan-kiem": {2: 1, 4: 1, 6: 1}})
    seats = [desk.book(request(size=2), NOW).booking.seats for _ in range(3)]
    assert seats == [2, 4, 6]
    assert desk.book(request(size=2), NOW).status == FULL


def test_the_waiting_list_when_full(make_desk):
    desk = make_desk({"hoan-kiem": {4: 1}})
    desk.book(request(), NOW)
    waiting = desk.book(request(), NOW, waitlist=True)
    assert waiting.ok and waiting.status == WAITLIST == waiting.booking.status
    assert desk.book(request(at=at(20, 30)), NOW).status == CONFIRMED  # the list holds no table


def test_change_time_and_size(make_desk):
    desk = make_desk({"hoan-kiem": {4: 1, 6: 1}})
    code = desk.book(request(), NOW).booking.code

    moved = desk.change(code, NOW, at=at(20))
    assert (moved.status, moved.booking.starts_at, moved.booking.code) == (CONFIRMED, at(20), code)

    bigger = desk.change(code, NOW, party_size=6)
    assert (bigger.booking.party_size, bigger.booking.seats) == (6, 6)

    desk.book(request(at=at(18, 0), size=6), NOW)  # the 6-seat table is taken at 18:00
    full = desk.change(code, NOW, at=at(18, 30))
    assert full.status == FULL  # its own table at 20:00 does not count against it:
    assert full.alternatives.same_day == (at(16, 30), at(19, 30), at(20))
    assert desk.find(code).starts_at == at(20)  # unchanged


def test_moving_within_its_own_slot_does_not_collide_with_itself(make_desk):
    desk = make_desk({"hoan-kiem": {4: 1}})
    code = desk.book(request(), NOW).booking.code
    assert desk.change(code, NOW, at=at(19, 30)).status == CONFIRMED


def test_cancel_frees_the_table(make_desk):
    desk = make_desk({"hoan-kiem": {4: 1}})
    code = desk.book(request(), NOW).booking.code
    assert desk.book(request(), NOW).status == FULL

    cancelled = desk.cancel(code)
    assert cancelled.ok and cancelled.booking.status == CANCELLED
    assert desk.book(request(), NOW).status == CONFIRMED
    assert desk.cancel("NOPE99").status == NOT_FOUND
    assert desk.change(code, NOW, at=at(20)).reason == "not_changeable"


@pytest.mark.parametrize(
    ("when", "size", "reason"),
    [
        (at(19), 11, PARTY_TOO_LARGE),
        (dt.datetime(2026, 12, 2, 9, 0), 4, IN_THE_PAST),
        (dt.datetime(2027, 2, 7, 19, 0), 4, CLOSED),  # Tết
        (dt.datetime(2026, 12, 3, 21, 30), 4, CLOSED),  # within an hour of closing
        (dt.datetime(2027, 1, 15, 19, 0), 4, TOO_FAR_AHEAD),
    ],
)
def test_refusals_say_why(make_desk, when, size, reason):
    outcome = make_desk({}).book(request(at=when, size=size), NOW)
    assert (outcome.status, outcome.reason) == (REFUSED, reason)


def test_too_late_in_the_evening_still_offers_earlier_times(make_desk):
    outcome = make_desk({}).book(request(at=dt.datetime(2026, 12, 3, 21, 30)), NOW)
    assert outcome.alternatives.same_day == (at(20), at(20, 30), at(21))


def test_free_times_of_a_day(make_desk):
    desk = make_desk({"hoan-kiem": {4: 1}})
    desk.book(request(), NOW)
    times = desk.free_times("hoan-kiem", EVENING.date(), 4, NOW)
    assert times[0] == at(7) and times[-1] == at(21)
    assert at(18) not in times and at(19) not in times and at(20, 30) in times


def test_the_phone_is_stored_but_never_logged(make_desk, caplog):
    caplog.set_level(logging.DEBUG, logger="bot")
    desk = make_desk({})
    code = desk.book(request(), NOW).booking.code
    desk.change(code, NOW, at=at(20))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert code in logged and "[SĐT]" in logged
    assert "345" not in logged
    assert PHONE not in repr(desk.find(code))


def test_two_guests_never_take_the_last_table(make_desk):
    """Ten guests race for the last table: exactly one gets it, the others get alternatives."""
    desk = make_desk({"hoan-kiem": {4: 1}})
    barrier = threading.Barrier(10)
    outcomes: List[str] = []
    errors: List[BaseException] = []

    def guest() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(desk.book(request(), NOW).status)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=guest) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes) == [CONFIRMED] + [FULL] * 9


def test_the_days_bookings_for_the_staff_console(db_url, engines):
    from bot.store.bookings import NewBooking, bookings_on

    upgrade(db_url)
    engine = engines(db_url)
    day = dt.date(2026, 12, 2)

    def book(hour: int, status: str, name: str, on: dt.date = day) -> None:
        starts = dt.datetime.combine(on, dt.time(hour))
        booking = NewBooking(
            branch="q1", starts_at=starts, party_size=2, seats=2, status=status, name=name
        )
        with engine.begin() as connection:
            BookingStore.insert(connection, booking)

    book(19, CONFIRMED, "Minh")
    book(12, WAITLIST, "Hoa")
    book(18, CANCELLED, "Nam")
    book(12, CONFIRMED, "Tomorrow", on=day + dt.timedelta(days=1))
    assert [(b.name, b.status) for b in bookings_on(engine, day)] == [
        ("Hoa", WAITLIST),
        ("Minh", CONFIRMED),
    ]
