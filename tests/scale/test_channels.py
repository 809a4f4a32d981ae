"""The hardened REST / socket.io channels (bot/rasa/channels.py), without servers."""

from __future__ import annotations

import asyncio
import json
import os
from types import SimpleNamespace
from typing import Any, List, Optional

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.run import create_http_input_channels

from bot.paths import ROOT
from bot.rasa.channels import (
    BUSY_MESSAGE,
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    FacebookInput,
    RestInput,
    SocketIOInput,
    answer_always,
    clean_metadata,
    clean_text,
    valid_sender,
)
from bot.rasa.zalo import ZaloInput


def test_credentials_register_the_hardened_channels_under_the_stock_names(monkeypatch) -> None:
    """Also what ``make run`` does without Facebook / Zalo settings: they load, switched off."""
    for name in [n for n in os.environ if n.startswith(("FACEBOOK_", "ZALO_"))]:
        monkeypatch.delenv(name)
    channels = create_http_input_channels(None, str(ROOT / "credentials.yml"))
    assert {type(c) for c in channels} == {RestInput, SocketIOInput, FacebookInput, ZaloInput}
    assert {c.name() for c in channels} == {"rest", "socketio", "facebook", "zalo"}
    assert {c.url_prefix() for c in channels} == {"rest", "socketio", "facebook", "zalo"}
    assert not any(c.configured for c in channels if isinstance(c, (FacebookInput, ZaloInput)))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("em có sạc không", "em có sạc không"),
        ("a\x00b\x01c\x1bd\x7fe\x85f", "abcdef"),
        ("dòng 1\r\ndòng 2\rdòng 3\tcột", "dòng 1\ndòng 2\ndòng 3\tcột"),
        ("sạc \ud800 pin \udfff", "sạc \ufffd pin \ufffd"),
        ("🔋 pin yếu", "🔋 pin yếu"),
        ("e\u0301m", "e\u0301m"),  # decomposed accents are the tokenizer's business
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    clean_text(raw).encode("utf-8")  # always encodable


@pytest.mark.parametrize(
    ("sender", "ok"),
    [
        ("3f2a-uuid", True),
        ("khách bàn 4", True),
        ("", False),
        ("   ", False),
        ("x" * 256, False),
        ("x" * 255, True),
        ("a\x00b", False),
        ("a\nb", False),
        ("\ud800", False),
        (1, False),
        (None, False),
        (["x"], False),
    ],
)
def test_valid_sender(sender: Any, ok: bool) -> None:
    assert valid_sender(sender) is ok


def test_metadata_keeps_objects_without_the_keys_rasa_fills_in() -> None:
    assert clean_metadata({"model_id": "x" * 500, "assistant_id": "y", "table": 4}) == {"table": 4}
    assert clean_metadata("oops") is None
    assert clean_metadata(["x"]) is None


def _request(body: bytes, method: str = "POST", path: str = "/webhooks/rest/webhook") -> Any:
    return SimpleNamespace(method=method, path=path, body=body)


def _check(body: bytes) -> Optional[int]:
    response = asyncio.run(RestInput._check_body(_request(body)))
    return None if response is None else response.status


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"sender": "a", "message": "em co sac ko"}', None),
        (b'{"sender": "a", "message": "\\ud800 sac"}', None),  # cleaned later
        (b"", 400),
        (b"{bad", 400),
        (b"\xff\xfe", 400),
        (b"null", 400),
        (b"[]", 400),
        (b'"x"', 400),
        (b"[" * 5000 + b"]" * 5000, 400),
        (b'{"sender": 1, "message": ["x"]}', 400),
        (b'{"message": "x"}', 400),
        (b'{"sender": "a"}', 400),
        (b'{"sender": "a", "message": 42}', 400),
        (b'{"sender": "a", "message": ""}', 400),
        (b'{"sender": "a", "message": " \\n\\t\\u0000 "}', 400),
        (b'{"sender": "\\ud800", "message": "x"}', 400),
        (json.dumps({"sender": "a", "message": "x" * (MAX_MESSAGE_CHARS + 1)}).encode(), 413),
        (b'{"sender": "a", "message": "' + b"x" * MAX_BODY_BYTES + b'"}', 413),
    ],
    ids=lambda value: repr(value)[:40] if isinstance(value, bytes) else str(value),
)
def test_webhook_bodies(body: bytes, status: Optional[int]) -> None:
    assert _check(body) == status


def test_only_the_webhook_post_is_checked() -> None:
    assert asyncio.run(RestInput._check_body(_request(b"", "GET", "/webhooks/rest/"))) is None


def _turn(handler: Any, text: str = "em có sạc không") -> List[dict]:
    output = CollectingOutputChannel()
    asyncio.run(answer_always(handler, "rest")(UserMessage(text, output, "guest-1")))
    return output.messages


def test_a_turn_without_a_bot_message_gets_the_busy_answer() -> None:
    async def silent(message: UserMessage) -> None:
        return None  # e.g. the action server is down: Rasa logs and says nothing

    assert _turn(silent) == [{"recipient_id": "guest-1", "text": BUSY_MESSAGE}]


def test_a_failing_turn_gets_the_busy_answer() -> None:
    async def failing(message: UserMessage) -> None:
        raise ConnectionError("lock store unreachable")

    assert [m["text"] for m in _turn(failing)] == [BUSY_MESSAGE]


def test_a_turn_that_answered_is_left_alone() -> None:
    async def answering(message: UserMessage) -> None:
        assert message.output_channel.name() == "collector"  # responses per channel still work
        await message.output_channel.send_response(message.sender_id, {"text": "Dạ có ạ"})

    assert [m["text"] for m in _turn(answering)] == ["Dạ có ạ"]


def test_a_restart_says_nothing_by_design() -> None:
    async def silent(message: UserMessage) -> None:
        return None

    assert _turn(silent, "/restart") == []
