"""How booking outcomes are worded: a code, or alternatives with buttons, never a flat no."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.business.booking import (
    CLOSED,
    FULL,
    NOT_FOUND,
    PARTY_TOO_LARGE,
    REFUSED,
    Alternatives,
    BookingOutcome,
)
from bot.business.booking_replies import book_payload, booking_answer
from bot.business.profile import BusinessProfile
from bot.store.bookings import CANCELLED, CONFIRMED, WAITLIST, BookingRow

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
AT = dt.datetime(2026, 12, 3, 19, 0)
ASKED = ("hoan-kiem", AT, 4)


@pytest.fixture(scope="module")
def profile() -> BusinessProfile:
    return BusinessProfile.load(Path(__file__).resolve().parent / "business.yml")


def row(status: str) -> BookingRow:
    return BookingRow(
        id=1, code="K7QXA3", branch="hoan-kiem", starts_at=AT, party_size=4, seats=4, status=status
    )


def test_confirmed_gives_the_code(profile):
    answer = booking_answer(
        profile, BookingOutcome(CONFIRMED, row(CONFIRMED)), NOW, addressee="anh"
    )
    assert answer.topic == "book_table"
    assert answer.messages == (
        "Dạ em đã giữ bàn cho anh rồi ạ: 4 người, 19h mai tại Quán Mộc Hoàn Kiếm. "
        "Mã đặt bàn là K7QXA3, anh dùng mã này khi tới quán hoặc khi cần đổi, hủy bàn nhé ạ.",
    )


def test_waitlist_and_cancelled(profile):
    waiting = booking_answer(profile, BookingOutcome(WAITLIST, row(WAITLIST)), NOW)
    assert "danh sách chờ" in waiting.messages[0] and "K7QXA3" in waiting.messages[0]
    cancelled = booking_answer(profile, BookingOutcome(CANCELLED, row(CANCELLED)), NOW)
    assert cancelled.messages[0].startswith("Dạ em đã hủy bàn K7QXA3 (19h mai)")


def test_full_offers_times_the_other_branch_and_the_waitlist_as_buttons(profile):
    offer = Alternatives((AT.replace(hour=17), AT.replace(hour=20, minute=30)), ("cau-giay",), True)
    answer = booking_answer(profile, BookingOutcome(FULL, alternatives=offer), NOW, asked=ASKED)
    assert answer.messages[0] == (
        "Dạ tiếc quá, 19h mai Quán Mộc Hoàn Kiếm đã kín bàn cho 4 người rồi ạ. "
        "Anh/chị xem giúp em nhé:\n"
        "• Cùng ngày còn bàn lúc 17h, 20h30\n"
        "• Quán Mộc Cầu Giấy còn bàn đúng giờ đó\n"
        "• Hoặc em ghi anh/chị vào danh sách chờ, có bàn em báo ngay ạ"
    )
    titles = [title for title, _ in answer.buttons]
    assert titles == ["17h", "20h30", "Quán Mộc Cầu Giấy", "Vào danh sách chờ"]
    payload = answer.buttons[2][1]
    assert payload.startswith("/book_table{")
    assert json.loads(payload[len("/book_table") :]) == {
        "branch": "cau-giay",
        "time": "2026-12-03T19:00",
        "party_size": 4,
    }
    assert json.loads(answer.buttons[3][1][len("/book_table") :])["waitlist"] is True


def test_refusals_explain_and_offer_a_next_step(profile):
    big = booking_answer(
        profile, BookingOutcome(REFUSED, reason=PARTY_TOO_LARGE), NOW, asked=("hoan-kiem", AT, 14)
    )
    assert big.messages[0].startswith("Dạ nhóm 14 người thì quán cần sắp xếp chỗ riêng ạ.")
    assert big.buttons == (("Gặp nhân viên", "/ask_human"),)
    tet = dt.datetime(2027, 2, 7, 19, 0)
    closed = booking_answer(
        profile, BookingOutcome(REFUSED, reason=CLOSED), NOW, asked=("hoan-kiem", tet, 4)
    )
    assert closed.messages[0] == "Dạ 19h chủ nhật (07/02) quán không nhận bàn ạ (hôm đó quán nghỉ)."


def test_unknown_code(profile):
    assert "chưa tìm thấy mã" in booking_answer(profile, BookingOutcome(NOT_FOUND), NOW).messages[0]


def test_book_payload():
    assert book_payload("cau-giay", AT, 2) == (
        '/book_table{"branch":"cau-giay","time":"2026-12-03T19:00","party_size":2}'
    )
