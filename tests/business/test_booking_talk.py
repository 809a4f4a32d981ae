"""The booking conversation without Rasa: what a message gives, the reflection, the outcome.

Now is Wednesday 2 December 2026, 10:00 in Hà Nội; bookings go to SQLite in tmp_path.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.business import booking_talk as talk
from bot.business.booking import BookingDesk
from bot.business.profile import BusinessProfile
from bot.store.bookings import BookingStore
from bot.store.db import make_engine
from bot.store.migrate import upgrade

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(scope="module")
def profile() -> BusinessProfile:
    return BusinessProfile.load()


@pytest.fixture
def desk(tmp_path, profile: BusinessProfile) -> BookingDesk:
    url = f"sqlite:///{tmp_path / 'bookings.db'}"
    upgrade(url)
    return BookingDesk(lambda: profile, BookingStore(make_engine(url)))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tối nay còn bàn cho 4 người không", {"booking_date": "2026-12-02", "party_size": 4}),
        (
            "dat ban 4 ng 7h toi mai o cau giay",
            {
                "booking_date": "2026-12-03",
                "booking_time": "19:00",
                "party_size": 4,
                "booking_branch": "cau-giay",
            },
        ),
        ("số mình 0901 234 567 nhé", {"guest_phone": "0901234567"}),
    ],
)
def test_a_message_gives_what_it_says(profile, text, expected) -> None:
    assert talk.heard(profile, text, NOW, {}) == expected


def test_answers_to_the_form_questions(profile) -> None:
    assert talk.heard(profile, "4", NOW, {}, requested=talk.PARTY) == {talk.PARTY: 4}
    assert talk.heard(profile, "7h30", NOW, {}, requested=talk.TIME) == {talk.TIME: "19:30"}
    assert talk.heard(profile, "mình tên Lan", NOW, {}, requested=talk.NAME) == {talk.NAME: "Lan"}
    assert talk.heard(profile, "Lan", NOW, {}, requested=talk.PHONE) == {}  # not a phone


def test_a_button_payload_is_the_whole_booking(profile) -> None:
    entities = {"branch": "cau-giay", "time": "2026-12-03T19:30", "party_size": 4, "waitlist": True}
    assert talk.heard(profile, '/book_table{"…"}', NOW, entities) == {
        talk.BRANCH: "cau-giay",
        talk.DATE: "2026-12-03",
        talk.TIME: "19:30",
        talk.PARTY: 4,
        talk.WAITLIST: True,
    }


def test_the_need_is_said_back_as_the_guest_said_it(profile) -> None:
    text = "tối nay còn bàn cho 4 người không"
    draft = talk.Draft.from_slots(talk.heard(profile, text, NOW, {}))
    (said,) = talk.reflection(profile, draft, NOW, "chị", text).messages
    assert said.startswith("Dạ chị cần bàn cho 4 người tối nay ạ")


@pytest.mark.parametrize(
    "text, kind",
    [
        ("hủy bàn K7QXA3 giúp mình", talk.CANCEL),
        ("huy ban da dat toi nay", talk.CANCEL),
        ("đổi bàn k7qxa3 sang 8h tối", talk.CHANGE),
        ("cho em doi ban da dat sang 7 ruoi toi", talk.CHANGE),
        ("đặt bàn 4 người tối mai", None),
    ],
)
def test_change_and_cancel_are_told_from_a_new_booking(text, kind) -> None:
    assert talk.manage_kind(text, talk.find_code(text)) == kind


def _draft(**changes) -> talk.Draft:
    base = dict(
        branch="hoan-kiem",
        date="2026-12-03",
        time="19:00",
        party_size=4,
        name="Lan",
        phone="0901234567",
    )
    return talk.Draft(**{**base, **changes})


def test_book_change_cancel_with_the_code(desk: BookingDesk) -> None:
    answer, code = talk.submit(desk, _draft(), NOW, table="5")
    assert code and code in answer.messages[0]
    assert desk.find(code).table == "5"

    moved = talk.change(desk, code, f"đổi bàn {code} sang 8h tối", NOW, None)
    assert "20h" in moved.messages[0] and desk.find(code).starts_at.hour == 20

    cancelled = talk.cancel(desk, code, NOW, None)
    assert "hủy" in cancelled.messages[0] and desk.find(code).status == "cancelled"


def test_a_full_slot_offers_alternatives_as_buttons(desk: BookingDesk, profile) -> None:
    fours = sum(n for seats, n in profile.branch("hoan-kiem").tables.items() if seats >= 4)
    for _ in range(fours):
        assert talk.submit(desk, _draft(), NOW)[1]
    answer, code = talk.submit(desk, _draft(), NOW)
    assert code is None
    payloads = [payload for _, payload in answer.buttons]
    assert any('"branch":"cau-giay"' in p for p in payloads)
    assert any('"waitlist":true' in p for p in payloads)
    assert all(p.startswith("/book_table{") for p in payloads)


@pytest.mark.parametrize(
    "said, name",
    [
        ("Lan", "Lan"),
        ("Minh", "Minh"),
        ("dạ mình tên là Nguyễn Văn Nam", "Nguyễn Văn Nam"),
        ("ten la hoa", "Hoa"),
        ("chị Mai", "Mai"),
    ],
)
def test_a_name_is_read_as_given(profile, said, name) -> None:
    assert talk.heard(profile, said, NOW, {}, requested=talk.NAME) == {talk.NAME: name}


def test_a_part_of_day_is_kept_for_a_later_day(profile) -> None:
    text = "đặt bàn cho 2 người tối thứ 7 ở cầu giấy"
    draft = talk.Draft.from_slots(talk.heard(profile, text, NOW, {}))
    (said,) = talk.reflection(profile, draft, NOW, None, text).messages
    assert "cho 2 người tối thứ 7 (05/12) tại Quán Mộc Cầu Giấy" in said
