"""The staff console and the widget's poll: 401 without the token, claim → reply → hand back."""

from __future__ import annotations

from dataclasses import replace

import pytest
from web_helpers import TOKEN

from bot.needs.log import Context, HandoffRequested
from bot.store.masking import conversation_key
from bot.store.needlog import apply_payload, to_payload
from bot.web.routers import staff

AUTH = {"Authorization": f"Bearer {TOKEN}"}
SECRET = "web-staff-test-secret"
SENDER = "0b6f7a52-guest-at-table-7"
STAFF_ROUTES = [
    ("GET", "/staff"),
    ("GET", "/staff/events"),
    ("GET", "/api/staff/queue"),
    ("POST", "/api/staff/conversations/1/claim"),
    ("POST", "/api/staff/conversations/1/reply"),
    ("POST", "/api/staff/conversations/1/return"),
]


@pytest.fixture
def waiting(engine, monkeypatch) -> None:
    """A guest at table 7 who asked for a person."""
    monkeypatch.setenv("CONVERSATION_KEY_SECRET", SECRET)
    where = Context(conversation_key(SENDER, SECRET.encode()), "m1", "rest", "model-test")
    record = HandoffRequested("h1", "cho mình gặp nhân viên", replace(where, table="7"))
    with engine.begin() as connection:
        apply_payload(connection, to_payload(record))


@pytest.mark.parametrize(("method", "path"), STAFF_ROUTES)
def test_staff_routes_need_the_token(client, waiting, method, path):
    response = client.request(method, path, json={"name": "Lan", "text": "chào"})
    assert response.status_code == 401
    assert "gặp nhân viên" not in response.text and "bàn" not in response.text


def test_the_queue_shows_the_table_and_what_the_guest_said(client, waiting):
    [conversation] = client.get("/api/staff/queue", headers=AUTH).json()["conversations"]
    assert (conversation["table"], conversation["status"]) == ("7", "waiting")
    assert conversation["lines"][0]["text"] == "cho mình gặp nhân viên"
    assert client.get("/api/staff/queue", headers=AUTH).json()["bookings"] == []
    assert client.get("/api/staff/queue", headers=AUTH).json()["long_wait_seconds"] == 300
    assert client.get("/staff", headers=AUTH).status_code == 200


def test_the_event_stream_sends_the_queue(client, waiting, monkeypatch):
    monkeypatch.setattr(staff, "STREAM_SECONDS", 0.5)  # the test client reads to the end
    with client.stream("GET", "/staff/events", headers=AUTH) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        assert next(line for line in lines if line.startswith("event:")) == "event: queue"
        assert '"table": "7"' in next(lines)


def test_claim_reply_reach_the_widget_and_hand_back(client, waiting):
    conversation = client.get("/api/staff/queue", headers=AUTH).json()["conversations"][0]
    base = f"/api/staff/conversations/{conversation['id']}"
    assert client.post(f"{base}/claim", json={"name": "Lan"}, headers=AUTH).status_code == 200
    taken = client.post(f"{base}/claim", json={"name": "Minh"}, headers=AUTH)
    assert taken.status_code == 409
    said = {"name": "Lan", "text": "Dạ em ra bàn mình ngay ạ"}
    assert client.post(f"{base}/reply", json=said, headers=AUTH).status_code == 200

    polled = client.get(f"/api/chat/{SENDER}/messages?after=0").json()
    assert polled["held_by"] == "Lan"
    assert [m["text"] for m in polled["messages"]] == ["Dạ em ra bàn mình ngay ạ"]
    after = polled["messages"][-1]["id"]
    assert client.get(f"/api/chat/{SENDER}/messages?after={after}").json()["messages"] == []

    assert client.post(f"{base}/return", headers=AUTH).json()["returned"] is True
    assert client.get(f"/api/chat/{SENDER}/messages").json()["held_by"] is None
    assert client.get("/api/staff/queue", headers=AUTH).json()["conversations"] == []


def test_reply_time_and_the_guests_rating_reach_the_report(client, waiting, monkeypatch):
    monkeypatch.setenv("STAFF_LONG_WAIT_MINUTES", "0.0001")  # every wait is "long" here
    conversation = client.get("/api/staff/queue", headers=AUTH).json()["conversations"][0]
    base = f"/api/staff/conversations/{conversation['id']}"
    client.post(f"{base}/reply", json={"name": "Lan", "text": "Dạ em tới ạ"}, headers=AUTH)
    client.post(f"{base}/return", headers=AUTH)
    card = {"card": "card-after-hand-back", "stars": 2, "ended_by": "hand_back"}
    assert client.post(f"/api/chat/{SENDER}/rating", json=card).json() == {
        "saved": True,
        "stars": 2,
    }
    commented = {**card, "stars": 4, "comment": "Bạn Lan nhiệt tình"}
    assert client.post(f"/api/chat/{SENDER}/rating", json=commented).status_code == 200

    service = client.get("/api/report?days=1", headers=AUTH).json()["service"]
    [day] = service["response_by_day"]
    assert (day["waits"], day["answered"], day["long_waits"]) == (1, 1, 1)
    [late] = service["long_waits"]
    assert (late["table"], late["answered_by"]) == ("7", "Lan")
    assert [(g["count"], g["average"]) for g in service["ratings_by_day"]] == [(1, 4.0)]
    assert service["comments"][0]["comment"] == "Bạn Lan nhiệt tình"
    page = client.get("/report?days=1", headers=AUTH).text
    assert "Khách chấm điểm" in page and "Bạn Lan nhiệt tình" in page and "bàn 7" in page
    assert "avg_stars" in client.get("/api/report.csv?days=1", headers=AUTH).text


@pytest.mark.parametrize(
    "card",
    [
        {"card": "card-0001", "stars": 0},
        {"card": "card-0001", "stars": 6},
        {"card": "card-0001", "stars": 3, "ended_by": "never"},
        {"card": "x", "stars": 3},
        {"card": "card-0001", "stars": 3, "comment": "x" * 501},
    ],
)
def test_a_bad_rating_is_422_and_stores_nothing(client, card):
    assert client.post(f"/api/chat/{SENDER}/rating", json=card).status_code == 422
    assert client.get("/api/report?days=1", headers=AUTH).json()["service"]["ratings_by_day"] == []


def test_the_rating_preflight_allows_only_configured_origins(client, monkeypatch):
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://quan.example")
    url = f"/api/chat/{SENDER}/rating"
    allowed = client.options(url, headers={"Origin": "https://quan.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://quan.example"
    assert "POST" in allowed.headers["access-control-allow-methods"]
    other = client.options(url, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_the_poll_allows_only_configured_origins(client, waiting, monkeypatch):
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://quan.example")
    url = f"/api/chat/{SENDER}/messages"
    allowed = client.get(url, headers={"Origin": "https://quan.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://quan.example"
    other = client.get(url, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    assert client.get("/api/chat/bad%20sender/messages").status_code == 422


def test_qr_codes_one_per_table_open_the_chat_at_that_table(client):
    assert client.get("/staff/qr").status_code == 401
    page = client.get("/staff/qr?first=5&last=7&site=https://quan.example/menu", headers=AUTH)
    assert page.status_code == 200
    assert page.text.count("<svg") == 3 and "Bàn 6" in page.text
    assert "https://quan.example/menu?chat=open&amp;table=7" in page.text  # the code's title


@pytest.mark.parametrize(
    ("asked", "landing"),
    [("/staff", "/staff"), ("/staff/qr", "/staff/qr"), ("https://evil.example/", "/report")],
)
def test_signing_in_from_the_console_lands_on_the_console(client, asked, landing):
    if asked.startswith("/"):
        assert f'name="next" value="{asked}"' in client.get(asked).text
    response = client.post("/login", data={"token": TOKEN, "next": asked})
    assert (response.status_code, response.headers["location"]) == (303, landing)
