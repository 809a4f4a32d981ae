"""Conversations handed over to staff: waiting → claimed by a person → returned to the bot.

The state lives in the database (tables ``conversations``,
``conversation_messages`` and ``waits``), never in a web process: two web-app replicas, the
action server and a restart all see the same queue. The action server writes
escalations and the guest's messages (through the need log's outbox, so they
are idempotent); the staff console claims, replies and hands back here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import Connection, Engine

from bot.channels import PUSH_CHANNELS
from bot.store.db import insert_for
from bot.store.models import Conversation, ConversationMessage, Handoff, Wait

WAITING, CLAIMED, RETURNED = "waiting", "claimed", "returned"
GUEST, STAFF, BOT = "guest", "staff", "bot"
OPEN_STATUSES = (WAITING, CLAIMED)
MAX_NAME = 60
MAX_TEXT = 2000
MAX_REPLY_TO = 255


@dataclass(frozen=True)
class Escalation:
    """A guest who needs a person, as the action server reports it."""

    key: str
    conversation_key: str
    at: datetime
    text: str = ""
    channel: Optional[str] = None
    table: Optional[str] = None
    need: Optional[str] = None
    urgent: bool = False
    reply_to: Optional[str] = None  # the guest's raw Messenger / Zalo id (see the model)
    earlier: Tuple[Tuple[str, str], ...] = ()  # (guest | bot, text) said before, oldest first


@dataclass(frozen=True)
class ReplyTarget:
    """Where a staff reply must be pushed: the guest's platform and raw id there."""

    channel: str
    recipient_id: str


@dataclass(frozen=True)
class Line:
    """One message of the transcript."""

    id: int
    author: str
    text: str
    at: datetime
    staff_name: Optional[str] = None

    def to_json(self) -> Dict[str, Any]:
        """JSON for the console and the widget."""
        return {
            "id": self.id,
            "author": self.author,
            "text": self.text,
            "at": self.at.isoformat() + "Z",
            "staff_name": self.staff_name,
        }


@dataclass(frozen=True)
class Waiting:
    """A conversation in the staff queue, with its transcript."""

    id: int
    table: Optional[str]
    need: Optional[str]
    urgent: bool
    status: str
    claimed_by: Optional[str]
    waiting_since: datetime
    lines: Tuple[Line, ...]
    channel: Optional[str] = None

    def to_json(self, now: datetime) -> Dict[str, Any]:
        """JSON for the console; ``waiting_seconds`` measured against ``now``."""
        return {
            "id": self.id,
            "table": self.table,
            "need": self.need,
            "urgent": self.urgent,
            "status": self.status,
            "claimed_by": self.claimed_by,
            "channel": self.channel,
            "waiting_since": self.waiting_since.isoformat() + "Z",
            "waiting_seconds": max(0, int((now - self.waiting_since).total_seconds())),
            "lines": [line.to_json() for line in self.lines],
        }


# ----- written by the action server (through the need log's outbox) -----


def escalate(connection: Connection, event: Escalation) -> None:
    """Queue the conversation for a person; an emergency marks it urgent even when held."""
    insert = insert_for(connection)
    table = Conversation.__table__
    connection.execute(
        insert(Conversation)
        .values(
            conversation_key=event.conversation_key,
            channel=event.channel,
            table=event.table,
            need=event.need,
            urgent=event.urgent,
            status=WAITING,
            waiting_since=event.at,
            updated_at=event.at,
        )
        .on_conflict_do_nothing(index_elements=["conversation_key"])
    )
    mine = table.c.conversation_key == event.conversation_key
    connection.execute(  # handed back earlier: it waits again, from now
        update(table)
        .where(mine, table.c.status == RETURNED)
        .values(
            status=WAITING,
            claimed_by=None,
            waiting_since=event.at,
            urgent=False,
        )
    )
    connection.execute(
        update(table)
        .where(mine)
        .values(
            urgent=or_(table.c.urgent, event.urgent),
            table=func.coalesce(event.table, table.c.table),
            need=func.coalesce(event.need, table.c.need),
            reply_to=func.coalesce(event.reply_to, table.c.reply_to),
            updated_at=event.at,
        )
    )
    _record_wait(connection, event)
    _add_earlier(connection, event)
    if event.text:
        add_line(connection, event.key, event.conversation_key, GUEST, event.text, event.at)


def _add_earlier(connection: Connection, event: Escalation) -> None:
    """What was said before the escalation, unless the transcript already has it."""
    known = set(
        connection.execute(
            select(ConversationMessage.text).where(
                ConversationMessage.conversation_key == event.conversation_key
            )
        ).scalars()
    )
    for index, (author, text) in enumerate(event.earlier):
        if author in (GUEST, BOT) and text and text[:MAX_TEXT] not in known:
            key = hashlib.sha256(f"{event.key}|earlier|{index}".encode()).hexdigest()
            add_line(connection, key, event.conversation_key, author, text, event.at)


def _record_wait(connection: Connection, event: Escalation) -> None:
    """One ``waits`` row per wait (keyed by when it began), for the report's response times."""
    row = connection.execute(
        select(Conversation.status, Conversation.waiting_since).where(
            Conversation.conversation_key == event.conversation_key
        )
    ).first()
    if row is None or row.status != WAITING:
        return  # a person already holds it: not a new wait
    insert = insert_for(connection)(Wait).values(
        conversation_key=event.conversation_key,
        started_at=row.waiting_since,
        channel=event.channel,
        table=event.table,
        need=event.need,
        urgent=event.urgent,
    )
    connection.execute(  # a second escalation of the same wait may only make it urgent
        insert.on_conflict_do_update(
            index_elements=["conversation_key", "started_at"],
            set_={"urgent": or_(Wait.__table__.c.urgent, insert.excluded.urgent)},
        )
    )


def add_line(
    connection: Connection,
    key: str,
    conversation_key: str,
    author: str,
    text: str,
    at: datetime,
    staff_name: Optional[str] = None,
) -> None:
    """Append a transcript line once (a replayed ``key`` is ignored) and touch the conversation."""
    insert = insert_for(connection)
    connection.execute(
        insert(ConversationMessage)
        .values(
            key=key,
            conversation_key=conversation_key,
            author=author,
            staff_name=staff_name,
            text=text[:MAX_TEXT],
            created_at=at,
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )
    table = Conversation.__table__
    connection.execute(
        update(table).where(table.c.conversation_key == conversation_key).values(updated_at=at)
    )


def is_held(engine: Engine, conversation_key: str) -> bool:
    """A person holds the conversation: the bot must stay quiet (except for emergencies)."""
    with engine.connect() as connection:
        status = connection.execute(
            select(Conversation.status).where(Conversation.conversation_key == conversation_key)
        ).scalar()
    return status == CLAIMED


# ----- the staff console -----


def claim(engine: Engine, conversation_id: int, name: str, at: datetime) -> bool:
    """``name`` takes a waiting conversation (or keeps their own); False if someone else has it."""
    table = Conversation.__table__
    with engine.begin() as connection:
        result = connection.execute(
            update(table)
            .where(
                table.c.id == conversation_id,
                or_(
                    table.c.status == WAITING,
                    (table.c.status == CLAIMED) & (table.c.claimed_by == name),
                ),
            )
            .values(status=CLAIMED, claimed_by=name[:MAX_NAME], updated_at=at)
        )
    return bool(result.rowcount)


def reply(engine: Engine, conversation_id: int, name: str, text: str, at: datetime) -> bool:
    """A staff reply to a conversation ``name`` holds (claiming it if it waits)."""
    if not claim(engine, conversation_id, name, at):
        return False
    table = Conversation.__table__
    with engine.begin() as connection:
        key, waiting_since = connection.execute(
            select(table.c.conversation_key, table.c.waiting_since).where(
                table.c.id == conversation_id
            )
        ).one()
        line_key = hashlib.sha256(f"{key}|{name}|{at.isoformat()}|{text}".encode()).hexdigest()
        add_line(connection, line_key[:64], key, STAFF, text, at, staff_name=name[:MAX_NAME])
        waits = Wait.__table__
        connection.execute(  # the first reply of the current wait
            update(waits)
            .where(
                waits.c.conversation_key == key,
                waits.c.started_at == waiting_since,
                waits.c.first_reply_at.is_(None),
            )
            .values(first_reply_at=at, answered_by=name[:MAX_NAME])
        )
    return True


def reply_target(engine: Engine, conversation_id: int) -> Optional[ReplyTarget]:
    """Where to push a staff reply; None when the guest polls for it (the widget)."""
    with engine.connect() as connection:
        row = connection.execute(
            select(Conversation.channel, Conversation.reply_to).where(
                Conversation.id == conversation_id
            )
        ).first()
    if row is None or not row.reply_to or row.channel not in PUSH_CHANNELS:
        return None
    return ReplyTarget(row.channel, row.reply_to)


def hand_back(engine: Engine, conversation_id: int, at: datetime) -> bool:
    """Return the conversation to the assistant; False if it was not open.

    Its handoffs in the report's "waiting for staff" list are done as well.
    """
    table = Conversation.__table__
    with engine.begin() as connection:
        result = connection.execute(
            update(table)
            .where(table.c.id == conversation_id, table.c.status.in_(OPEN_STATUSES))
            .values(status=RETURNED, claimed_by=None, urgent=False, updated_at=at)
        )
        key = select(table.c.conversation_key).where(table.c.id == conversation_id)
        connection.execute(
            update(Handoff.__table__)
            .where(Handoff.conversation_key == key.scalar_subquery(), Handoff.status == "waiting")
            .values(status="done", handled_at=at)
        )
    return bool(result.rowcount)


def queue(engine: Engine) -> List[Waiting]:
    """Open conversations, emergencies first, then the longest waiting."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(Conversation)
            .where(Conversation.status.in_(OPEN_STATUSES))
            .order_by(Conversation.urgent.desc(), Conversation.waiting_since, Conversation.id)
        ).all()
        keys = [row.conversation_key for row in rows]
        lines = _lines(connection, keys) if keys else {}
    return [
        Waiting(
            id=row.id,
            table=row.table,
            need=row.need,
            urgent=bool(row.urgent),
            status=row.status,
            claimed_by=row.claimed_by,
            waiting_since=row.waiting_since,
            lines=tuple(lines.get(row.conversation_key, ())),
            channel=row.channel,
        )
        for row in rows
    ]


def _lines(connection: Connection, keys: Sequence[str]) -> Dict[str, List[Line]]:
    found: Dict[str, List[Line]] = {}
    for row in connection.execute(
        select(ConversationMessage)
        .where(ConversationMessage.conversation_key.in_(keys))
        .order_by(ConversationMessage.id)
    ):
        line = Line(row.id, row.author, row.text, row.created_at, row.staff_name)
        found.setdefault(row.conversation_key, []).append(line)
    return found


def version(engine: Engine) -> Tuple[Any, Any]:
    """Changes whenever the queue does (the event stream compares it every second)."""
    with engine.connect() as connection:
        touched = connection.execute(select(func.max(Conversation.updated_at))).scalar()
        newest = connection.execute(select(func.max(ConversationMessage.id))).scalar()
    return touched, newest


# ----- the guest's widget -----


@dataclass(frozen=True)
class GuestView:
    """What the widget polls: whether a person holds the chat, and staff replies since ``after``."""

    held_by: Optional[str]
    lines: Tuple[Line, ...]

    def to_json(self) -> Dict[str, Any]:
        """JSON for the widget."""
        return {"held_by": self.held_by, "messages": [line.to_json() for line in self.lines]}


def guest_view(engine: Engine, conversation_key: str, after: int) -> GuestView:
    """Staff replies to the guest after message id ``after`` (0: all of them, after a reload)."""
    with engine.connect() as connection:
        row = connection.execute(
            select(Conversation.status, Conversation.claimed_by).where(
                Conversation.conversation_key == conversation_key
            )
        ).first()
        lines = connection.execute(
            select(ConversationMessage)
            .where(
                ConversationMessage.conversation_key == conversation_key,
                ConversationMessage.author == STAFF,
                ConversationMessage.id > after,
            )
            .order_by(ConversationMessage.id)
        ).all()
    held_by = row.claimed_by if row is not None and row.status == CLAIMED else None
    return GuestView(
        held_by,
        tuple(Line(r.id, r.author, r.text, r.created_at, r.staff_name) for r in lines),
    )
