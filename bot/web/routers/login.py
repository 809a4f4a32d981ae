"""Staff sign-in: the login form, logout, and the link ``make run`` prints.

A session is a signed, HTTP-only cookie. The printed link carries the token
in its query (``/report?token=…``); :func:`exchange_token` trades it for the
cookie and redirects to the same page without it, so the token does not stay
in the address bar, the history or a ``Referer``.
"""

from __future__ import annotations

from typing import Literal, Optional
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.web.auth import SESSION_COOKIE, SESSION_SECONDS
from bot.web.deps import client_address, staff_auth, templates

router = APIRouter()

TOO_MANY = "Thử quá nhiều lần, vui lòng đợi một phút."
WRONG_TOKEN = "Mã nhân viên không đúng."


def login_page(request: Request, error: Optional[str] = None, status_code: int = 200) -> Response:
    """The login form (with ``error``), e.g. for a report asked for without a session."""
    headers = {"WWW-Authenticate": "Bearer"} if status_code == 401 else None
    page = request.url.path if request.url.path in STAFF_PAGES else "/report"
    return templates(request).TemplateResponse(
        request,
        "login.html",
        {"error": error, "next": page},
        status_code=status_code,
        headers=headers,
    )


def signed_in(
    request: Request, token: str, to: str, same_site: Literal["lax", "strict"] = "strict"
) -> Response:
    """Check ``token`` (rate-limited per client); on success a session and a redirect to ``to``."""
    if not request.app.state.login_limiter.allow(client_address(request)):
        return login_page(request, TOO_MANY, 429)
    auth = staff_auth(request)
    if not auth.token_matches(token.strip()):
        return login_page(request, WRONG_TOKEN, 401)
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        auth.new_session(),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite=same_site,
        secure=request.url.scheme == "https",
    )
    return response


def exchange_token(request: Request, token: str) -> Response:
    """The printed link: the token becomes a session; the same URL without it follows.

    The cookie is ``SameSite=Lax``: the link is opened from a terminal, a chat or
    a mail, a navigation from another site, and a ``Strict`` cookie would not
    be sent on the redirect that follows (the staff member would land on the login form).
    Lax cookies are still never sent with another site's POST.
    """
    rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
    return signed_in(request, token, request.url.path + (f"?{rest}" if rest else ""), "lax")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    """The form asking for the staff token."""
    return login_page(request)


# Where the form may send a signed-in staff member back to (never an outside address).
STAFF_PAGES = ("/report", "/staff", "/staff/qr")


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, token: str = Form(""), next_page: str = Form("/report", alias="next")
) -> Response:
    """Check the token; a session cookie and the page asked for (the report by default)."""
    return signed_in(request, token, next_page if next_page in STAFF_PAGES else "/report")


@router.post("/logout")
def logout() -> Response:
    """Forget the session."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
