"""Over REST: a table booked through the form, a full slot's alternatives, change and cancel.

The stack's own database (SQLite) is read to check what was stored; the
full slot is made by booking every fitting table of the branch beforehand.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import List

import pytest
import requests
from test_rest_conversations import buttons, new_sender, texts

from bot.business.booking import BookingDesk, BookingRequest
from bot.business.profile import BusinessProfile
from bot.store.bookings import BookingStore
from bot.store.db import make_engine

pytestmark = pytest.mark.slow


def joined(replies: List[dict]) -> str:
    return "\n".join(texts(replies))


def desk_of(stack) -> BookingDesk:
    profile = BusinessProfile.load(Path(stack.env["BUSINESS_FILE"]))
    return BookingDesk(lambda: profile, BookingStore(make_engine(stack.database_url)))


def say_at_table(stack, sender: str, message: str, table: str) -> List[dict]:
    body = {"sender": sender, "message": message, "metadata": {"table": table}}
    response = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


def code_in(text: str) -> str:
    found = re.search(r"Mã đặt bàn là ([A-Z0-9]{6})", text)
    assert found, text
    return found.group(1)


def test_a_booking_is_reflected_asked_for_what_is_missing_and_stored(live_stack) -> None:
    guest = new_sender()
    first = joined(live_stack.say(guest, "tối mai còn bàn cho 4 người không em"))
    assert "cần bàn cho 4 người tối mai" in first, first
    assert "mấy giờ" in first  # only the time is missing, not the day or the party
    asked_branch = live_stack.say(guest, "7h")
    titles = [b["title"] for b in buttons(asked_branch)]
    assert "Quán Mộc Hoàn Kiếm" in titles, asked_branch
    assert "tên" in joined(live_stack.say(guest, "Quán Mộc Hoàn Kiếm"))
    assert "số điện thoại" in joined(live_stack.say(guest, "Lan"))
    # the widget sends the table the guest sits at as metadata (SPEC §4)
    done = joined(say_at_table(live_stack, guest, "0901 234 567", table="5"))
    code = code_in(done)

    stored = desk_of(live_stack).find(code)
    assert stored is not None and stored.status == "confirmed"
    assert (stored.branch, stored.party_size, stored.name) == ("hoan-kiem", 4, "Lan")
    assert (stored.starts_at.hour, stored.phone, stored.table) == (19, "0901234567", "5")

    moved = joined(live_stack.say(guest, f"đổi bàn {code} sang 8h tối"))
    assert "20h" in moved and desk_of(live_stack).find(code).starts_at.hour == 20
    cancelled = joined(live_stack.say(guest, f"hủy bàn {code} giúp em"))
    assert "hủy" in cancelled and desk_of(live_stack).find(code).status == "cancelled"


def test_a_full_slot_offers_alternatives_and_a_button_books_one(live_stack) -> None:
    desk = desk_of(live_stack)
    profile = desk.profile
    now = dt.datetime.now(dt.timezone.utc)
    day = profile.local(now).date() + dt.timedelta(days=3)
    at = dt.datetime.combine(day, dt.time(19, 0), tzinfo=profile.zone)
    while desk.book(BookingRequest("hoan-kiem", at, 4, name="Khách khác"), now).ok:
        pass  # until every table for 4 at 19h that day is taken

    guest = new_sender()
    said = f"chị muốn đặt bàn 4 người 7h tối ngày {day:%d/%m} ở hoàn kiếm"
    first = joined(live_stack.say(guest, said))
    assert "Dạ chị cần bàn cho 4 người" in first, first
    live_stack.say(guest, "Minh")
    offered = live_stack.say(guest, "0912 345 678")
    assert "kín bàn" in joined(offered), offered
    choices = {b["title"]: b["payload"] for b in buttons(offered)}
    assert "Vào danh sách chờ" in choices and "Quán Mộc Cầu Giấy" in choices, choices

    booked = joined(live_stack.say(guest, choices["Quán Mộc Cầu Giấy"]))
    stored = desk_of(live_stack).find(code_in(booked))
    assert (stored.branch, stored.name, stored.starts_at.hour) == ("cau-giay", "Minh", 19)
