"""Unicode helpers for Vietnamese text: NFC with offsets and diacritics folding."""

from __future__ import annotations

import unicodedata
from typing import List, Tuple

# underthesea maps these look-alike characters to the Vietnamese ones (1:1).
_LOOKALIKES = str.maketrans({"ð": "đ", "Ð": "Đ"})
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D"})


def nfc_with_offsets(text: str) -> Tuple[str, List[int]]:
    """NFC-normalise ``text`` and map every output index back to the input.

    Returns the normalised text and a list ``origin`` with one entry per
    normalised character plus a final sentinel, so that the span ``[i, j)`` of
    the normalised text is ``[origin[i], origin[j])`` of the original.
    Decomposed input ("a" + combining acute) is common from some keyboards,
    and NFC shortens it, so offsets must be mapped rather than assumed.
    """
    normalised: List[str] = []
    origin: List[int] = []
    cluster_start = 0
    for index in range(1, len(text) + 1):
        at_cluster_end = index == len(text) or not unicodedata.combining(text[index])
        if not at_cluster_end:
            continue
        composed = unicodedata.normalize("NFC", text[cluster_start:index])
        normalised.append(composed)
        origin.extend([cluster_start] * len(composed))
        cluster_start = index
    origin.append(len(text))
    return "".join(normalised).translate(_LOOKALIKES), origin


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics: "Điện Thoại" -> "dien thoai"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def has_diacritics(text: str) -> bool:
    """True when ``text`` carries at least one Vietnamese diacritic."""
    return fold(text) != text.lower()
