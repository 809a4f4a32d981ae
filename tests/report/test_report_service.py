"""Response times of staff and the guests' ratings in the report, JSON, CSV and table."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from report_helpers import put, put_handoff
from sqlalchemy import select

from bot.needs.log import MET
from bot.report.export import CSV_COLUMNS, to_csv, to_table
from bot.report.summary import Period, build_report
from bot.store import handover, ratings
from bot.store.models import Conversation, Rating

HCM = "Asia/Ho_Chi_Minh"
NOW = datetime(2024, 5, 10, 12, 0)  # naive UTC: 19:00 in Hồ Chí Minh City
DAY1 = datetime(2024, 5, 8, 3, 0)  # 10:00 local on 8 May
DAY2 = datetime(2024, 5, 9, 3, 0)


def conversation_of(engine, handoff_key: str) -> int:
    """The ``conversations`` row id of the guest who raised ``handoff_key``."""
    with engine.connect() as connection:
        return connection.execute(
            select(Conversation.id).where(Conversation.conversation_key == f"conv-{handoff_key}")
        ).scalar_one()


def serve(engine, at: datetime, reply_after: timedelta | None, urgent: bool = False) -> str:
    """A guest asks for a person at ``at``; staff reply after ``reply_after`` (None: never)."""
    key = put_handoff(engine, "cho gặp nhân viên", at, need="phone_power", urgent=urgent)
    if reply_after is not None:
        handover.reply(engine, conversation_of(engine, key), "Lan", "Dạ em đây ạ", at + reply_after)
    return key


def rate(engine, conversation: str, stars: int, at: datetime, comment: str | None = None) -> None:
    card = ratings.GuestRating(f"card-{conversation}-{at:%H%M%S}", stars, comment, "thanks")
    ratings.rate(engine, conversation, card, at)


def test_time_to_first_reply_per_day_and_long_waits(any_engine, catalog, rule):
    serve(any_engine, DAY1, timedelta(seconds=40))
    serve(any_engine, DAY1 + timedelta(hours=1), timedelta(minutes=2))
    serve(any_engine, DAY1 + timedelta(hours=2), timedelta(minutes=12), urgent=True)
    serve(any_engine, DAY2, None)  # still waiting at NOW: more than a day
    week = Period.last_days(7, NOW, HCM)
    report = build_report(any_engine, catalog, rule, week, long_wait_minutes=5)
    service = report.service
    assert service is not None
    first, second = service.days
    assert (first.day.isoformat(), first.waits, first.answered, first.long_waits) == (
        "2024-05-08",
        3,
        3,
        1,
    )
    assert (first.median_seconds, first.longest_seconds) == (120, 720)
    assert (second.waits, second.answered, second.median_seconds, second.long_waits) == (
        1,
        0,
        None,
        1,
    )
    waiting, late = service.long_waits  # the longest first
    assert (waiting.answered, waiting.waited_seconds) == (False, (NOW - DAY2).total_seconds())
    assert (late.answered, late.answered_by, late.urgent, late.waited_seconds) == (
        True,
        "Lan",
        True,
        720,
    )
    data = report.to_json()["service"]
    assert data["long_wait_minutes"] == 5
    assert [d["median_first_reply_seconds"] for d in data["response_by_day"]] == [120, None]


def test_a_wait_handed_back_without_a_reply_has_no_time(engine, catalog, rule):
    key = serve(engine, DAY1, None)
    handover.hand_back(engine, conversation_of(engine, key), DAY1 + timedelta(minutes=30))
    assert build_report(engine, catalog, rule, Period.last_days(7, NOW, HCM)).service.days == []


def test_ratings_per_need_and_per_day_with_comments(any_engine, catalog, rule):
    charger = put(any_engine, "phone_power", MET, DAY1)
    wifi = put(any_engine, "internet_access", MET, DAY2)
    rate(any_engine, f"conv-{charger}", 5, DAY1 + timedelta(minutes=5))
    rate(any_engine, f"conv-{charger}", 2, DAY1 + timedelta(minutes=30), "Chờ sạc hơi lâu")
    rate(any_engine, f"conv-{charger}", 3, DAY2 + timedelta(minutes=2))  # the next day: no need
    rate(any_engine, f"conv-{wifi}", 4, DAY2 + timedelta(minutes=1))
    service = build_report(any_engine, catalog, rule, Period.last_days(7, NOW, HCM)).service
    by_need = {g.key: (g.count, g.average, g.low) for g in service.by_need}
    assert by_need == {
        "phone_power": (2, 3.5, 1),
        "internet_access": (1, 4.0, 0),
        "": (1, 3.0, 0),
    }
    assert [(g.key, g.count) for g in service.by_day] == [("2024-05-08", 2), ("2024-05-09", 2)]
    [comment] = service.comments
    assert (comment.stars, comment.comment) == (2, "Chờ sạc hơi lâu")
    assert comment.need_label == catalog.need("phone_power").label


def test_csv_and_table_carry_ratings_and_waits(engine, catalog, rule):
    charger = put(engine, "phone_power", MET, DAY1)
    rate(engine, f"conv-{charger}", 4, DAY1 + timedelta(minutes=5))
    serve(engine, DAY1, timedelta(minutes=3))
    report = build_report(engine, catalog, rule, Period.last_days(7, NOW, HCM))
    lines = list(csv.reader(io.StringIO(to_csv(report)[1:])))
    rows = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in lines[1:]]
    phone = next(r for r in rows if r["need"] == "phone_power")
    assert (phone["ratings"], phone["avg_stars"]) == ("1", "4.00")
    day = next(r for r in rows if r["need"] == "2024-05-08")
    assert day["label"] == "Ngày 08/05/2024"
    assert (day["requests"], day["ratings"], day["avg_stars"]) == ("1", "1", "4.00")
    assert (day["waits_for_staff"], day["median_first_reply_seconds"], day["long_waits"]) == (
        "1",
        "180",
        "0",
    )
    assert len([r for r in rows if r["label"].startswith("Ngày ")]) == len(report.dates)
    table = to_table(report)
    assert "08/05: 1 lượt, 1 đã trả lời, 3.0 phút" in table
    assert "4.0 ★ ×   1  " + catalog.need("phone_power").label in table


def test_the_rating_keeps_the_table_the_widget_sent(engine):
    ratings.rate(engine, "conv-x", ratings.GuestRating("card-table-7", 5, table="7"), NOW)
    with engine.connect() as connection:
        assert connection.execute(select(Rating.table, Rating.need)).one() == ("7", None)
