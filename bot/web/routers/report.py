"""The staff report: the HTML page, its JSON and CSV, and handing off waiting guests.

Every route here is staff-only: the page shows the login form without a
session, the API answers 401 (never data) without a bearer token or session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from bot import settings
from bot.report.export import to_csv
from bot.report.rules import RecommendationRule
from bot.report.summary import Period, Report, build_report, channel_label, mark_handoff_done
from bot.web.deps import MAX_DAYS, MAX_ID, engine, is_staff, require_staff, templates
from bot.web.routers.login import exchange_token, login_page

router = APIRouter()


@dataclass
class PeriodQuery:
    """The report asked for: last ``days``, ``period=today`` or ``start``..``end``; ``channel``."""

    days: Optional[int] = Query(None, ge=1, le=MAX_DAYS)
    start: Optional[date] = None
    end: Optional[date] = None
    period: Optional[str] = Query(None, pattern="^today$")
    channel: Optional[str] = Query(None, pattern=r"^[a-z][a-z0-9_-]{0,31}$")

    @property
    def selected(self) -> str:
        """Which filter button is active."""
        if self.period == "today":
            return "today"
        return "range" if self.start else str(self.days or 7)

    @property
    def period_string(self) -> str:
        """The same period as URL parameters."""
        if self.period == "today":
            return "period=today"
        if self.start and self.end:
            return f"start={self.start.isoformat()}&end={self.end.isoformat()}"
        return f"days={self.days or 7}"

    @property
    def channel_string(self) -> str:
        """``&channel=…`` when a channel is chosen (appended to the period links)."""
        return f"&channel={self.channel}" if self.channel else ""

    @property
    def query_string(self) -> str:
        """Period and channel as URL parameters (for the CSV link)."""
        return self.period_string + self.channel_string

    def resolve(self, tz: str) -> Period:
        """The period in ``tz``; 422 for an inverted, too long or unsupported range."""
        start, end = self.start, self.end
        if start or end:
            if not (start and end) or end < start or (end - start).days >= MAX_DAYS:
                raise HTTPException(422, "Khoảng ngày không hợp lệ (từ ≤ đến, tối đa 366 ngày)")
            try:
                return Period.between(start, end, tz)
            except OverflowError as error:  # e.g. 0001-01-01 or 9999-12-31 in local time
                raise HTTPException(422, "Ngày nằm ngoài khoảng hỗ trợ") from error
        if self.period == "today":
            return Period.today(tz=tz)
        return Period.last_days(self.days or 7, tz=tz)


def report_for(request: Request, chosen: PeriodQuery) -> Report:
    """The report over the period asked for, with the current catalog and rules."""
    period = chosen.resolve(settings.report_timezone())
    rule = RecommendationRule.load(request.app.state.rules_path)
    catalog = request.app.state.catalog.get()
    return build_report(
        engine(request),
        catalog,
        rule,
        period,
        channel=chosen.channel,
        long_wait_minutes=settings.long_wait_minutes(),
    )


@router.get("/report", response_class=HTMLResponse)
def report_page(
    request: Request, chosen: PeriodQuery = Depends(), token: Optional[str] = None
) -> Response:
    """The report; the link ``make run`` prints (``?token=``) signs the staff member in."""
    if token is not None:
        return exchange_token(request, token)
    if not is_staff(request):
        return login_page(request, status_code=401)
    context = {
        "report": report_for(request, chosen),
        "selected": chosen.selected,
        "query": chosen.query_string,
        "period_query": chosen.period_string,
        "channel_query": chosen.channel_string,
        "channel_label": channel_label,
        "start": chosen.start,
        "end": chosen.end,
    }
    return templates(request).TemplateResponse(request, "report.html", context)


@router.get("/api/report", dependencies=[Depends(require_staff)])
def report_json(request: Request, chosen: PeriodQuery = Depends()) -> JSONResponse:
    """The report as JSON (SPEC §4)."""
    return JSONResponse(report_for(request, chosen).to_json())


@router.get("/api/report.csv", dependencies=[Depends(require_staff)])
def report_csv(request: Request, chosen: PeriodQuery = Depends()) -> Response:
    """The report as a CSV attachment named after the local days it covers."""
    report = report_for(request, chosen)
    # Named after the local days covered (the period's bounds are UTC times).
    channel = f"{report.channel}-" if report.channel else ""
    name = f"hieu-y-nhu-cau-{channel}{report.dates[0]:%Y%m%d}-{report.dates[-1]:%Y%m%d}.csv"
    return Response(
        to_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/api/handoffs/{handoff_id}/done", dependencies=[Depends(require_staff)])
def handoff_done(request: Request, handoff_id: int = PathParam(..., ge=1, le=MAX_ID)) -> Response:
    """A person took care of a waiting guest: JSON for scripts, back to the page for forms."""
    done = mark_handoff_done(engine(request), handoff_id)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"id": handoff_id, "done": done})
    return RedirectResponse(request.headers.get("referer") or "/report", status_code=303)
