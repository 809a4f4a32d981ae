"""One headless Chromium per test module (the path and flags are in ``browser_helpers``)."""

from __future__ import annotations

from typing import Iterator

import pytest

try:
    from playwright.sync_api import Browser, sync_playwright
except ImportError:  # pragma: no cover - the package is in requirements-dev
    pytest.skip("the python playwright package is not installed", allow_module_level=True)

from browser_helpers import CHROMIUM, LAUNCH_ARGS


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield chromium
        chromium.close()
