"""What the guest reads after book / change / cancel: a code, or alternatives, never a flat no.

Why separate: :mod:`bot.business.booking` decides, this module words the
decision in Vietnamese (the same tone as :mod:`bot.business.answers`). Each
refusal reason has its sentence in :data:`REFUSALS`; alternatives become
buttons whose payloads post back the ``book_table`` intent with what was
chosen, e.g. ``/book_table{"branch":"cau-giay","time":"2026-12-03T19:00","party_size":4}``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Dict, List, Optional, Tuple

from bot.business import booking as rules
from bot.business.answers import HUMAN_BUTTON, Answer, Button, addressed, clock, day_name
from bot.business.booking import BookingOutcome
from bot.business.profile import BusinessProfile
from bot.store.bookings import BookingRow

TOPIC = "book_table"

REFUSALS: Dict[str, str] = {
    rules.PARTY_TOO_LARGE: (
        "Dạ nhóm {party} người thì quán cần sắp xếp chỗ riêng ạ. Em nhờ nhân viên "
        "liên hệ {kh} để giữ chỗ nhé?"
    ),
    rules.IN_THE_PAST: "Dạ giờ đó đã qua mất rồi ạ, {kh} muốn đặt lúc mấy giờ ạ?",
    rules.TOO_SOON: (
        "Dạ bàn cần đặt trước ít nhất {notice} phút ạ. {Kh} cứ ghé thẳng quán, "
        "hoặc chọn giờ muộn hơn giúp em nhé."
    ),
    rules.TOO_FAR_AHEAD: (
        "Dạ quán nhận đặt bàn trước tối đa {days} ngày ạ. Em nhờ nhân viên ghi chú "
        "trước cho {kh} nhé?"
    ),
    rules.CLOSED: "Dạ {when} quán không nhận bàn ạ ({hours}).",
    rules.UNKNOWN_BRANCH: "Dạ {kh} muốn đặt bàn ở cơ sở nào ạ?",
    rules.NOT_CHANGEABLE: "Dạ bàn {code} đã được hủy rồi ạ, {kh} đặt bàn mới giúp em nhé?",
}
NEEDS_STAFF = frozenset({rules.PARTY_TOO_LARGE, rules.TOO_FAR_AHEAD})


def book_payload(branch: str, at: dt.datetime, party_size: int, *, waitlist: bool = False) -> str:
    """Button payload that asks for this booking (``/book_table{…}``)."""
    data: Dict[str, object] = {
        "branch": branch,
        "time": at.isoformat(timespec="minutes"),
        "party_size": party_size,
    }
    if waitlist:
        data["waitlist"] = True
    return "/" + TOPIC + json.dumps(data, separators=(",", ":"))


def booking_answer(
    profile: BusinessProfile,
    outcome: BookingOutcome,
    now: dt.datetime,
    *,
    asked: Optional[Tuple[str, dt.datetime, int]] = None,
    addressee: Optional[str] = None,
) -> Answer:
    """Word ``outcome``; ``asked`` is (branch, local time, party size) of the request."""
    today = profile.local(now).date()
    booking = outcome.booking
    if outcome.status == rules.NOT_FOUND:
        messages = ["Dạ em chưa tìm thấy mã đặt bàn này ạ, {kh} kiểm tra lại mã giúp em nhé?"]
        return addressed(TOPIC, messages, (), addressee)
    if booking is not None and outcome.ok:
        return addressed(TOPIC, [_done(profile, booking, today)], (), addressee)
    branch, at, size = asked or ("", now.replace(tzinfo=None), 0)
    if outcome.status == rules.FULL:
        name = _branch_name(profile, branch)
        intro = (
            f"Dạ tiếc quá, {_time(at)} {day_name(at.date(), today)} "
            f"{name} đã kín bàn cho {size} người rồi ạ. {{Kh}} xem giúp em nhé:"
        )
        lines, buttons = _alternatives(profile, outcome, branch, at, size)
        return addressed(TOPIC, [intro + "\n" + "\n".join(lines)], buttons, addressee)
    reason = outcome.reason or ""
    text = REFUSALS.get(reason, "Dạ em chưa giữ được bàn này ạ.").format(
        **_facts(profile, at, size, today, booking), kh="{kh}", Kh="{Kh}"
    )
    lines, buttons = _alternatives(profile, outcome, branch, at, size)
    if reason == rules.UNKNOWN_BRANCH:
        buttons = tuple((b.name, book_payload(b.id, at, size)) for b in profile.branches)
    if reason in NEEDS_STAFF:
        buttons = (HUMAN_BUTTON,)
    return addressed(TOPIC, ["\n".join([text, *lines])], buttons, addressee)


def _done(profile: BusinessProfile, booking: BookingRow, today: dt.date) -> str:
    at = booking.starts_at
    when = f"{_time(at)} {day_name(at.date(), today)}"
    where = _branch_name(profile, booking.branch)
    if booking.status == rules.CANCELLED:
        return (
            f"Dạ em đã hủy bàn {booking.code} ({when}) cho {{kh}} rồi ạ. "
            "Hẹn gặp {kh} dịp khác nhé ạ."
        )
    if booking.status == rules.WAITLIST:
        return (
            f"Dạ em đã ghi {{kh}} vào danh sách chờ: {booking.party_size} người, {when} tại "
            f"{where} (mã {booking.code}). Có bàn trống quán sẽ báo {{kh}} ngay ạ."
        )
    return (
        f"Dạ em đã giữ bàn cho {{kh}} rồi ạ: {booking.party_size} người, {when} tại {where}. "
        f"Mã đặt bàn là {booking.code}, {{kh}} dùng mã này khi tới quán "
        "hoặc khi cần đổi, hủy bàn nhé ạ."
    )


def _alternatives(
    profile: BusinessProfile, outcome: BookingOutcome, branch: str, at: dt.datetime, size: int
) -> Tuple[List[str], Tuple[Button, ...]]:
    offer = outcome.alternatives
    lines: List[str] = []
    buttons: List[Button] = []
    if offer.same_day:
        lines.append(f"• Cùng ngày còn bàn lúc {', '.join(_time(t) for t in offer.same_day)}")
        buttons += [(_time(t), book_payload(branch, t, size)) for t in offer.same_day]
    for other in offer.other_branches:
        name = _branch_name(profile, other)
        lines.append(f"• {name} còn bàn đúng giờ đó")
        buttons.append((name, book_payload(other, at, size)))
    if offer.waitlist and outcome.status == rules.FULL:
        lines.append("• Hoặc em ghi {kh} vào danh sách chờ, có bàn em báo ngay ạ")
        buttons.append(("Vào danh sách chờ", book_payload(branch, at, size, waitlist=True)))
    return lines, tuple(buttons)


def _facts(
    profile: BusinessProfile,
    at: dt.datetime,
    size: int,
    today: dt.date,
    booking: Optional[BookingRow],
) -> Dict[str, object]:
    hours, _ = profile.hours_on(at.date())
    spans = " và ".join(f"{clock(a)}–{clock(b)}" for a, b in hours)
    return {
        "party": size,
        "notice": profile.reservations.min_notice_minutes,
        "days": profile.reservations.days_ahead,
        "when": f"{_time(at)} {day_name(at.date(), today)}",
        "hours": f"hôm đó quán mở {spans}" if spans else "hôm đó quán nghỉ",
        "code": booking.code if booking else "",
    }


def _branch_name(profile: BusinessProfile, branch_id: str) -> str:
    return next((b.name for b in profile.branches if b.id == branch_id), profile.name)


def _time(at: dt.datetime) -> str:
    return clock(at.hour * 60 + at.minute)
