"""Today's and upcoming table bookings, for staff in the report.

Why here: staff plan the floor from the same page where they see needs and
waiting guests. Phones are shown (the report is behind the staff token) and
never logged; times are the branch's local wall clock, as stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.store.models import Booking

MAX_LISTED = 200


@dataclass(frozen=True)
class BookingListing:
    """One booking as staff read it."""

    code: str
    branch: str
    starts_at: datetime  # local, naive
    party_size: int
    name: Optional[str]
    phone: Optional[str]
    status: str
    table: Optional[str]

    def to_json(self) -> Dict[str, object]:
        """The report JSON's ``bookings`` entry."""
        return {
            "code": self.code,
            "branch": self.branch,
            "starts_at": self.starts_at.isoformat(timespec="minutes"),
            "party_size": self.party_size,
            "name": self.name,
            "phone": self.phone,
            "status": self.status,
            "table": self.table,
        }


def upcoming_bookings(engine: Engine, today: date) -> List[BookingListing]:
    """Bookings from the start of ``today`` (local) on, soonest first."""
    start = datetime.combine(today, datetime.min.time())
    query = (
        select(Booking)
        .where(Booking.starts_at >= start)
        .order_by(Booking.starts_at, Booking.branch)
        .limit(MAX_LISTED)
    )
    with engine.connect() as connection:
        return [
            BookingListing(
                r.code, r.branch, r.starts_at, r.party_size, r.name, r.phone, r.status, r.table
            )
            for r in connection.execute(query).all()
        ]
