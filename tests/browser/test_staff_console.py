"""Two browsers against the real stack: a guest at table 7 asks for a person, staff take over.

The guest's widget (one browser context) and the staff console (another,
signed in) talk only through Rasa, the action server, the database and the
web app, as in production: the console hears of the guest over its event
stream, the widget hears the staff over its poll.
"""

from __future__ import annotations

import time
from typing import Iterator, List

import pytest
from browser_helpers import BROWSER_MARKS, Widget
from playwright.sync_api import Browser, Page, expect

pytestmark = BROWSER_MARKS

ASK_FOR_PERSON = "cho mình gặp nhân viên"
STAFF_REPLY = "Dạ em là Lan, em ra bàn mình ngay ạ"
TO_STAFF = "bàn mình cần thêm khăn giấy nữa nhé"
AFTER_HAND_BACK = "em có sạc iphone không"
EMERGENCY = "cứu với, có người ngất xỉu ở bàn này"
LIVE_SECONDS = 2.0  # a new conversation reaches an open console within this
RATING_COMMENT = "Bạn Lan ra hỗ trợ nhanh, cảm ơn quán"


def _page(browser: Browser, errors: List[str]) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


@pytest.fixture
def guest_and_staff(browser: Browser, live_stack) -> Iterator[tuple]:
    """The guest's page and the staff console's page, in separate browser contexts."""
    errors: List[str] = []
    guest, staff = _page(browser, errors), _page(browser, errors)
    yield guest, staff
    guest.context.close()
    staff.context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def test_a_guest_at_table_7_is_helped_by_a_person_then_by_the_bot_again(
    guest_and_staff, live_stack
) -> None:
    guest, staff = guest_and_staff
    staff.goto(f"{live_stack.web_url}/staff?token={live_stack.staff_token}")
    expect(staff.get_by_role("heading", name="Khách cần nhân viên")).to_be_visible()
    staff.get_by_label("Tên của bạn").fill("Lan")
    staff.get_by_role("button", name="Lưu").click()
    expect(staff.locator("#status")).to_contain_text("Cập nhật lúc")  # the stream is open

    guest.goto(f"{live_stack.web_url}/?table=7&chat=open")
    widget = Widget(guest)
    widget.say(ASK_FOR_PERSON)
    expect(widget.bot_after(ASK_FOR_PERSON).first).to_be_visible()
    answered = time.monotonic()

    card = staff.locator(".conv", has_text="bàn 7")
    expect(card).to_be_visible(timeout=10_000)
    assert time.monotonic() - answered < LIVE_SECONDS + 1.0  # + the browsers' own latency
    expect(card).to_contain_text(ASK_FOR_PERSON)

    card.get_by_role("button", name="Nhận hỗ trợ").click()
    expect(card).to_contain_text("Lan đang hỗ trợ")
    card.get_by_role("textbox").fill(STAFF_REPLY)
    card.get_by_role("button", name="Gửi").click()
    expect(widget.bot.filter(has_text=STAFF_REPLY)).to_be_visible(timeout=10_000)
    expect(guest.get_by_text("Lan (nhân viên quán) đang trò chuyện")).to_be_visible()

    widget.say(TO_STAFF)
    expect(card.locator(".line", has_text=TO_STAFF)).to_be_visible(timeout=10_000)
    guest.wait_for_timeout(1000)
    expect(widget.bot_after(TO_STAFF)).to_have_count(0)  # the bot stayed quiet
    expect(widget.notice).to_be_hidden()

    card.get_by_role("button", name="Trả lại cho trợ lý").click()
    expect(card).to_have_count(0)  # other tests' conversations may still wait
    expect(guest.get_by_text("Thường trả lời ngay")).to_be_visible(timeout=10_000)
    rate_in_one_tap(guest, stars=4, comment=RATING_COMMENT)
    report = staff.request.get(f"{live_stack.web_url}/api/report?days=1").json()["service"]
    assert RATING_COMMENT in [c["comment"] for c in report["comments"]]
    today = report["response_by_day"][-1]  # Lan's reply counts in today's response times
    assert today["answered"] >= 1 and today["median_first_reply_seconds"] is not None
    widget.say(AFTER_HAND_BACK)
    expect(widget.bot_after(AFTER_HAND_BACK).first).to_be_visible()

    guest.reload()  # the staff reply is still there after a reload
    expect(Widget(guest).bot.filter(has_text=STAFF_REPLY)).to_have_count(1)


def rate_in_one_tap(guest: Page, stars: int, comment: str = "") -> None:
    """The guest taps ``stars`` on the rating card (and sends ``comment``)."""
    rating = guest.locator(".hieuy-rating").last
    expect(rating).to_be_visible(timeout=10_000)
    rating.get_by_role("button", name=f"{stars} sao").click()
    expect(rating.get_by_role("status")).to_contain_text("Em cảm ơn anh/chị đã chấm điểm")
    if comment:
        rating.get_by_role("textbox").fill(comment)
        rating.get_by_role("button", name="Gửi góp ý").click()
        expect(rating.get_by_role("status")).to_contain_text("Em cảm ơn góp ý")


def test_a_goodbye_asks_for_stars_and_the_report_has_them(guest_and_staff, live_stack) -> None:
    guest, staff = guest_and_staff
    guest.goto(f"{live_stack.web_url}/?table=9&chat=open")
    widget = Widget(guest)
    widget.say("wifi quán là gì vậy em")
    expect(widget.bot_after("wifi quán là gì vậy em").first).to_be_visible()
    widget.say("cảm ơn em nhiều, tạm biệt nhé")
    rate_in_one_tap(guest, stars=5)
    staff.goto(f"{live_stack.web_url}/report?days=1&token={live_stack.staff_token}")
    expect(staff.get_by_role("heading", name="Khách chấm điểm")).to_be_visible()
    expect(staff.locator(".ratings")).to_contain_text("★")


def test_an_emergency_typed_in_the_widget_reaches_the_open_console_at_once(
    guest_and_staff, live_stack
) -> None:
    guest, staff = guest_and_staff
    staff.goto(f"{live_stack.web_url}/staff?token={live_stack.staff_token}")
    expect(staff.locator("#status")).to_contain_text("Cập nhật lúc")
    guest.goto(f"{live_stack.web_url}/?table=3&chat=open")
    widget = Widget(guest)
    widget.say(EMERGENCY)
    expect(widget.bot_after(EMERGENCY).filter(has_text="115").first).to_be_visible()
    answered = time.monotonic()
    card = staff.locator(".conv.urgent", has_text="bàn 3")
    expect(card).to_be_visible(timeout=10_000)
    assert time.monotonic() - answered < LIVE_SECONDS + 1.0
    expect(card).to_contain_text("KHẨN CẤP")
    # emergencies first (other tests may have left conversations of both kinds)
    urgent = staff.locator(".conv").evaluate_all("cards => cards.map(c => c.matches('.urgent'))")
    assert urgent == sorted(urgent, reverse=True), urgent
