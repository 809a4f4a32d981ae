"""What guests said, condensed: the same words ignoring accents, case and punctuation.

Shared by the need and the topic sections of the report.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Dict, List, Sequence

from bot.language.text import fold

TOP_PHRASES = 5
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)


def phrase_key(text: str) -> str:
    """``text`` folded, punctuation dropped: two spellings of one phrase share a key."""
    return " ".join(_PUNCTUATION.sub(" ", fold(text)).split())


def top_phrases(texts: Sequence[str], limit: int = TOP_PHRASES) -> List[str]:
    """Most frequent phrasings (same words ignoring accents/case), most recent spelling."""
    counts: Counter = Counter()
    shown: Dict[str, str] = {}
    for text in texts:
        key = phrase_key(text)
        if key:
            counts[key] += 1
            shown[key] = text.strip()
    return [shown[key] for key, _ in counts.most_common(limit)]
