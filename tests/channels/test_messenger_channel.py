"""Messenger end to end through Rasa's facebook channel (hardened) and a fake Graph API."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
from channel_helpers import FB_PAGE_TOKEN, FB_VERIFY, messenger_event, post_messenger

pytestmark = pytest.mark.slow


def to_psid(psid: str):
    return lambda seen: (
        seen.path.startswith("/v25.0/me/messages") and seen.body.get("recipient") == {"id": psid}
    )


def test_a_signed_messenger_event_is_answered_with_quick_replies(channel_stack, fake_platform):
    psid = str(uuid.uuid4().int)[:16]
    answer = post_messenger(
        channel_stack.rasa_url, messenger_event(psid, "em có sạc điện thoại không")
    )
    assert answer.status_code == 200, answer.text
    replies = fake_platform.wait_for(to_psid(psid))
    assert all("access_token=" + FB_PAGE_TOKEN in seen.path for seen in replies)
    assert all(seen.body["messaging_type"] == "RESPONSE" for seen in replies)
    with_options = fake_platform.wait_for(
        lambda s: to_psid(psid)(s) and "quick_replies" in s.body["message"]
    )
    options = with_options[0].body["message"]["quick_replies"]
    assert all(
        o["content_type"] == "text" and o["payload"] and len(o["title"]) <= 20 for o in options
    )


def test_a_redelivered_or_badly_signed_messenger_event_is_not_answered_again(
    channel_stack, fake_platform
):
    psid, mid = str(uuid.uuid4().int)[:16], f"m_{uuid.uuid4().hex}"
    body = messenger_event(psid, "cho em hỏi wifi", mid)
    assert post_messenger(channel_stack.rasa_url, body, secret="wrong").status_code == 401
    assert post_messenger(channel_stack.rasa_url, body).status_code == 200
    assert post_messenger(channel_stack.rasa_url, body).status_code == 200
    first = fake_platform.wait_for(to_psid(psid))
    time.sleep(2.0)
    assert len(fake_platform.requests_where(to_psid(psid))) == len(first)


def test_the_webhook_subscription_handshake(channel_stack):
    url = f"{channel_stack.rasa_url}/webhooks/facebook/webhook"
    ok = requests.get(
        url,
        params={"hub.mode": "subscribe", "hub.verify_token": FB_VERIFY, "hub.challenge": "42"},
        timeout=10,
    )
    assert (ok.status_code, ok.text) == (200, "42")
    wrong = requests.get(
        url, params={"hub.verify_token": "nope", "hub.challenge": "42"}, timeout=10
    )
    assert wrong.status_code == 403


def test_a_photo_on_messenger_gets_a_polite_word(channel_stack, fake_platform):
    psid = str(uuid.uuid4().int)[:16]
    event = json.loads(messenger_event(psid, "x"))
    photo = {"type": "image", "payload": {"url": "https://cdn.example/p.jpg"}}
    mid = f"m_photo_{uuid.uuid4().hex}"  # Redis remembers delivered ids across runs
    event["entry"][0]["messaging"][0]["message"] = {"mid": mid, "attachments": [photo]}
    assert post_messenger(channel_stack.rasa_url, json.dumps(event).encode()).status_code == 200
    [reply] = fake_platform.wait_for(to_psid(psid))
    assert "chữ" in reply.body["message"]["text"] and "quick_replies" not in reply.body["message"]
