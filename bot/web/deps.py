"""What the routers share: the templates, who is staff, the need log's engine.

FastAPI dependencies and helpers read the app's state (set once by
:func:`bot.web.app.create_app`), so every router stays a plain module of
routes and a test can build as many apps as it likes.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine

from bot.web import charts, formats
from bot.web.auth import SESSION_COOKIE, StaffAuth

WEB_DIR = Path(__file__).resolve().parent
MAX_DAYS = 366
MAX_ID = 2**31 - 1  # largest id an Integer column holds on PostgreSQL


def make_templates() -> Jinja2Templates:
    """The Jinja2 templates, with the SVG chart helpers the report uses."""
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    templates.env.globals.update(
        sparkline=charts.sparkline,
        outcome_bar=charts.outcome_bar,
        daily_columns=charts.daily_columns,
        duration=formats.duration,
        stars=formats.stars,
    )
    return templates


def templates(request: Request) -> Jinja2Templates:
    """The app's templates."""
    found: Jinja2Templates = request.app.state.templates
    return found


def staff_auth(request: Request) -> StaffAuth:
    """The app's staff authentication."""
    auth: StaffAuth = request.app.state.auth
    return auth


def engine(request: Request) -> Engine:
    """The need log's database."""
    found: Engine = request.app.state.engine
    return found


def is_staff(request: Request) -> bool:
    """A valid bearer token or session cookie came with the request."""
    auth = staff_auth(request)
    return auth.bearer_ok(request.headers.get("authorization")) or auth.session_ok(
        request.cookies.get(SESSION_COOKIE)
    )


def require_staff(request: Request) -> None:
    """Dependency of staff-only API routes: 401 (never data) without a valid token."""
    if not is_staff(request):
        raise HTTPException(401, "Cần đăng nhập nhân viên", {"WWW-Authenticate": "Bearer"})


def client_address(request: Request) -> str:
    """The client's address, for the rate limits."""
    return request.client.host if request.client else "?"
