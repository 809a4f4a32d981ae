"""The web app on :8000 (FastAPI): widget demo page, widget script, staff report.

``create_app`` only wires: the app's state (database, staff auth, catalog,
rate limits, templates), the security middleware, and one router per area
in ``bot/web/routers/`` (``demo``, ``login``, ``report``, ``staff`` — the live
console — and ``chat``, which the widget polls for staff replies). What
routers share is in ``bot/web/deps.py``.

FastAPI because it is well kept, typed end to end (query parameters are
validated before our code runs), serves Jinja2 templates and static files,
and its test client exercises the real app in-process.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from bot import settings
from bot.needs.catalog import CatalogSource
from bot.paths import CATALOG_PATH, REPORT_RULES_PATH
from bot.web.auth import RateLimiter, StaffAuth
from bot.web.deps import WEB_DIR, client_address, make_templates
from bot.web.routers import chat, demo, login, report, staff

logger = logging.getLogger(__name__)

ROUTERS = (demo.router, login.router, report.router, staff.router, chat.router)


def create_app(
    engine: Optional[Engine] = None,
    staff_token: Optional[str] = None,
    catalog_path: Path = CATALOG_PATH,
    rules_path: Path = REPORT_RULES_PATH,
    rate: float = 20.0,
    burst: int = 60,
) -> FastAPI:
    """Build the app; arguments default to the environment (SPEC §4)."""
    from bot.store.db import make_engine

    app = FastAPI(title="Hiểu Ý", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine or make_engine()
    app.state.auth = StaffAuth(staff_token if staff_token is not None else settings.staff_token())
    app.state.catalog = CatalogSource(catalog_path)
    app.state.rules_path = rules_path
    app.state.limiter = RateLimiter(rate=rate, burst=burst)
    app.state.login_limiter = RateLimiter(rate=0.2, burst=5)
    app.state.templates = make_templates()
    if not app.state.auth.enabled:
        logger.warning("STAFF_TOKEN is not set: every report route answers 401")
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    app.add_middleware(_Guard)
    for router in ROUTERS:
        app.include_router(router)
    return app


class _Guard(BaseHTTPMiddleware):
    """Per-client rate limit and security headers on every response."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if not request.app.state.limiter.allow(client_address(request)):
            return JSONResponse(
                {"detail": "Quá nhiều yêu cầu, vui lòng thử lại sau."},
                429,
                headers={"Retry-After": "1"},
            )
        response = await call_next(request)
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        if request.url.path.startswith(("/report", "/login", "/api", "/staff")):
            headers["X-Frame-Options"] = "DENY"
            headers["Content-Security-Policy"] = (
                "default-src 'self'; style-src 'self'; img-src 'self' data:; "
                "frame-ancestors 'none'; form-action 'self'"
            )
            headers["Cache-Control"] = "no-store"
        return response
