"""The staff report: recurring and unmet needs, trends, what guests said, advice.

Rows of the period are aggregated in Python: a restaurant logs thousands of
needs a month, not millions, and this keeps the queries identical on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Dict, List, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.needs.catalog import Catalog
from bot.needs.log import ESCALATED, MET, NO_ANSWER, UNMET, UNRECOGNIZED
from bot.report.bookings import BookingListing, upcoming_bookings
from bot.report.grouping import group_similar
from bot.report.phrases import TOP_PHRASES
from bot.report.phrases import phrase_key as _phrase_key
from bot.report.phrases import top_phrases as _top_phrases
from bot.report.rules import RecommendationRule
from bot.report.service import ServiceQuery, ServiceSummary, summarise_service
from bot.report.topics import TopicSummary, summarise_topics
from bot.store.models import Handoff, NeedOccurrence
from bot.store.needlog import utcnow

# What staff call each channel (need-log rows store the Rasa channel name).
CHANNEL_LABELS = {
    "rest": "Website",
    "socketio": "Website (socket.io)",
    "facebook": "Messenger",
    "zalo": "Zalo",
}
SHOWN_CHANNELS = ("rest", "facebook", "zalo")  # offered as filters even before any use


def channel_label(channel: str) -> str:
    """The channel as staff call it ("Zalo"); unknown names as they are."""
    return CHANNEL_LABELS.get(channel, channel)


@dataclass(frozen=True)
class Period:
    """A half-open range ``[start, end)`` of naive UTC times, shown in ``tz``."""

    start: datetime
    end: datetime
    tz: str = "UTC"

    @classmethod
    def last_days(cls, days: int, now: Optional[datetime] = None, tz: str = "UTC") -> "Period":
        """The last ``days`` days up to now."""
        end = now or utcnow()
        return cls(end - timedelta(days=days), end, tz)

    @classmethod
    def between(cls, first: date, last: date, tz: str = "UTC") -> "Period":
        """Whole local days from ``first`` to ``last`` inclusive."""
        return cls(
            _local_midnight_utc(first, tz), _local_midnight_utc(last + timedelta(days=1), tz), tz
        )

    @classmethod
    def today(cls, now: Optional[datetime] = None, tz: str = "UTC") -> "Period":
        """From local midnight until now."""
        end = now or utcnow()
        return cls(_local_midnight_utc(local_date(end, tz), tz), end, tz)

    @property
    def days(self) -> int:
        """Length in days (rounded up)."""
        return max(1, -(-int((self.end - self.start).total_seconds()) // 86400))

    def dates(self) -> List[date]:
        """Every local calendar day the period touches."""
        first = local_date(self.start, self.tz)
        last = local_date(self.end - timedelta(microseconds=1), self.tz)
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def local_date(moment: datetime, tz: str) -> date:
    """The local calendar day of a naive UTC time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).date()


def _local_midnight_utc(day: date, tz: str) -> datetime:
    local = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(tz))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


@dataclass
class NeedSummary:
    """One need over the period."""

    need: str
    label: str
    requests: int = 0
    met: int = 0
    unmet: int = 0
    escalated: int = 0
    no_answer: int = 0
    top_phrases: List[str] = field(default_factory=list)
    top_items: List[Tuple[str, int]] = field(default_factory=list)
    trend: List[int] = field(default_factory=list)
    trend_not_met: List[int] = field(default_factory=list)

    @property
    def unmet_share(self) -> float:
        """Share of requests that were not met (unmet or escalated)."""
        return (self.unmet + self.escalated) / self.requests if self.requests else 0.0


@dataclass(frozen=True)
class Recommendation:
    """Advice to the owner, with the figures that justify it."""

    need: str  # the need id, or the question topic when ``kind`` is "topic"
    message: str
    label: str = ""
    kind: str = "need"


@dataclass(frozen=True)
class UnrecognizedGroup:
    """Similar requests nobody modelled yet."""

    example: str
    count: int
    examples: Tuple[str, ...]


@dataclass(frozen=True)
class WaitingHandoff:
    """A guest waiting for a person."""

    id: int
    created_at: datetime
    need: Optional[str]
    text: str
    urgent: bool


@dataclass
class Report:
    """Everything the report page, the JSON, the CSV and the CLI show."""

    period: Period
    needs: List[NeedSummary]
    recommendations: List[Recommendation]
    unrecognized: List[UnrecognizedGroup]
    handoffs: List[WaitingHandoff]
    dates: List[date]
    topics: List[TopicSummary] = field(default_factory=list)
    bookings: List[BookingListing] = field(default_factory=list)
    service: Optional[ServiceSummary] = None
    channel: Optional[str] = None  # the filter: only this channel's rows, None = all
    channels: List[Tuple[str, int]] = field(default_factory=list)  # need requests per channel

    @property
    def total_requests(self) -> int:
        """All need requests in the period."""
        return sum(n.requests for n in self.needs)

    @property
    def daily_totals(self) -> List[int]:
        """Requests per day, all needs together."""
        return [sum(n.trend[i] for n in self.needs) for i in range(len(self.dates))]

    @property
    def daily_not_met(self) -> List[int]:
        """Unmet or escalated requests per day."""
        return [sum(n.trend_not_met[i] for n in self.needs) for i in range(len(self.dates))]

    def to_json(self) -> Dict[str, object]:
        """The SPEC §4 JSON shape (plus a few extra, documented fields)."""
        return {
            "days": self.period.days,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "channel": self.channel,
            "channels": [
                {"channel": c, "label": channel_label(c), "requests": n} for c, n in self.channels
            ],
            "needs": [
                {
                    "need": n.need,
                    "label": n.label,
                    "requests": n.requests,
                    "unmet": n.unmet,
                    "escalated": n.escalated,
                    "met": n.met,
                    "no_answer": n.no_answer,
                    "top_phrases": n.top_phrases,
                    "top_items": [{"item": i, "count": c} for i, c in n.top_items],
                    "trend": [
                        {"date": d.isoformat(), "requests": c}
                        for d, c in zip(self.dates, n.trend, strict=True)
                    ],
                }
                for n in self.needs
            ],
            "recommendations": [
                {"need": r.need, "message": r.message, "kind": r.kind} for r in self.recommendations
            ],
            "topics": [
                {
                    "topic": t.topic,
                    "label": t.label,
                    "requests": t.requests,
                    "top_phrases": t.top_phrases,
                }
                for t in self.topics
            ],
            "bookings": [b.to_json() for b in self.bookings],
            "service": self.service.to_json() if self.service else None,
            "unrecognized": [
                {"example": g.example, "count": g.count, "examples": list(g.examples)}
                for g in self.unrecognized
            ],
            "handoffs_waiting": [
                {
                    "id": h.id,
                    "created_at": h.created_at.isoformat(),
                    "need": h.need,
                    "text": h.text,
                    "urgent": h.urgent,
                }
                for h in self.handoffs
            ],
        }


def build_report(
    engine: Engine,
    catalog: Catalog,
    rule: RecommendationRule,
    period: Period,
    channel: Optional[str] = None,
    long_wait_minutes: float = 5.0,
) -> Report:
    """Aggregate the need log over ``period`` (only ``channel``'s rows when given).

    Waits for a person longer than ``long_wait_minutes`` stand out.
    """
    dates = period.dates()
    rows = _occurrences(
        engine, min(period.start, period.end - timedelta(days=rule.days)), period.end, channel
    )
    in_period = [r for r in rows if period.start <= r.created_at < period.end]
    by_need: Dict[str, List[NeedOccurrence]] = defaultdict(list)
    for row in in_period:
        by_need[row.need].append(row)

    summaries = [
        _summarise(need_id, catalog.need(need_id).label, by_need.get(need_id, []), dates, period.tz)
        for need_id in catalog.needs
    ]
    summaries = [s for s in summaries if s.requests] + [s for s in summaries if not s.requests]
    summaries.sort(key=lambda s: (-s.requests, -s.unmet_share, s.need))

    unrecognized = [
        UnrecognizedGroup(g.representative, g.count, tuple(g.members[:5]))
        for g in group_similar([r.text or "" for r in by_need.get(UNRECOGNIZED, [])])
    ]
    topics, topic_advice = summarise_topics(engine, rule, period.start, period.end, channel)
    advice = _recommendations(rows, catalog, rule, period.end) + [
        Recommendation(a.topic, a.message, a.label, kind="topic") for a in topic_advice
    ]
    return Report(
        period=period,
        needs=summaries,
        recommendations=advice,
        unrecognized=unrecognized,
        handoffs=_waiting_handoffs(engine, period, channel),
        dates=dates,
        topics=topics,
        bookings=upcoming_bookings(engine, local_date(utcnow(), period.tz)),
        service=summarise_service(
            engine,
            ServiceQuery(
                start=period.start,
                end=period.end,
                now=min(utcnow(), period.end),  # a still-waiting guest waits until now
                long_wait_minutes=long_wait_minutes,
                local_date=lambda moment: local_date(moment, period.tz),
                need_labels={need_id: need.label for need_id, need in catalog.needs.items()},
                channel=channel,
            ),
        ),
        channel=channel,
        channels=_channel_counts(engine, period),
    )


def _summarise(
    need_id: str, label: str, rows: Sequence[NeedOccurrence], dates: Sequence[date], tz: str
) -> NeedSummary:
    outcomes = Counter(row.outcome or NO_ANSWER for row in rows)
    per_day = Counter(local_date(row.created_at, tz) for row in rows)
    not_met_per_day = Counter(
        local_date(row.created_at, tz) for row in rows if row.outcome in (UNMET, ESCALATED)
    )
    ordered = sorted(rows, key=lambda r: r.created_at)
    items = Counter(_phrase_key(row.item) for row in rows if row.item)
    item_shown = {_phrase_key(row.item): row.item for row in ordered if row.item}
    return NeedSummary(
        need=need_id,
        label=label,
        requests=len(rows),
        met=outcomes[MET],
        unmet=outcomes[UNMET],
        escalated=outcomes[ESCALATED],
        no_answer=outcomes[NO_ANSWER],
        top_phrases=_top_phrases([row.text or "" for row in ordered]),
        top_items=[(item_shown[k], c) for k, c in items.most_common(TOP_PHRASES)],
        trend=[per_day.get(d, 0) for d in dates],
        trend_not_met=[not_met_per_day.get(d, 0) for d in dates],
    )


def _recommendations(
    rows: Sequence[NeedOccurrence], catalog: Catalog, rule: RecommendationRule, end: datetime
) -> List[Recommendation]:
    start = end - timedelta(days=rule.days)
    window = [r for r in rows if start <= r.created_at < end and r.need in catalog.needs]
    requests = Counter(r.need for r in window)
    not_met = Counter(r.need for r in window if (r.outcome or NO_ANSWER) in rule.count_as_unmet)
    escalated = Counter(r.need for r in window if r.outcome == ESCALATED)
    advice = []
    for need_id, count in requests.most_common():
        if not rule.applies(count, not_met[need_id]):
            continue
        need = catalog.need(need_id)
        message = need.recommendation.format(
            requests=count,
            unmet=not_met[need_id],
            escalated=escalated[need_id],
            days=rule.days,
            label=need.label,
        )
        advice.append(
            (not_met[need_id] / count, count, Recommendation(need_id, message, need.label))
        )
    advice.sort(key=lambda entry: (-entry[0], -entry[1]))
    return [entry[2] for entry in advice]


def _occurrences(
    engine: Engine, start: datetime, end: datetime, channel: Optional[str]
) -> List[NeedOccurrence]:
    query = (
        select(NeedOccurrence)
        .where(NeedOccurrence.created_at >= start, NeedOccurrence.created_at < end)
        .where(NeedOccurrence.need.is_not(None))
        .order_by(NeedOccurrence.created_at)
    )
    if channel:
        query = query.where(NeedOccurrence.channel == channel)
    with engine.connect() as connection:
        return list(connection.execute(query).all())


def _channel_counts(engine: Engine, period: Period) -> List[Tuple[str, int]]:
    """Need requests per channel in the period (all channels, whatever the filter)."""
    query = (
        select(NeedOccurrence.channel, func.count())
        .where(NeedOccurrence.created_at >= period.start, NeedOccurrence.created_at < period.end)
        .where(NeedOccurrence.need.is_not(None))
        .group_by(NeedOccurrence.channel)
    )
    with engine.connect() as connection:
        counts = {str(c or "rest"): int(n) for c, n in connection.execute(query).all()}
    shown = [(c, counts.pop(c, 0)) for c in SHOWN_CHANNELS]
    return shown + sorted(counts.items())


def _waiting_handoffs(
    engine: Engine, period: Period, channel: Optional[str]
) -> List[WaitingHandoff]:
    query = (
        select(Handoff)
        .where(Handoff.status == "waiting", Handoff.created_at >= period.start)
        .order_by(Handoff.urgent.desc(), Handoff.created_at.desc())
        .limit(50)
    )
    if channel:
        query = query.where(Handoff.channel == channel)
    with engine.connect() as connection:
        return [
            WaitingHandoff(r.id, r.created_at, r.need, r.text or "", bool(r.urgent))
            for r in connection.execute(query).all()
        ]


def mark_handoff_done(engine: Engine, handoff_id: int) -> bool:
    """Staff handled a handoff; True if it was waiting."""
    from sqlalchemy import update

    with engine.begin() as connection:
        result = connection.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == "waiting")
            .values(status="done", handled_at=utcnow())
        )
    return bool(result.rowcount)
