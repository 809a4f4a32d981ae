"""Bookings on a SQL database: rows, codes, and the lock that protects the last table.

Why a lock row: whether a table is free depends on every booking that
overlaps the new one, so two guests checking at once could both see the last
table free. Each decision runs in a transaction that first bumps the
``booking_locks`` row of its branch and day. On PostgreSQL the UPDATE takes a
row lock held until commit (as ``SELECT … FOR UPDATE``), and under READ
COMMITTED the capacity check that follows sees every booking committed before
the lock was granted. On SQLite the UPDATE takes the database write lock
(other writers wait up to ``busy_timeout``), so the same holds. Bookings of
other branches or days never wait for each other on PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable, Iterator, List, Optional, Tuple

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.store.masking import mask_personal_data
from bot.store.models import Booking, BookingLock
from bot.store.needlog import utcnow

logger = logging.getLogger(__name__)

CONFIRMED, CANCELLED, WAITLIST = "confirmed", "cancelled", "waitlist"
# No 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B: a code read over the phone or from a screenshot.
CODE_ALPHABET = "ACDEFHJKMNPQRTUVWXY3479"
CODE_LENGTH = 6


@dataclass(frozen=True, kw_only=True)
class NewBooking:
    """A booking to add; ``starts_at`` is the branch's local time, ``seats`` the table held."""

    branch: str
    starts_at: datetime
    party_size: int
    seats: int
    status: str
    name: Optional[str] = None
    phone: Optional[str] = field(default=None, repr=False)  # staff only, never logged
    table: Optional[str] = None
    conversation_key: Optional[str] = None


@dataclass(frozen=True, kw_only=True)
class BookingRow(NewBooking):
    """A booking as stored: with its id, code and creation time (UTC)."""

    id: int
    code: str
    created_at: Optional[datetime] = None


def new_code() -> str:
    """A short code without look-alike characters, e.g. "K7QXA3"."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """What a guest typed ("k7q xa3") as a stored code ("K7QXA3")."""
    return "".join(code.split()).upper()


class BookingStore:
    """Rows of ``bookings``; every change happens inside :meth:`locked`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def locked(self, days: Iterable[Tuple[str, date]]) -> Iterator[Connection]:
        """A transaction holding the locks of these (branch, day) pairs, in a fixed order."""
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        with self.engine.begin() as connection:
            for branch, day in sorted(set(days)):
                connection.execute(
                    insert(BookingLock)
                    .values(branch=branch, day=day, version=0)
                    .on_conflict_do_nothing()
                )
                connection.execute(
                    update(BookingLock)
                    .where(and_(BookingLock.branch == branch, BookingLock.day == day))
                    .values(version=BookingLock.version + 1)
                )
            yield connection

    @staticmethod
    def holding(
        connection: Connection, branch: str, start: datetime, end: datetime
    ) -> List[BookingRow]:
        """Confirmed bookings of ``branch`` starting in [start, end)."""
        rows = connection.execute(
            select(Booking.__table__).where(
                and_(
                    Booking.branch == branch,
                    Booking.status == CONFIRMED,
                    Booking.starts_at >= start,
                    Booking.starts_at < end,
                )
            )
        )
        return [_row(row) for row in rows]

    @staticmethod
    def by_code(connection: Connection, code: str) -> Optional[BookingRow]:
        """The booking with this code, if any."""
        row = connection.execute(
            select(Booking.__table__).where(Booking.code == normalise_code(code))
        ).first()
        return _row(row) if row else None

    def find(self, code: str) -> Optional[BookingRow]:
        """The booking with this code, outside any lock (for reading)."""
        with self.engine.connect() as connection:
            return self.by_code(connection, code)

    @staticmethod
    def insert(connection: Connection, booking: NewBooking) -> BookingRow:
        """Add a booking with a fresh code (a clash with an existing code draws again)."""
        values = {**dataclasses.asdict(booking), "created_at": utcnow()}
        for _ in range(10):
            code = new_code()
            try:
                with connection.begin_nested():
                    connection.execute(Booking.__table__.insert().values(code=code, **values))
            except IntegrityError:
                continue
            logger.info(
                "booking %s %s: %s %s, %d guests, phone %s",
                code,
                booking.status,
                booking.branch,
                booking.starts_at.isoformat(timespec="minutes"),
                booking.party_size,
                mask_personal_data(booking.phone or "-"),
            )
            found = BookingStore.by_code(connection, code)
            assert found is not None
            return found
        raise RuntimeError("could not draw an unused booking code")

    @staticmethod
    def update(connection: Connection, booking_id: int, **values: object) -> None:
        """Change a booking's fields (``updated_at`` is set)."""
        connection.execute(
            update(Booking).where(Booking.id == booking_id).values(updated_at=utcnow(), **values)
        )
        logger.info("booking #%d updated: %s", booking_id, ", ".join(sorted(values)))


def bookings_on(engine: Engine, day: date) -> List[BookingRow]:
    """The day's confirmed and wait-listed bookings (local time), earliest first."""
    start = datetime.combine(day, time())
    with engine.connect() as connection:
        rows = connection.execute(
            select(Booking.__table__)
            .where(
                Booking.starts_at >= start,
                Booking.starts_at < start + timedelta(days=1),
                Booking.status.in_((CONFIRMED, WAITLIST)),
            )
            .order_by(Booking.starts_at, Booking.id)
        )
        return [_row(row) for row in rows]


def bookings_version(engine: Engine) -> Tuple[object, object]:
    """Changes whenever a booking is added or updated (the console's event stream watches it)."""
    with engine.connect() as connection:
        newest = connection.execute(select(func.max(Booking.id))).scalar()
        touched = connection.execute(select(func.max(Booking.updated_at))).scalar()
    return newest, touched


def _row(row: object) -> BookingRow:
    data = dict(row._mapping)  # type: ignore[attr-defined]
    data.pop("updated_at", None)
    return BookingRow(**data)
