"""The report link ``make run`` prints (``/report?token=…``) signs the staff member in."""

from __future__ import annotations

import pytest
from web_helpers import TOKEN, put

from bot.needs.log import UNMET
from bot.web.auth import SESSION_COOKIE

PHRASE = "sạc giúp em với, máy sắp tắt"


@pytest.fixture
def data(engine):
    put(engine, "phone_power", UNMET, PHRASE)
    return engine


def test_the_printed_link_opens_the_report_and_drops_the_token(client, data):
    response = client.get("/report", params={"token": TOKEN, "days": 30})
    assert response.status_code == 303
    assert response.headers["location"] == "/report?days=30"
    cookie = response.headers["set-cookie"]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in attributes
    assert "samesite=lax" in attributes  # sent on the redirect after a link from elsewhere
    assert TOKEN not in cookie

    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert PHRASE in page.text
    assert TOKEN not in page.text


def test_the_bare_printed_link_redirects_to_the_bare_report(client, data):
    response = client.get(f"/report?token={TOKEN}")
    assert response.status_code == 303
    assert response.headers["location"] == "/report"


def test_a_link_with_a_wrong_token_shows_the_login_form(client, data):
    response = client.get("/report", params={"token": "not-the-token"})
    assert response.status_code == 401
    assert "Mã nhân viên không đúng." in response.text
    assert "set-cookie" not in response.headers
    assert PHRASE not in response.text
    assert client.get("/report").status_code == 401


def test_a_token_in_the_query_opens_no_api_route(client, data):
    assert client.get("/api/report", params={"token": TOKEN}).status_code == 401
