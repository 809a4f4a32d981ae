"""Finding short phrases in a message, tolerant of missing diacritics and teencode.

A word typed without diacritics matches any accented form ("the" matches
"thẻ"), but a word typed *with* diacritics must match them exactly ("thế" is
not "thẻ"). Used for answers to clarifying questions ("chỉ cần gọi thôi").
"""

from __future__ import annotations

import re
import unicodedata
from typing import List, Sequence

from bot.language.lexicon import Lexicon
from bot.language.text import fold, has_diacritics

_WORD = re.compile(r"[\w-]+", re.UNICODE)


class PhraseFinder:
    """Matches phrases against messages word by word."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon

    def words(self, text: str) -> List[str]:
        """Lower-case words of ``text`` with teencode expanded ("dc" -> "được")."""
        words: List[str] = []
        for word in _WORD.findall(unicodedata.normalize("NFC", text).lower()):
            words.extend((self._lexicon.standard(word) or word).split())
        return words

    def contains(self, text: str, phrase: str) -> bool:
        """Whether ``phrase`` occurs in ``text`` as consecutive words."""
        return self._find(self.words(text), self.words(phrase))

    def first_match(self, text: str, phrases: Sequence[str]) -> int:
        """Index of the first phrase found in ``text``, or -1."""
        words = self.words(text)
        for index, phrase in enumerate(phrases):
            if self._find(words, self.words(phrase)):
                return index
        return -1

    @staticmethod
    def _find(words: Sequence[str], phrase: Sequence[str]) -> bool:
        return bool(phrase_starts(words, phrase))


def same_word(typed: str, expected: str) -> bool:
    """``typed`` is ``expected``, or ``expected`` typed without its diacritics."""
    if typed == expected:
        return True
    return not has_diacritics(typed) and typed == fold(expected)


def phrase_starts(words: Sequence[str], phrase: Sequence[str]) -> List[int]:
    """Indexes where ``phrase`` starts in ``words`` (see :func:`same_word`)."""
    span = len(phrase)
    if not span:
        return []
    return [
        start
        for start in range(len(words) - span + 1)
        if all(same_word(words[start + i], phrase[i]) for i in range(span))
    ]
