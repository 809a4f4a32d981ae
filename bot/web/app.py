"""The web app on :8000 (FastAPI): widget demo page, widget script, staff report.

FastAPI because it is well kept, typed end to end (query parameters are
validated before our code runs), serves Jinja2 templates and static files,
and its test client exercises the real app in-process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Dict, Optional

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from bot import settings
from bot.needs.catalog import CatalogSource
from bot.paths import CATALOG_PATH, REPORT_RULES_PATH
from bot.report.export import to_csv
from bot.report.rules import RecommendationRule
from bot.report.summary import Period, Report, build_report, mark_handoff_done
from bot.web import charts
from bot.web.auth import SESSION_COOKIE, SESSION_SECONDS, RateLimiter, StaffAuth

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
MAX_DAYS = 366
MAX_ID = 2**31 - 1  # largest id an Integer column holds on PostgreSQL


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
    if not app.state.auth.enabled:
        logger.warning("STAFF_TOKEN is not set: every report route answers 401")

    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    templates.env.globals.update(
        sparkline=charts.sparkline,
        outcome_bar=charts.outcome_bar,
        daily_columns=charts.daily_columns,
    )
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    app.add_middleware(_Guard)

    def is_staff(request: Request) -> bool:
        auth: StaffAuth = request.app.state.auth
        return auth.bearer_ok(request.headers.get("authorization")) or auth.session_ok(
            request.cookies.get(SESSION_COOKIE)
        )

    def require_staff(request: Request) -> None:
        if not is_staff(request):
            raise HTTPException(401, "Cần đăng nhập nhân viên", {"WWW-Authenticate": "Bearer"})

    def report_for(chosen: PeriodQuery) -> Report:
        tz = settings.report_timezone()
        start, end = chosen.start, chosen.end
        if start or end:
            if not (start and end) or end < start or (end - start).days >= MAX_DAYS:
                raise HTTPException(422, "Khoảng ngày không hợp lệ (từ ≤ đến, tối đa 366 ngày)")
            try:
                period = Period.between(start, end, tz)
            except OverflowError as error:  # e.g. 0001-01-01 or 9999-12-31 in local time
                raise HTTPException(422, "Ngày nằm ngoài khoảng hỗ trợ") from error
        elif chosen.period == "today":
            period = Period.today(tz=tz)
        else:
            period = Period.last_days(chosen.days or 7, tz=tz)
        rule = RecommendationRule.load(app.state.rules_path)
        return build_report(app.state.engine, app.state.catalog.get(), rule, period)

    @app.get("/healthz")
    def health() -> Dict[str, str]:
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse)
    def demo(request: Request) -> Response:
        rasa_url = (
            settings.rasa_public_url() or f"{request.url.scheme}://{request.url.hostname}:5005"
        )
        return templates.TemplateResponse(request, "demo.html", {"rasa_url": rasa_url})

    @app.get("/widget.js")
    def widget_script() -> Response:
        return Response(
            (WEB_DIR / "static" / "widget.js").read_bytes(),
            media_type="application/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=300"},
        )

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return templates.TemplateResponse(request, "login.html", {"error": None})

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, token: str = Form("")) -> Response:
        client = request.client.host if request.client else "?"
        if not request.app.state.login_limiter.allow(client):
            return templates.TemplateResponse(
                request,
                "login.html",
                {"error": "Thử quá nhiều lần, vui lòng đợi một phút."},
                status_code=429,
            )
        auth: StaffAuth = request.app.state.auth
        if not auth.token_matches(token.strip()):
            return templates.TemplateResponse(
                request, "login.html", {"error": "Mã nhân viên không đúng."}, status_code=401
            )
        response = RedirectResponse("/report", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            auth.new_session(),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    @app.post("/logout")
    def logout() -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/report", response_class=HTMLResponse)
    def report_page(
        request: Request,
        chosen: PeriodQuery = Depends(),
    ) -> Response:
        if not is_staff(request):
            return templates.TemplateResponse(
                request,
                "login.html",
                {"error": None},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        report = report_for(chosen)
        selected = chosen.selected
        query = chosen.query_string
        return templates.TemplateResponse(
            request,
            "report.html",
            {
                "report": report,
                "selected": selected,
                "query": query,
                "start": chosen.start,
                "end": chosen.end,
            },
        )

    @app.get("/api/report")
    def report_json(
        request: Request,
        chosen: PeriodQuery = Depends(),
    ) -> JSONResponse:
        require_staff(request)
        return JSONResponse(report_for(chosen).to_json())

    @app.get("/api/report.csv")
    def report_csv(
        request: Request,
        chosen: PeriodQuery = Depends(),
    ) -> Response:
        require_staff(request)
        report = report_for(chosen)
        # Named after the local days covered (the period's bounds are UTC times).
        name = f"hieu-y-nhu-cau-{report.dates[0]:%Y%m%d}-{report.dates[-1]:%Y%m%d}.csv"
        return Response(
            to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.post("/api/handoffs/{handoff_id}/done")
    def handoff_done(
        request: Request, handoff_id: int = PathParam(..., ge=1, le=MAX_ID)
    ) -> Response:
        require_staff(request)
        done = mark_handoff_done(request.app.state.engine, handoff_id)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"id": handoff_id, "done": done})
        return RedirectResponse(request.headers.get("referer") or "/report", status_code=303)

    return app


@dataclass
class PeriodQuery:
    """The report period asked for: last ``days``, ``period=today``, or ``start``..``end``."""

    days: Optional[int] = Query(None, ge=1, le=MAX_DAYS)
    start: Optional[date] = None
    end: Optional[date] = None
    period: Optional[str] = Query(None, pattern="^today$")

    @property
    def selected(self) -> str:
        """Which filter button is active."""
        if self.period == "today":
            return "today"
        return "range" if self.start else str(self.days or 7)

    @property
    def query_string(self) -> str:
        """The same period as URL parameters (for the CSV link)."""
        if self.period == "today":
            return "period=today"
        if self.start and self.end:
            return f"start={self.start.isoformat()}&end={self.end.isoformat()}"
        return f"days={self.days or 7}"


class _Guard(BaseHTTPMiddleware):
    """Per-client rate limit and security headers on every response."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        client = request.client.host if request.client else "?"
        if not request.app.state.limiter.allow(client):
            return JSONResponse(
                {"detail": "Quá nhiều yêu cầu, vui lòng thử lại sau."},
                429,
                headers={"Retry-After": "1"},
            )
        response = await call_next(request)
        headers: Dict[str, Any] = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        if request.url.path.startswith(("/report", "/login", "/api")):
            headers["X-Frame-Options"] = "DENY"
            headers["Content-Security-Policy"] = (
                "default-src 'self'; style-src 'self'; img-src 'self' data:; "
                "frame-ancestors 'none'; form-action 'self'"
            )
            headers["Cache-Control"] = "no-store"
        return response
