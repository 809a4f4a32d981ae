"""The need log on a SQL database, behind a durable outbox.

``write`` masks personal data, commits the records to the local outbox and
returns at once; a background thread delivers them to the database in order.
Records are idempotent upserts keyed by the occurrence key, so delivering one
twice (after a crash between commit and acknowledgement) changes nothing, and
an outcome can even arrive before its row (two replicas racing).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from sqlalchemy import func
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)

from bot.needs.log import (
    GuestSaid,
    HandoffRequested,
    LogRecord,
    NeedOpened,
    NeedUpdated,
    QuestionAnswered,
    RatingGiven,
)
from bot.store import handover, ratings
from bot.store.db import insert_for
from bot.store.masking import mask_personal_data
from bot.store.models import Handoff, NeedOccurrence, QuestionAsked
from bot.store.outbox import Outbox, Payload

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
REFUSED = (SQLAlchemyError, OSError, ValueError, KeyError, TypeError)
# PostgreSQL codes meaning "not migrated yet": undefined table / schema.
_NOT_MIGRATED = {"42P01", "3F000"}


def _unavailable(error: BaseException) -> bool:
    """Try again later (no connection, tables not migrated yet) vs a refused record."""
    if isinstance(error, (OperationalError, InterfaceError, DisconnectionError, OSError)):
        return True
    return isinstance(error, DBAPIError) and getattr(error.orig, "pgcode", None) in _NOT_MIGRATED


MAX_BACKOFF_SECONDS = 10.0


def utcnow() -> datetime:
    """Naive UTC timestamp (stored as such on every backend)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_payload(record: LogRecord, at: Optional[datetime] = None) -> Payload:
    """A JSON-safe payload of ``record`` with personal data masked."""
    data: Dict[str, Any] = dataclasses.asdict(record)
    data["type"] = type(record).__name__
    data["at"] = (at or utcnow()).isoformat()
    for name, limit in (("text", 4000), ("item", 200)):  # what the guest typed
        if data.get(name):
            data[name] = mask_personal_data(_storable(data[name]))[:limit]
    if data.get("earlier"):  # what was said before an escalation
        data["earlier"] = [
            [author, mask_personal_data(_storable(text))[: handover.MAX_TEXT]]
            for author, text in data["earlier"]
        ]
    for name, limit in (("need", 64), ("sub_goal", 64), ("topic", 64)):
        if isinstance(data.get(name), str):
            data[name] = data[name][:limit]
    if "context" in data:  # sizes of the columns they go to
        context = data["context"]
        for name, limit in (("conversation_key", 64), ("channel", 32), ("model_id", 128)):
            context[name] = str(context.get(name) or "")[:limit]
        if context.get("table") is not None:
            context["table"] = str(context["table"])[:16]
        if not isinstance(record, HandoffRequested) or context.get("reply_to") is None:
            context.pop("reply_to", None)  # needed only to reach a handed-over guest
        else:
            context["reply_to"] = str(context["reply_to"])[: handover.MAX_REPLY_TO]
    return data


def _storable(text: str) -> str:
    """Text every database accepts: lone surrogates -> U+FFFD, no NUL characters."""
    repaired = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return repaired.replace("\x00", "")


def apply_payload(connection: Connection, payload: Payload) -> None:
    """Upsert one payload (see the module docstring for the merge rules)."""
    kind = payload["type"]
    apply = _APPLIERS.get(kind)
    if apply is None:
        raise ValueError(f"unknown need-log record type {kind!r}")
    apply(connection, payload, datetime.fromisoformat(payload["at"]))


def _apply_opened(connection: Connection, payload: Payload, at: datetime) -> None:
    insert = insert_for(connection)
    context = payload["context"]
    values = {
        "key": payload["key"],
        "created_at": at,
        "updated_at": at,
        "conversation_key": context["conversation_key"],
        "channel": context["channel"],
        "model_id": context["model_id"],
        "table": context.get("table"),
        "need": payload["need"],
        "text": payload["text"],
        "item": payload["item"],
        "confidence": payload["confidence"],
        "sub_goal": payload["sub_goal"],
        "outcome": payload["outcome"],
    }
    statement = insert(NeedOccurrence).values(**values)
    table = NeedOccurrence.__table__
    merged = {name: statement.excluded[name] for name in values if name != "key"}
    # An outcome or sub-goal that arrived first wins over the defaults, and a
    # replayed opening (a retried action call) keeps the occurrence's first time.
    for name in ("created_at", "outcome", "sub_goal", "updated_at"):
        merged[name] = _coalesce(table.c[name], statement.excluded[name])
    connection.execute(statement.on_conflict_do_update(index_elements=["key"], set_=merged))


def _apply_updated(connection: Connection, payload: Payload, at: datetime) -> None:
    insert = insert_for(connection)
    changes = {
        name: payload[name]
        for name in ("sub_goal", "alternatives", "outcome")
        if payload.get(name) is not None
    }
    changes["updated_at"] = at
    statement = insert(NeedOccurrence).values(key=payload["key"], **changes)
    connection.execute(statement.on_conflict_do_update(index_elements=["key"], set_=changes))


def _apply_handoff(connection: Connection, payload: Payload, at: datetime) -> None:
    """The report's handoff row, and the conversation queued on the staff console."""
    context = payload["context"]
    fields = {
        "key": payload["key"],
        "conversation_key": context["conversation_key"],
        "channel": context["channel"],
        "table": context.get("table"),
        "need": payload["need"],
        "text": payload["text"],
        "urgent": bool(payload["urgent"]),
    }
    statement = insert_for(connection)(Handoff).values(**fields, created_at=at, status="waiting")
    connection.execute(statement.on_conflict_do_nothing(index_elements=["key"]))
    reply_to = context.get("reply_to")
    earlier = tuple((str(a), str(t)) for a, t in payload.get("earlier") or ())
    handover.escalate(
        connection, handover.Escalation(at=at, reply_to=reply_to, earlier=earlier, **fields)
    )


def _apply_guest_said(connection: Connection, payload: Payload, at: datetime) -> None:
    """A message to the person holding the conversation."""
    conversation = payload["context"]["conversation_key"]
    handover.add_line(connection, payload["key"], conversation, handover.GUEST, payload["text"], at)


def _apply_rating(connection: Connection, payload: Payload, at: datetime) -> None:
    """Stars tapped on Zalo or Messenger (the widget's card goes through the web app)."""
    context = payload["context"]
    rating = ratings.GuestRating(
        card=payload["key"],
        stars=int(payload["stars"]),
        ended_by=payload.get("ended_by"),
        table=context.get("table"),
        channel=context.get("channel") or None,
    )
    ratings.save(connection, context["conversation_key"], rating, at)


def _apply_question(connection: Connection, payload: Payload, at: datetime) -> None:
    """A question answered from the business profile, counted by topic."""
    values = dict(topic=payload["topic"], outcome=payload["outcome"])
    _insert_once(connection, insert_for(connection)(QuestionAsked), at, payload, **values)


_APPLIERS: Dict[str, Callable[[Connection, Payload, datetime], None]] = {
    NeedOpened.__name__: _apply_opened,
    NeedUpdated.__name__: _apply_updated,
    HandoffRequested.__name__: _apply_handoff,
    GuestSaid.__name__: _apply_guest_said,
    QuestionAnswered.__name__: _apply_question,
    RatingGiven.__name__: _apply_rating,
}


def _insert_once(
    connection: Connection, statement: Any, at: datetime, payload: Payload, **values: Any
) -> None:
    """A keyed row written once (a handoff, a question): a replayed record changes nothing."""
    context = payload["context"]
    statement = statement.values(
        key=payload["key"],
        created_at=at,
        conversation_key=context["conversation_key"],
        channel=context["channel"],
        text=payload["text"],
        **values,
    )
    connection.execute(statement.on_conflict_do_nothing(index_elements=["key"]))


def _coalesce(existing: Any, incoming: Any) -> Any:
    return func.coalesce(existing, incoming)


class SqlNeedLog:
    """A :class:`bot.needs.log.NeedLog` that never loses or duplicates a record."""

    def __init__(self, engine: Engine, outbox: Outbox, retry_seconds: float = 1.0) -> None:
        self.engine = engine
        self.outbox = outbox
        self._retry_seconds = retry_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._flush_lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None
        if self.pending():  # left over from before a restart
            self._ensure_flusher()
            self._wake.set()

    def write(self, records: Sequence[LogRecord]) -> None:
        """Commit records to the outbox and wake the flusher. Never raises."""
        if not records:
            return
        try:
            self.outbox.push([to_payload(record) for record in records])
        except Exception:  # the conversation must go on; log loudly
            logger.exception("need log: could not queue %d record(s)", len(records))
            return
        self._ensure_flusher()
        self._wake.set()

    def flush(self) -> bool:
        """Deliver everything queued; False if the database is unreachable."""
        with self._flush_lock:
            while True:
                batch = self.outbox.peek(BATCH_SIZE)
                if not batch:
                    return True
                try:
                    self._deliver(batch)
                except REFUSED as error:
                    if _unavailable(error):
                        self._log_unavailable(error)
                        return False
                    # the database refused something in the batch: find it, set it aside
                    if not self._deliver_one_by_one(batch):
                        return False

    def _deliver(self, batch: Sequence[Tuple[int, Payload]]) -> None:
        with self.engine.begin() as connection:
            for _, payload in batch:
                apply_payload(connection, payload)
        self.outbox.remove([row_id for row_id, _ in batch])

    def _deliver_one_by_one(self, batch: Sequence[Tuple[int, Payload]]) -> bool:
        for row_id, payload in batch:
            try:
                self._deliver([(row_id, payload)])
            except REFUSED as error:
                if _unavailable(error):
                    self._log_unavailable(error)
                    return False
                logger.error("need log: record refused, kept aside in the outbox: %r", error)
                self.outbox.reject(row_id, repr(error))
        return True

    def _log_unavailable(self, error: BaseException) -> None:
        logger.warning(
            "need log: database unavailable, %d queued (%s)",
            len(self.outbox),
            error.__class__.__name__,
        )

    def pending(self) -> int:
        """How many records wait in the outbox."""
        return len(self.outbox)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the flusher after a last delivery attempt."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
        self.flush()

    def _ensure_flusher(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._thread = threading.Thread(target=self._run, name="needlog-flusher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        backoff: Optional[float] = None  # idle: sleep until a write wakes us
        while not self._stop.is_set():
            self._wake.wait(timeout=backoff)
            self._wake.clear()
            if self._stop.is_set():
                return
            if self.flush():
                backoff = None
            else:
                backoff = min((backoff or self._retry_seconds / 2) * 2, MAX_BACKOFF_SECONDS)
