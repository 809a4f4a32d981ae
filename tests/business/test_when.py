"""Vietnamese date/time/party parsing, as a table, with a fixed now.

Now is Wednesday 2 December 2026, 17:30 in Hà Nội.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.business.when import When, parse_when

NOW = dt.datetime(2026, 12, 2, 17, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
D = dt.date
T = dt.time

# (text, date, time, part of day, party size)
CASES = [
    # days, relative
    ("tối nay", D(2026, 12, 2), None, "tối", None),
    ("toi nay", D(2026, 12, 2), None, "tối", None),
    ("hôm nay", D(2026, 12, 2), None, None, None),
    ("hnay", D(2026, 12, 2), None, None, None),
    ("mai", D(2026, 12, 3), None, None, None),
    ("ngày mai", D(2026, 12, 3), None, None, None),
    ("ngày kia", D(2026, 12, 4), None, None, None),
    ("mốt", D(2026, 12, 4), None, None, None),
    ("toi mot 8h", D(2026, 12, 4), T(20, 0), "tối", None),
    ("trưa mai", D(2026, 12, 3), None, "trưa", None),
    ("sang mai", D(2026, 12, 3), None, "sáng", None),
    # weekdays and weekends
    ("thứ 7 này", D(2026, 12, 5), None, None, None),
    ("t7", D(2026, 12, 5), None, None, None),
    ("thứ bảy tới", D(2026, 12, 5), None, None, None),
    ("thứ 4", D(2026, 12, 2), None, None, None),
    ("thứ 2", D(2026, 12, 7), None, None, None),
    ("chủ nhật tuần sau", D(2026, 12, 13), None, None, None),
    ("cn", D(2026, 12, 6), None, None, None),
    ("chu nhat quan co mo khong", D(2026, 12, 6), None, None, None),
    ("t7 tuan toi", D(2026, 12, 12), None, None, None),
    ("thứ sáu tuần sau", D(2026, 12, 11), None, None, None),
    ("cuối tuần", D(2026, 12, 5), None, None, None),
    ("cuối tuần sau", D(2026, 12, 12), None, None, None),
    # explicit dates
    ("ngày 20/12", D(2026, 12, 20), None, None, None),
    ("20-12", D(2026, 12, 20), None, None, None),
    ("1/12", D(2027, 12, 1), None, None, None),  # past: next year
    ("5/1/2027", D(2027, 1, 5), None, None, None),
    ("ngày 5", D(2026, 12, 5), None, None, None),
    ("ngày 1", D(2027, 1, 1), None, None, None),  # past: next month
    ("ngày 24 tháng 12", D(2026, 12, 24), None, None, None),
    # times
    ("19h30", None, T(19, 30), None, None),
    ("19:30", None, T(19, 30), None, None),
    ("8 giờ rưỡi", None, T(20, 30), None, None),
    ("8h15", None, T(20, 15), None, None),
    ("8h15p", None, T(20, 15), None, None),
    ("8 giờ kém 15", None, T(19, 45), None, None),
    ("7h", None, T(19, 0), None, None),  # bare 1-9: evening
    ("lúc 6", None, T(18, 0), None, None),
    ("11h", None, T(11, 0), None, None),  # 10-12: late morning / noon
    ("12h trưa", None, T(12, 0), "trưa", None),
    ("1h trưa thứ 6", D(2026, 12, 4), T(13, 0), "trưa", None),
    ("7h sáng mai", D(2026, 12, 3), T(7, 0), "sáng", None),
    ("7h sang", None, T(7, 0), "sáng", None),
    ("8h tối", None, T(20, 0), "tối", None),
    ("7h tối mai", D(2026, 12, 3), T(19, 0), "tối", None),
    ("7h toi mai", D(2026, 12, 3), T(19, 0), "tối", None),
    ("7pm", None, T(19, 0), None, None),
    ("10h đêm nay", D(2026, 12, 2), T(22, 0), "đêm", None),
    ("tôi muốn đặt bàn 10h", None, T(10, 0), None, None),  # "tôi" is not "tối"
    ("doi sang 7h", None, T(19, 0), None, None),  # "đổi sang", not "sáng"
    # party sizes
    ("4 người", None, None, None, 4),
    ("bàn 6", None, None, None, 6),
    ("2 ng", None, None, None, 2),
    ("nhóm 10", None, None, None, 10),
    ("cho 4", None, None, None, 4),
    ("năm người", None, None, None, 5),
    ("dat ban cho mot nguoi", None, None, None, 1),
    ("2 vợ chồng", None, None, None, 2),
    ("muoi hai khach", None, None, None, 12),
    ("cho 7h", None, T(19, 0), None, None),  # a time, not a party of 7
    # everything at once
    ("đặt bàn 4 người 7h tối mai", D(2026, 12, 3), T(19, 0), "tối", 4),
    ("t7 tuan sau 7h30 6 ng", D(2026, 12, 12), T(19, 30), None, 6),
    ("cho 5 ng luc 19:00 ngay 24/12", D(2026, 12, 24), T(19, 0), None, 5),
    ("ban 8 toi cn", D(2026, 12, 6), None, "tối", 8),
    ("nothing here", None, None, None, None),
]


@pytest.mark.parametrize(
    ("text", "date", "time", "part", "party"), CASES, ids=[c[0] for c in CASES]
)
def test_parse(text, date, time, part, party):
    assert parse_when(text, NOW) == When(date, time, part, party)


def test_the_table_is_large_enough():
    assert len(CASES) >= 40


def test_now_gives_today_and_the_current_minute():
    found = parse_when("bây giờ còn bàn không", NOW)
    assert (found.date, found.time, found.is_now) == (D(2026, 12, 2), T(17, 30), True)
    assert found.found == {"date", "time", "now"}


def test_found_names_the_parts_given():
    assert parse_when("7h tối mai 4 người", NOW).found == {
        "date",
        "time",
        "part_of_day",
        "party_size",
    }
    assert parse_when("xin chào", NOW).found == frozenset()


def test_moment_without_a_date_is_today_or_tomorrow_if_past():
    assert parse_when("19h", NOW).moment(NOW) == NOW.replace(hour=19, minute=0)
    assert parse_when("11h", NOW).moment(NOW) == NOW.replace(day=3, hour=11, minute=0)
    assert parse_when("mai", NOW).moment(NOW) is None
