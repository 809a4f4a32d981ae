"""The business profile: what this restaurant has (``data/business.yml``).

The needs catalog says what guests need; the profile says what the restaurant
offers — branches, opening hours, menu, delivery, payment, promotions and
reservation settings. The owner edits it, so loading validates the whole file
and reports every problem with file, line and field ("data/business.yml:42:
menu[3].price: must be a positive number of đồng, got "ba mươi""), and
:class:`ProfileSource` re-reads it when it changes: a new price or holiday
reaches guests without a restart or retraining.

Models are frozen pydantic models (typed, immutable), like the catalog's.
Times of day are minutes since local midnight; the profile's ``timezone``
says which midnight.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PositiveFloat, StrictBool, ValidationError, conint, validator

from bot.language.text import fold
from bot.paths import BUSINESS_PATH
from bot.yaml_source import DataFileError, PathPart, ReloadingFile, StrictModel, YamlSource

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SIGNATURE_TAG = "món đặc trưng"
CLOSED_WORDS = frozenset({"closed", "nghỉ", "đóng cửa"})
MINUTES_PER_DAY = 24 * 60

Problem = Tuple[Sequence[PathPart], str]

_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})")
_BRANCH_ID = r"^[a-z0-9][a-z0-9-]*$"


class ProfileError(DataFileError):
    """The business profile is invalid; every problem names file, line and field."""


class Dong(int):
    """A price in đồng: a whole positive number ("55000", not "55.000" or "ba mươi")."""

    @classmethod
    def __get_validators__(cls) -> Iterator:
        yield cls.validate

    @classmethod
    def validate(cls, value: object) -> "Dong":
        """Accept whole numbers of at least 1.000đ; explain anything else."""
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            hint = " (write 55000, without dots)" if isinstance(value, float) else ""
            raise ValueError(f'must be a positive number of đồng{hint}, got "{value}"')
        if value < 1000:
            raise ValueError(f"{value} đồng looks wrong: write the full amount, e.g. 55000")
        return cls(value)


class Hours(tuple):
    """Opening ranges of one day as (open, close) minutes since midnight; empty = closed."""

    @classmethod
    def __get_validators__(cls) -> Iterator:
        yield cls.validate

    @classmethod
    def validate(cls, value: object) -> "Hours":
        """Parse "07:00-22:00", "07:00-14:00, 17:00-22:00" or "closed"."""
        text = str(value).strip().lower() if isinstance(value, str) else None
        if text in CLOSED_WORDS:
            return cls(())
        ranges: List[Tuple[int, int]] = []
        for part in (text or "").split(","):
            found = _RANGE.fullmatch(part.strip())
            if not found:
                raise ValueError(
                    f'must be like "07:00-22:00", "07:00-14:00, 17:00-22:00" or "closed", '
                    f'got "{value}"'
                )
            h1, m1, h2, m2 = (int(g) for g in found.groups())
            if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
                raise ValueError(f'"{part.strip()}" is not a time of day')
            start, end = h1 * 60 + m1, h2 * 60 + m2
            if end <= start:
                raise ValueError(f'"{part.strip()}" closes before it opens')
            if ranges and start < ranges[-1][1]:
                raise ValueError(f'"{value}": ranges must be in order and not overlap')
            ranges.append((start, end))
        return cls(ranges)

    @property
    def closed(self) -> bool:
        """No opening at all that day."""
        return not self

    def open_at(self, minute: int) -> Optional[Tuple[int, int]]:
        """The range open at ``minute`` (open ≤ minute < close), if any."""
        return next(((a, b) for a, b in self if a <= minute < b), None)

    def next_opening(self, minute: int) -> Optional[int]:
        """The first opening at or after ``minute`` that day."""
        return next((a for a, _ in self if a >= minute), None)


def _not_before_first_day(cls: type, value: Optional[date], values: Dict) -> Optional[date]:
    first = values.get("first_day")
    if value is not None and first is not None and value < first:
        raise ValueError(f"must not be before first_day ({first})")
    return value


class SpecialDay(StrictModel):
    """Hours that replace the weekday's (Tết, holidays), from first_day to last_day."""

    first_day: date
    last_day: Optional[date] = None
    hours: Hours
    reason: str

    _last_day = validator("last_day", allow_reuse=True)(_not_before_first_day)

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls in this special period."""
        return self.first_day <= day <= (self.last_day or self.first_day)


class WeeklyHours(StrictModel):
    """Opening hours per weekday."""

    monday: Hours
    tuesday: Hours
    wednesday: Hours
    thursday: Hours
    friday: Hours
    saturday: Hours
    sunday: Hours

    def on(self, weekday: int) -> Hours:
        """Hours of ``weekday`` (0 = Monday, as ``date.weekday()``)."""
        return getattr(self, WEEKDAYS[weekday])


class Branch(StrictModel):
    """One place guests can go to."""

    id: str = Field(..., regex=_BRANCH_ID)
    name: str
    words: List[str] = Field(default_factory=list)
    address: str
    directions: str
    parking: str
    map_url: str = Field(..., regex=r"^https?://")
    phone: Optional[str] = None
    tables: Dict[conint(ge=1, le=50), conint(ge=1, le=200)]  # type: ignore[valid-type]

    @validator("tables")
    def _some_tables(cls, value: Dict[int, int]) -> Dict[int, int]:  # noqa: N805
        if not value:
            raise ValueError("list the tables as {seats: how many}, e.g. {2: 6, 4: 4}")
        return value

    @property
    def largest_table(self) -> int:
        """Seats at the biggest table."""
        return max(self.tables)


class Contact(StrictModel):
    """How guests reach the restaurant."""

    phone: str
    zalo: Optional[str] = None
    facebook: Optional[str] = None
    email: Optional[str] = None


class Term(StrictModel):
    """A tag or allergen and the other words guests use for it."""

    name: str
    words: List[str] = Field(default_factory=list)

    def spellings(self) -> List[str]:
        """The name and every synonym."""
        return [self.name, *self.words]


class Dish(StrictModel):
    """A menu item."""

    name: str
    price: Dong
    category: str
    description: str = ""
    tags: List[str] = Field(default_factory=list)
    allergens: List[str] = Field(default_factory=list)
    aliases: List[str] = Field(default_factory=list)


class OwnDelivery(StrictModel):
    """The restaurant's own delivery."""

    radius_km: PositiveFloat
    fee: Optional[Dong] = None
    free_from: Optional[Dong] = None
    order_by: str


class Delivery(StrictModel):
    """Delivery apps and the restaurant's own delivery."""

    apps: List[str] = Field(default_factory=list)
    app_name: Optional[str] = None
    own: Optional[OwnDelivery] = None


class Payment(StrictModel):
    """Payment methods accepted."""

    methods: List[str] = Field(..., min_items=1)
    invoice: Optional[str] = None


class Promotion(StrictModel):
    """An offer valid from first_day to last_day, optionally on some weekdays only."""

    title: str
    details: str = ""
    first_day: date
    last_day: date
    weekdays: List[str] = Field(default_factory=list)
    branches: List[str] = Field(default_factory=list)

    _last_day = validator("last_day", allow_reuse=True)(_not_before_first_day)

    @validator("weekdays", each_item=True)
    def _weekday(cls, value: str) -> str:  # noqa: N805
        if value not in WEEKDAYS:
            raise ValueError(f'"{value}" is not a weekday ({", ".join(WEEKDAYS)})')
        return value

    def valid_on(self, day: date) -> bool:
        """Whether the offer applies on ``day``."""
        in_range = self.first_day <= day <= self.last_day
        return in_range and (not self.weekdays or WEEKDAYS[day.weekday()] in self.weekdays)


class Reservations(StrictModel):
    """How tables are booked."""

    slot_minutes: conint(ge=15, le=480)  # type: ignore[valid-type]
    step_minutes: conint(ge=5, le=120)  # type: ignore[valid-type]
    largest_party: conint(ge=1, le=200)  # type: ignore[valid-type]
    days_ahead: conint(ge=0, le=365)  # type: ignore[valid-type]
    min_notice_minutes: conint(ge=0) = 0  # type: ignore[valid-type]
    last_booking_before_close_minutes: conint(ge=0) = 0  # type: ignore[valid-type]
    waitlist: StrictBool = True


class BusinessProfile(StrictModel):
    """The validated profile with the lookups the answers and bookings need."""

    name: str
    timezone: str
    branches: List[Branch] = Field(..., min_items=1)
    hours: WeeklyHours
    special_days: List[SpecialDay] = Field(default_factory=list)
    contact: Contact
    categories: List[str] = Field(..., min_items=1)
    tags: List[Term] = Field(default_factory=list)
    allergens: List[Term] = Field(default_factory=list)
    menu: List[Dish] = Field(..., min_items=1)
    delivery: Optional[Delivery] = None
    payment: Payment
    promotions: List[Promotion] = Field(default_factory=list)
    reservations: Reservations

    @validator("timezone")
    def _known_zone(cls, value: str) -> str:  # noqa: N805
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f'unknown time zone "{value}" (e.g. Asia/Ho_Chi_Minh)') from error
        return value

    @classmethod
    def load(cls, path: Path = BUSINESS_PATH) -> "BusinessProfile":
        """Load and validate ``path``; raises :class:`ProfileError` listing problems."""
        source, data = YamlSource.read_mapping(path, ProfileError)
        try:
            profile = cls.parse_obj(data)
        except ValidationError as error:
            raise ProfileError(
                [source.problem(e["loc"], e["msg"]) for e in error.errors()]
            ) from error
        problems = list(_cross_check(profile))
        if problems:
            raise ProfileError([source.problem(loc, msg) for loc, msg in problems])
        return profile

    @property
    def zone(self) -> ZoneInfo:
        """The restaurant's time zone."""
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the restaurant's time zone (naive means already local)."""
        return moment.astimezone(self.zone) if moment.tzinfo else moment.replace(tzinfo=self.zone)

    def hours_on(self, day: date) -> Tuple[Hours, Optional[SpecialDay]]:
        """Opening hours of ``day`` and the special day that set them, if any."""
        special = next((s for s in self.special_days if s.covers(day)), None)
        return (special.hours, special) if special else (self.hours.on(day.weekday()), None)

    def branch(self, branch_id: str) -> Branch:
        """The branch with this id (KeyError if unknown)."""
        found = next((b for b in self.branches if b.id == branch_id), None)
        if found is None:
            raise KeyError(branch_id)
        return found

    def dishes(self, category: Optional[str] = None) -> List[Dish]:
        """The menu, or one category of it, in file order."""
        return [d for d in self.menu if category is None or d.category == category]

    def promotions_on(self, day: date) -> List[Promotion]:
        """Offers valid on ``day``."""
        return [p for p in self.promotions if p.valid_on(day)]


def _duplicates(names: Sequence[str]) -> Iterator[Tuple[int, str]]:
    seen = set()
    for index, name in enumerate(names):
        if fold(name) in seen:
            yield index, name
        seen.add(fold(name))


def _cross_check(profile: BusinessProfile) -> Iterator[Problem]:
    branch_ids = [b.id for b in profile.branches]
    for section, names in (
        ("branches", branch_ids),
        ("categories", profile.categories),
        ("menu", [d.name for d in profile.menu]),
        ("tags", [t.name for t in profile.tags]),
        ("allergens", [a.name for a in profile.allergens]),
    ):
        for index, name in _duplicates(names):
            yield [section, index], f'"{name}" is listed twice'
    known = {
        "category": set(profile.categories),
        "tags": {t.name for t in profile.tags},
        "allergens": {a.name for a in profile.allergens},
    }
    for index, dish in enumerate(profile.menu):
        if dish.category not in known["category"]:
            choices = ", ".join(profile.categories)
            yield ["menu", index, "category"], f'unknown category "{dish.category}" ({choices})'
        for field in ("tags", "allergens"):
            for position, name in enumerate(getattr(dish, field)):
                if name not in known[field]:
                    listed = ", ".join(sorted(known[field])) or "none listed"
                    where: List[PathPart] = ["menu", index, field, position]
                    yield where, f'unknown {field[:-1]} "{name}" (listed under {field}: {listed})'
    for index, promotion in enumerate(profile.promotions):
        for position, branch_id in enumerate(promotion.branches):
            if branch_id not in branch_ids:
                yield ["promotions", index, "branches", position], f'unknown branch "{branch_id}"'
    largest = max(b.largest_table for b in profile.branches)
    if profile.reservations.largest_party > largest:
        yield (
            ["reservations", "largest_party"],
            f"{profile.reservations.largest_party} guests do not fit the largest table "
            f"({largest} seats)",
        )


class ProfileSource(ReloadingFile[BusinessProfile]):
    """``data/business.yml``, re-read when it changes; a broken edit keeps the last good one."""

    def __init__(self, path: Path = BUSINESS_PATH) -> None:
        super().__init__(path, BusinessProfile.load, "business profile")
