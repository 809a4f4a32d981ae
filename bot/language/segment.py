"""Vietnamese word segmentation with exact offsets into the customer's message.

underthesea segments syllables into words ("điện thoại", "pin dự phòng").
This module adds what a chat assistant needs on top of it:

* offsets into the *original* message, even when the input is decomposed
  Unicode, so entity annotations and logs line up with what the customer typed;
* a ``norm`` per word that ignores diacritics and expands teencode
  ("đt" -> ``dien_thoai``), which the NLU features and the catalog matcher use;
* catalog phrases that are always whole words (passed to underthesea as
  ``fixed_words`` and enforced afterwards, because its CRF may still glue a
  phrase to a neighbour: "co sac" -> one word without the guard).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import underthesea.pipeline.word_tokenize as underthesea_words
from underthesea.models.fast_crf_sequence_tagger import FastCRFSequenceTagger
from underthesea.pipeline.text_normalize.character_normalize import normalize_characters_in_text
from underthesea.pipeline.word_tokenize.regex_tokenize import extract_match, regex_patterns

from bot.language.lexicon import Lexicon
from bot.language.text import fold, nfc_with_offsets

NORM_JOINER = "_"
_CRF_MODEL = "ws_crf_vlsp2013_20230727"  # the model underthesea 9.5's word_tokenize loads


@dataclass(frozen=True)
class Word:
    """One segmented word: its exact text and span in the message, and its norm."""

    text: str
    start: int
    end: int
    norm: str


@dataclass(frozen=True)
class _Syllable:
    start: int
    end: int
    word_index: int
    expansion: Tuple[str, ...]


def _phrase_key(phrase: str) -> Tuple[str, ...]:
    return tuple(fold(phrase).split())


def _escape_for_underthesea(phrase: str) -> str:
    # underthesea joins syllables with r"\ " itself (its pattern is VERBOSE),
    # so escape each syllable but keep the plain spaces between them.
    return " ".join(re.escape(syllable) for syllable in phrase.split())


@lru_cache(maxsize=1)
def _word_tagger() -> FastCRFSequenceTagger:
    """The word-segmentation CRF shipped in underthesea's wheel, loaded once."""
    tagger = FastCRFSequenceTagger()
    tagger.load(str(Path(underthesea_words.__file__).parent / "models" / _CRF_MODEL))
    return tagger


class _WordTokenizer:
    """``underthesea.word_tokenize(text, use_token_normalize=False, fixed_words=...)``.

    The same regex syllable tokenizer and CRF, but the regex with the fixed
    words is compiled once: underthesea rebuilds it from ~900 catalog
    spellings on every call, which py-spy showed at ~9 % of the Rasa server's
    CPU per turn. ``tests/language`` checks the output stays identical.
    """

    def __init__(self, fixed_words: Sequence[str]) -> None:
        alternatives = list(regex_patterns)
        if fixed_words:
            joined = "\\b|\\b".join(word.replace(" ", "\\ ") for word in fixed_words)
            alternatives.insert(0, f"(?P<fixed_words>\\b{joined}\\b)")
        self._regex = re.compile("(" + "|".join(alternatives) + ")", re.VERBOSE | re.UNICODE)

    def __call__(self, text: str) -> List[str]:
        normalised = normalize_characters_in_text(text)
        tokens = [extract_match(match)[0] for match in self._regex.finditer(normalised)]
        words: List[str] = []
        tags = _word_tagger().predict([[token] for token in tokens])
        for tag, token in zip(tags, tokens, strict=True):
            if tag == "I-W" and words:
                words[-1] = f"{words[-1]} {token}"
            else:
                words.append(token)
        return words


class Segmenter:
    """Segments messages; phrases (catalog items) always come out as one word."""

    def __init__(self, lexicon: Lexicon, phrases: Iterable[str] = ()) -> None:
        self.lexicon = lexicon
        self.phrases: List[str] = sorted({" ".join(p.split()) for p in phrases if p.strip()})
        spellings = {s for p in self.phrases for s in (p.lower(), fold(p))}
        # Longest first, so "pin dự phòng" wins over "pin" in the regex.
        self._words = _WordTokenizer(
            [_escape_for_underthesea(s) for s in sorted(spellings, key=lambda s: (-len(s), s))]
        )
        self._phrases_by_first: Dict[str, List[Tuple[str, ...]]] = {}
        for key in sorted({_phrase_key(p) for p in self.phrases}, key=len, reverse=True):
            if key:
                self._phrases_by_first.setdefault(key[0], []).append(key)

    def segment(self, text: str) -> List[Word]:
        """Split ``text`` into words with offsets into ``text`` itself."""
        normalised, starts, ends = nfc_with_offsets(text)
        if not normalised.strip():
            return []
        segmented = self._words(normalised)
        syllables = self._locate(normalised, segmented)
        words: List[Word] = []
        for first, last in self._word_spans(syllables):
            start = starts[syllables[first].start]
            end = ends[syllables[last - 1].end - 1]
            norm = NORM_JOINER.join(
                part for s in syllables[first:last] for part in s.expansion if part
            )
            if words and start < words[-1].end:  # split inside one composed character
                previous = words.pop()
                start, norm = previous.start, NORM_JOINER.join(filter(None, (previous.norm, norm)))
            words.append(Word(text[start:end], start, end, norm))
        return words

    def norm(self, text: str) -> str:
        """The space-joined norms of ``text``: what the matcher compares."""
        return " ".join(word.norm for word in self.segment(text))

    def _locate(self, text: str, segmented: Sequence[str]) -> List[_Syllable]:
        syllables: List[_Syllable] = []
        cursor = 0
        for word_index, word in enumerate(segmented):
            for piece in word.split(" "):
                if not piece:
                    continue
                start = text.find(piece, cursor)
                if start < 0:  # underthesea changed the piece; keep what we can
                    continue
                end = start + len(piece)
                syllables.append(_Syllable(start, end, word_index, self._expand(text, start, end)))
                cursor = end
        return syllables

    def _expand(self, text: str, start: int, end: int) -> Tuple[str, ...]:
        piece = text[start:end]
        standalone = (start == 0 or not text[start - 1].isalnum()) and (
            end == len(text) or not text[end].isalnum()
        )
        standard = self.lexicon.standard(piece) if standalone else None
        return tuple(fold(standard or piece).split()) or (fold(piece),)

    def _word_spans(self, syllables: Sequence[_Syllable]) -> List[Tuple[int, int]]:
        cuts = {0, len(syllables)}
        cuts.update(
            i
            for i in range(1, len(syllables))
            if syllables[i].word_index != syllables[i - 1].word_index
        )
        for first, last in self._phrase_spans(syllables):
            cuts.difference_update(range(first + 1, last))
            cuts.update((first, last))
        ordered = sorted(cuts)
        return list(pairwise(ordered))

    def _phrase_spans(self, syllables: Sequence[_Syllable]) -> List[Tuple[int, int]]:
        spans: List[Tuple[int, int]] = []
        index = 0
        while index < len(syllables):
            last = self._longest_phrase_at(syllables, index)
            if last is None:
                index += 1
                continue
            spans.append((index, last))
            index = last
        return spans

    def _longest_phrase_at(self, syllables: Sequence[_Syllable], first: int) -> Optional[int]:
        head = syllables[first].expansion[0]
        for phrase in self._phrases_by_first.get(head, ()):
            consumed: List[str] = []
            last = first
            while len(consumed) < len(phrase) and last < len(syllables):
                consumed.extend(syllables[last].expansion)
                last += 1
                if tuple(consumed) == phrase:
                    return last
                if tuple(consumed) != phrase[: len(consumed)]:
                    break
        return None
