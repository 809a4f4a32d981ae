"""Personal data never reaches the need log: phones, e-mails, account numbers, sender ids."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from rasa_sdk import Tracker
from store_helpers import context, handoffs, occurrences

from actions.adapter import message_from
from bot.needs.log import HandoffRequested, NeedOpened
from bot.store.masking import (
    EMAIL_MASK,
    NUMBER_MASK,
    PHONE_MASK,
    conversation_key,
    mask_personal_data,
)
from bot.store.migrate import upgrade
from bot.store.needlog import to_payload

PHONES = [
    "0912 345 678",
    "0912.345.678",
    "0912345678",
    "0912-345-678",
    "+84 912 345 678",
    "+84912345678",
    "+84 91 234 5678",
    "84-912-345-678",
    "84912345678",
    "(028) 3823 4567",
    "(024) 3825 1234",
    "028 3823 4567",
    "028.3823.4567",
    "0283 823 4567",
    "(+84) 912 345 678",
    "+84 (0) 912 345 678",
    "(0236) 3822 123",
    "0236 3822 123",
]


@pytest.mark.parametrize("phone", PHONES)
def test_vietnamese_phone_numbers_are_masked(phone):
    masked = mask_personal_data(f"gọi giúp mình số {phone} nhé, cảm ơn")
    assert masked == f"gọi giúp mình số {PHONE_MASK} nhé, cảm ơn"


@pytest.mark.parametrize("phone", ["0912345678", "+84 912 345 678", "(028) 3823 4567"])
def test_phone_at_the_edges_and_next_to_punctuation(phone):
    assert mask_personal_data(phone) == PHONE_MASK
    assert mask_personal_data(f"sđt:{phone}.") == f"sđt:{PHONE_MASK}."
    assert mask_personal_data(f"({phone})") == f"({PHONE_MASK})"
    assert not any(ch.isdigit() for ch in mask_personal_data(f"sđt:{phone}."))


@pytest.mark.parametrize(
    "email",
    ["an.nguyen@gmail.com", "tran+quan@cong-ty.com.vn", "KHACH_HANG99@Yahoo.COM", "a@b.vn"],
)
def test_emails_are_masked(email):
    assert mask_personal_data(f"gửi hóa đơn về {email} giúp em") == (
        f"gửi hóa đơn về {EMAIL_MASK} giúp em"
    )


@pytest.mark.parametrize(
    "number",
    ["1903 6789 0123", "0011004123456", "9704 1234 5678 9012", "19036789012345", "123-456-789-012"],
)
def test_long_account_and_card_numbers_are_masked(number):
    masked = mask_personal_data(f"chuyển khoản vào stk {number} được không")
    assert masked == f"chuyển khoản vào stk {NUMBER_MASK} được không"


@pytest.mark.parametrize(
    "text",
    [
        "ly cà phê 35.000đ, bánh 150.000đ",
        "giá 150.000đ hay 150.000 đ vậy em",
        "combo 1.500.000 VND cho 6 người",
        "mình đến lúc 12:30, về trước 21:45",
        "bàn số 12 gọi món, bàn 7 chưa có nước",
        "bàn 105 tầng 2, đi 3 người",
        "50k một ly hả em",
        "giảm 20% còn 120k",
        "ngày 12/05/2024 mình đặt 8 ghế",
        "mã giảm giá HIEUY2024",
        "phòng 301 ở tầng 3",
        "đặt lúc 18h30 cho 15 người",
    ],
)
def test_prices_times_and_table_numbers_are_left_alone(text):
    assert mask_personal_data(text) == text


def test_mixed_message_masks_only_the_personal_parts():
    text = "bàn 12, ly 35.000đ lúc 12:30; gọi 0912.345.678 hoặc mail an@quan.vn"
    assert mask_personal_data(text) == (
        f"bàn 12, ly 35.000đ lúc 12:30; gọi {PHONE_MASK} hoặc mail {EMAIL_MASK}"
    )


def test_payload_masks_text_and_item_but_keeps_keys():
    record = NeedOpened("k1", "phone_power", "sạc giúp 0912345678", context(), item="0912345678")
    payload = to_payload(record)
    assert payload["text"] == f"sạc giúp {PHONE_MASK}"
    assert payload["item"] == PHONE_MASK
    assert payload["key"] == "k1"


def test_stored_rows_are_masked(db_url, engines, need_logs):
    upgrade(db_url)
    engine = engines(db_url)
    log = need_logs(engine)
    said = "máy sắp tắt, gọi lại cho anh số 0912 345 678 hoặc mail anh.tuan@gmail.com"
    log.write(
        [
            NeedOpened("k1", "phone_power", said, context()),
            HandoffRequested("k2", "gọi +84 912 345 678 giúp, stk 1903 6789 0123 4", context()),
        ]
    )
    assert log.flush() is True
    (row,) = occurrences(engine)
    assert row["text"] == (f"máy sắp tắt, gọi lại cho anh số {PHONE_MASK} hoặc mail {EMAIL_MASK}")
    (handoff,) = handoffs(engine)
    assert "912" not in handoff["text"]
    assert "1903" not in handoff["text"]
    assert PHONE_MASK in handoff["text"]


def _tracker(sender_id: str) -> Tracker:
    return Tracker(
        sender_id,
        {},
        {"text": "có sạc không", "message_id": "m-1", "intent": {"name": "phone_power"}},
        [{"event": "user", "text": "có sạc không", "timestamp": 1.0, "metadata": {}}],
        False,
        None,
        {},
        None,
    )


def test_conversation_key_is_a_keyed_hash_of_the_sender(monkeypatch):
    monkeypatch.setenv("CONVERSATION_KEY_SECRET", "secret-one")
    sender = "0912345678"  # channels may use a phone number as sender id
    key = message_from(_tracker(sender)).context.conversation_key

    assert key != sender
    assert sender not in key
    assert key == conversation_key(sender, b"secret-one")
    assert key == hmac.new(b"secret-one", sender.encode(), hashlib.sha256).hexdigest()[:32]
    # Not the plain (unkeyed) hash either: without the secret it cannot be recomputed.
    assert key != hashlib.sha256(sender.encode()).hexdigest()[:32]
    # Stable for a conversation, different for another sender or another secret.
    assert message_from(_tracker(sender)).context.conversation_key == key
    assert message_from(_tracker("someone-else")).context.conversation_key != key
    monkeypatch.setenv("CONVERSATION_KEY_SECRET", "secret-two")
    assert message_from(_tracker(sender)).context.conversation_key != key


def test_stored_conversation_key_is_never_the_raw_sender_id(monkeypatch, tmp_path, need_logs):
    monkeypatch.setenv("CONVERSATION_KEY_SECRET", "test-secret")
    url = f"sqlite:///{tmp_path / 'needs.db'}"
    upgrade(url)
    from bot.store.db import make_engine

    engine = make_engine(url)
    sender = "guest-sender-42"
    message = message_from(_tracker(sender))
    log = need_logs(engine)
    log.write(
        [
            NeedOpened("k1", "phone_power", message.text, message.context),
            HandoffRequested("k2", message.text, message.context),
        ]
    )
    assert log.flush() is True
    stored = [occurrences(engine)[0]["conversation_key"], handoffs(engine)[0]["conversation_key"]]
    engine.dispose()
    assert stored == [conversation_key(sender, b"test-secret")] * 2
    assert sender not in stored
