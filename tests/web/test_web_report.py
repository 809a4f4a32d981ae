"""The staff report over HTTP: auth, the SPEC §4 JSON, CSV, escaping, limits, headers."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from web_helpers import TOKEN, handoff_status, put, put_handoff

from bot.needs.log import ESCALATED, MET, UNMET, UNRECOGNIZED
from bot.report.summary import Period
from bot.web.auth import SESSION_COOKIE

AUTH = {"Authorization": f"Bearer {TOKEN}"}
SECRET_PHRASE = "sạc giúp em với, máy sắp tắt"
HANDOFF_TEXT = "cho em gặp quản lý ngay"
REPORT_ROUTES = [
    ("GET", "/report"),
    ("GET", "/api/report"),
    ("GET", "/api/report.csv"),
    ("POST", "/api/handoffs/1/done"),
]
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.fixture
def data(engine):
    """phone_power 12× with 9 not met, a recognisable phrase, and handoff #1 waiting."""
    for i in range(12):
        outcome = MET if i < 3 else (UNMET if i < 10 else ESCALATED)
        put(engine, "phone_power", outcome, SECRET_PHRASE)
    put(engine, UNRECOGNIZED, None, "quán có cho mang chó vào không")
    handoff_id = put_handoff(engine, HANDOFF_TEXT)
    assert handoff_id == 1
    return engine


def assert_no_data(response) -> None:
    body = response.text
    for leak in (SECRET_PHRASE, HANDOFF_TEXT, "phone_power", "mang chó", "9/12"):
        assert leak not in body


# --- authentication -----------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), REPORT_ROUTES)
def test_report_routes_need_the_token(client, data, method, path):
    response = client.request(method, path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert_no_data(response)
    assert handoff_status(data, 1) == "waiting"  # and nothing was changed


@pytest.mark.parametrize(("method", "path"), REPORT_ROUTES)
@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer wrong-token",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer ",
    ],
)
def test_a_wrong_bearer_is_refused(client, data, method, path, authorization):
    response = client.request(method, path, headers={"Authorization": authorization})
    assert response.status_code == 401
    assert_no_data(response)
    assert handoff_status(data, 1) == "waiting"


@pytest.mark.parametrize(("method", "path"), REPORT_ROUTES)
def test_the_right_bearer_is_accepted(client, data, method, path):
    response = client.request(method, path, headers={**AUTH, "Accept": "application/json"})
    assert response.status_code == 200


def test_json_report_has_the_spec_shape(client, data):
    response = client.get("/api/report?days=7", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["days"] == 7
    assert isinstance(body["needs"], list) and body["needs"]
    for need in body["needs"]:
        assert {"need", "label", "requests", "unmet", "escalated", "top_phrases"} <= set(need)
        assert isinstance(need["need"], str) and isinstance(need["label"], str)
        assert all(isinstance(need[k], int) for k in ("requests", "unmet", "escalated"))
        assert isinstance(need["top_phrases"], list)
    phone = body["needs"][0]
    assert (phone["need"], phone["requests"], phone["unmet"], phone["escalated"]) == (
        "phone_power",
        12,
        7,
        2,
    )
    assert phone["top_phrases"] == [SECRET_PHRASE]
    assert [r["need"] for r in body["recommendations"]] == ["phone_power"]
    assert isinstance(body["recommendations"][0]["message"], str)
    assert body["recommendations"][0]["message"].startswith(
        "9/12 lần khách cần sạc điện thoại chưa được đáp ứng trong 7 ngày qua"
    )
    example = "quán có cho mang chó vào không"
    assert body["unrecognized"] == [{"example": example, "count": 1, "examples": [example]}]
    assert [h["text"] for h in body["handoffs_waiting"]] == [HANDOFF_TEXT]


def test_json_days_and_ranges(client, data):
    assert client.get("/api/report", headers=AUTH).json()["days"] == 7  # the default
    assert client.get("/api/report?days=30", headers=AUTH).json()["days"] == 30
    today = client.get("/api/report?period=today", headers=AUTH).json()
    assert today["days"] == 1
    first, last = date(2024, 5, 1), date(2024, 5, 3)
    ranged = client.get(f"/api/report?start={first}&end={last}", headers=AUTH).json()
    assert ranged["days"] == 3
    assert ranged["needs"][0]["requests"] == 0  # the crafted rows are recent
    assert [t["date"] for t in ranged["needs"][0]["trend"]] == [
        "2024-05-01",
        "2024-05-02",
        "2024-05-03",
    ]


# --- login form and session cookie -----------------------------------------------------


def test_login_form_is_served(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'name="token"' in response.text
    assert 'type="password"' in response.text


def test_login_with_a_wrong_token(client, data):
    response = client.post("/login", data={"token": "not-the-token"})
    assert response.status_code == 401
    assert "Mã nhân viên không đúng." in response.text
    assert SESSION_COOKIE not in response.cookies
    assert "set-cookie" not in response.headers
    assert_no_data(response)
    assert client.get("/report").status_code == 401


def test_login_logout_round_trip(client, data):
    response = client.post("/login", data={"token": TOKEN})
    assert response.status_code == 303
    assert response.headers["location"] == "/report"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=strict" in attributes
    assert "path=/" in attributes
    assert TOKEN not in cookie  # the cookie is a signed session, not the token itself

    page = client.get("/report")
    assert page.status_code == 200
    assert SECRET_PHRASE in page.text
    assert client.get("/api/report").status_code == 200
    assert client.get("/api/report.csv").status_code == 200

    out = client.post("/logout")
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert SESSION_COOKIE not in client.cookies
    after = client.get("/report")
    assert after.status_code == 401
    assert_no_data(after)


def test_a_forged_or_foreign_session_cookie_is_refused(make_client, data):
    client = make_client()
    client.cookies.set(SESSION_COOKIE, "staff.forged.signature")
    assert client.get("/api/report").status_code == 401

    other = make_client(staff_token="another-shops-token")  # signed with another token
    cookie = other.post("/login", data={"token": "another-shops-token"}).cookies[SESSION_COOKIE]
    client.cookies.set(SESSION_COOKIE, cookie)
    response = client.get("/api/report")
    assert response.status_code == 401
    assert_no_data(response)


@pytest.mark.parametrize("configured", [None, ""])
def test_without_a_staff_token_every_report_route_is_401(make_client, data, configured):
    client = make_client(staff_token=configured)  # and STAFF_TOKEN is unset
    for method, path in REPORT_ROUTES:
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer None"}, AUTH):
            response = client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert_no_data(response)
    for token in ("", "None", TOKEN):
        response = client.post("/login", data={"token": token})
        assert response.status_code == 401
        assert "set-cookie" not in response.headers
    assert handoff_status(data, 1) == "waiting"


# --- escaping what guests typed ---------------------------------------------------------


def test_guest_text_is_escaped_in_the_report_page(client, engine):
    for payload in XSS:
        put(engine, "phone_power", UNMET, payload)
        put(engine, UNRECOGNIZED, None, payload)
        put_handoff(engine, payload, urgent=True)
    page = client.get("/report", headers=AUTH)
    assert page.status_code == 200
    html = page.text
    for payload in XSS:
        assert payload not in html
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # The texts are there (escaped) in every place the page quotes guests.
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3


# --- CSV export ---------------------------------------------------------------------


def test_csv_export_is_an_attachment(client, data):
    response = client.get("/api/report.csv?days=7", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert re.fullmatch(r'attachment; filename="hieu-y-nhu-cau-\d{8}-\d{8}\.csv"', disposition)
    assert response.content.startswith("\ufeff".encode())
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("need,label,requests,met,unmet,escalated")
    assert "phone_power" in text.splitlines()[1]


def test_csv_file_is_named_after_the_local_days_asked_for(client, data):
    response = client.get("/api/report.csv?start=2024-05-01&end=2024-05-03", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="hieu-y-nhu-cau-20240501-20240503.csv"'
    )
    period = Period.between(date(2024, 5, 1), date(2024, 5, 3), "Asia/Ho_Chi_Minh")
    assert period.start.date() == date(2024, 4, 30)  # UTC start: not what staff asked for


# --- invalid parameters -------------------------------------------------------------


INVALID_QUERIES = [
    "days=0",
    "days=-3",
    "days=abc",
    "days=367",
    "days=1.5",
    "days=99999999999999999999999",
    "start=2024-05-01",
    "end=2024-05-01",
    "start=2024-05-03&end=2024-05-01",
    "start=2024-13-01&end=2024-13-02",
    "start=yesterday&end=today",
    "start=2023-01-01&end=2024-12-31",
    "start=0001-01-01&end=0001-01-01",
    "start=9999-12-31&end=9999-12-31",
    "period=yesterday",
]


@pytest.mark.parametrize("path", ["/report", "/api/report", "/api/report.csv"])
@pytest.mark.parametrize("query", INVALID_QUERIES)
def test_invalid_parameters_are_422_never_500(client, data, path, query):
    response = client.get(f"{path}?{query}", headers=AUTH)
    assert response.status_code == 422, response.text
    assert_no_data(response)


@pytest.mark.parametrize("handoff", ["abc", "1.5", "0", "-1", "99999999999999999999"])
def test_invalid_handoff_ids_are_422_never_500(client, data, handoff):
    response = client.post(
        f"/api/handoffs/{handoff}/done", headers={**AUTH, "Accept": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert handoff_status(data, 1) == "waiting"


def test_the_longest_allowed_range_is_accepted(client, data):
    first = date(2024, 1, 1)
    last = first + timedelta(days=365)
    assert client.get(f"/api/report?start={first}&end={last}", headers=AUTH).status_code == 200
    assert client.get("/api/report?days=366", headers=AUTH).status_code == 200


# --- rate limit and headers ----------------------------------------------------------


def test_rate_limit_per_client(make_client, data):
    client = make_client(rate=0.01, burst=3)
    statuses = [client.get("/api/report", headers=AUTH).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = client.get("/api/report", headers=AUTH)
    assert limited.headers["retry-after"] == "1"
    assert_no_data(limited)

    # Another client (another address) still has its own burst.
    with TestClient(client.app, client=("203.0.113.9", 40000)) as neighbour:
        assert neighbour.get("/api/report", headers=AUTH).status_code == 200


def test_unauthenticated_requests_count_against_the_limit(make_client):
    client = make_client(rate=0.01, burst=2)
    assert [client.get("/report").status_code for _ in range(3)] == [401, 401, 429]


@pytest.mark.parametrize("authenticated", [True, False])
def test_security_headers_on_the_report(client, data, authenticated):
    response = client.get("/report", headers=AUTH if authenticated else {})
    assert response.status_code == (200 if authenticated else 401)
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src" not in csp or "'unsafe-inline'" not in csp
    assert headers["content-type"].startswith("text/html")


def test_api_responses_are_not_cached(client, data):
    for path in ("/api/report", "/api/report.csv"):
        response = client.get(path, headers=AUTH)
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"


# --- handoffs -----------------------------------------------------------------------


def test_handoff_marked_done_leaves_the_waiting_list(client, data):
    urgent = put_handoff(data, "khách bị chóng mặt", urgent=True)
    waiting = client.get("/api/report", headers=AUTH).json()["handoffs_waiting"]
    assert [h["id"] for h in waiting] == [urgent, 1]

    json_headers = {**AUTH, "Accept": "application/json"}
    response = client.post("/api/handoffs/1/done", headers=json_headers)
    assert response.status_code == 200
    assert response.json() == {"id": 1, "done": True}
    assert handoff_status(data, 1) == "done"
    again = client.post("/api/handoffs/1/done", headers=json_headers)
    assert again.json() == {"id": 1, "done": False}
    assert client.post("/api/handoffs/999/done", headers=json_headers).json()["done"] is False

    waiting = client.get("/api/report", headers=AUTH).json()["handoffs_waiting"]
    assert [h["id"] for h in waiting] == [urgent]
    page = client.get("/report", headers=AUTH).text
    assert HANDOFF_TEXT not in page
    assert "khách bị chóng mặt" in page
    assert f'action="/api/handoffs/{urgent}/done"' in page


def test_handoff_form_post_redirects_back_to_the_report(client, data):
    response = client.post("/api/handoffs/1/done", headers=AUTH)
    assert response.status_code == 303
    assert response.headers["location"] == "/report"
    assert handoff_status(data, 1) == "done"


# --- public pages -------------------------------------------------------------------


def test_public_pages_need_no_auth(client, data):
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    home = client.get("/")
    assert home.status_code == 200
    assert home.headers["content-type"].startswith("text/html")
    assert_no_data(home)
    widget = client.get("/widget.js")
    assert widget.status_code == 200
    assert widget.headers["content-type"].startswith("application/javascript")
