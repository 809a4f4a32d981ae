"""Answers from the business profile, with a fixed now in Hà Nội.

The profile is the test copy (tests/business/business.yml): Quán Mộc opens
07:00-22:00 Monday to Thursday and Sunday, 07:00-23:00 Friday and Saturday,
is closed for Tết on 6-8 February 2027 and opens 10:00 on 9 February.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.business.answers import (
    DIETARY_TOPIC,
    PAYMENT_TOPIC,
    BusinessDesk,
    clock,
    day_name,
    duration,
    money,
)
from bot.business.menu import diet_query, match_dishes
from bot.business.profile import BusinessProfile

SAMPLE = Path(__file__).resolve().parent / "business.yml"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZONE)


WEDNESDAY_7PM = local(2026, 12, 2, 19, 0)


@pytest.fixture(scope="module")
def desk() -> BusinessDesk:
    return BusinessDesk.from_file(SAMPLE)


@pytest.fixture(scope="module")
def profile() -> BusinessProfile:
    return BusinessProfile.load(SAMPLE)


def say(desk, topic, text, now=WEDNESDAY_7PM, addressee=None) -> str:
    answer = desk.answer(topic, text, now, addressee)
    assert answer is not None and answer.topic == topic
    return "\n".join(answer.messages)


def first(desk, topic, text, now=WEDNESDAY_7PM, addressee=None) -> str:
    return desk.answer(topic, text, now, addressee).messages[0]


# ----- formatting -----


def test_formatting_helpers():
    assert money(45000) == "45.000đ" and money(1250000) == "1.250.000đ"
    assert (clock(7 * 60), clock(22 * 60 + 30)) == ("7h", "22h30")
    assert [duration(m) for m in (40, 180, 150, 61)] == [
        "40 phút",
        "3 tiếng",
        "2 tiếng rưỡi",
        "1 tiếng",
    ]
    today = dt.date(2026, 12, 2)
    assert day_name(today, today) == "hôm nay"
    assert day_name(dt.date(2026, 12, 3), today) == "mai"
    assert day_name(dt.date(2026, 12, 6), today) == "chủ nhật (06/12)"


# ----- hours -----


def test_open_says_until_when_and_how_long(desk):
    assert first(desk, "ask_hours", "mấy giờ quán đóng cửa") == (
        "Dạ hôm nay quán mở đến 22h, còn khoảng 3 tiếng nữa ạ."
    )


def test_closing_soon_asks_to_hurry(desk):
    text = first(desk, "ask_hours", "quan mo toi may h", local(2026, 12, 2, 21, 20), "anh")
    assert text == (
        "Dạ quán vẫn đang mở nhưng 22h là đóng cửa rồi ạ (còn khoảng 40 phút), "
        "anh ghé sớm giúp em nhé."
    )


def test_closed_says_when_it_opens_again(desk):
    text = first(desk, "ask_hours", "quán còn mở không", local(2026, 12, 2, 22, 30))
    assert text == "Dạ giờ này quán đã nghỉ rồi ạ, sáng mai 7h quán mở cửa ạ."


def test_before_opening(desk):
    text = first(desk, "ask_hours", "mấy giờ mở cửa", local(2026, 12, 2, 6, 10))
    assert text == "Dạ giờ này quán chưa mở cửa ạ, hôm nay quán mở từ 7h ạ."


def test_friday_closes_later(desk):
    assert "mở đến 23h" in first(desk, "ask_hours", "mở tới mấy giờ", local(2026, 12, 4, 20, 0))


def test_a_special_day_is_honoured(desk):
    tet = first(desk, "ask_hours", "quán có mở không", local(2027, 2, 7, 10, 0))
    assert tet == (
        "Dạ hôm nay quán nghỉ Tết Nguyên đán, mùng 1 đến mùng 3 ạ, "
        "sáng thứ 3 (09/02) 10h quán mở cửa lại ạ."
    )
    eve = first(desk, "ask_hours", "mấy giờ đóng cửa", local(2027, 2, 5, 12, 0))
    assert eve == "Dạ hôm nay (30 Tết) quán mở đến 14h, còn khoảng 2 tiếng nữa ạ."


def test_a_named_day_is_answered_for_that_day(desk):
    assert first(desk, "ask_hours", "chủ nhật quán có mở không") == (
        "Dạ chủ nhật (06/12) quán mở cửa từ 7h đến 22h ạ."
    )
    assert first(desk, "ask_hours", "ngay 6/2 quan co mo ko").startswith(
        "Dạ thứ 7 (06/02) quán nghỉ Tết Nguyên đán"
    )


def test_the_week_is_summarised_with_coming_special_days(desk):
    week = desk.answer("ask_hours", "giờ mở cửa", local(2026, 12, 22, 9, 0)).messages[1]
    assert week.startswith("Giờ mở cửa: thứ 2 – thứ 5: 7h–22h; thứ 6 – thứ 7: 7h–23h; chủ nhật")
    assert "Lưu ý 24/12 (đêm Giáng sinh): 7h–23h30." in week


# ----- places, contact -----


def test_address_of_every_branch_or_the_one_named(desk):
    both = desk.answer("ask_address", "quán ở đâu", WEDNESDAY_7PM).messages
    assert both[0] == "Dạ quán có 2 cơ sở ạ:" and len(both) == 3
    assert "🛵" in both[1] and "https://maps.google.com" in both[2]
    one = say(desk, "ask_address", "chi nhanh cau giay o dau")
    assert one.startswith("Dạ Quán Mộc Cầu Giấy ở 95 Trần Thái Tông") and "Hàng Bè" not in one


def test_contact(desk):
    text = say(desk, "ask_contact", "cho xin sđt", addressee="chị")
    assert text.startswith("Dạ chị liên hệ quán qua:")
    assert "Zalo: 0901 234 567" in text and "facebook.com/quanmoc.hanoi" in text


# ----- menu and prices -----


def test_menu_one_message_per_category(desk, profile):
    messages = desk.answer("ask_menu", "cho xem menu", WEDNESDAY_7PM).messages
    assert len(messages) == 1 + len(profile.categories)
    assert messages[1].splitlines()[:2] == ["Phở", "• Phở bò tái – 55.000đ"]


def test_menu_of_a_category(desk):
    assert say(desk, "ask_menu", "có những món bún gì").startswith(
        "Dạ món bún của quán có ạ:\n• Bún chả"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("phở bò tái giá bao nhiêu", "Dạ món Phở bò tái giá 55.000đ ạ."),
        ("pho bo tai bao nhieu", "Dạ món Phở bò tái giá 55.000đ ạ."),
        ("pho bo taii bao nhieu", "Dạ chắc anh/chị hỏi món Phở bò tái ạ? Món này giá 55.000đ ạ."),
        ("bún chả bao nhiêu", "Dạ món Bún chả Hà Nội giá 60.000đ ạ."),
        ("com suon bn", "Dạ món Cơm tấm sườn bì chả giá 65.000đ ạ."),
        ("cơm gà bao nhiêu", "Dạ món Cơm gà Hội An giá 60.000đ ạ."),
        ("ca phe trung nhieu tien", "Dạ món Cà phê trứng giá 40.000đ ạ."),
    ],
)
def test_price_of_a_dish_with_or_without_diacritics_or_a_typo(desk, text, expected):
    assert first(desk, "ask_price", text).startswith(expected)


@pytest.mark.parametrize("text", ["pho bo bao nhieu", "phở bòo giá sao"])
def test_unsure_lists_the_close_matches(desk, text):
    assert say(desk, "ask_price", text) == (
        "Dạ có phải anh/chị hỏi một trong các món này không ạ?\n"
        "• Phở bò tái – 55.000đ\n• Phở bò đặc biệt – 75.000đ"
    )


def test_a_category_price_and_an_unknown_dish(desk):
    assert say(desk, "ask_price", "bún giá bao nhiêu").startswith("Dạ giá các món bún ạ:\n")
    unknown = desk.answer("ask_price", "pizza bao nhiêu", WEDNESDAY_7PM)
    assert "chưa tìm thấy" in unknown.messages[0]
    assert unknown.buttons == (("Xem thực đơn", "/ask_menu"),)


def test_match_dishes_is_usable_alone(profile):
    match = match_dishes(profile, "phở gà")
    assert match.sure and match.exact and [d.name for d in match.dishes] == ["Phở gà"]
    assert match_dishes(profile, "bao nhiêu").dishes == ()


# ----- diets and allergies -----


def test_vegetarian_dishes(desk):
    text = say(desk, "ask_menu", "có món chay không")
    assert text.startswith("Dạ các món chay của quán ạ:")
    assert "Phở chay 50.000đ" in text and "Phở bò" not in text


def test_a_peanut_allergy_excludes_peanuts_and_asks_to_tell_staff(desk):
    messages = desk.answer(DIETARY_TOPIC, "mình dị ứng đậu phộng", WEDNESDAY_7PM).messages
    assert messages[0].startswith("Dạ các món không có đậu phộng của quán ạ:")
    for dish in ("Phở cuốn", "Bún thịt nướng", "Gỏi cuốn", "Bún xào chay"):
        assert dish not in messages[0]
    assert "tránh lẫn đậu phộng" in messages[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("món không cay", dict(without_tags=("cay",))),
        ("có món gì không cay cho bé không", dict(with_tags=("trẻ em",), without_tags=("cay",))),
        ("bị dị ứng lạc với hải sản", dict(without_allergens=("đậu phộng", "hải sản"))),
        ("mon khong gluten", dict(with_tags=("không gluten",))),
        ("có món tôm không", dict(with_allergens=("hải sản",))),
        ("an chay", dict(with_tags=("chay",))),
    ],
)
def test_diet_queries(profile, text, expected):
    query = diet_query(profile, text)
    for name, value in expected.items():
        assert getattr(query, name) == value


def test_no_dish_fits_offers_the_kitchen_not_a_flat_no(desk):
    answer = desk.answer(DIETARY_TOPIC, "món chay có hải sản", WEDNESDAY_7PM)
    assert "chưa có món" in answer.messages[0] and "hỏi bếp" in answer.messages[0]
    assert answer.buttons == (("Gặp nhân viên", "/ask_human"),)


# ----- recommendations, delivery, payment, promotions -----


def test_recommendation_is_the_signature_dishes(desk):
    text = say(desk, "ask_recommendation", "quán có món gì ngon")
    assert "Phở bò tái (55.000đ)" in text and "Cà phê trứng" in text and "Phở gà" not in text
    veg = say(desk, "ask_recommendation", "món chay nào ngon")
    assert "Phở chay" in veg and "Phở bò" not in veg


def test_delivery(desk):
    text = say(desk, "delivery", "có ship không")
    assert "GrabFood" in text and "bán kính 5 km, phí 15.000đ" in text
    assert "miễn phí cho đơn từ 300.000đ" in text


def test_payment_methods(desk):
    text = say(desk, PAYMENT_TOPIC, "quẹt thẻ được không")
    assert "chuyển khoản (VietQR)" in text and "hóa đơn VAT" in text


def test_promotions_valid_today(desk):
    text = say(desk, "promotion", "hôm nay có khuyến mãi gì")  # a Wednesday in December
    assert text.startswith("Dạ hôm nay quán có ưu đãi ạ:")
    assert "Giảm 10% cho nhóm từ 6 người" in text and "Giáng sinh" not in text
    christmas = say(desk, "promotion", "có km gì không", local(2026, 12, 24, 12, 0))
    assert "Mùa Giáng sinh tặng chè khúc bạch" in christmas


def test_promotions_on_a_named_day_and_none(desk):
    saturday = say(desk, "promotion", "thứ 7 có khuyến mãi gì không")
    assert saturday.startswith("Dạ thứ 7 (05/12) quán chưa có ưu đãi nào ạ.")
    none = say(desk, "promotion", "có ưu đãi không", local(2027, 6, 5, 12, 0))
    assert "theo dõi quán ở https://facebook.com/quanmoc.hanoi" in none


# ----- the desk -----


def test_unknown_topic_is_not_answered(desk):
    assert desk.answer("complaint", "món nguội quá", WEDNESDAY_7PM) is None
    assert set(desk.topics) >= {"ask_hours", "ask_price", "promotion", PAYMENT_TOPIC}


def test_naive_now_is_local_time(desk):
    naive = dt.datetime(2026, 12, 2, 19, 0)
    assert first(desk, "ask_hours", "mấy giờ đóng cửa", naive) == first(
        desk, "ask_hours", "mấy giờ đóng cửa"
    )


def test_an_edit_of_the_file_changes_the_answer_at_once(tmp_path):
    path = tmp_path / "business.yml"
    text = SAMPLE.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    desk = BusinessDesk.from_file(path)
    assert "55.000đ" in first(desk, "ask_price", "phở bò tái")

    path.write_text(text.replace("    price: 55000\n", "    price: 59000\n", 1), encoding="utf-8")
    os.utime(path, (1, 1))
    assert "59.000đ" in first(desk, "ask_price", "phở bò tái")
