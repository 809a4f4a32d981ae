"""Aggregation of the need log into the staff report, on crafted rows with chosen times."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from report_helpers import put, put_handoff, put_many, put_outcome_only

from bot import settings
from bot.needs.log import ESCALATED, MET, NO_ANSWER, UNMET, UNRECOGNIZED
from bot.report.rules import RecommendationRule
from bot.report.summary import Period, build_report, mark_handoff_done

HCM = "Asia/Ho_Chi_Minh"
NOW = datetime(2024, 5, 10, 12, 0)  # naive UTC, 19:00 in Ho Chi Minh City
RECENT = NOW - timedelta(days=2)


def last_week(tz: str = HCM) -> Period:
    return Period.last_days(7, now=NOW, tz=tz)


def by_need(report):
    return {n.need: n for n in report.needs}


def phone_power_advice(catalog, requests: int, not_met: int, escalated: int, days: int = 7):
    need = catalog.need("phone_power")
    return need.recommendation.format(
        requests=requests, unmet=not_met, escalated=escalated, days=days, label=need.label
    )


# --- counts and ranking -------------------------------------------------------------


def test_counts_per_need_and_ranking_by_requests(engine, catalog, rule):
    put_many(engine, "internet_access", [MET] * 15, RECENT)
    put_many(engine, "phone_power", [MET] * 3 + [UNMET] * 7 + [ESCALATED] * 2, RECENT)
    put_many(engine, "restroom", [MET, NO_ANSWER], RECENT)
    put(engine, "restroom", None, RECENT)  # opened, no outcome yet: counts as no answer
    put(engine, "phone_power", UNMET, NOW - timedelta(days=8))  # before the period
    put(engine, "phone_power", UNMET, NOW + timedelta(minutes=1))  # after its end
    put(engine, UNRECOGNIZED, None, RECENT, text="có bán vé số không")
    put_outcome_only(engine, "opening-not-arrived", UNMET, RECENT)

    report = build_report(engine, catalog, rule, last_week())
    needs = by_need(report)

    assert [n.need for n in report.needs[:3]] == ["internet_access", "phone_power", "restroom"]
    assert set(needs) == set(catalog.needs)  # every catalog need, none for unrecognised
    assert all(n.requests == 0 for n in report.needs[3:])
    zero = [n.need for n in report.needs[3:]]
    assert zero == sorted(zero)
    phone = needs["phone_power"]
    assert (phone.requests, phone.met, phone.unmet, phone.escalated, phone.no_answer) == (
        12,
        3,
        7,
        2,
        0,
    )
    assert phone.unmet_share == pytest.approx(9 / 12)
    assert phone.label == catalog.need("phone_power").label
    restroom = needs["restroom"]
    assert (restroom.requests, restroom.met, restroom.no_answer) == (3, 1, 2)
    assert needs["internet_access"].met == 15
    assert report.total_requests == 30


def test_equal_requests_rank_the_less_met_need_first(engine, catalog, rule):
    put_many(engine, "parking", [MET, MET, MET], RECENT)
    put_many(engine, "stay_dry", [UNMET, MET, MET], RECENT)
    put_many(engine, "workspace", [UNMET, UNMET, MET], RECENT)
    report = build_report(engine, catalog, rule, last_week())
    assert [n.need for n in report.needs[:3]] == ["workspace", "stay_dry", "parking"]


def test_json_has_the_spec_shape(engine, catalog, rule):
    put_many(engine, "phone_power", [UNMET] * 9 + [MET] * 3, RECENT)
    put(engine, UNRECOGNIZED, None, RECENT, text="có bán vé số không")
    data = build_report(engine, catalog, rule, last_week()).to_json()

    assert data["days"] == 7
    assert {"days", "needs", "recommendations", "unrecognized"} <= set(data)
    assert len(data["needs"]) == len(catalog.needs)
    for need in data["needs"]:
        assert {"need", "label", "requests", "unmet", "escalated", "top_phrases"} <= set(need)
        assert isinstance(need["top_phrases"], list)
    assert data["needs"][0]["need"] == "phone_power"
    assert (data["needs"][0]["requests"], data["needs"][0]["unmet"]) == (12, 9)
    # SPEC §4: {"need", "message"} (extra, documented fields are allowed).
    assert [(r["need"], r["message"]) for r in data["recommendations"]] == [
        ("phone_power", phone_power_advice(catalog, 12, 9, 0))
    ]
    assert data["unrecognized"][0]["example"] == "có bán vé số không"
    assert data["unrecognized"][0]["count"] == 1


# --- what guests said ---------------------------------------------------------------


def test_top_phrases_ignore_diacritics_case_and_punctuation(engine, catalog, rule):
    said = [
        ("Có sạc iPhone không?", "Sạc iPhone"),
        ("co sac iphone khong", "sac iphone"),
        ("em ơi cho mượn cục sạc", "cục sạc"),
        ("CÓ SẠC IPHONE KHÔNG", "SẠC IPHONE"),
        ("Em ơi, cho mượn cục sạc!", "cục sạc"),
        ("hết pin rồi", None),
    ]
    for minute, (text, item) in enumerate(said):
        put(engine, "phone_power", MET, RECENT + timedelta(minutes=minute), text=text, item=item)
    phone = by_need(build_report(engine, catalog, rule, last_week()))["phone_power"]

    # Three spellings of one phrase count together and show the latest spelling.
    assert phone.top_phrases == ["CÓ SẠC IPHONE KHÔNG", "Em ơi, cho mượn cục sạc!", "hết pin rồi"]
    assert phone.top_items == [("SẠC IPHONE", 3), ("cục sạc", 2)]


def test_top_phrases_keep_the_five_most_frequent(engine, catalog, rule):
    for i in range(7):
        for repeat in range(7 - i):
            put(engine, "payment", MET, RECENT + timedelta(minutes=repeat), text=f"cách {i} nhé")
    payment = by_need(build_report(engine, catalog, rule, last_week()))["payment"]
    assert payment.top_phrases == [f"cách {i} nhé" for i in range(5)]


# --- trends and periods -------------------------------------------------------------


def test_trend_per_local_day_in_ho_chi_minh_city(engine, catalog, rule):
    # Local midnight in Ho Chi Minh City (UTC+7) is 17:00 UTC the day before.
    for moment, outcome in [
        (datetime(2024, 4, 30, 16, 59), UNMET),  # 30/04 23:59 local: before the period
        (datetime(2024, 4, 30, 17, 0), UNMET),  # 01/05 00:00 local
        (datetime(2024, 5, 1, 16, 59), MET),  # 01/05 23:59 local
        (datetime(2024, 5, 1, 17, 0), ESCALATED),  # 02/05 00:00 local
        (datetime(2024, 5, 3, 16, 59), MET),  # 03/05 23:59 local
        (datetime(2024, 5, 3, 17, 0), UNMET),  # 04/05 00:00 local: after the period
    ]:
        put(engine, "phone_power", outcome, moment)

    period = Period.between(date(2024, 5, 1), date(2024, 5, 3), tz=HCM)
    report = build_report(engine, catalog, rule, period)
    phone = by_need(report)["phone_power"]

    assert report.dates == [date(2024, 5, 1), date(2024, 5, 2), date(2024, 5, 3)]
    assert phone.trend == [2, 1, 1]
    assert phone.trend_not_met == [1, 1, 0]
    assert report.daily_totals == [2, 1, 1]
    assert report.daily_not_met == [1, 1, 0]
    assert phone.requests == 4
    trend = report.to_json()["needs"][0]["trend"]
    assert trend == [
        {"date": "2024-05-01", "requests": 2},
        {"date": "2024-05-02", "requests": 1},
        {"date": "2024-05-03", "requests": 1},
    ]

    # The same rows bucketed by UTC days fall differently.
    utc = build_report(engine, catalog, rule, Period.between(date(2024, 5, 1), date(2024, 5, 3)))
    assert by_need(utc)["phone_power"].trend == [2, 0, 2]


def test_period_between_covers_whole_local_days():
    period = Period.between(date(2024, 5, 1), date(2024, 5, 3), tz=HCM)
    assert period.start == datetime(2024, 4, 30, 17, 0)
    assert period.end == datetime(2024, 5, 3, 17, 0)
    assert period.days == 3
    assert period.dates() == [date(2024, 5, 1), date(2024, 5, 2), date(2024, 5, 3)]
    one = Period.between(date(2024, 5, 1), date(2024, 5, 1), tz=HCM)
    assert (one.days, one.dates()) == (1, [date(2024, 5, 1)])
    utc = Period.between(date(2024, 5, 1), date(2024, 5, 1))
    assert (utc.start, utc.end) == (datetime(2024, 5, 1), datetime(2024, 5, 2))


def test_period_today_starts_at_local_midnight():
    evening = Period.today(now=datetime(2024, 5, 1, 16, 0), tz=HCM)  # 23:00 local, 01/05
    assert evening.start == datetime(2024, 4, 30, 17, 0)
    assert evening.dates() == [date(2024, 5, 1)]
    after_midnight = Period.today(now=datetime(2024, 5, 1, 18, 0), tz=HCM)  # 01:00, 02/05
    assert after_midnight.start == datetime(2024, 5, 1, 17, 0)
    assert after_midnight.end == datetime(2024, 5, 1, 18, 0)
    assert after_midnight.dates() == [date(2024, 5, 2)]
    assert after_midnight.days == 1


def test_period_last_days():
    period = Period.last_days(7, now=NOW, tz=HCM)
    assert (period.start, period.end, period.days) == (NOW - timedelta(days=7), NOW, 7)
    # 03/05 19:00 → 10/05 19:00 local touches eight calendar days.
    assert period.dates()[0] == date(2024, 5, 3)
    assert period.dates()[-1] == date(2024, 5, 10)
    assert len(period.dates()) == 8


def test_report_timezone_defaults_to_ho_chi_minh_city(monkeypatch):
    monkeypatch.delenv("REPORT_TIMEZONE", raising=False)
    assert settings.report_timezone() == HCM
    monkeypatch.setenv("REPORT_TIMEZONE", "Asia/Bangkok")
    assert settings.report_timezone() == "Asia/Bangkok"


# --- the recommendation rule --------------------------------------------------------


def test_recommendation_when_requests_and_unmet_share_are_high(engine, catalog, rule):
    put_many(engine, "phone_power", [MET] * 3 + [UNMET] * 7 + [ESCALATED] * 2, RECENT)
    report = build_report(engine, catalog, rule, last_week())

    assert [r.need for r in report.recommendations] == ["phone_power"]
    message = report.recommendations[0].message
    assert message == phone_power_advice(catalog, 12, 9, 2)
    assert message.startswith(
        "9/12 lần khách cần sạc điện thoại chưa được đáp ứng trong 7 ngày qua →"
    )
    assert "{" not in message


@pytest.mark.parametrize(
    ("outcomes", "recommended"),
    [
        ([UNMET] * 4, False),  # every request unmet, but fewer than min_requests (5)
        ([UNMET] * 5, True),  # exactly min_requests
        ([UNMET] * 5 + [MET] * 7, False),  # 5/12 < min_unmet_share (0.5)
        ([UNMET] * 5 + [MET] * 5, True),  # exactly the share
        ([NO_ANSWER] * 9 + [MET] * 3, False),  # no answer is not "not met" in the rule
        ([MET] * 29, False),  # frequent and always met: below recurring_min_requests
        ([MET] * 30, True),  # recurring_min_requests: worth acting on anyway
    ],
)
def test_recommendation_thresholds(engine, catalog, rule, outcomes, recommended):
    assert (rule.min_requests, rule.min_unmet_share, rule.recurring_min_requests) == (5, 0.5, 30)
    put_many(engine, "phone_power", outcomes, RECENT)
    report = build_report(engine, catalog, rule, last_week())
    assert bool(report.recommendations) is recommended
    if recommended:
        not_met = sum(outcome in rule.count_as_unmet for outcome in outcomes)
        assert report.recommendations[0].message == phone_power_advice(
            catalog, len(outcomes), not_met, 0
        )


def test_recommendation_only_counts_the_rule_days(engine, catalog, rule):
    put_many(engine, "phone_power", [UNMET] * 9 + [MET] * 3, NOW - timedelta(days=8))
    put_many(engine, "phone_power", [UNMET] * 4, NOW - timedelta(days=1))
    month = build_report(engine, catalog, rule, Period.last_days(30, now=NOW, tz=HCM))
    assert by_need(month)["phone_power"].requests == 16  # the table shows the whole month
    assert month.recommendations == []  # but over the last 7 days only 4 requests

    put(engine, "phone_power", UNMET, NOW - timedelta(days=2))
    again = build_report(engine, catalog, rule, Period.last_days(30, now=NOW, tz=HCM))
    assert [r.message for r in again.recommendations] == [phone_power_advice(catalog, 5, 5, 0)]


def test_recommendation_uses_the_rule_window_even_for_a_short_period(engine, catalog, rule):
    put_many(engine, "phone_power", [UNMET] * 6, NOW - timedelta(days=3))
    today = build_report(engine, catalog, rule, Period.today(now=NOW, tz=HCM))
    assert by_need(today)["phone_power"].requests == 0
    assert [r.need for r in today.recommendations] == ["phone_power"]


def test_recommendations_are_ordered_by_unmet_share(engine, catalog, rule):
    put_many(engine, "parking", [UNMET] * 3 + [MET] * 3, RECENT)  # 50 %
    put_many(engine, "stay_dry", [UNMET] * 5, RECENT)  # 100 %
    put_many(engine, "internet_access", [MET] * 30 + [UNMET], RECENT)  # recurring
    report = build_report(engine, catalog, rule, last_week())
    assert [r.need for r in report.recommendations] == ["stay_dry", "parking", "internet_access"]


def test_custom_rule_counts_the_outcomes_it_names(engine, catalog):
    rule = RecommendationRule(
        days=3, min_requests=2, min_unmet_share=0.9, count_as_unmet=(UNMET, NO_ANSWER)
    )
    put_many(engine, "phone_power", [NO_ANSWER, UNMET], NOW - timedelta(days=1))
    put_many(engine, "stay_dry", [UNMET, ESCALATED], NOW - timedelta(days=1))
    put_many(engine, "parking", [UNMET] * 3, NOW - timedelta(days=4))  # outside 3 days
    report = build_report(engine, catalog, rule, last_week())
    assert [r.need for r in report.recommendations] == ["phone_power"]
    assert report.recommendations[0].message == phone_power_advice(catalog, 2, 2, 0, days=3)


def test_rule_applies_boundaries():
    rule = RecommendationRule(min_requests=5, min_unmet_share=0.5, recurring_min_requests=30)
    assert not rule.applies(4, 4)
    assert rule.applies(5, 3)
    assert not rule.applies(10, 4)
    assert rule.applies(10, 5)
    assert not rule.applies(29, 0)
    assert rule.applies(30, 0)


# --- requests nobody modelled yet, and waiting guests --------------------------------


def test_unrecognized_requests_are_grouped_by_similarity(engine, catalog, rule):
    texts = (
        ["quán có cho mang chó vào không"] * 2
        + ["quan co cho mang cho vao khong", "cho mình mang chó vào quán được ko"]
        + ["Quán có cho mang chó vào không?"]
        + ["có bán vé số không em"] * 2
        + ["co ban ve so ko em", "mấy giờ quán đóng cửa"]
    )
    for minute, text in enumerate(texts):
        put(engine, UNRECOGNIZED, None, RECENT + timedelta(minutes=minute), text=text)
    put(engine, UNRECOGNIZED, None, NOW - timedelta(days=9), text="mấy giờ quán đóng cửa")
    report = build_report(engine, catalog, rule, last_week())

    groups = [(g.example, g.count) for g in report.unrecognized]
    assert groups == [
        ("quán có cho mang chó vào không", 5),
        ("có bán vé số không em", 3),
        ("mấy giờ quán đóng cửa", 1),
    ]
    assert set(report.unrecognized[0].examples) == {
        "quán có cho mang chó vào không",
        "quan co cho mang cho vao khong",
        "cho mình mang chó vào quán được ko",
        "Quán có cho mang chó vào không?",
    }
    assert report.unrecognized[1].examples == ("có bán vé số không em", "co ban ve so ko em")
    assert report.total_requests == 0  # unrecognised requests are not catalog needs
    assert report.recommendations == []


def test_waiting_handoffs_urgent_first(engine, catalog, rule):
    put_handoff(engine, "cho gặp quản lý", RECENT, need="payment")
    put_handoff(engine, "có người ngất", RECENT - timedelta(hours=1), urgent=True)
    put_handoff(engine, "chuyện cũ", NOW - timedelta(days=9))
    report = build_report(engine, catalog, rule, last_week())
    assert [(h.text, h.urgent) for h in report.handoffs] == [
        ("có người ngất", True),
        ("cho gặp quản lý", False),
    ]
    assert report.to_json()["handoffs_waiting"][1]["need"] == "payment"


def test_same_report_on_sqlite_and_postgresql(any_engine, catalog, rule):
    engine = any_engine
    put_many(engine, "phone_power", [MET] * 3 + [UNMET] * 7 + [ESCALATED] * 2, RECENT)
    put_many(engine, "restroom", [MET, NO_ANSWER], RECENT, text="Toilet ở đâu?")
    put(engine, "restroom", MET, RECENT + timedelta(minutes=5), text="toilet o dau")
    put(engine, "phone_power", UNMET, NOW - timedelta(days=8))
    put_outcome_only(engine, "opening-not-arrived", UNMET, RECENT)
    for text in ["quán có cho mang chó vào không"] * 2 + ["có bán vé số không em"]:
        put(engine, UNRECOGNIZED, None, RECENT, text=text)
    put_handoff(engine, "cho gặp quản lý", RECENT)
    put_handoff(engine, "có người ngất", RECENT, urgent=True)

    report = build_report(engine, catalog, rule, last_week())
    data = report.to_json()
    top = [(n["need"], n["requests"], n["met"], n["unmet"], n["escalated"]) for n in data["needs"]]
    assert top[:2] == [("phone_power", 12, 3, 7, 2), ("restroom", 3, 2, 0, 0)]
    assert data["needs"][1]["top_phrases"] == ["toilet o dau"]
    # SPEC §4: {"need", "message"} (extra, documented fields are allowed).
    assert [(r["need"], r["message"]) for r in data["recommendations"]] == [
        ("phone_power", phone_power_advice(catalog, 12, 9, 2))
    ]
    assert [(g["example"], g["count"]) for g in data["unrecognized"]] == [
        ("quán có cho mang chó vào không", 2),
        ("có bán vé số không em", 1),
    ]
    assert [h["text"] for h in data["handoffs_waiting"]] == ["có người ngất", "cho gặp quản lý"]

    handoff_id = data["handoffs_waiting"][1]["id"]
    assert mark_handoff_done(engine, handoff_id) is True
    assert mark_handoff_done(engine, handoff_id) is False
    waiting = build_report(engine, catalog, rule, last_week()).handoffs
    assert [h.text for h in waiting] == ["có người ngất"]
