"""Screenshots for the README: starts the stack, walks the stories, writes docs/*.png.

Run: ``.venv/bin/python scripts/screenshots.py [--only widget-mobile] [--out docs]``

Each screenshot is one function ``shot_<name>(browser, stack, out_dir) -> Path``
listed in ``SCREENSHOTS``; add a function and an entry to add a screenshot.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from bot.rasa.model import latest_model  # noqa: E402
from harness.chromium import CHROMIUM, LAUNCH_ARGS  # noqa: E402
from harness.stack import Stack, start_stack, stop_stack  # noqa: E402

TIMEOUT_MS = 30_000


def walk_charger_story(page: Page, stack: Stack) -> None:
    """Open the demo page's widget and play the founding story up to the feedback question."""
    page.goto(stack.web_url)
    page.get_by_role("button", name="Chat với quán", exact=True).click()
    dialog = page.get_by_role("dialog", name="Quán Hiểu Ý")
    expect(dialog).to_be_visible(timeout=TIMEOUT_MS)
    box = dialog.get_by_role("textbox", name="Tin nhắn của anh/chị")
    box.fill("em có sạc iphone không")
    box.press("Enter")
    charge = dialog.get_by_role("button", name="Cần sạc máy của mình", exact=True)
    expect(charge).to_be_enabled(timeout=TIMEOUT_MS)
    charge.click()
    feedback = dialog.get_by_role("button", name="Ổn rồi, cảm ơn em", exact=True)
    expect(feedback).to_be_visible(timeout=TIMEOUT_MS)
    box.blur()  # no caret or focus ring in the picture
    page.wait_for_timeout(400)  # let the last scroll settle


def _charger_story_shot(browser: Browser, stack: Stack, path: Path, **context_options) -> Path:
    """Play the charger story in a fresh browser context and save the page."""
    context = browser.new_context(locale="vi-VN", **context_options)
    try:
        page = context.new_page()
        walk_charger_story(page, stack)
        page.screenshot(path=str(path))
        return path
    finally:
        context.close()


def shot_widget_desktop(browser: Browser, stack: Stack, out_dir: Path) -> Path:
    """The demo site with the widget open after the charger story, 1280×800."""
    return _charger_story_shot(
        browser, stack, out_dir / "widget-desktop.png", viewport={"width": 1280, "height": 800}
    )


def shot_widget_mobile(browser: Browser, stack: Stack, out_dir: Path) -> Path:
    """The same story on a 360×740 phone (the widget is full-screen there)."""
    return _charger_story_shot(
        browser,
        stack,
        out_dir / "widget-mobile.png",
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


@contextmanager
def _demo_report(browser: Browser, stack: Stack) -> Iterator[Page]:
    """A signed-in staff page on the report over a seeded demo month (what `seed-demo` gives)."""
    from bot.needs.catalog import Catalog
    from bot.report.demo_data import seed_demo
    from bot.store.db import make_engine

    seed_demo(make_engine(stack.database_url), Catalog.load(), days=30)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{stack.web_url}/report?days=30&token={stack.staff_token}")
        expect(page.get_by_role("heading", name="Đề xuất cho chủ quán")).to_be_visible(
            timeout=TIMEOUT_MS
        )
        yield page
    finally:
        context.close()


def shot_report(browser: Browser, stack: Stack, out_dir: Path) -> Path:
    """The staff report over a seeded demo month."""
    with _demo_report(browser, stack) as page:
        path = out_dir / "report.png"
        page.screenshot(
            path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1900}
        )
        return path


def shot_report_service(browser: Browser, stack: Stack, out_dir: Path) -> Path:
    """The report's response times and ratings over the seeded demo month."""
    with _demo_report(browser, stack) as page:
        waits = page.get_by_role("heading", name="Phục vụ trực tiếp: khách chờ nhân viên bao lâu")
        top = waits.locator("xpath=..").bounding_box()
        bottom = page.get_by_role("heading", name="Khách chấm điểm").locator("xpath=..")
        end = bottom.bounding_box()
        assert top and end
        path = out_dir / "report-service.png"
        height = min(end["y"] + end["height"] - top["y"], 2400) + 16
        page.screenshot(
            path=str(path),
            full_page=True,
            clip={"x": 0, "y": top["y"] - 8, "width": 1280, "height": height},
        )
        return path


def shot_widget_rating(browser: Browser, stack: Stack, out_dir: Path) -> Path:
    """A goodbye on a phone: the one-tap rating card, four stars given."""
    context = browser.new_context(
        locale="vi-VN",
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        page = context.new_page()
        page.goto(f"{stack.web_url}/?chat=open&table=5")
        dialog = page.get_by_role("dialog", name="Quán Hiểu Ý")
        box = dialog.get_by_role("textbox", name="Tin nhắn của anh/chị")
        for text in ("wifi quán là gì em", "ok cảm ơn em nhé, chào em"):
            box.fill(text)
            box.press("Enter")
            page.wait_for_timeout(1500)
        rating = dialog.locator(".hieuy-rating").last
        rating.get_by_role("button", name="4 sao").click()
        expect(rating.get_by_role("status")).to_be_visible(timeout=TIMEOUT_MS)
        box.blur()
        page.wait_for_timeout(400)
        path = out_dir / "widget-rating.png"
        page.screenshot(path=str(path))
        return path
    finally:
        context.close()


def _guest_asks(stack: Stack, sender: str, table: str, text: str) -> None:
    """A guest at ``table`` writes through the REST channel, as the widget does."""
    body = {"sender": sender, "message": text, "metadata": {"table": table}}
    requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)


def _seed_bookings(stack: Stack) -> None:
    """Two of today's bookings (the restaurant's day) for the list beside the queue."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from bot import settings
    from bot.store.bookings import CONFIRMED, WAITLIST, BookingStore, NewBooking
    from bot.store.db import make_engine

    today = datetime.now(ZoneInfo(settings.report_timezone())).date()
    engine = make_engine(stack.database_url)
    with engine.begin() as connection:
        for hour, name, size, status in (
            (18, "Chị Hoa", 4, CONFIRMED),
            (19, "Anh Minh", 6, WAITLIST),
        ):
            starts = datetime.combine(today, time(hour, 30))
            booking = NewBooking(
                branch="main",
                starts_at=starts,
                party_size=size,
                seats=size,
                status=status,
                name=name,
            )
            BookingStore.insert(connection, booking)
    engine.dispose()


def shot_staff_console(browser: Browser, stack: Stack, out_dir: Path) -> Path:
    """The staff console: an emergency first, a guest Lan is helping, one still waiting."""
    _seed_bookings(stack)
    _guest_asks(stack, "screenshot-guest-table-3", "3", "cho mình gặp nhân viên")
    _guest_asks(stack, "screenshot-guest-table-7", "7", "em ơi cho chị gặp quản lý")
    _guest_asks(stack, "screenshot-guest-table-12", "12", "cứu với có người ngất xỉu ở bàn này")
    auth = {"Authorization": f"Bearer {stack.staff_token}"}
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{stack.web_url}/staff?token={stack.staff_token}")
        page.get_by_label("Tên của bạn").fill("Lan")
        page.get_by_role("button", name="Lưu").click()
        expect(page.locator(".conv")).to_have_count(3, timeout=TIMEOUT_MS)
        table_7 = page.locator(".conv", has_text="bàn 7").get_attribute("data-id")
        said = {"name": "Lan", "text": "Dạ em là Lan, em ra bàn mình ngay ạ"}
        requests.post(
            f"{stack.web_url}/api/staff/conversations/{table_7}/reply",
            json=said,
            headers=auth,
            timeout=10,
        )
        expect(page.locator(".conv", has_text="Lan đang hỗ trợ")).to_be_visible()
        path = out_dir / "staff-console.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    finally:
        context.close()


ShotFunction = Callable[[Browser, Stack, Path], Path]
SCREENSHOTS: Dict[str, ShotFunction] = {
    "widget-desktop": shot_widget_desktop,
    "widget-mobile": shot_widget_mobile,
    "report": shot_report,
    "staff-console": shot_staff_console,
    "report-service": shot_report_service,
    "widget-rating": shot_widget_rating,
}


def main(argv: Optional[List[str]] = None) -> int:
    """Start the stack, take the requested screenshots, stop the stack."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="output directory")
    parser.add_argument(
        "--only", action="append", choices=sorted(SCREENSHOTS), help="take only these (repeatable)"
    )
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} is missing; install Chromium first", file=sys.stderr)
        return 2
    model = latest_model(required=False)
    if model is None:
        print("error: no trained model in models/; run `make run` or train first", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hieuy-screenshots-") as workdir:
        print(f"starting the stack with {model.name} …", flush=True)
        stack = start_stack(Path(workdir), model)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
                )
                try:
                    for name in args.only or list(SCREENSHOTS):
                        path = SCREENSHOTS[name](browser, stack, args.out)
                        print(f"wrote {path}")
                finally:
                    browser.close()
        finally:
            stop_stack(stack)
    return 0


if __name__ == "__main__":
    sys.exit(main())
