"""How staff served the guests who needed a person, and how guests rated the bot and staff.

Two questions an owner asks of the hand-over: *how long did guests wait for
a person?* (time to the first staff reply, per day, with the waits longer
than ``STAFF_LONG_WAIT_MINUTES`` singled out) and *were guests happy?* (the
1–5 stars of the rating card, per need and per day, with their comments).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Dict, List, Mapping, Optional, Sequence

from sqlalchemy import and_, select
from sqlalchemy.engine import Engine

from bot.store.handover import WAITING
from bot.store.models import Conversation, Rating, Wait

NO_NEED_LABEL = "Không gắn nhu cầu (câu hỏi, chào hỏi…)"
MAX_LISTED = 50


@dataclass(frozen=True)
class ResponseDay:
    """Waits for a person that began on one local day."""

    day: date
    waits: int
    answered: int
    median_seconds: Optional[float]
    longest_seconds: Optional[float]
    long_waits: int


@dataclass(frozen=True)
class TimedWait:
    """One wait for a person and how long it lasted (until now, if nobody has answered)."""

    started_at: datetime
    waited_seconds: float
    answered: bool
    answered_by: Optional[str]
    table: Optional[str]
    need: Optional[str]
    channel: Optional[str]
    urgent: bool
    need_label: str = ""


@dataclass(frozen=True)
class RatingGroup:
    """Ratings of one need, or of one day."""

    key: str  # need id ("" for none) or ISO date
    label: str
    count: int
    average: float
    low: int  # one or two stars

    def to_json(self) -> Dict[str, object]:
        """JSON entry."""
        return {
            "key": self.key,
            "label": self.label,
            "count": self.count,
            "average": round(self.average, 2),
            "low": self.low,
        }


@dataclass(frozen=True)
class RatingComment:
    """A guest's comment with its stars."""

    at: datetime
    stars: int
    need_label: str
    table: Optional[str]
    comment: str


@dataclass
class ServiceSummary:
    """Response times and ratings over the report's period."""

    long_wait_minutes: float
    days: List[ResponseDay]
    long_waits: List[TimedWait]
    by_need: List[RatingGroup]
    by_day: List[RatingGroup]
    comments: List[RatingComment]

    def to_json(self) -> Dict[str, object]:
        """The report JSON's ``service`` entry."""
        return {
            "long_wait_minutes": self.long_wait_minutes,
            "response_by_day": [
                {
                    "date": d.day.isoformat(),
                    "waits": d.waits,
                    "answered": d.answered,
                    "median_first_reply_seconds": d.median_seconds,
                    "longest_first_reply_seconds": d.longest_seconds,
                    "long_waits": d.long_waits,
                }
                for d in self.days
            ],
            "long_waits": [
                {
                    "started_at": w.started_at.isoformat(),
                    "waited_seconds": round(w.waited_seconds),
                    "answered": w.answered,
                    "answered_by": w.answered_by,
                    "table": w.table,
                    "need": w.need,
                    "channel": w.channel,
                    "urgent": w.urgent,
                }
                for w in self.long_waits
            ],
            "ratings_by_need": [g.to_json() for g in self.by_need],
            "ratings_by_day": [g.to_json() for g in self.by_day],
            "comments": [
                {
                    "at": c.at.isoformat(),
                    "stars": c.stars,
                    "need": c.need_label,
                    "table": c.table,
                    "comment": c.comment,
                }
                for c in self.comments
            ],
        }


@dataclass(frozen=True)
class ServiceQuery:
    """What the summary needs to know besides the database."""

    start: datetime
    end: datetime
    now: datetime
    long_wait_minutes: float
    local_date: Callable[[datetime], date]
    need_labels: Mapping[str, str]
    channel: Optional[str] = None  # only this channel's waits and ratings (None: all)


def summarise_service(engine: Engine, query: ServiceQuery) -> ServiceSummary:
    """Response times of the waits that began in the period, and the period's ratings."""
    waits = _waits(engine, query)
    rated = _ratings(engine, query)
    limit = query.long_wait_minutes * 60
    return ServiceSummary(
        long_wait_minutes=query.long_wait_minutes,
        days=_response_days(waits, limit, query.local_date),
        long_waits=sorted(
            (w for w in waits if w.waited_seconds > limit),
            key=lambda w: -w.waited_seconds,
        )[:MAX_LISTED],
        by_need=_groups(rated, lambda r: r.need or "", lambda k: _label(query, k)),
        by_day=sorted(
            _groups(rated, lambda r: query.local_date(r.created_at).isoformat(), str),
            key=lambda g: g.key,
        ),
        comments=[
            RatingComment(r.created_at, r.stars, _label(query, r.need or ""), r.table, r.comment)
            for r in sorted(rated, key=lambda r: r.created_at, reverse=True)
            if r.comment
        ][:MAX_LISTED],
    )


def _label(query: ServiceQuery, need: str) -> str:
    return query.need_labels.get(need, need) if need else NO_NEED_LABEL


def _waits(engine: Engine, query: ServiceQuery) -> List[TimedWait]:
    """Every wait of the period with how long it lasted (until now if nobody replied yet)."""
    still_waiting = and_(
        Conversation.conversation_key == Wait.conversation_key,
        Conversation.waiting_since == Wait.started_at,
        Conversation.status == WAITING,
    )
    statement = (
        select(Wait, Conversation.id.label("open_id"))
        .outerjoin(Conversation, still_waiting)
        .where(Wait.started_at >= query.start, Wait.started_at < query.end)
        .order_by(Wait.started_at)
    )
    if query.channel:
        statement = statement.where(Wait.channel == query.channel)
    found = []
    with engine.connect() as connection:
        for row in connection.execute(statement):
            answered = row.first_reply_at is not None
            if not answered and row.open_id is None:
                continue  # handed back or superseded without a reply: no time to measure
            until = row.first_reply_at if answered else query.now
            found.append(
                TimedWait(
                    row.started_at,
                    max(0.0, (until - row.started_at).total_seconds()),
                    answered,
                    row.answered_by,
                    row.table,
                    row.need,
                    row.channel,
                    bool(row.urgent),
                    query.need_labels.get(row.need or "", ""),
                )
            )
    return found


def _response_days(
    waits: Sequence[TimedWait], limit: float, local_date: Callable[[datetime], date]
) -> List[ResponseDay]:
    by_day: Dict[date, List[TimedWait]] = defaultdict(list)
    for wait in waits:
        by_day[local_date(wait.started_at)].append(wait)
    days = []
    for day in sorted(by_day):
        replied = [w.waited_seconds for w in by_day[day] if w.answered]
        days.append(
            ResponseDay(
                day=day,
                waits=len(by_day[day]),
                answered=len(replied),
                median_seconds=statistics.median(replied) if replied else None,
                longest_seconds=max(replied) if replied else None,
                long_waits=sum(1 for w in by_day[day] if w.waited_seconds > limit),
            )
        )
    return days


def _ratings(engine: Engine, query: ServiceQuery) -> List[Rating]:
    statement = select(Rating).where(
        Rating.created_at >= query.start, Rating.created_at < query.end
    )
    if query.channel:
        statement = statement.where(Rating.channel == query.channel)
    with engine.connect() as connection:
        return list(connection.execute(statement).all())


def _groups(
    rated: Sequence[Rating], key_of: Callable[[Rating], str], label_of: Callable[[str], str]
) -> List[RatingGroup]:
    """Ratings grouped by ``key_of``, the most rated first."""
    grouped: Dict[str, List[int]] = defaultdict(list)
    for rating in rated:
        grouped[key_of(rating)].append(rating.stars)
    groups = [
        RatingGroup(key, label_of(key), len(s), statistics.fmean(s), sum(star <= 2 for star in s))
        for key, s in grouped.items()
    ]
    return sorted(groups, key=lambda g: (-g.count, g.average, g.key))
