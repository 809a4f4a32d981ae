"""Unicode helpers for Vietnamese text: NFC with offsets and diacritics folding."""

from __future__ import annotations

import string
import unicodedata
from typing import List, Tuple

# underthesea maps these look-alike characters to the Vietnamese ones (1:1).
_LOOKALIKES = str.maketrans({"ð": "đ", "Ð": "Đ"})
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D"})


def nfc_with_offsets(text: str) -> Tuple[str, List[int], List[int]]:
    """NFC-normalise ``text`` and map every output character back to the input.

    Returns the normalised text and, per normalised character, the start and
    end of the input characters it came from: the span ``[i, j)`` of the
    normalised text is ``[starts[i], ends[j - 1])`` of the original.
    Decomposed input ("a" + combining acute) is common from some keyboards,
    and NFC shortens it, so offsets must be mapped rather than assumed.
    """
    normalised: List[str] = []
    starts: List[int] = []
    ends: List[int] = []
    cluster_start = 0
    for index in range(1, len(text) + 1):
        at_cluster_end = index == len(text) or not unicodedata.combining(text[index])
        if not at_cluster_end:
            continue
        cluster = text[cluster_start:index]
        composed = unicodedata.normalize("NFC", cluster)
        normalised.append(composed)
        if len(composed) == len(cluster):  # nothing composed: characters map 1:1
            starts.extend(range(cluster_start, index))
            ends.extend(range(cluster_start + 1, index + 1))
        else:  # a composed cluster maps as a whole
            starts.extend([cluster_start] * len(composed))
            ends.extend([index] * len(composed))
        cluster_start = index
    return "".join(normalised).translate(_LOOKALIKES), starts, ends


def format_fields(text: str) -> List[str]:
    """The ``{name}`` placeholders of a ``str.format`` text; ValueError on unbalanced braces."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics: "Điện Thoại" -> "dien thoai"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def has_diacritics(text: str) -> bool:
    """True when ``text`` carries at least one Vietnamese diacritic."""
    return fold(text) != text.lower()
