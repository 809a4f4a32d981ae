"""Zalo OA end to end: a real Rasa server, action server and web app, a fake Zalo API.

A signed event is answered at the fake API (to the guest's message, with the
bot's buttons as Zalo buttons, and a tapped button's payload understood);
unsigned, wrongly signed, foreign and stale events get 401 and reach nothing;
a re-delivered event is answered once; a guest asking for a person reaches
the staff console, and the staff reply reaches the fake API addressed to them.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
from channel_helpers import (
    OA_TOKEN,
    post_zalo,
    to_zalo_message,
    zalo_event,
    zalo_signature,
)
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.slow


def guest() -> str:
    return str(uuid.uuid4().int)[:19]  # Zalo user ids are long decimal strings


def channel_rows(stack, table: str):
    engine = create_engine(stack.database_url, future=True)
    try:
        with engine.connect() as connection:
            return [dict(r._mapping) for r in connection.execute(text(f"SELECT * FROM {table}"))]
    finally:
        engine.dispose()


def wait_rows(stack, table: str, match, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = [row for row in channel_rows(stack, table) if match(row)]
        if rows:
            return rows
        time.sleep(0.3)
    raise AssertionError(f"no {table} row matched")


def test_a_signed_event_is_answered_with_zalo_buttons_and_a_tap_comes_back(
    channel_stack, fake_platform
):
    sender, msg_id = guest(), uuid.uuid4().hex
    answer = post_zalo(
        channel_stack.rasa_url, zalo_event(sender, "em ơi có sạc điện thoại không", msg_id)
    )
    assert answer.status_code == 200, answer.text
    [reply] = fake_platform.wait_for(to_zalo_message(msg_id))
    assert reply.headers["access_token"] == OA_TOKEN
    message = reply.body["message"]
    assert "điện thoại" in message["text"]
    buttons = message["attachment"]["payload"]["buttons"]
    assert buttons and all(b["type"] == "oa.query.hide" and b["payload"] for b in buttons)

    tap_id = uuid.uuid4().hex  # Zalo sends the hidden payload back as the guest's text
    assert post_zalo(channel_stack.rasa_url, zalo_event(sender, buttons[0]["payload"], tap_id)).ok
    [after_tap] = fake_platform.wait_for(to_zalo_message(tap_id))
    assert after_tap.body["message"]["text"]

    rows = wait_rows(
        channel_stack,
        "need_occurrences",
        lambda r: r["need"] == "phone_power" and r["channel"] == "zalo",
    )
    assert all(sender not in json.dumps(row, default=str) for row in rows)  # hashed, never raw


def test_a_goodbye_on_zalo_offers_star_buttons_and_a_tap_is_a_rating(channel_stack, fake_platform):
    sender, first, msg_id = guest(), uuid.uuid4().hex, uuid.uuid4().hex
    assert post_zalo(channel_stack.rasa_url, zalo_event(sender, "wifi quán là gì em", first)).ok
    fake_platform.wait_for(to_zalo_message(first))
    assert post_zalo(channel_stack.rasa_url, zalo_event(sender, "tạm biệt em nhé", msg_id)).ok
    [reply] = fake_platform.wait_for(to_zalo_message(msg_id))
    buttons = reply.body["message"]["attachment"]["payload"]["buttons"]
    assert [b["title"] for b in buttons] == ["★", "★★", "★★★", "★★★★", "★★★★★"]

    tap_id = uuid.uuid4().hex
    assert post_zalo(channel_stack.rasa_url, zalo_event(sender, buttons[3]["payload"], tap_id)).ok
    [thanks] = fake_platform.wait_for(to_zalo_message(tap_id))
    assert "cảm ơn" in thanks.body["message"]["text"]
    [rating] = wait_rows(channel_stack, "ratings", lambda r: r["stars"] == 4)
    assert (rating["channel"], rating["ended_by"]) == ("zalo", "goodbye")


@pytest.mark.parametrize(
    "case", ["unsigned", "wrong secret", "tampered body", "stale", "other app"]
)
def test_events_not_signed_by_zalo_now_get_401_and_reach_nothing(
    channel_stack, fake_platform, case
):
    sender, msg_id = guest(), uuid.uuid4().hex
    body = zalo_event(sender, "em ơi cho hỏi wifi", msg_id, age=3600 if case == "stale" else 0)
    signature = {
        "unsigned": None,
        "wrong secret": zalo_signature(body, secret="not-the-secret"),
        "stale": zalo_signature(body),
    }.get(case, "sign")
    if case == "tampered body":
        signature = zalo_signature(body)
        body = body.replace(b"wifi", b"sac ")
    if case == "other app":
        body = body.replace(b'"app_id": "4321987654321"', b'"app_id": "999"')
        signature = zalo_signature(body)
    answer = post_zalo(channel_stack.rasa_url, body, signature)
    assert answer.status_code == 401
    time.sleep(1.0)
    assert fake_platform.requests_where(to_zalo_message(msg_id)) == []
    assert not [r for r in channel_rows(channel_stack, "need_occurrences") if sender in str(r)]


def test_a_redelivered_event_is_answered_once(channel_stack, fake_platform):
    body = zalo_event(guest(), "cho em hỏi mật khẩu wifi", msg_id := uuid.uuid4().hex)
    for _ in range(3):
        assert post_zalo(channel_stack.rasa_url, body).status_code == 200
    first = fake_platform.wait_for(to_zalo_message(msg_id))
    time.sleep(2.0)
    assert len(fake_platform.requests_where(to_zalo_message(msg_id))) == len(first) == 1


def test_a_handoff_from_zalo_reaches_the_console_and_the_staff_reply_reaches_zalo(
    channel_stack, fake_platform
):
    sender, msg_id = guest(), uuid.uuid4().hex
    assert post_zalo(channel_stack.rasa_url, zalo_event(sender, "cho tôi gặp nhân viên", msg_id)).ok
    fake_platform.wait_for(to_zalo_message(msg_id))
    auth = {"Authorization": f"Bearer {channel_stack.staff_token}"}

    def waiting_from_zalo():
        queue = requests.get(f"{channel_stack.web_url}/api/staff/queue", headers=auth, timeout=10)
        return [
            c
            for c in queue.json()["conversations"]
            if c["channel"] == "zalo"
            and any("nhân viên" in line["text"] for line in c["lines"])
            and c["status"] == "waiting"
        ]

    deadline = time.monotonic() + 20
    while not waiting_from_zalo() and time.monotonic() < deadline:
        time.sleep(0.3)
    [conversation] = waiting_from_zalo()[-1:]

    said = {"name": "Lan", "text": "Dạ em là Lan, em ra bàn anh ngay ạ."}
    url = f"{channel_stack.web_url}/api/staff/conversations/{conversation['id']}/reply"
    answer = requests.post(url, json=said, headers=auth, timeout=20)
    assert answer.status_code == 200, answer.text
    [pushed] = fake_platform.wait_for(lambda s: s.body.get("recipient") == {"user_id": sender})
    assert pushed.headers["access_token"] == OA_TOKEN
    assert pushed.body["message"] == {"text": said["text"]}

    fake_platform.fail_with = (200, {"error": -230, "message": "User has not interacted in 7 days"})
    try:
        refused = requests.post(
            url, json={**said, "text": "Anh còn cần gì không ạ?"}, headers=auth, timeout=20
        )
    finally:
        fake_platform.fail_with = None
    assert refused.status_code == 502 and "Zalo" in refused.json()["detail"]
    queue = requests.get(f"{channel_stack.web_url}/api/staff/queue", headers=auth, timeout=10)
    mine = next(c for c in queue.json()["conversations"] if c["id"] == conversation["id"])
    staff_lines = [line["text"] for line in mine["lines"] if line["author"] == "staff"]
    assert staff_lines == [said["text"]]  # the refused reply is not in the transcript


def test_a_sticker_gets_a_polite_word_and_reaches_no_need(channel_stack, fake_platform):
    sender, msg_id = guest(), uuid.uuid4().hex
    event = json.loads(zalo_event(sender, "", msg_id))
    event["event_name"] = "user_send_sticker"
    event["message"] = {"msg_id": msg_id, "attachments": [{"type": "sticker", "payload": {}}]}
    body = json.dumps(event).encode()
    assert post_zalo(channel_stack.rasa_url, body).status_code == 200
    [reply] = fake_platform.wait_for(to_zalo_message(msg_id))
    assert "chữ" in reply.body["message"]["text"]
    assert not [r for r in channel_rows(channel_stack, "need_occurrences") if sender in str(r)]
