"""The booking conversation: what a message gives the form, the reflection, the outcome.

Why: the Rasa form (``booking_form`` in domain.yml, ``actions/booking.py``)
asks only for what is missing, but *what a Vietnamese message says* — "tối
mai 7h", "4 ng", "0901 234 567", a button's payload — is business logic.
It lives here, pure and testable without Rasa: slot values in, slot values
and replies out. Dates and times come from :mod:`bot.business.when`, the
decision from :class:`~bot.business.booking.BookingDesk`, the wording of the
outcome from :mod:`bot.business.booking_replies`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

from bot.business.answers import Answer, addressed, clock, day_name
from bot.business.booking import BookingDesk, BookingRequest
from bot.business.booking_replies import TOPIC, booking_answer
from bot.business.menu import folded_words, has_words
from bot.business.profile import BusinessProfile
from bot.business.when import parse_when
from bot.language.text import fold
from bot.store.bookings import CODE_ALPHABET, CODE_LENGTH, normalise_code

BRANCH, DATE, TIME, PARTY = "booking_branch", "booking_date", "booking_time", "party_size"
NAME, PHONE, CODE, WAITLIST = "guest_name", "guest_phone", "booking_code", "booking_waitlist"
# What the form asks for, in this order, when the guest has not said it yet.
REQUIRED = (DATE, TIME, PARTY, BRANCH, NAME, PHONE)
BOOK, MANAGED = "book", "managed"  # values of the booking_step slot the rules branch on
CANCEL, CHANGE = "cancel", "change"
# Slots cleared once a booking is made (name and phone stay for the next one).
CLEARED_AFTER_BOOKING = (BRANCH, DATE, TIME, PARTY, WAITLIST)

_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){9}(?!\d)")
_CODE = re.compile(rf"\b[{CODE_ALPHABET}]{{{CODE_LENGTH}}}\b")
# "dạ mình tên là Lan" -> "Lan"; each lead word only when another word follows ("Minh", "Lan")
_NAME_LEAD = re.compile(
    r"^(?:(?:dạ|da|vâng|vang|ok)\s+)?(?:(?:mình|minh|em|anh|chị|chi|tôi|toi)\s+)?"
    r"(?:(?:tên là|ten la|tên|ten|là|la)\s+)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Draft:
    """The booking as the slots hold it; ``None`` where the guest has not said."""

    branch: Optional[str] = None
    date: Optional[str] = None  # ISO date, local
    time: Optional[str] = None  # "HH:MM", local
    party_size: Optional[int] = None
    name: Optional[str] = None
    phone: Optional[str] = None
    waitlist: bool = False

    @classmethod
    def from_slots(cls, slots: Mapping[str, Any]) -> "Draft":
        """The draft from slot values (as Rasa stores them: strings, floats)."""
        party = slots.get(PARTY)
        return cls(
            branch=slots.get(BRANCH),
            date=slots.get(DATE),
            time=slots.get(TIME),
            party_size=int(float(party)) if party not in (None, "") else None,
            name=slots.get(NAME),
            phone=slots.get(PHONE),
            waitlist=bool(slots.get(WAITLIST)),
        )

    def at(self) -> Optional[dt.datetime]:
        """Local date and time together (naive), once both are known."""
        if not (self.date and self.time):
            return None
        day, time = dt.date.fromisoformat(self.date), dt.time.fromisoformat(self.time)
        return dt.datetime.combine(day, time)


def heard(
    profile: BusinessProfile,
    text: str,
    now: dt.datetime,
    entities: Mapping[str, Any],
    requested: Optional[str] = None,
) -> Dict[str, Any]:
    """Slot values ``text`` (or a button's ``entities``) gives; ``requested`` is the slot asked."""
    local = profile.local(now)
    values: Dict[str, Any] = {}
    if not text.startswith("/"):
        values.update(_from_words(profile, text, local, requested))
    values.update(_from_payload(profile, entities))
    if len(profile.branches) == 1:
        values.setdefault(BRANCH, profile.branches[0].id)
    return values


def _from_words(
    profile: BusinessProfile, text: str, local: dt.datetime, requested: Optional[str]
) -> Dict[str, Any]:
    values: Dict[str, Any] = {}
    # asked for a name or phone, "Mai" is a name, not tomorrow
    when = parse_when("" if requested in (NAME, PHONE) else text, local)
    if when.date:
        values[DATE] = when.date.isoformat()
    if when.time:
        values[TIME] = when.time.strftime("%H:%M")
        if requested is None:  # "7h" in the first message: today, or tomorrow if past
            values.setdefault(DATE, (when.moment(local) or local).date().isoformat())
    if when.party_size:
        values[PARTY] = when.party_size
    elif requested == PARTY and text.strip().isdigit():
        values[PARTY] = int(text.strip())
    phone = _PHONE.search(text)
    if phone:
        values[PHONE] = re.sub(r"[^\d+]", "", phone.group(0))
    folded = folded_words(text)
    for branch in profile.branches:
        if any(has_words(folded, fold(word)) for word in (branch.name, *branch.words)):
            values[BRANCH] = branch.id
    if requested == NAME and not values:
        name = _NAME_LEAD.sub("", text.strip()).strip(" .,!")
        if 0 < len(name) <= 60 and not any(c.isdigit() for c in name):
            values[NAME] = name[:1].upper() + name[1:]
    return values


def _from_payload(profile: BusinessProfile, entities: Mapping[str, Any]) -> Dict[str, Any]:
    """``/book_table{"branch":…,"time":"2026-12-03T19:00","party_size":4,"waitlist":true}``."""
    values: Dict[str, Any] = {}
    if entities.get("branch") in {b.id for b in profile.branches}:
        values[BRANCH] = entities["branch"]
    with contextlib.suppress(KeyError, ValueError):
        at = dt.datetime.fromisoformat(str(entities["time"]))
        values[DATE], values[TIME] = at.date().isoformat(), at.strftime("%H:%M")
    with contextlib.suppress(KeyError, TypeError, ValueError):
        values[PARTY] = int(float(entities["party_size"]))
    if entities.get("waitlist") in (True, "true", "True"):
        values[WAITLIST] = True
    return values


def reflection(
    profile: BusinessProfile,
    draft: Draft,
    now: dt.datetime,
    addressee: Optional[str],
    text: str = "",
) -> Answer:
    """The need said back: "Dạ anh cần bàn cho 4 người tối nay ạ, em xem bàn ngay nhé."."""
    local = profile.local(now)
    parts = ["Dạ {kh} cần bàn"]
    if draft.party_size:
        parts.append(f"cho {draft.party_size} người")
    if draft.time:
        hour, minute = (int(x) for x in draft.time.split(":"))
        parts.append(clock(hour * 60 + minute))
    if draft.date:
        parts.append(_day(dt.date.fromisoformat(draft.date), local, text, bool(draft.time)))
    if draft.branch and len(profile.branches) > 1:
        parts.append("tại " + profile.branch(draft.branch).name)
    text = " ".join(parts) + " ạ. Em xem bàn cho {kh} ngay nhé."
    return addressed(TOPIC, [text], (), addressee)


def _day(day: dt.date, local: dt.datetime, text: str, has_time: bool) -> str:
    """Say the day as "tối nay", "trưa mai", or as :func:`day_name` does."""
    part = None if has_time else parse_when(text, local).part_of_day
    offset = (day - local.date()).days
    if part and offset in (0, 1):
        return f"{part} {'nay' if offset == 0 else 'mai'}"
    named = day_name(day, local.date())
    return f"{part} {named}" if part else named


def branch_question(profile: BusinessProfile, addressee: Optional[str]) -> Answer:
    """Which branch: buttons whose title the form reads back as the branch's words."""
    buttons = tuple((b.name, b.name) for b in profile.branches)
    return addressed(TOPIC, ["Dạ {kh} muốn đặt bàn ở cơ sở nào ạ?"], buttons, addressee)


def submit(
    desk: BookingDesk,
    draft: Draft,
    now: dt.datetime,
    *,
    conversation_key: Optional[str] = None,
    table: Optional[str] = None,
    addressee: Optional[str] = None,
) -> Tuple[Answer, Optional[str]]:
    """Book the draft: the reply (code, or alternatives as buttons) and the booking code."""
    at = draft.at()
    profile = desk.profile
    if at is None or not draft.party_size or not draft.branch:
        return branch_question(profile, addressee), None
    request = BookingRequest(
        branch=draft.branch,
        at=at.replace(tzinfo=profile.zone),
        party_size=draft.party_size,
        name=draft.name,
        phone=draft.phone,
        table=table,
        conversation_key=conversation_key,
    )
    outcome = desk.book(request, now, waitlist=draft.waitlist)
    asked = (draft.branch, at, draft.party_size)
    answer = booking_answer(profile, outcome, now, asked=asked, addressee=addressee)
    return answer, outcome.booking.code if outcome.ok and outcome.booking else None


_CANCEL_WORDS = ("huy", "cancel", "khong den duoc", "bo dat", "khong toi duoc")
_CHANGE_WORDS = ("doi", "doi lai", "chuyen", "lui", "sua", "them nguoi", "bot nguoi", "len")


def manage_kind(text: str, code: Optional[str]) -> Optional[str]:
    """CANCEL or CHANGE when the message is about an existing booking, else None (a new one)."""
    folded = folded_words(text)
    if any(has_words(folded, word) for word in _CANCEL_WORDS):
        return CANCEL
    about_booked = code is not None or has_words(folded, "da dat")
    if about_booked and any(has_words(folded, word) for word in _CHANGE_WORDS):
        return CHANGE
    return CHANGE if code is not None else None


def find_code(text: str) -> Optional[str]:
    """A booking code in what the guest typed ("huỷ bàn k7qxa3"), if any."""
    for token in re.findall(r"[0-9A-Za-z]+", text):
        candidate = normalise_code(token)
        if _CODE.fullmatch(candidate) and any(c.isdigit() for c in candidate):
            return candidate
    upper = [normalise_code(t) for t in re.findall(r"\b[0-9A-Z]+\b", text)]
    return next((t for t in upper if _CODE.fullmatch(t)), None)


def ask_for_code(addressee: Optional[str]) -> Answer:
    """No code in the message: say how to give it."""
    text = (
        "Dạ {kh} cho em xin mã đặt bàn (6 ký tự, trong tin nhắn xác nhận) ạ, "
        'ví dụ: "đổi bàn K7QXA3 sang 8h tối" hoặc "hủy bàn K7QXA3".'
    )
    return addressed(TOPIC, [text], (), addressee)


def change(
    desk: BookingDesk, code: str, text: str, now: dt.datetime, addressee: Optional[str]
) -> Answer:
    """Move or resize the booking ``code`` as ``text`` says ("sang 8h tối mai", "6 người")."""
    profile = desk.profile
    local = profile.local(now)
    when = parse_when(text, local)
    current = desk.find(code)
    at: Optional[dt.datetime] = None
    if current is not None and (when.date or when.time):
        day = when.date or current.starts_at.date()
        hour = when.time or current.starts_at.time()
        at = dt.datetime.combine(day, hour, tzinfo=profile.zone)
    if current is not None and at is None and not when.party_size:
        message = (
            f"Dạ bàn {current.code} đang là {current.party_size} người, "
            f"{clock(current.starts_at.hour * 60 + current.starts_at.minute)} "
            f"{day_name(current.starts_at.date(), local.date())}. "
            "{Kh} muốn đổi sang giờ nào hoặc bao nhiêu người ạ?"
        )
        return addressed(TOPIC, [message], (), addressee)
    outcome = desk.change(code, now, at=at, party_size=when.party_size)
    asked = None
    if current is not None:
        target = (at or current.starts_at).replace(tzinfo=None)
        asked = (current.branch, target, when.party_size or current.party_size)
    return booking_answer(profile, outcome, now, asked=asked, addressee=addressee)


def cancel(desk: BookingDesk, code: str, now: dt.datetime, addressee: Optional[str]) -> Answer:
    """Cancel the booking ``code``."""
    return booking_answer(desk.profile, desk.cancel(code), now, addressee=addressee)
