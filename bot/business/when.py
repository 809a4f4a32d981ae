"""Dates, times and party sizes in what a Vietnamese guest types: "7h tối mai, 4 người".

Why: booking a table and "chủ nhật quán có mở không" need a day and a time
from free text typed with or without diacritics and in teencode ("t7", "cn",
"2 ng"); Rasa's Duckling has no Vietnamese. This is a small deterministic
parser with ``now`` injected, so every rule is a table test.

Rules (documented because they are choices):

* A bare hour 1–9 ("7h", "lúc 8 giờ") is afternoon/evening (19:00, 20:00):
  guests book lunch and dinner, and whoever means breakfast says "sáng".
  10, 11 and 12 are late morning/noon; 13–23 are the 24-hour clock. A part of
  day decides when given: "7h sáng" 07:00, "1h trưa" 13:00, "8h tối" 20:00.
* "thứ 7", "thứ 7 này", "thứ 7 tới": the next Saturday on or after today;
  "thứ 7 tuần sau" / "tuần tới": the Saturday of next week (weeks start on
  Monday, "thứ 2"). "cuối tuần": this week's Saturday (today at the weekend).
* "20/12" already past this year means next year; "ngày 20" past means next month.
* "ngày kia" and "mốt" are the day after tomorrow.
* Ambiguous unaccented words are read from context: "toi" is "tối" only next
  to a day or a time ("toi nay", "7h toi"), otherwise "tôi"; "sang" is "sáng"
  only before a day or after a time ("sang mai", "7h sang"), since "doi sang
  7h" means "đổi sang"; "mot" is "mốt" only as a day ("toi mot", at the end),
  otherwise "một".
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, FrozenSet, List, Optional, Pattern, Tuple, Union

from bot.language.text import fold, has_diacritics

PARTS_OF_DAY = {
    "buoisang": "sáng",
    "trua": "trưa",
    "chieu": "chiều",
    "buoitoi": "tối",
    "dem": "đêm",
    "khuya": "đêm",
}
NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5, "sau": 6,
    "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
}  # fmt: skip
_NUMBER = r"\d{1,3}|(?:muoi\s+)?(?:" + "|".join(NUMBER_WORDS) + r")"
_DAY_WORDS = r"nay|mai|ngaymot|mot|kia|thu|chu nhat|cuoi tuan|hom|ngay|\d"

_WEEKDAY_NUMBERS = {"hai": "2", "ba": "3", "tu": "4", "nam": "5", "sau": "6", "bay": "7"}

# Accented words whose folded form is ambiguous, replaced before folding.
_ACCENTED = [
    (r"khuyến mãi", "uudai"),
    (r"tuần tới", "tuần sau"),
    (r"tới", "den"),
    (r"tối", "buoitoi"),
    (r"tôi", "minh"),
    (r"sáng", "buoisang"),
    (r"sang", "qua"),
    (r"mốt", "ngaymot"),
    (r"một", "1"),
]
# Then, on folded text: teencode and the context rules for unaccented words.
_FOLDED: List[Tuple[str, Union[str, Callable[[re.Match], str]]]] = [
    (r"\b(?:khuyen mai|km)\b", "uudai"),
    (r"\btuan toi\b", "tuan sau"),
    (r"\bt([2-7])\b", r"thu \1"),
    (r"\bthu (hai|ba|tu|nam|sau|bay)\b", lambda m: "thu " + _WEEKDAY_NUMBERS[m.group(1)]),
    (r"\bcn\b", "chu nhat"),
    (r"\b(?:hnay|hn|bua nay)\b", "hom nay"),
    (r"\b(?:bh|bgio|bjo|bay h)\b", "bay gio"),
    (r"\b(\d{1,2}\s*(?:h|g|gio)(?:\s*\d{1,2})?)\s*toi\b", r"\1 buoitoi"),
    (rf"\btoi(?=\s+(?:{_DAY_WORDS}))", "buoitoi"),
    (r"\b(\d{1,2}\s*(?:h|g|gio)(?:\s*\d{1,2})?)\s*sang\b", r"\1 buoisang"),
    (r"\bsang(?=\s+(?:nay|mai|mot|ngaymot|kia|thu|chu nhat|cuoi tuan|hom|ngay)\b)", "buoisang"),
    (r"\b(buoitoi|buoisang|trua|chieu|ngay|hom)\s+mot\b", r"\1 ngaymot"),
    (r"\bmot(?=\s*$|\s+(?:luc\s+)?\d{1,2}\s*(?:h|g|gio|:))", "ngaymot"),
    (r"\bng\b", "nguoi"),
]


@dataclass(frozen=True)
class When:
    """What a message says about when and how many; None where it says nothing."""

    date: Optional[dt.date] = None
    time: Optional[dt.time] = None
    part_of_day: Optional[str] = None
    party_size: Optional[int] = None
    is_now: bool = False

    @property
    def found(self) -> FrozenSet[str]:
        """Which parts the message gave: date, time, part_of_day, party_size, now."""
        given = {
            "date": self.date,
            "time": self.time,
            "part_of_day": self.part_of_day,
            "party_size": self.party_size,
            "now": self.is_now or None,
        }
        return frozenset(name for name, value in given.items() if value is not None)

    def moment(self, now: dt.datetime) -> Optional[dt.datetime]:
        """Date and time together: no date means today, or tomorrow if the time has passed."""
        if self.time is None:
            return None
        day = self.date or now.date()
        at = dt.datetime.combine(day, self.time, tzinfo=now.tzinfo)
        if self.date is None and at < now.replace(second=0, microsecond=0):
            at += dt.timedelta(days=1)
        return at


def canonical(text: str) -> str:
    """Folded text with teencode expanded and ambiguous words resolved (see module doc)."""
    lowered = unicodedata.normalize("NFC", text).lower()
    if has_diacritics(lowered):  # the guest types accents: "sang" is "sang", not "sáng"
        for accented, replacement in _ACCENTED:
            lowered = re.sub(rf"\b{accented}\b", replacement, lowered)
    folded = " ".join(re.sub(r"[^\w:/\-]+", " ", fold(lowered)).split())
    for pattern, rewrite in _FOLDED:
        folded = re.sub(pattern, rewrite, folded)
    return folded


def parse_when(text: str, now: dt.datetime) -> When:
    """Read date, time, part of day and party size from ``text``, relative to ``now``."""
    scan = _Scan(canonical(text))
    today = now.date()
    is_now = scan.take(re.compile(r"\b(?:ngay bay gio|bay gio|gio nay|lien bay gio)\b")) is not None
    day = None
    for pattern, resolve in _DAY_RULES:
        found = scan.take(pattern)
        if found is not None:
            day = resolve(found, today)
            if day is not None:
                break
    clock = _read_clock(scan)
    party = _read_party(scan)
    part_match = scan.take(re.compile(r"\b(" + "|".join(PARTS_OF_DAY) + r")\b"))
    part = PARTS_OF_DAY[part_match.group(1)] if part_match else None
    time = _resolve_clock(*clock, part) if clock else None
    if is_now:
        day = day or today
        time = time or now.time().replace(second=0, microsecond=0)
    return When(date=day, time=time, part_of_day=part, party_size=party, is_now=is_now)


class _Scan:
    """The canonical text; matches are blanked out so no number is read twice."""

    def __init__(self, text: str) -> None:
        self.text = f" {text} "

    def take(self, pattern: Pattern[str]) -> Optional[re.Match]:
        found = pattern.search(self.text)
        if found:
            start, end = found.span()
            self.text = self.text[:start] + " " * (end - start) + self.text[end:]
        return found


# ----- days -----


def _explicit(day: int, month: int, year: Optional[int], today: dt.date) -> Optional[dt.date]:
    if year is not None and year < 100:
        year += 2000
    try:
        found = dt.date(year or today.year, month, day)
    except ValueError:
        return None
    if year is None and found < today:
        found = found.replace(year=today.year + 1)
    return found


def _day_of_month(day: int, today: dt.date) -> Optional[dt.date]:
    month, year = today.month, today.year
    for _ in range(3):  # this month, or the next months that have this day
        try:
            found = dt.date(year, month, day)
        except ValueError:
            found = None
        if found and found >= today:
            return found
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


def _weekday(match: re.Match, today: dt.date) -> dt.date:
    number, sunday, which = match.group(1), match.group(2), match.group(3) or ""
    weekday = 6 if sunday else int(number) - 2
    if "sau" in which:
        monday = today - dt.timedelta(days=today.weekday())
        return monday + dt.timedelta(days=7 + weekday)
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


def _weekend(match: re.Match, today: dt.date) -> dt.date:
    if match.group(1):  # cuối tuần sau
        return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=12)
    return today if today.weekday() >= 5 else today + dt.timedelta(days=5 - today.weekday())


def _relative(offset: int) -> Callable[[re.Match, dt.date], dt.date]:
    return lambda _match, today: today + dt.timedelta(days=offset)


def _int(match: re.Match, group: int) -> Optional[int]:
    value = match.group(group)
    return int(value) if value else None


_NOT_TIME_OR_PEOPLE = r"(?!\s*(?:h|g|gio|:|nguoi|khach|pax)\b)"
_DAY_RULES: List[Tuple[Pattern[str], Callable[[re.Match, dt.date], Optional[dt.date]]]] = [
    (
        re.compile(r"\b(?:ngay\s+)?(\d{1,2})\s*[/-]\s*(\d{1,2})(?:\s*[/-]\s*(\d{2}|\d{4}))?\b"),
        lambda m, today: _explicit(int(m.group(1)), int(m.group(2)), _int(m, 3), today),
    ),
    (
        re.compile(r"\bngay\s+(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?\b"),
        lambda m, today: _explicit(int(m.group(1)), int(m.group(2)), _int(m, 3), today),
    ),
    (
        re.compile(rf"\bngay\s+(\d{{1,2}})\b{_NOT_TIME_OR_PEOPLE}"),
        lambda m, today: _day_of_month(int(m.group(1)), today),
    ),
    (
        re.compile(r"\b(?:thu\s*([2-7])|(chu nhat))(?:\s+(tuan nay|nay|den|tuan sau|sau))?\b"),
        _weekday,
    ),
    (re.compile(r"\bcuoi tuan(?:\s+nay|\s+den)?(\s+sau)?\b"), _weekend),
    (re.compile(r"\b(?:ngay kia|ngaymot)\b"), _relative(2)),
    (re.compile(r"\b(?:ngay mai|mai)\b"), _relative(1)),
    (re.compile(r"\b(?:hom nay|nay)\b"), _relative(0)),
]

# ----- times -----

_CLOCK = re.compile(
    r"\b(\d{1,2})\s*(gio|h|g|:)"
    r"(?:(\d{2})\b|\s*(\d{1,2})\s*(?:p|phut)\b|\s*(ruoi)\b|\s*kem\s*(\d{1,2})\b"
    r"|(?<=gio)\s+(\d{1,2})\b(?!\s*(?:nguoi|khach|pax|ban)\b))?"
    r"(?:\s*(?:p|phut)\b)?"
)
_HALF_PAST = re.compile(r"\b(\d{1,2})\s+ruoi\b")
_AM_PM = re.compile(r"\b(\d{1,2})\s*(am|pm)\b")
_AT = re.compile(rf"\bluc\s+(\d{{1,2}})\b{_NOT_TIME_OR_PEOPLE}")


def _read_clock(scan: _Scan) -> Optional[Tuple[int, int, Optional[str]]]:
    """(hour as said, minute, "am"/"pm" if said) of the first time mentioned."""
    found = scan.take(_CLOCK)
    if found:
        hour, minutes = int(found.group(1)), found.group(3) or found.group(4) or found.group(7)
        if found.group(5):
            return hour, 30, None
        if found.group(6):
            return hour - 1, 60 - int(found.group(6)), None
        return hour, int(minutes or 0), None
    for pattern in (_HALF_PAST, _AM_PM, _AT):
        found = scan.take(pattern)
        if found:
            minute = 30 if pattern is _HALF_PAST else 0
            return int(found.group(1)), minute, found.group(2) if pattern is _AM_PM else None
    return None


def _resolve_clock(
    hour: int, minute: int, meridiem: Optional[str], part: Optional[str]
) -> Optional[dt.time]:
    """The 24-hour time for what was said (rules in the module docstring)."""
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    if meridiem:
        part = "chiều" if meridiem == "pm" else "sáng"
    if hour >= 13 or hour == 0 or part == "sáng":
        pass
    elif part == "trưa":
        hour += 12 if hour <= 4 else 0
    elif part == "đêm":
        hour = 0 if hour == 12 else hour + (12 if hour >= 6 else 0)
    elif part in ("chiều", "tối") or hour <= 9:
        hour += 12 if hour < 12 else 0
    return dt.time(hour, minute)


# ----- party size -----

_PARTY_PATTERNS = [
    re.compile(rf"\b({_NUMBER})\s*(?:nguoi|khach|pax|suat|thanh vien)\b"),
    re.compile(
        rf"\b(?:ban|nhom|doan|cho|tiec|di)\s+(?:cho\s+|khoang\s+|tam\s+)?({_NUMBER})\b"
        r"(?!\s*(?:h|g|gio|:|/|-|ruoi|thang|am|pm|gio)\b)"
    ),
]
_COUPLE = re.compile(r"\b(?:2 |hai )?(?:vo chong|cap doi|nguoi yeu)\b")


def _number(word: str) -> Optional[int]:
    if word.isdigit():
        return int(word)
    parts = word.split()
    if len(parts) == 2:  # "muoi hai" = 12
        return 10 + NUMBER_WORDS[parts[1]]
    return NUMBER_WORDS.get(word)


def _read_party(scan: _Scan) -> Optional[int]:
    for pattern in _PARTY_PATTERNS:
        found = scan.take(pattern)
        if found:
            size = _number(" ".join(found.group(1).split()))
            return size if size and 0 < size <= 500 else None
    return 2 if scan.take(_COUPLE) else None
