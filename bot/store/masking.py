"""Mask personal data before anything a guest typed is stored."""

from __future__ import annotations

import hashlib
import hmac
import re

PHONE_MASK = "[SĐT]"
EMAIL_MASK = "[email]"
NUMBER_MASK = "[số]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Vietnamese mobiles and landlines: 0912 345 678, 0912.345.678, +84 912 345 678,
# (+84) 912 345 678, +84 (0) 912 345 678, 84-912-345-678: a 0/+84/84 prefix and
# 8-10 more digits; (028) 3823 4567, (0236) 3822 123: an area code and 7-10 more.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\(\+?84\)|\+\s?84(?:\s?\(0\))?|84|0)(?:[\s.\-]?\d){8,10}"
    r"|\(0\d{1,3}\)(?:[\s.\-]?\d){7,10})(?!\d)",
    re.UNICODE,
)
# Any other long run of digits (card or account numbers).
_LONG_NUMBER = re.compile(r"(?<!\d)(?:\d[\s.\-]?){9,}\d(?!\d)")


def mask_personal_data(text: str) -> str:
    """Replace e-mails, phone numbers and long digit runs with placeholders."""
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _PHONE.sub(PHONE_MASK, text)
    return _LONG_NUMBER.sub(NUMBER_MASK, text)


def conversation_key(sender_id: str, secret: bytes) -> str:
    """Keyed hash of a sender id: stable per conversation, not reversible."""
    return hmac.new(secret, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
