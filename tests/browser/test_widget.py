"""The website chat widget in headless Chromium, against the real stack.

The demo page (web app), Rasa and the action server run for real
(``live_stack``); only the failure tests cut or fake the Rasa connection,
with ``page.route`` or a page whose widget points at a dead port.
Screenshots go to a temporary directory (printed with ``-s``).
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

try:
    from playwright.sync_api import Browser, Page, Route, expect
except ImportError:  # pragma: no cover - the package is in requirements-dev
    pytest.skip("the python playwright package is not installed", allow_module_level=True)

from browser_helpers import BROWSER_MARKS, Widget

pytestmark = BROWSER_MARKS

# The bot answers in a second or two; the first turn after start-up and the
# retry tests (1 s + 2 s + 4 s of backoff) need more than Playwright's 5 s.
expect.set_options(timeout=30_000)

CHARGER_QUESTION = "em có sạc iphone không"
QUICK_CALL = "Chỉ cần gọi nhanh một cuộc"
CHARGE_OWN = "Cần sạc máy của mình"
FEEDBACK_OK = "Ổn rồi, cảm ơn em"
RECONNECTING = "Mất kết nối tới quán"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("widget-screenshots")
    print(f"widget screenshots: {directory}")
    return directory


def _new_page(browser: Browser, errors: List[str], **context: Any) -> Page:
    options: Dict[str, Any] = {"viewport": {"width": 1280, "height": 800}, "locale": "vi-VN"}
    options.update(context)
    page = browser.new_context(**options).new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


@pytest.fixture
def page(browser: Browser, live_stack) -> Iterator[Page]:
    """A fresh desktop page (its own localStorage); fails on any script error."""
    errors: List[str] = []
    page = _new_page(browser, errors)
    yield page
    page.context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def phone(browser: Browser, live_stack) -> Iterator[Page]:
    """A 360×740 touch phone."""
    errors: List[str] = []
    page = _new_page(
        browser,
        errors,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    page.context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Runs in the page before its own scripts: rewrites the widget tag's attributes
# as soon as the parser inserts it (deferred scripts run after parsing).
_SET_ATTRIBUTES_JS = """
((attributes) => {
  new MutationObserver((records, observer) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.tagName === "SCRIPT" && /\\/widget\\.js$/.test(node.src)) {
          for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
          observer.disconnect();
        }
      }
    }
  }).observe(document, { childList: true, subtree: true });
})(%s);
"""


def _set_widget_attributes(page: Page, attributes: Dict[str, str]) -> None:
    """Give the demo page's widget tag other attributes, as if the owner had typed them.

    (Serving a made-up page with ``page.route`` does not work here: Chromium
    counts such a page as public and blocks its calls to Rasa on 127.0.0.1.)
    """
    page.add_init_script(_SET_ATTRIBUTES_JS % json.dumps(attributes, ensure_ascii=False))


CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
}


def _fake_rasa(route: Route, status: int, body: Any) -> None:
    """Answer a (CORS) call to Rasa's REST channel without Rasa."""
    if route.request.method == "OPTIONS":
        route.fulfill(status=204, headers=CORS)
    else:
        route.fulfill(status=status, headers=CORS, json=body)


def test_charger_story_and_reload(page: Page, live_stack, shots: Path) -> None:
    widget = Widget(page)
    page.goto(live_stack.web_url)
    expect(widget.dialog).to_be_hidden()
    widget.open()
    expect(widget.bot.first).to_contain_text("chào")  # the greeting, before any message
    expect(widget.input).to_be_focused()

    widget.say(CHARGER_QUESTION)
    # The bot names the need it heard, then asks which sub-goal (buttons).
    expect(widget.bot.filter(has_text="điện thoại").first).to_be_visible()
    quick_call, charge_own = widget.reply(QUICK_CALL), widget.reply(CHARGE_OWN)
    expect(quick_call).to_be_enabled()
    expect(charge_own).to_be_enabled()
    page.screenshot(path=str(shots / "01-clarify.png"))

    charge_own.click()
    # The guest sees the button's title, never its payload.
    expect(widget.guest.last).to_have_text(CHARGE_OWN)
    expect(widget.guest.filter(has_text="/choose_subgoal")).to_have_count(0)
    # Used and older button sets are disabled.
    expect(quick_call).to_be_disabled()
    expect(charge_own).to_be_disabled()
    # Alternatives, then the feedback question.
    expect(widget.bot_after(CHARGE_OWN).filter(has_text="sạc").first).to_be_visible()
    expect(widget.reply(FEEDBACK_OK)).to_be_enabled()
    expect(widget.reply("Chưa ổn")).to_be_enabled()
    page.screenshot(path=str(shots / "02-alternatives.png"))
    shown = widget.bot.all_inner_texts()

    page.reload()
    # Same conversation (and the chat stays open within the browser session).
    expect(widget.dialog).to_be_visible()
    expect(widget.guest).to_have_text([CHARGER_QUESTION, CHARGE_OWN])
    expect(widget.bot).to_have_text(shown)
    expect(widget.reply(CHARGE_OWN)).to_be_disabled()
    page.screenshot(path=str(shots / "03-after-reload.png"))

    # Same sender id too: Rasa continues the conversation after the reload.
    widget.reply(FEEDBACK_OK).click()
    expect(widget.guest.last).to_have_text(FEEDBACK_OK)
    expect(widget.bot_after(FEEDBACK_OK).first).to_be_visible()
    expect(widget.notice).to_be_hidden()


def test_texts_are_never_html(page: Page, live_stack) -> None:
    hostile = '<img src=x onerror="window.__pwned=1">'
    page.route(
        f"{live_stack.rasa_url}/webhooks/rest/webhook",
        lambda route: _fake_rasa(
            route,
            200,
            [
                {"recipient_id": "x", "text": f"<b>Dòng một</b>\nDòng hai {hostile}"},
                {"recipient_id": "x", "text": "Chọn:", "buttons": [{"title": "<i>nút</i>"}]},
            ],
        ),
    )
    widget = Widget(page)
    page.goto(live_stack.web_url)
    widget.open()
    widget.say(f"<b>xin chào</b> {hostile}")
    expect(widget.guest.last).to_have_text(f"<b>xin chào</b> {hostile}")
    bubble = widget.bot.filter(has_text="Dòng hai")
    expect(bubble).to_have_text(f"<b>Dòng một</b>\nDòng hai {hostile}")
    expect(widget.reply("<i>nút</i>")).to_be_visible()
    assert page.locator(".hieuy-chat b, .hieuy-chat i, .hieuy-chat img").count() == 0
    assert page.evaluate("window.__pwned") is None
    # Line breaks are kept (rendered, not collapsed to a space).
    assert "</b>\nDòng hai" in bubble.inner_text()


def test_typing_indicator_while_waiting(page: Page, live_stack) -> None:
    held: List[Route] = []

    def hold(route: Route) -> None:
        if route.request.method == "OPTIONS":
            _fake_rasa(route, 204, None)
        else:
            held.append(route)  # answered below, when the test says so

    page.route(f"{live_stack.rasa_url}/webhooks/rest/webhook", hold)
    widget = Widget(page)
    page.goto(live_stack.web_url)
    widget.open()
    typing = page.locator(".hieuy-typing")
    expect(typing).to_be_hidden()
    widget.say("xin chào")
    expect(typing).to_be_visible()
    expect(typing).to_have_attribute("role", "status")
    assert len(held) == 1
    _fake_rasa(held[0], 200, [{"recipient_id": "x", "text": "Dạ em chào anh/chị ạ!"}])
    expect(typing).to_be_hidden()
    expect(widget.bot.last).to_have_text("Dạ em chào anh/chị ạ!")


def test_server_down_keeps_the_message(page: Page, live_stack, shots: Path) -> None:
    _set_widget_attributes(page, {"data-server": f"http://127.0.0.1:{_dead_port()}"})
    widget = Widget(page)
    page.goto(live_stack.web_url)
    widget.open()
    widget.say("cho em xin mật khẩu wifi")

    # A friendly message while it retries by itself, then a "Thử lại" button.
    expect(widget.notice).to_contain_text(RECONNECTING)
    expect(widget.retry).to_be_visible()
    expect(widget.notice).to_contain_text("Chưa gửi được")
    expect(widget.guest).to_have_text(["cho em xin mật khẩu wifi"])
    expect(page.locator(".hieuy-msg--failed")).to_have_count(1)
    page.screenshot(path=str(shots / "04-server-down.png"))

    # Neither the unsent message nor a half-typed one is lost by a reload.
    widget.input.fill("và một ly bạc xỉu")
    page.reload()
    widget = Widget(page)
    expect(widget.dialog).to_be_visible()
    expect(widget.guest).to_have_text(["cho em xin mật khẩu wifi"])
    expect(widget.retry).to_be_visible()
    expect(widget.input).to_have_value("và một ly bạc xỉu")


def test_retries_after_5xx_then_answers(page: Page, live_stack) -> None:
    attempts: List[str] = []

    def flaky(route: Route) -> None:
        if route.request.method == "OPTIONS":
            route.continue_()
            return
        attempts.append(route.request.post_data or "")
        if len(attempts) <= 2:
            _fake_rasa(route, 503, {"error": "overloaded"})
        else:
            route.continue_()

    page.route(f"{live_stack.rasa_url}/webhooks/rest/webhook", flaky)
    widget = Widget(page)
    page.goto(live_stack.web_url)
    widget.open()
    widget.say("xin chào")
    expect(widget.notice).to_contain_text(RECONNECTING)
    expect(widget.bot_after("xin chào").first).to_be_visible()
    expect(widget.notice).to_be_hidden()
    assert len(attempts) == 3
    assert all(json.loads(body)["message"] == "xin chào" for body in attempts)
    assert len({json.loads(body)["sender"] for body in attempts}) == 1


def test_retry_button_sends_the_kept_message(page: Page, live_stack) -> None:
    webhook = f"{live_stack.rasa_url}/webhooks/rest/webhook"
    page.route(webhook, lambda route: route.abort("connectionrefused"))
    widget = Widget(page)
    page.goto(live_stack.web_url)
    widget.open()
    widget.say(CHARGER_QUESTION)
    expect(widget.retry).to_be_visible()

    page.unroute(webhook)  # the connection is back
    widget.retry.click()
    expect(widget.bot.filter(has_text="điện thoại").first).to_be_visible()
    expect(widget.notice).to_be_hidden()
    expect(page.locator(".hieuy-msg--failed")).to_have_count(0)
    expect(widget.guest).to_have_text([CHARGER_QUESTION])


def test_keyboard_only(page: Page, live_stack) -> None:
    widget = Widget(page)
    page.goto(live_stack.web_url)
    for _ in range(40):
        page.keyboard.press("Tab")
        if widget.launcher.evaluate("node => node === document.activeElement"):
            break
    else:
        pytest.fail("the launcher cannot be reached with Tab")
    outline = widget.launcher.evaluate("node => getComputedStyle(node).outlineStyle")
    assert outline != "none", "the focused launcher shows no focus ring"
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")
    expect(widget.dialog).to_be_visible()
    expect(widget.launcher).to_have_attribute("aria-expanded", "true")
    expect(widget.input).to_be_focused()
    page.keyboard.type("xin chào")
    page.keyboard.press("Enter")
    expect(widget.bot_after("xin chào").first).to_be_visible()
    expect(page.locator('.hieuy-log[aria-live="polite"]')).to_have_count(1)

    page.keyboard.press("Escape")
    expect(widget.dialog).to_be_hidden()
    expect(widget.launcher).to_be_focused()


def test_phone_360(phone: Page, live_stack, shots: Path) -> None:
    widget = Widget(phone)
    phone.goto(live_stack.web_url)
    no_side_scroll = "document.documentElement.scrollWidth <= window.innerWidth"
    assert phone.evaluate(no_side_scroll)

    widget.launcher.tap()
    expect(widget.dialog).to_be_visible()
    widget.dialog.evaluate("node => Promise.all(node.getAnimations().map(a => a.finished))")
    box = widget.dialog.bounding_box()
    assert box is not None
    assert [round(box[k]) for k in ("x", "y", "width", "height")] == [0, 0, 360, 740], (
        f"the chat is not full-screen: {box}"
    )
    expect(widget.input).to_be_in_viewport()
    expect(widget.send_button).to_be_in_viewport()

    widget.input.tap()
    widget.input.fill(CHARGER_QUESTION)
    widget.send_button.tap()
    expect(widget.reply(CHARGE_OWN)).to_be_visible()
    button = widget.reply(CHARGE_OWN).bounding_box()
    assert button is not None and button["x"] + button["width"] <= 360
    assert phone.evaluate(no_side_scroll)
    expect(widget.input).to_be_in_viewport()
    phone.screenshot(path=str(shots / "05-phone.png"))

    widget.dialog.get_by_role("button", name="Đóng", exact=True).tap()
    expect(widget.dialog).to_be_hidden()
    expect(widget.launcher).to_be_visible()


def test_length_limit_and_counter(page: Page, live_stack) -> None:
    widget = Widget(page)
    page.goto(live_stack.web_url)
    widget.open()
    counter = page.locator(".hieuy-counter")
    expect(widget.input).to_have_attribute("maxlength", "500")
    widget.input.fill("xin chào")
    expect(counter).to_be_hidden()
    widget.input.fill("a" * 495)
    expect(counter).to_have_text("495/500 ký tự")
    widget.input.press_sequentially("bbbbbbbbbb")
    expect(widget.input).to_have_value("a" * 495 + "bbbbb")
    expect(counter).to_have_text("500/500 ký tự")


def test_qr_link_and_page_buttons_open_the_chat(page: Page, live_stack) -> None:
    widget = Widget(page)
    page.goto(live_stack.web_url)
    expect(widget.dialog).to_be_hidden()
    # The hero's "Chat với quán" link (href="?chat=open") opens the widget in place.
    page.get_by_role("link", name="Chat với quán").click()
    expect(widget.dialog).to_be_visible()
    assert "chat=open" not in page.url, "the link navigated instead of opening the widget"
    widget.dialog.get_by_role("button", name="Đóng", exact=True).click()
    expect(widget.dialog).to_be_hidden()
    expect(widget.launcher).to_be_focused()
    # The QR code at the table links to ?chat=open: the chat is open on arrival.
    page.goto(f"{live_stack.web_url}/?chat=open")
    expect(widget.dialog).to_be_visible()


def test_script_options(page: Page, live_stack) -> None:
    _set_widget_attributes(
        page,
        {
            "data-title": "Bếp Nhà Test",
            "data-greeting": "Chào bạn, bếp nghe đây!",
            "data-primary-color": "#0a7d5a",
            "data-position": "left",
        },
    )
    widget = Widget(page, title="Bếp Nhà Test")
    page.goto(live_stack.web_url)
    box = widget.launcher.bounding_box()
    assert box is not None and box["x"] < 100, "data-position=left is ignored"
    widget.open()
    expect(widget.bot.first).to_have_text("Chào bạn, bếp nghe đây!")
    widget.say("xin chào")
    expect(page.locator(".hieuy-msg--guest .hieuy-bubble").last).to_have_css(
        "background-color", "rgb(10, 125, 90)"
    )
    expect(widget.bot_after("xin chào").first).to_be_visible()


def test_new_conversation(page: Page, live_stack) -> None:
    widget = Widget(page)
    page.goto(live_stack.web_url)
    widget.open()
    widget.say(CHARGER_QUESTION)
    expect(widget.reply(CHARGE_OWN)).to_be_enabled()
    sender = page.evaluate("localStorage.getItem('hieuy-chat:v1:sender')")

    page.once("dialog", lambda dialog: dialog.accept())  # "Bắt đầu cuộc trò chuyện mới?"
    widget.dialog.get_by_role("button", name="Cuộc trò chuyện mới").click()
    expect(widget.guest).to_have_count(0)
    expect(widget.bot).to_have_count(1)  # just the greeting
    assert page.evaluate("localStorage.getItem('hieuy-chat:v1:sender')") not in (None, sender)
    widget.say("xin chào")
    expect(widget.bot_after("xin chào").first).to_be_visible()
