"""Table bookings: availability from the profile's reservation settings, never a flat no.

Why: "còn bàn 4 người tối mai 7h không?" deserves an answer and a booking
code, not a hand-off. Capacity is the profile's tables per branch (seats →
how many); a confirmed booking holds the smallest free table its party fits
for ``slot_minutes``. When the time is full the guest gets the nearest free
times that day, the other branch at the same time and the waiting list.

The database work (codes, rows, the lock that makes sure two guests never
take the last table) is ``bot.store.bookings``; the rules live here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

from sqlalchemy.engine import Connection

from bot.business.profile import BusinessProfile
from bot.store.bookings import (
    CANCELLED,
    CONFIRMED,
    WAITLIST,
    BookingRow,
    BookingStore,
    NewBooking,
)

# Outcome statuses besides the booking ones (confirmed, waitlist, cancelled).
FULL, REFUSED, NOT_FOUND = "full", "refused", "not_found"
# Why a request is refused (what the dialogue says about it).
UNKNOWN_BRANCH = "unknown_branch"
PARTY_TOO_LARGE = "party_too_large"
IN_THE_PAST = "in_the_past"
TOO_SOON = "too_soon"
TOO_FAR_AHEAD = "too_far_ahead"
CLOSED = "closed"
NOT_CHANGEABLE = "not_changeable"
MAX_SAME_DAY_ALTERNATIVES = 3


@dataclass(frozen=True)
class BookingRequest:
    """What the guest asked for; ``at`` is local time (naive or in any time zone)."""

    branch: str
    at: dt.datetime
    party_size: int
    name: Optional[str] = None
    phone: Optional[str] = None
    table: Optional[str] = None
    conversation_key: Optional[str] = None


@dataclass(frozen=True)
class Alternatives:
    """What to offer instead: free times that day, other branches free then, the waiting list."""

    same_day: Tuple[dt.datetime, ...] = ()
    other_branches: Tuple[str, ...] = ()
    waitlist: bool = False


@dataclass(frozen=True)
class BookingOutcome:
    """The result of book / change / cancel."""

    status: str  # confirmed, waitlist, cancelled, full, refused, not_found
    booking: Optional[BookingRow] = None
    alternatives: Alternatives = Alternatives()
    reason: Optional[str] = None  # why refused

    @property
    def ok(self) -> bool:
        """The guest got what they asked for (a table, a place on the list, a cancellation)."""
        return self.status in (CONFIRMED, WAITLIST, CANCELLED)


class BookingDesk:
    """Books, changes and cancels tables for the profile's branches."""

    def __init__(self, profile: Callable[[], BusinessProfile], store: BookingStore) -> None:
        self._profile = profile
        self.store = store

    @property
    def profile(self) -> BusinessProfile:
        """The current profile (for the wording of outcomes)."""
        return self._profile()

    # ----- queries -----

    def free_times(
        self,
        branch: str,
        day: dt.date,
        party_size: int,
        now: dt.datetime,
        ignoring: Optional[int] = None,
    ) -> List[dt.datetime]:
        """Every bookable start time of ``day`` with a table for the party.

        ``ignoring`` is the id of a booking being changed: its own table counts as free.
        """
        profile = self._profile()
        now = _naive_local(profile, now)
        with self.store.engine.connect() as connection:
            holding = self._holding_on(connection, branch, day, ignoring)
        return [
            at
            for at in _start_times(profile, branch, day, now)
            if _table_for(profile, branch, at, party_size, holding) is not None
        ]

    def find(self, code: str) -> Optional[BookingRow]:
        """The booking with this code (for "mã đặt bàn của tôi là …")."""
        return self.store.find(code)

    # ----- changes -----

    def book(
        self, request: BookingRequest, now: dt.datetime, *, waitlist: bool = False
    ) -> BookingOutcome:
        """Confirm a table, or (``waitlist=True`` and allowed) join the waiting list when full."""
        profile = self._profile()
        now = _naive_local(profile, now)
        at = _naive_local(profile, request.at)
        refused = _refusal(profile, request.branch, at, request.party_size, now)
        if refused:
            return self._refused(refused, request.branch, at, request.party_size, now)
        with self.store.locked([(request.branch, at.date())]) as connection:
            holding = self._holding_on(connection, request.branch, at.date())
            seats = _table_for(profile, request.branch, at, request.party_size, holding)
            if seats is None and not (waitlist and profile.reservations.waitlist):
                full = True
            else:
                full = False
                status = CONFIRMED if seats is not None else WAITLIST
                new = NewBooking(
                    branch=request.branch,
                    starts_at=at,
                    party_size=request.party_size,
                    seats=seats or _smallest_fitting(profile, request.branch, request.party_size),
                    status=status,
                    name=request.name,
                    phone=request.phone,
                    table=request.table,
                    conversation_key=request.conversation_key,
                )
                row = self.store.insert(connection, new)
        if full:
            return self._full(request.branch, at, request.party_size, now)
        return BookingOutcome(status, row)

    def change(
        self,
        code: str,
        now: dt.datetime,
        *,
        at: Optional[dt.datetime] = None,
        party_size: Optional[int] = None,
    ) -> BookingOutcome:
        """Move a booking to ``at`` and/or resize it; when full it stays as it was."""
        profile = self._profile()
        now = _naive_local(profile, now)
        current = self.store.find(code)
        if current is None:
            return BookingOutcome(NOT_FOUND)
        if current.status == CANCELLED:
            return BookingOutcome(REFUSED, current, reason=NOT_CHANGEABLE)
        new_at = _naive_local(profile, at) if at else current.starts_at
        size = party_size or current.party_size
        refused = _refusal(profile, current.branch, new_at, size, now)
        if refused:
            return self._refused(refused, current.branch, new_at, size, now)
        days = [(current.branch, current.starts_at.date()), (current.branch, new_at.date())]
        with self.store.locked(days) as connection:
            current = self.store.by_code(connection, code)
            assert current is not None
            holding = self._holding_on(connection, current.branch, new_at.date(), current.id)
            seats = _table_for(profile, current.branch, new_at, size, holding)
            if seats is not None:
                values = dict(starts_at=new_at, party_size=size, seats=seats, status=CONFIRMED)
                self.store.update(connection, current.id, **values)
                changed = self.store.by_code(connection, code)
        if seats is None:
            return self._full(current.branch, new_at, size, now, ignoring=current.id)
        return BookingOutcome(CONFIRMED, changed)

    def cancel(self, code: str) -> BookingOutcome:
        """Cancel by code (cancelling twice is fine)."""
        current = self.store.find(code)
        if current is None:
            return BookingOutcome(NOT_FOUND)
        with self.store.locked([(current.branch, current.starts_at.date())]) as connection:
            self.store.update(connection, current.id, status=CANCELLED)
            cancelled = self.store.by_code(connection, code)
        return BookingOutcome(CANCELLED, cancelled)

    # ----- alternatives -----

    def alternatives(
        self,
        branch: str,
        at: dt.datetime,
        party_size: int,
        now: dt.datetime,
        ignoring: Optional[int] = None,
    ) -> Alternatives:
        """Nearest free times that day, other branches free at ``at``, the waiting list."""
        profile = self._profile()
        now, at = _naive_local(profile, now), _naive_local(profile, at)
        free = self.free_times(branch, at.date(), party_size, now, ignoring)
        same_day = sorted(
            (t for t in free if t != at),
            key=lambda t: (abs(t - at), t),
        )[:MAX_SAME_DAY_ALTERNATIVES]
        others = tuple(
            b.id
            for b in profile.branches
            if b.id != branch
            and _refusal(profile, b.id, at, party_size, now) is None
            and at in self.free_times(b.id, at.date(), party_size, now)
        )
        return Alternatives(tuple(sorted(same_day)), others, profile.reservations.waitlist)

    def _full(
        self,
        branch: str,
        at: dt.datetime,
        size: int,
        now: dt.datetime,
        ignoring: Optional[int] = None,
    ) -> BookingOutcome:
        alternatives = self.alternatives(branch, at, size, now, ignoring)
        return BookingOutcome(FULL, alternatives=alternatives)

    def _refused(
        self, reason: str, branch: str, at: dt.datetime, size: int, now: dt.datetime
    ) -> BookingOutcome:
        offer = reason in (CLOSED, TOO_SOON) and size <= self._profile().reservations.largest_party
        alternatives = self.alternatives(branch, at, size, now) if offer else Alternatives()
        return BookingOutcome(REFUSED, alternatives=alternatives, reason=reason)

    def _holding_on(
        self, connection: Connection, branch: str, day: dt.date, ignoring: Optional[int] = None
    ) -> List[BookingRow]:
        """Confirmed bookings that may overlap a slot starting on ``day``."""
        slot = dt.timedelta(minutes=self._profile().reservations.slot_minutes)
        start = dt.datetime.combine(day, dt.time()) - slot
        end = start + slot + dt.timedelta(days=2)
        return [b for b in self.store.holding(connection, branch, start, end) if b.id != ignoring]


# ----- rules (pure) -----


def _naive_local(profile: BusinessProfile, moment: dt.datetime) -> dt.datetime:
    """Local wall-clock time without a zone, as bookings are stored."""
    return profile.local(moment).replace(tzinfo=None, second=0, microsecond=0)


def _refusal(
    profile: BusinessProfile, branch: str, at: dt.datetime, size: int, now: dt.datetime
) -> Optional[str]:
    """Why ``at`` cannot be booked at all (before looking at tables), or None."""
    rules = profile.reservations
    if branch not in {b.id for b in profile.branches}:
        return UNKNOWN_BRANCH
    if not 0 < size <= rules.largest_party:
        return PARTY_TOO_LARGE
    if at < now:
        return IN_THE_PAST
    if at < now + dt.timedelta(minutes=rules.min_notice_minutes):
        return TOO_SOON
    if not _bookable(profile, at):
        return CLOSED
    if at.date() > now.date() + dt.timedelta(days=rules.days_ahead):
        return TOO_FAR_AHEAD
    return None


def _bookable(profile: BusinessProfile, at: dt.datetime) -> bool:
    """Open at ``at`` and early enough before closing."""
    hours, _ = profile.hours_on(at.date())
    minute = at.hour * 60 + at.minute
    current = hours.open_at(minute)
    last = profile.reservations.last_booking_before_close_minutes
    return current is not None and minute <= current[1] - last


def _start_times(
    profile: BusinessProfile, branch: str, day: dt.date, now: dt.datetime
) -> List[dt.datetime]:
    """Bookable start times of ``day`` on the booking step (opening, +step, …)."""
    hours, _ = profile.hours_on(day)
    step = profile.reservations.step_minutes
    times = [
        dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
        for opens, closes in hours
        for minute in range(opens, closes, step)
    ]
    return [t for t in times if _refusal(profile, branch, t, 1, now) is None]


def _smallest_fitting(profile: BusinessProfile, branch: str, size: int) -> int:
    fitting = [seats for seats in profile.branch(branch).tables if seats >= size]
    return min(fitting) if fitting else size


def _table_for(
    profile: BusinessProfile,
    branch: str,
    at: dt.datetime,
    size: int,
    holding: Sequence[BookingRow],
) -> Optional[int]:
    """Seats of the smallest table free for the whole slot from ``at``, or None."""
    slot = dt.timedelta(minutes=profile.reservations.slot_minutes)
    overlapping = [b for b in holding if b.starts_at < at + slot and at < b.starts_at + slot]
    # The most tables of a size in use at once in [at, at + slot) is reached at
    # ``at`` or at the start of one of the overlapping bookings.
    instants = [at, *(b.starts_at for b in overlapping if b.starts_at > at)]
    for seats, count in sorted(profile.branch(branch).tables.items()):
        if seats < size:
            continue
        same = [b for b in overlapping if b.seats == seats]
        in_use = max(sum(b.starts_at <= t < b.starts_at + slot for b in same) for t in instants)
        if in_use < count:
            return seats
    return None
