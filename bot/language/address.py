"""How to address the guest: "anh", "chị", or the neutral "anh/chị".

Vietnamese speakers refer to themselves by kinship terms: a guest who writes
"cho anh mượn cái sạc" is "anh", and the assistant (always "em") answers him
as "anh". Vocatives ("anh ơi", "chị ơi") address the staff instead and say
nothing about the guest. When unsure, the neutral "anh/chị" is used.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Dict, Optional

from bot.language.text import fold

NEUTRAL = "anh/chị"
# The placeholders of guest-facing texts: how the guest is addressed, as is / capitalised.
KH, KH_CAPITALISED = "kh", "Kh"
GUEST_PLACEHOLDERS = frozenset({KH, KH_CAPITALISED})

_SELF = r"(?P<self>anh|chị|a)"
_VERBS_ACCENTED = (
    "cần muốn mượn xin hỏi đang bị có ở đi không ko k chưa vừa làm phải tìm để quên "
    "ngồi đặt gọi thấy dùng trả ăn uống về đợi chờ sắp mới lỡ đánh"
)
_VERBS = "(" + "|".join(sorted({*_VERBS_ACCENTED.split(), *fold(_VERBS_ACCENTED).split()})) + ")"
# "cho anh mượn", "giúp chị với", "anh cần", "chị muốn" — but not "anh ơi".
_PATTERNS = (
    re.compile(rf"\b(cho|giúp|giùm|hộ|với|để|bảo|đưa|gọi|chỉ)\s+{_SELF}\b(?!\s+ơi)"),
    re.compile(rf"\b{_SELF}\s+{_VERBS}\b"),
)


def detect_addressee(text: str) -> Optional[str]:
    """Return "anh" or "chị" when the guest refers to themself that way, else None."""
    lowered = unicodedata.normalize("NFC", text).lower()
    for pattern in _PATTERNS:
        match = pattern.search(lowered)
        if match:
            return "chị" if match.group("self") == "chị" else "anh"
    return None


def address_forms(addressee: Optional[str]) -> Dict[str, str]:
    """Values for the {kh} / {Kh} placeholders of guest-facing texts."""
    word = addressee if addressee in ("anh", "chị") else NEUTRAL
    return {KH: word, KH_CAPITALISED: word[0].upper() + word[1:]}
