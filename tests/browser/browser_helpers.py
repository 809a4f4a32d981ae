"""What the browser tests share: where Chromium is, how it starts, the widget as a guest sees it."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Locator, Page, expect

from harness.chromium import CHROMIUM, LAUNCH_ARGS  # noqa: F401 (the tests import them here)

# Every browser test: marked (``-m "not browser"`` leaves them out), skipped without Chromium.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: browser tests need Chromium"
    ),
]


class Widget:
    """The widget on a page, found the way a guest (or a screen reader) finds it."""

    def __init__(self, page: Page, title: str = "Quán Hiểu Ý") -> None:
        self.page = page
        self.launcher = page.get_by_role("button", name="Chat với quán", exact=True)
        self.dialog = page.get_by_role("dialog", name=title)
        self.input = self.dialog.get_by_role("textbox", name="Tin nhắn của anh/chị")
        self.send_button = self.dialog.get_by_role("button", name="Gửi", exact=True)
        self.bot = page.locator(".hieuy-msg--bot .hieuy-text")
        self.guest = page.locator(".hieuy-msg--guest .hieuy-text")
        self.notice = page.locator(".hieuy-notice")
        self.retry = self.dialog.get_by_role("button", name="Thử lại", exact=True)

    def open(self) -> None:
        self.launcher.click()
        expect(self.dialog).to_be_visible()

    def say(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.guest.filter(has_text=text).last).to_be_visible()

    def reply(self, title: str) -> Locator:
        """The newest quick-reply button with this title."""
        return self.dialog.get_by_role("button", name=title, exact=True).last

    def bot_after(self, guest_text: str) -> Locator:
        """Bot bubbles that came after the guest's message ``guest_text``."""
        quoted = json.dumps(guest_text, ensure_ascii=False)
        return self.page.locator(
            f".hieuy-msg--guest:has(.hieuy-text:text-is({quoted})) ~ .hieuy-msg--bot .hieuy-text"
        )
