"""The channel pieces without servers: signatures, message shapes, replies merged, memory."""

from __future__ import annotations

import asyncio
import json
import os
import time

import pytest
from channel_helpers import APP_ID, OA_SECRET, FakePlatform, zalo_event, zalo_signature

from bot.channels import outbound
from bot.needs.log import Context, HandoffRequested, NeedOpened
from bot.rasa.redelivery import Redelivery
from bot.rasa.zalo import Signer, ZaloOutput, guest_text
from bot.store.needlog import to_payload

SIGNER = Signer(APP_ID, OA_SECRET)


def test_zalo_signature_fresh_and_from_this_app_only():
    body = zalo_event("123456789", "xin chào")
    event = json.loads(body)
    assert SIGNER.valid(body, event, zalo_signature(body), time.time())
    assert not SIGNER.valid(body, event, zalo_signature(body), time.time() + 3600)
    assert not SIGNER.valid(body, event, "", time.time())
    assert not SIGNER.valid(body + b" ", event, zalo_signature(body), time.time())
    assert not Signer("other-app", OA_SECRET).valid(body, event, zalo_signature(body), time.time())
    assert not SIGNER.valid(body, {**event, "timestamp": True}, zalo_signature(body), time.time())


def test_only_a_guests_text_event_becomes_a_message():
    event = json.loads(zalo_event("123456789", "  có wifi không\x00 ", "m1"))
    assert guest_text(event) == ("123456789", "m1", "có wifi không")
    assert guest_text({**event, "event_name": "user_send_sticker"}) is None
    assert guest_text({**event, "message": {"msg_id": "m1", "text": "   "}}) is None
    assert guest_text({**event, "sender": {}}) is None


def test_a_turns_replies_go_out_as_few_zalo_messages_as_possible():
    output = ZaloOutput()
    buttons = [{"title": "Chỉ cần gọi", "payload": "/choose"}, {"title": "x", "payload": ""}]

    async def turn() -> None:
        await output.send_text_message("u", "Dạ anh cần sạc điện thoại ạ.")
        await output.send_text_with_buttons("u", "Anh cần gọi hay dùng máy mình?", buttons)
        await output.send_custom_json("u", {"held_by_staff": True})
        await output.send_text_message("u", "Như vậy đã ổn chưa ạ?")

    asyncio.run(turn())
    [first, last] = output.messages()
    assert first == (
        "Dạ anh cần sạc điện thoại ạ.\n\nAnh cần gọi hay dùng máy mình?",
        [outbound.Button("Chỉ cần gọi", "/choose")],
    )
    assert last == ("Như vậy đã ổn chưa ạ?", [])


def test_message_shapes_and_platform_limits(monkeypatch):
    monkeypatch.setenv("FACEBOOK_GRAPH_URL", "http://graph.test/v25.0/")
    many = [outbound.Button(f"Lựa chọn số {i} khá dài", f"/p{i}") for i in range(15)]
    fb = outbound.messenger_message("psid", "x" * 3000, many)
    assert fb.url == "http://graph.test/v25.0/me/messages"
    assert len(fb.body["message"]["text"]) == 2000
    assert len(fb.body["message"]["quick_replies"]) == 13
    assert all(len(q["title"]) <= 20 for q in fb.body["message"]["quick_replies"])
    zalo = outbound.zalo_message({"message_id": "m1"}, "Dạ", many)
    assert zalo.url == "https://openapi.zalo.me/v3.0/oa/message/cs"
    buttons = zalo.body["message"]["attachment"]["payload"]["buttons"]
    assert len(buttons) == 5 and buttons[0] == {
        "title": "Lựa chọn số 0 khá dài",
        "type": "oa.query.hide",
        "payload": "/p0",
    }
    assert outbound.buttons_from([{"title": "a", "payload": "x" * 1001}]) == []
    with pytest.raises(ValueError):
        outbound.to_guest("rest", "someone", "hi")


def test_refusals_become_reasons_staff_can_read(monkeypatch):
    fake = FakePlatform()
    monkeypatch.setenv("FACEBOOK_GRAPH_URL", f"{fake.url}/v25.0")
    monkeypatch.setenv("ZALO_API_URL", fake.url)
    try:
        window = {"error": {"code": 10, "error_subcode": 2018278, "message": "outside"}}
        fake.fail_with = (400, window)
        with pytest.raises(outbound.DeliveryError) as refused:
            outbound.deliver(outbound.to_guest("facebook", "psid", "Dạ"))
        assert refused.value.reason == outbound.OUTSIDE_WINDOW_REASON
        fake.fail_with = (200, {"error": -216, "message": "Access token is invalid"})
        with pytest.raises(outbound.DeliveryError, match="-216"):
            outbound.deliver(outbound.to_guest("zalo", "123", "Dạ"))
        fake.fail_with = None
        assert outbound.deliver(outbound.to_guest("zalo", "123", "Dạ"))["error"] == 0
    finally:
        fake.close()
    with pytest.raises(outbound.DeliveryError, match="kết nối"):
        outbound.deliver(outbound.to_guest("zalo", "123", "Dạ"))


def test_redelivery_memory_per_process_and_without_redis():
    memory = Redelivery(size=2)
    assert memory.first_time("a") and not memory.first_time("a")
    assert memory.first_time("b") and memory.first_time("c")
    assert memory.first_time("a")  # forgotten: only the newest `size` ids are kept
    away = Redelivery("redis://127.0.0.1:1/0")  # nothing listens: per-process memory answers
    assert away.first_time("x") and not away.first_time("x")


def test_redelivery_is_shared_through_redis():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: the shared memory is not tested here (CI sets it)")
    event = f"test-{time.time_ns()}"
    assert Redelivery(url).first_time(event)
    assert not Redelivery(url).first_time(event)  # another replica, another process memory


def test_the_raw_platform_id_travels_only_with_a_handoff():
    context = Context("conv", "msg", "zalo", reply_to="1234567890123")
    handoff = to_payload(HandoffRequested("k1", "cho gặp nhân viên", context))
    opened = to_payload(NeedOpened("k2", "phone_power", "có sạc không", context))
    assert handoff["context"]["reply_to"] == "1234567890123"
    assert "reply_to" not in opened["context"]
    assert "1234567890123" not in json.dumps(opened)


def test_the_zalo_token_can_come_from_a_file_that_a_refresh_replaces(monkeypatch, tmp_path):
    from bot import settings

    token = tmp_path / "zalo-token"
    monkeypatch.delenv("ZALO_OA_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("ZALO_OA_ACCESS_TOKEN_FILE", str(token))
    assert settings.zalo_oa_access_token() == ""  # no file yet: Zalo stays off
    token.write_text("first-token\n")
    assert outbound.zalo_message({"user_id": "1"}, "Dạ").headers == {"access_token": "first-token"}
    token.write_text("refreshed-token")
    assert settings.zalo_oa_access_token() == "refreshed-token"
