"""Questions answered from the business profile, by topic: counted apart from needs, advised on."""

from __future__ import annotations

from datetime import timedelta

from report_helpers import put, put_questions

from bot.needs.log import MET
from bot.report.export import to_csv, to_table
from bot.report.summary import Period, build_report
from bot.store.needlog import utcnow


def test_topics_are_counted_apart_from_needs_with_their_phrasings(engine, catalog, rule):
    now = utcnow()
    put_questions(engine, "ask_hours", ["mấy giờ đóng cửa"] * 3 + ["may gio mo cua"], now)
    put_questions(engine, "ask_price", ["phở bò bao nhiêu"], now)
    put(engine, "parking", MET, now)

    report = build_report(engine, catalog, rule, Period.last_days(1, now + timedelta(hours=1)))

    assert [(t.topic, t.requests) for t in report.topics] == [("ask_hours", 4), ("ask_price", 1)]
    assert report.topics[0].label == "Giờ mở cửa"
    assert report.topics[0].top_phrases[0] == "mấy giờ đóng cửa"
    assert report.total_requests == 1  # the parking need alone
    body = report.to_json()
    assert body["topics"][0] == {
        "topic": "ask_hours",
        "label": "Giờ mở cửa",
        "requests": 4,
        "top_phrases": ["mấy giờ đóng cửa", "may gio mo cua"],
    }
    assert {"days", "start", "end", "needs", "recommendations", "unrecognized"} <= set(body)


def test_a_frequent_topic_earns_its_configured_recommendation(engine, catalog, rule):
    now = utcnow()
    asked = rule.topic_min_requests + 1
    put_questions(engine, "ask_hours", ["mấy giờ mở cửa"] * asked, now - timedelta(days=2))
    put_questions(engine, "delivery", ["có ship không"] * (rule.topic_min_requests - 1), now)

    report = build_report(engine, catalog, rule, Period.last_days(7, now + timedelta(hours=1)))

    advice = [r for r in report.recommendations if r.kind == "topic"]
    assert [r.need for r in advice] == ["ask_hours"]
    assert advice[0].message.startswith(f"{asked} khách hỏi giờ mở cửa trong {rule.days} ngày")
    assert "Google Maps" in advice[0].message
    entry = next(r for r in report.to_json()["recommendations"] if r["need"] == "ask_hours")
    assert entry["kind"] == "topic"


def test_csv_and_table_list_topics(engine, catalog, rule):
    now = utcnow()
    put_questions(engine, "delivery", ["có ship không", "ship ko"], now)
    report = build_report(engine, catalog, rule, Period.last_days(1, now + timedelta(hours=1)))

    rows = to_csv(report).lstrip("\ufeff").splitlines()
    topic_row = next(row for row in rows if row.startswith("delivery,"))
    assert "Câu hỏi: Giao hàng,2,2,0,0,0" in topic_row
    assert "có ship không" in topic_row
    assert "2 × Giao hàng (delivery)" in to_table(report)


def test_bookings_of_today_and_later_are_listed_for_staff(engine, catalog, rule):
    from datetime import datetime

    from bot.business.booking import BookingDesk, BookingRequest
    from bot.business.profile import BusinessProfile
    from bot.store.bookings import BookingStore

    profile = BusinessProfile.load()
    desk = BookingDesk(lambda: profile, BookingStore(engine))
    now = datetime.now(profile.zone)
    at = (now + timedelta(days=1)).replace(hour=19, minute=0, second=0, microsecond=0)
    request = BookingRequest("hoan-kiem", at, 4, name="Lan", phone="0901234567", table="5")
    code = desk.book(request, now).booking.code

    report = build_report(engine, catalog, rule, Period.last_days(1))

    (listed,) = report.to_json()["bookings"]
    assert listed["code"] == code and listed["phone"] == "0901234567"
    assert (listed["branch"], listed["party_size"], listed["table"]) == ("hoan-kiem", 4, "5")
    assert listed["starts_at"] == at.strftime("%Y-%m-%dT19:00")
