"""SQLAlchemy models of the need log and bookings (SPEC §5). Schema changes go through Alembic."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import declarative_base

Base: Any = declarative_base()  # a class built at run time (no SQLAlchemy mypy plugin)


class NeedOccurrence(Base):
    """One need heard in one message, and what became of it.

    ``key`` is the idempotency key: a retried write never adds a second row,
    and the outcome that arrives later updates the same row.
    """

    __tablename__ = "need_occurrences"

    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=False), nullable=True, index=True)
    updated_at = Column(DateTime(timezone=False), nullable=True)
    conversation_key = Column(String(64), nullable=True, index=True)
    channel = Column(String(32), nullable=True)
    # NULL only briefly, if an outcome reaches the database before its row
    # (two action-server replicas racing); reports skip such rows.
    need = Column(String(64), nullable=True, index=True)
    text = Column(Text, nullable=True)
    item = Column(String(200), nullable=True)
    sub_goal = Column(String(64), nullable=True)
    alternatives = Column(JSON, nullable=True)
    outcome = Column(String(16), nullable=True, index=True)
    confidence = Column(Float, nullable=True)
    model_id = Column(String(128), nullable=True)
    table = Column(String(16), nullable=True)  # the guest's table (QR code), when known

    # Constraint names as in the migration (batch migrations on SQLite need them).
    __table_args__ = (
        UniqueConstraint("key", name="uq_need_occurrences_key"),
        Index("ix_need_occurrences_need_created", "need", "created_at"),
    )


class Handoff(Base):
    """A guest who needs a person (asked for one, an escalation, an emergency)."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=False), nullable=False, index=True)
    conversation_key = Column(String(64), nullable=False)
    channel = Column(String(32), nullable=True)
    need = Column(String(64), nullable=True)
    text = Column(Text, nullable=True)
    urgent = Column(Boolean, nullable=False, default=False, server_default=false())
    status = Column(
        String(16), nullable=False, default="waiting", server_default="waiting", index=True
    )
    handled_at = Column(DateTime(timezone=False), nullable=True)
    table = Column(String(16), nullable=True)

    __table_args__ = (UniqueConstraint("key", name="uq_handoffs_key"),)


class Booking(Base):
    """A table reservation. ``starts_at`` is the branch's local time (naive).

    ``seats`` is the size of table held (the smallest free one the party fits),
    ``table`` the guest's table number when known (the QR code they scanned).
    Only ``confirmed`` bookings hold a table; ``waitlist`` ones wait for one.
    """

    __tablename__ = "bookings"

    id = Column(Integer, primary_key=True, autoincrement=True)
    code = Column(String(8), nullable=False)
    branch = Column(String(32), nullable=False)
    starts_at = Column(DateTime(timezone=False), nullable=False)
    party_size = Column(Integer, nullable=False)
    seats = Column(Integer, nullable=False)
    name = Column(String(100), nullable=True)
    phone = Column(String(32), nullable=True)
    status = Column(String(16), nullable=False)
    table = Column(String(16), nullable=True)
    conversation_key = Column(String(64), nullable=True, index=True)
    created_at = Column(DateTime(timezone=False), nullable=False)
    updated_at = Column(DateTime(timezone=False), nullable=True)

    __table_args__ = (
        UniqueConstraint("code", name="uq_bookings_code"),
        Index("ix_bookings_branch_starts_at", "branch", "starts_at"),
    )


class BookingLock(Base):
    """One row per branch and day, locked while a booking of that day is decided.

    Serialises the capacity check and the insert, so two guests can never
    both take the last table (``SELECT … FOR UPDATE`` semantics through an
    UPDATE, which also takes SQLite's write lock).
    """

    __tablename__ = "booking_locks"

    branch = Column(String(32), primary_key=True)
    day = Column(Date, primary_key=True)
    version = Column(Integer, nullable=False, default=0, server_default="0")


class QuestionAsked(Base):
    """One question about the restaurant answered from its profile (hours, menu …).

    Apart from ``need_occurrences`` so the 16 needs are counted exactly as
    before; the report lists topics in their own section.
    """

    __tablename__ = "questions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=False), nullable=False, index=True)
    conversation_key = Column(String(64), nullable=True)
    channel = Column(String(32), nullable=True)
    topic = Column(String(64), nullable=False, index=True)
    text = Column(Text, nullable=True)
    outcome = Column(String(16), nullable=True)

    __table_args__ = (UniqueConstraint("key", name="uq_questions_key"),)


class Conversation(Base):
    """A conversation a person is needed in: ``waiting`` → ``claimed`` → ``returned``.

    One row per conversation (keyed like the need log, never the raw sender
    id); a new escalation after ``returned`` makes it wait again. Kept in the
    database, not in a web process, so replicas and restarts share it.

    ``reply_to`` is the one exception to "never the raw id": for a guest on
    Messenger or Zalo it holds their page-/OA-scoped id, because a staff reply
    has to be sent to that id through the platform's API (the widget polls
    instead and leaves it empty). Only conversations handed over to staff have
    it; the need log never does.
    """

    __tablename__ = "conversations"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_key = Column(String(64), nullable=False)
    channel = Column(String(32), nullable=True)
    table = Column(String(16), nullable=True)
    need = Column(String(64), nullable=True)
    urgent = Column(Boolean, nullable=False, default=False, server_default=false())
    status = Column(
        String(16), nullable=False, default="waiting", server_default="waiting", index=True
    )
    claimed_by = Column(String(60), nullable=True)
    waiting_since = Column(DateTime(timezone=False), nullable=False)
    updated_at = Column(DateTime(timezone=False), nullable=False, index=True)
    reply_to = Column(String(255), nullable=True)

    __table_args__ = (UniqueConstraint("conversation_key", name="uq_conversations_key"),)


class Wait(Base):
    """One wait for a person: from the escalation to the first staff reply.

    Apart from ``conversations`` (which holds only the current state) so that
    every wait of a conversation counts in the report's response times; the
    ``(conversation_key, started_at)`` pair makes a replayed escalation a no-op.
    """

    __tablename__ = "waits"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_key = Column(String(64), nullable=False)
    started_at = Column(DateTime(timezone=False), nullable=False, index=True)
    first_reply_at = Column(DateTime(timezone=False), nullable=True)
    answered_by = Column(String(60), nullable=True)
    channel = Column(String(32), nullable=True)
    table = Column(String(16), nullable=True)
    need = Column(String(64), nullable=True)
    urgent = Column(Boolean, nullable=False, default=False, server_default=false())

    __table_args__ = (
        UniqueConstraint("conversation_key", "started_at", name="uq_waits_conversation_started"),
    )


class Rating(Base):
    """A guest's 1–5 stars (and optional comment) when a conversation ended.

    ``key`` comes from the widget's rating card, so a re-sent tap or a comment
    added after the stars updates the same row. ``need`` is the conversation's
    latest need when it was rated (``None``: no need, e.g. only questions).
    """

    __tablename__ = "ratings"

    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(64), nullable=False)
    conversation_key = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=False), nullable=False, index=True)
    updated_at = Column(DateTime(timezone=False), nullable=False)
    stars = Column(Integer, nullable=False)
    comment = Column(Text, nullable=True)
    ended_by = Column(String(16), nullable=True)  # "goodbye", "thanks" or "hand_back"
    need = Column(String(64), nullable=True)
    channel = Column(String(32), nullable=True)
    table = Column(String(16), nullable=True)

    __table_args__ = (UniqueConstraint("key", name="uq_ratings_key"),)


class ConversationMessage(Base):
    """One line of a handed-over conversation: the guest's or a staff member's.

    ``key`` makes a replayed write (the outbox retrying) a no-op.
    """

    __tablename__ = "conversation_messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(64), nullable=False)
    conversation_key = Column(String(64), nullable=False)
    author = Column(String(16), nullable=False)  # "guest" or "staff"
    staff_name = Column(String(60), nullable=True)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=False), nullable=False)

    __table_args__ = (
        UniqueConstraint("key", name="uq_conversation_messages_key"),
        Index("ix_conversation_messages_conversation", "conversation_key", "id"),
    )
