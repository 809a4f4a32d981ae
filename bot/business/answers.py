"""Answers to a restaurant's everyday questions, from the business profile.

Why: "mấy giờ quán đóng cửa?", "phở bò bao nhiêu?", "có món chay không?" are
not needs; today the bot can only hand them to staff. Everything needed to
answer them is in ``data/business.yml``, so :class:`BusinessDesk` answers
from there — warm, short enough for a phone, relative to ``now`` in the
restaurant's time zone — and an edit of the file changes the answers at once.

Pure: ``now`` is injected and nothing is logged or stored here. Replies use
``{kh}``/``{Kh}`` like the catalog and are rendered for the guest's form of
address ("anh", "chị", or "anh/chị"). A topic is an NLU intent
(``ask_hours`` …) or one of :data:`PAYMENT_TOPIC` / :data:`DIETARY_TOPIC`;
which function answers which topic is the :data:`_HANDLERS` table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.business.menu import (
    diet_query,
    diet_terms,
    folded_words,
    has_words,
    match_dishes,
)
from bot.business.profile import (
    SIGNATURE_TAG,
    Branch,
    BusinessProfile,
    Dish,
    Hours,
    ProfileSource,
    Promotion,
)
from bot.business.when import parse_when
from bot.language.address import address_forms
from bot.language.text import fold
from bot.paths import BUSINESS_PATH

PAYMENT_TOPIC = "payment_methods"
DIETARY_TOPIC = "dietary"
CLOSING_SOON_MINUTES = 60
WEEKDAY_NAMES = ("thứ 2", "thứ 3", "thứ 4", "thứ 5", "thứ 6", "thứ 7", "chủ nhật")
HUMAN_BUTTON = ("Gặp nhân viên", "/ask_human")
MENU_BUTTON = ("Xem thực đơn", "/ask_menu")

Button = Tuple[str, str]


@dataclass(frozen=True)
class Answer:
    """What to say: one or more messages, optional buttons (title, payload), the topic."""

    topic: str
    messages: Tuple[str, ...]
    buttons: Tuple[Button, ...] = ()


@dataclass(frozen=True)
class _Ask:
    """One question: the profile, what the guest typed, local now."""

    profile: BusinessProfile
    text: str
    now: dt.datetime

    @property
    def folded(self) -> str:
        return folded_words(self.text)


_Reply = Tuple[List[str], Tuple[Button, ...]]


class BusinessDesk:
    """Answers questions about the restaurant from its (live) profile."""

    def __init__(self, profile: Callable[[], BusinessProfile]) -> None:
        self._profile = profile

    @classmethod
    def from_file(cls, path: Path = BUSINESS_PATH) -> "BusinessDesk":
        """A desk reading ``path``, re-read whenever the file changes."""
        return cls(ProfileSource(path).get)

    @property
    def profile(self) -> BusinessProfile:
        """The current profile (for bookings and their replies)."""
        return self._profile()

    @property
    def topics(self) -> Tuple[str, ...]:
        """Topics :meth:`answer` handles."""
        return tuple(_HANDLERS)

    def answer(
        self, topic: str, text: str, now: dt.datetime, addressee: Optional[str] = None
    ) -> Optional[Answer]:
        """Answer ``text`` about ``topic`` at ``now``; None for a topic it does not handle.

        ``addressee`` is "anh", "chị" or None (see ``bot.language.address``).
        """
        handler = _HANDLERS.get(topic)
        if handler is None:
            return None
        profile = self._profile()
        messages, buttons = handler(_Ask(profile, text, profile.local(now)))
        return addressed(topic, messages, buttons, addressee)


def addressed(
    topic: str, messages: Sequence[str], buttons: Tuple[Button, ...], addressee: Optional[str]
) -> Answer:
    """An :class:`Answer` with ``{kh}``/``{Kh}`` filled in for ``addressee``."""
    forms = address_forms(addressee)
    return Answer(topic, tuple(_render(m, forms) for m in messages), buttons)


def _render(text: str, forms: Mapping[str, str]) -> str:
    for name, value in forms.items():
        text = text.replace("{" + name + "}", value)
    return text


# ----- formatting -----


def money(amount: int) -> str:
    """45000 -> "45.000đ"."""
    return f"{amount:,}".replace(",", ".") + "đ"


def clock(minute: int) -> str:
    """Minutes since midnight -> "7h", "22h30"."""
    hour, rest = divmod(minute, 60)
    return f"{hour}h{rest:02d}" if rest else f"{hour}h"


def duration(minutes: int) -> str:
    """A rough, spoken duration: "40 phút", "3 tiếng", "2 tiếng rưỡi"."""
    if minutes < 60:
        return f"{max(5, round(minutes / 5) * 5)} phút"
    halves = round(minutes / 30)
    hours, half = divmod(halves, 2)
    return f"{hours} tiếng rưỡi" if half else f"{hours} tiếng"


def day_name(day: dt.date, today: dt.date) -> str:
    """Say ``day`` as a guest would: "hôm nay", "mai", or "thứ 7 (05/12)"."""
    relative = {0: "hôm nay", 1: "mai"}.get((day - today).days)
    return relative or f"{WEEKDAY_NAMES[day.weekday()]} ({day:%d/%m})"


def _ranges(hours: Hours) -> str:
    return " và ".join(f"từ {clock(a)} đến {clock(b)}" for a, b in hours)


def _span(hours: Hours) -> str:
    return ", ".join(f"{clock(a)}–{clock(b)}" for a, b in hours) or "nghỉ"


def _part_of_day(minute: int) -> str:
    return next(name for limit, name in _PARTS if minute < limit)


_PARTS = ((11 * 60, "sáng"), (14 * 60, "trưa"), (18 * 60, "chiều"), (24 * 60 + 1, "tối"))


# ----- hours -----


def _hours(ask: _Ask) -> _Reply:
    today = ask.now.date()
    asked = parse_when(ask.text, ask.now).date
    if asked and asked != today:
        first = _day_hours(ask.profile, asked, today)
    else:
        first = _open_now(ask.profile, ask.now)
    return [first, _week(ask.profile, today)], ()


def _day_hours(profile: BusinessProfile, day: dt.date, today: dt.date) -> str:
    hours, special = profile.hours_on(day)
    name = day_name(day, today)
    reason = f" ({special.reason})" if special else ""
    if hours.closed:
        again = _next_opening(profile, dt.datetime.combine(day, dt.time(23, 59)))
        why = f" {special.reason}" if special else ""
        return f"Dạ {name} quán nghỉ{why} ạ, {again} quán mở cửa lại ạ."
    return f"Dạ {name}{reason} quán mở cửa {_ranges(hours)} ạ."


def _open_now(profile: BusinessProfile, now: dt.datetime) -> str:
    hours, special = profile.hours_on(now.date())
    minute = now.hour * 60 + now.minute
    reason = f" ({special.reason})" if special else ""
    current = hours.open_at(minute)
    if current:
        left = current[1] - minute
        if left <= CLOSING_SOON_MINUTES:
            return (
                f"Dạ quán vẫn đang mở nhưng {clock(current[1])} là đóng cửa rồi ạ "
                f"(còn khoảng {duration(left)}), {{kh}} ghé sớm giúp em nhé."
            )
        return (
            f"Dạ hôm nay{reason} quán mở đến {clock(current[1])}, "
            f"còn khoảng {duration(left)} nữa ạ."
        )
    later = hours.next_opening(minute)
    if later is not None:
        return f"Dạ giờ này quán chưa mở cửa ạ, hôm nay{reason} quán mở từ {clock(later)} ạ."
    if hours.closed and special:
        again = _next_opening(profile, now)
        return f"Dạ hôm nay quán nghỉ {special.reason} ạ, {again} quán mở cửa lại ạ."
    return f"Dạ giờ này quán đã nghỉ rồi ạ, {_next_opening(profile, now)} quán mở cửa ạ."


def _next_opening(profile: BusinessProfile, after: dt.datetime) -> str:
    """The first opening after ``after``: "sáng mai 7h", "sáng thứ 3 (09/02) 10h"."""
    today = after.date()
    for ahead in range(1, 60):
        day = today + dt.timedelta(days=ahead)
        hours, _ = profile.hours_on(day)
        if not hours.closed:
            opens = hours[0][0]
            name = "mai" if ahead == 1 else day_name(day, today)
            return f"{_part_of_day(opens)} {name} {clock(opens)}"
    return "khi có lịch mới"


def _week(profile: BusinessProfile, today: dt.date) -> str:
    spans = [_span(profile.hours.on(day)) for day in range(7)]
    groups = []
    for span, run in groupby(range(7), key=lambda day: spans[day]):
        weekdays = list(run)
        names = WEEKDAY_NAMES[weekdays[0]]
        if len(weekdays) > 1:
            names += f" – {WEEKDAY_NAMES[weekdays[-1]]}"
        groups.append(f"{names}: {span}")
    text = "Giờ mở cửa: " + "; ".join(groups) + "."
    soon = [
        s
        for s in profile.special_days
        if today <= s.first_day <= today + dt.timedelta(days=14)
        or s.covers(today + dt.timedelta(days=1))
    ]
    for special in soon:
        days = f"{special.first_day:%d/%m}"
        if special.last_day and special.last_day != special.first_day:
            days += f"–{special.last_day:%d/%m}"
        text += f"\nLưu ý {days} ({special.reason}): {_span(special.hours)}."
    return text


# ----- places and contact -----


def _mentioned_branches(ask: _Ask) -> List[Branch]:
    named = [
        branch
        for branch in ask.profile.branches
        if any(has_words(ask.folded, fold(w)) for w in [branch.name, *branch.words])
    ]
    return named or list(ask.profile.branches)


def _address(ask: _Ask) -> _Reply:
    branches = _mentioned_branches(ask)
    if len(branches) == 1:
        return [_branch(branches[0], "Dạ {name} ở {address} ạ.")], ()
    intro = f"Dạ quán có {len(branches)} cơ sở ạ:"
    return [intro, *(_branch(b, "📍 {name}: {address}") for b in branches)], ()


def _branch(branch: Branch, first_line: str) -> str:
    lines = [first_line.format(name=branch.name, address=branch.address)]
    lines += [f"🧭 {branch.directions}", f"🛵 {branch.parking}", f"🗺 {branch.map_url}"]
    return "\n".join(lines)


def _contact(ask: _Ask) -> _Reply:
    contact = ask.profile.contact
    lines = [f"☎ Hotline: {contact.phone}"]
    others = (("Zalo", contact.zalo), ("Facebook", contact.facebook), ("Email", contact.email))
    lines += [f"{label}: {value}" for label, value in others if value]
    lines += [f"☎ {b.name}: {b.phone}" for b in ask.profile.branches if b.phone]
    return ["Dạ {kh} liên hệ quán qua:\n" + "\n".join(lines)], ()


# ----- menu, prices, diets -----


def _dish_line(dish: Dish) -> str:
    return f"• {dish.name} – {money(dish.price)}"


def _by_category(dishes: Sequence[Dish], categories: Sequence[str]) -> List[str]:
    """One compact line per category: "• Phở: Phở bò tái 55.000đ, Phở gà 50.000đ"."""
    lines = []
    for category in categories:
        found = [f"{d.name} {money(d.price)}" for d in dishes if d.category == category]
        if found:
            lines.append(f"• {category}: " + ", ".join(found))
    return lines


def _menu(ask: _Ask) -> _Reply:
    if diet_terms(ask.profile, ask.folded):
        return _dietary(ask)
    category = _mentioned_category(ask)
    if category:
        lines = [_dish_line(d) for d in ask.profile.dishes(category)]
        return [f"Dạ món {category.lower()} của quán có ạ:\n" + "\n".join(lines)], ()
    messages = [f"Dạ thực đơn của {ask.profile.name} đây ạ:"]
    for category in ask.profile.categories:
        lines = [_dish_line(d) for d in ask.profile.dishes(category)]
        if lines:
            messages.append(f"{category}\n" + "\n".join(lines))
    return messages, ()


def _mentioned_category(ask: _Ask) -> Optional[str]:
    return next((c for c in ask.profile.categories if has_words(ask.folded, fold(c))), None)


def _price(ask: _Ask) -> _Reply:
    match = match_dishes(ask.profile, ask.text)
    category = next(
        (c for c in ask.profile.categories if fold(c) == match.query), None
    ) or _mentioned_category(ask)
    if match.sure:
        dish = match.dishes[0]
        lead = (
            f"Dạ món {dish.name}"
            if match.exact
            else f"Dạ chắc {{kh}} hỏi món {dish.name} ạ? Món này"
        )
        detail = f" {dish.description}" if dish.description else ""
        return [f"{lead} giá {money(dish.price)} ạ.{detail}"], ()
    if category and (not match.dishes or fold(category) == match.query):
        lines = [_dish_line(d) for d in ask.profile.dishes(category)]
        return [f"Dạ giá các món {category.lower()} ạ:\n" + "\n".join(lines)], ()
    if match.dishes:
        lines = [_dish_line(d) for d in match.dishes]
        return ["Dạ có phải {kh} hỏi một trong các món này không ạ?\n" + "\n".join(lines)], ()
    return [
        "Dạ em chưa tìm thấy món đó trong thực đơn của quán ạ. {Kh} xem thực đơn giúp em nhé?"
    ], (MENU_BUTTON,)


def _dietary(ask: _Ask) -> _Reply:
    query = diet_query(ask.profile, ask.text)
    if not query:
        return _menu(ask) if _mentioned_category(ask) else _recommend(ask)
    dishes = [d for d in ask.profile.menu if query.allows(d)]
    wanted = query.describe()
    if not dishes:
        return [
            f"Dạ hiện thực đơn chưa có món {wanted} ạ. Em nhờ nhân viên hỏi bếp "
            "xem có điều chỉnh món được cho {kh} không nhé?"
        ], (HUMAN_BUTTON,)
    messages = [
        f"Dạ các món {wanted} của quán ạ:\n"
        + "\n".join(_by_category(dishes, ask.profile.categories))
    ]
    if query.without_allergens:
        messages.append(
            f"{{Kh}} nhớ dặn nhân viên khi gọi món để bếp lưu ý tránh lẫn "
            f"{', '.join(query.without_allergens)} nhé ạ."
        )
    return messages, ()


def _recommend(ask: _Ask) -> _Reply:
    query = diet_query(ask.profile, ask.text)
    fitting = [d for d in ask.profile.menu if query.allows(d)]
    picks = [d for d in fitting if SIGNATURE_TAG in d.tags] or fitting[:3]
    if not picks:
        return _dietary(ask)
    lines = [f"• {d.name} ({money(d.price)}): {d.description}" for d in picks]
    suited = f" hợp với {{kh}} ({query.describe()})" if query else ""
    return [f"Dạ em gợi ý {{kh}} các món đặc trưng{suited} của quán ạ:\n" + "\n".join(lines)], ()


# ----- delivery, payment, promotions -----


def _delivery(ask: _Ask) -> _Reply:
    delivery, phone = ask.profile.delivery, ask.profile.contact.phone
    if delivery is None or not (delivery.apps or delivery.own):
        return [
            "Dạ quán chưa nhận giao hàng ạ. {Kh} gọi trước để quán chuẩn bị sẵn "
            f"rồi ghé lấy mang đi nhé ạ, hotline {phone}."
        ], ()
    ways = []
    if delivery.apps:
        shop = f' (tìm "{delivery.app_name}")' if delivery.app_name else ""
        ways.append(f"• Đặt qua {', '.join(delivery.apps)}{shop}")
    own = delivery.own
    if own:
        fee = f"phí {money(own.fee)}" if own.fee else "miễn phí giao"
        free = f", miễn phí cho đơn từ {money(own.free_from)}" if own.free_from else ""
        radius = f"{own.radius_km:g}".replace(".", ",")
        ways.append(
            f"• Quán tự giao trong bán kính {radius} km, {fee}{free}: {own.order_by} {phone}"
        )
    return ["Dạ quán có giao hàng ạ:\n" + "\n".join(ways)], ()


def _payment(ask: _Ask) -> _Reply:
    payment = ask.profile.payment
    messages = [f"Dạ quán nhận thanh toán bằng {', '.join(payment.methods)} ạ."]
    if payment.invoice:
        messages.append(payment.invoice)
    return messages, ()


def _promotions(ask: _Ask) -> _Reply:
    today = ask.now.date()
    day = parse_when(ask.text, ask.now).date or today
    name = day_name(day, today)
    offers = ask.profile.promotions_on(day)
    if offers:
        lines = [
            f"• {p.title}" + (f": {p.details}" if p.details else "") + f" (đến {p.last_day:%d/%m})"
            for p in offers
        ]
        return [f"Dạ {name} quán có ưu đãi ạ:\n" + "\n".join(lines)], ()
    upcoming = sorted((p for p in ask.profile.promotions if p.first_day > day), key=_first_day)
    if upcoming:
        soon = upcoming[0]
        return [
            f"Dạ {name} quán chưa có ưu đãi nào ạ. Từ {soon.first_day:%d/%m} quán có "
            f"{soon.title}, {{kh}} nhớ ghé nhé ạ."
        ], ()
    follow = ask.profile.contact.facebook or ask.profile.contact.zalo or ask.profile.contact.phone
    return [
        f"Dạ {name} quán chưa có ưu đãi nào ạ. {{Kh}} theo dõi quán ở {follow} "
        "để không bỏ lỡ ưu đãi sắp tới nhé ạ."
    ], ()


def _first_day(promotion: Promotion) -> dt.date:
    return promotion.first_day


_HANDLERS: Dict[str, Callable[[_Ask], _Reply]] = {
    "ask_hours": _hours,
    "ask_address": _address,
    "ask_contact": _contact,
    "ask_menu": _menu,
    "ask_price": _price,
    "ask_recommendation": _recommend,
    "delivery": _delivery,
    "promotion": _promotions,
    PAYMENT_TOPIC: _payment,
    DIETARY_TOPIC: _dietary,
}
