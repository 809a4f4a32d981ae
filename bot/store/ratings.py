"""The guests' ratings: 1–5 stars and an optional comment when a conversation ends.

The widget shows a rating card after a goodbye, a thanks, or when staff hand
the conversation back; each card has its own id, so tapping another star or
adding a comment later updates the same row (a replayed request is harmless).
The rating is filed under the conversation's latest need, so the report can
say which needs leave guests unhappy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from bot.needs.log import RATING_ENDINGS, UNRECOGNIZED
from bot.store.db import insert_for
from bot.store.models import NeedOccurrence, Rating

MAX_COMMENT = 500
# A need older than this is another visit's: the rating is filed under no need.
NEED_LOOKBACK = timedelta(hours=6)


@dataclass(frozen=True)
class GuestRating:
    """What the guest sent from one rating card."""

    card: str  # the card's id (the widget's), unique within the conversation
    stars: int
    comment: Optional[str] = None
    ended_by: Optional[str] = None
    table: Optional[str] = None
    channel: Optional[str] = None  # else the need's (the widget's card does not say)

    def __post_init__(self) -> None:
        if not 1 <= self.stars <= 5:
            raise ValueError(f"stars must be 1–5, not {self.stars}")
        if self.ended_by is not None and self.ended_by not in RATING_ENDINGS:
            raise ValueError(f"ended_by must be one of {RATING_ENDINGS}, not {self.ended_by!r}")


def rate(engine: Engine, conversation_key: str, rating: GuestRating, at: datetime) -> None:
    """Store (or update) the rating of one card (the widget's, through the web app)."""
    with engine.begin() as connection:
        save(connection, conversation_key, rating, at)


def save(connection: Connection, conversation_key: str, rating: GuestRating, at: datetime) -> None:
    """Upsert the rating of one card in ``connection``'s transaction (also the need log's)."""
    key = hashlib.sha256(f"{conversation_key}|{rating.card}".encode()).hexdigest()
    comment = (rating.comment or "").strip()[:MAX_COMMENT] or None
    need, channel, table = _latest_need(connection, conversation_key, at)
    insert = insert_for(connection)(Rating).values(
        key=key,
        conversation_key=conversation_key,
        created_at=at,
        updated_at=at,
        stars=rating.stars,
        comment=comment,
        ended_by=rating.ended_by,
        need=need,
        channel=rating.channel or channel,
        table=rating.table or table,
    )
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=["key"],
            set_={"stars": rating.stars, "comment": comment, "updated_at": at},
        )
    )


def _latest_need(
    connection: Connection, conversation_key: str, at: datetime
) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """The conversation's latest need of this visit, its channel and table."""
    row = connection.execute(
        select(NeedOccurrence.need, NeedOccurrence.channel, NeedOccurrence.table)
        .where(
            NeedOccurrence.conversation_key == conversation_key,
            NeedOccurrence.created_at >= at - NEED_LOOKBACK,
            NeedOccurrence.need.is_not(None),
            NeedOccurrence.need != UNRECOGNIZED,
        )
        .order_by(NeedOccurrence.created_at.desc(), NeedOccurrence.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None, None, None
    return row.need, row.channel, row.table
