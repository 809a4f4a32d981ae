"""Emergency detection: precise about diacritics, and never deaf to a real one.

An emergency must never wait for a model's confidence, and must never be
invented by folding: "nguội ngắt" (stone-cold food) and "đẹp ngất ngây" are not
"ngất" (fainted). So this is a phrase detector over ``data/language/emergency.yml``
with three rules (the file's header explains them for whoever edits it):

* a word typed with diacritics must match them; one typed without matches
  any accented form;
* a one-word Vietnamese phrase counts only as typed with its diacritics; text
  without diacritics needs a phrase of two or more words (English words such
  as "fire" have no diacritics to lose and count alone);
* idioms (``not_emergency``) that overlap a match and are at least as long
  cancel it; ``reassurance`` cancels the milder ``signs``, never ``severe``;
* ``not_now`` markers (the past, a worry, a hypothetical: "nếu", "kẻo",
  "hồi nhỏ") make a match count only when the classifier agrees; a marker
  counts only as typed, diacritics included ("khoi roi" is also "khói rồi"),
  so the file lists the bare forms that are safe ("hoi nho");
* ``together`` rules catch what guests *describe* rather than name: a word
  of each of two lists close to each other ("máu" + "lênh láng", "ngã" +
  "bất động"). The pair is the context that a bare word lacks, so a part
  typed without diacritics counts when the other part is a phrase of two
  or more words, or typed with its diacritics.

Pure text, no Rasa: the need inference asks it, the evaluation measures it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import yaml

from bot.language.emergency_classifier import EmergencyClassifier, trained_classifier
from bot.language.lexicon import Lexicon
from bot.language.phrases import PhraseFinder, phrase_starts
from bot.language.text import fold, has_diacritics
from bot.paths import EMERGENCY_PATH

SEVERE, SIGNS, CRIES, TOGETHER = "severe", "signs", "cries", "together"
TIERS = (SEVERE, SIGNS, CRIES)
DESCRIBED = "described"  # the category of an emergency only the classifier found
NEAR = 8  # words between the two parts of a `together` rule, at most
_REPEATED_END = re.compile(r"(\w)\1+$")


class EmergencyPhrasesError(ValueError):
    """The emergency phrase file is malformed; the message names file and entry."""


@dataclass(frozen=True)
class EmergencyMatch:
    """Why a message is an emergency: the category and the phrase that matched."""

    category: str
    phrase: str
    severe: bool


@dataclass(frozen=True)
class _Phrase:
    words: Tuple[str, ...]
    category: str
    tier: str
    text: str


@dataclass(frozen=True)
class _Together:
    """Two lists of phrases; one of each, close together, is an emergency."""

    first: Tuple[Tuple[str, ...], ...]
    second: Tuple[Tuple[str, ...], ...]
    category: str
    text: str


@dataclass(frozen=True)
class _Span:
    start: int
    end: int

    def overlaps(self, other: "_Span") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class _Rules:
    """Everything the phrase file says, as words."""

    phrases: Tuple[_Phrase, ...]
    together: Tuple[_Together, ...]
    idioms: Tuple[Tuple[str, ...], ...]
    reassurance: Tuple[Tuple[str, ...], ...]
    not_now: Tuple[Tuple[str, ...], ...]


@dataclass(frozen=True)
class _Classifier:
    """The learned second opinion and when it counts."""

    model: Callable[[], EmergencyClassifier]
    alone: float  # no phrase matched: an emergency from this probability
    arbitrate: float  # a cry, or a phrase in a "not here and now" message


class EmergencyDetector:
    """Finds an emergency in a guest's message (see the module docstring)."""

    def __init__(
        self, rules: _Rules, finder: PhraseFinder, classifier: Optional[_Classifier] = None
    ) -> None:
        # longest first: "hóc xương cá" is reported rather than "hóc"
        self._phrases = sorted(rules.phrases, key=lambda p: (-len(p.words), p.tier != SEVERE))
        self._rules = rules
        self._finder = finder
        self._classifier = classifier
        self._remembered = lru_cache(maxsize=4096)(self._detect)
        self._by_first_word: Dict[str, List[Tuple[int, _Phrase]]] = {}
        for rank, phrase in enumerate(self._phrases):
            self._by_first_word.setdefault(fold(phrase.words[0]), []).append((rank, phrase))

    @classmethod
    def load(cls, lexicon: Lexicon, path: Path = EMERGENCY_PATH) -> "EmergencyDetector":
        """Read and validate the phrase file; problems name the file and entry."""
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise EmergencyPhrasesError(f"{path}: cannot read: {error}") from error
        finder = PhraseFinder(lexicon)
        categories = raw.get("categories") if isinstance(raw, dict) else None
        if not isinstance(categories, dict) or not categories:
            raise EmergencyPhrasesError(f"{path}: expected a non-empty 'categories' mapping")
        phrases: List[_Phrase] = []
        together: List[_Together] = []
        for category, tiers in categories.items():
            where = f"{path}: categories.{category}"
            if not isinstance(tiers, dict) or set(tiers) - {*TIERS, TOGETHER}:
                raise EmergencyPhrasesError(
                    f"{where}: expected 'severe', 'signs', 'cries' and/or 'together' lists"
                )
            for tier in TIERS:
                for text in _phrase_list(tiers.get(tier, []), f"{where}.{tier}"):
                    phrases.append(_Phrase(_words(finder, text), str(category), tier, text))
            together += _together_rules(tiers.get(TOGETHER, []), str(category), finder, where)
        lists = {
            key: tuple(_words(finder, t) for t in _phrase_list(raw.get(key, []), f"{path}: {key}"))
            for key in ("not_emergency", "reassurance", "not_now")
        }
        rules = _Rules(
            tuple(phrases),
            tuple(together),
            lists["not_emergency"],
            lists["reassurance"],
            lists["not_now"],
        )
        return cls(rules, finder, _classifier(raw.get("classifier"), path))

    def detect(self, text: str) -> Optional[EmergencyMatch]:
        """The emergency in ``text``, or None (remembered: guests and evaluations repeat)."""
        return self._remembered(text)

    def doubtful(self, text: str) -> bool:
        """Whether only the classifier's agreement can make ``text`` an emergency.

        Every phrase that matched is a cry or in a message not about here and now
        (``classifier.arbitrate`` decides; the evaluation chooses it on these).
        """
        certain, doubtful = self._strongest(
            _words(self._finder, unicodedata.normalize("NFC", text))
        )
        return certain is None and doubtful is not None

    def _detect(self, text: str) -> Optional[EmergencyMatch]:
        words = _words(self._finder, unicodedata.normalize("NFC", text))
        if self._classifier is None:
            return next((match for match, _ in self._matches(words)), None)
        certain, doubtful = self._strongest(words)
        if certain is not None:
            return certain
        if doubtful is not None:
            return doubtful if self._probability(text) >= self._arbitrate() else None
        return self._classified(text)

    def _strongest(
        self, words: Sequence[str]
    ) -> Tuple[Optional[EmergencyMatch], Optional[EmergencyMatch]]:
        """The strongest match that counts alone, and the strongest of all, in one pass.

        A match counts alone when it is not a cry, in a message about here and now.
        """
        not_now = any(_typed(words, marker) for marker in self._rules.not_now)
        strongest: Optional[EmergencyMatch] = None
        for match, cry in self._matches(words):
            strongest = strongest or match
            if not (cry or not_now):
                return match, strongest
        return None, strongest

    def _matches(self, words: Sequence[str]) -> Iterator[Tuple[EmergencyMatch, bool]]:
        """Phrase and ``together`` matches, strongest first, each with whether it is a cry."""
        ranked = sorted(
            {entry for w in words for entry in self._by_first_word.get(fold(w), ())},
            key=lambda entry: entry[0],
        )  # usually empty: no emergency word at all
        idiom_spans = [span for idiom in self._rules.idioms for span in _spans(words, idiom)]
        calm = bool(ranked) and any(_spans(words, p) for p in self._rules.reassurance)
        for _, phrase in ranked:
            for span in _spans(words, phrase.words):
                if len(phrase.words) == 1 and _bare(words[span.start], phrase.text):
                    continue  # a one-word phrase typed without its diacritics is not enough
                if (calm and phrase.tier != SEVERE) or _cancelled(span, idiom_spans):
                    continue
                match = EmergencyMatch(phrase.category, phrase.text, phrase.tier == SEVERE)
                yield match, phrase.tier == CRIES
        for rule in self._rules.together:
            if _described(words, rule, idiom_spans):
                yield EmergencyMatch(rule.category, rule.text, True), False

    def _probability(self, text: str) -> float:
        assert self._classifier is not None
        return self._classifier.model().probability(text)

    def _arbitrate(self) -> float:
        assert self._classifier is not None
        return self._classifier.arbitrate

    def _classified(self, text: str) -> Optional[EmergencyMatch]:
        if self._classifier is None:
            return None
        probability = self._probability(text)
        if probability < self._classifier.alone:
            return None
        return EmergencyMatch(DESCRIBED, f"p={probability:.2f}", True)


def _classifier(value: object, path: Path) -> Optional[_Classifier]:
    """``classifier: {threshold, arbitrate}``, or None when the file has none."""
    if value is None:
        return None
    where = f"{path}: classifier"
    settings = value if isinstance(value, dict) else {}
    probabilities: List[float] = []
    for key in ("threshold", "arbitrate"):
        probability = settings.get(key)
        if not isinstance(probability, (int, float)) or not 0 < probability <= 1:
            raise EmergencyPhrasesError(f"{where}.{key}: expected a probability in (0, 1]")
        probabilities.append(float(probability))
    data_dir = Path(path).resolve().parent.parent
    return _Classifier(lambda: trained_classifier(data_dir), probabilities[0], probabilities[1])


def _together_rules(
    value: object, category: str, finder: PhraseFinder, where: str
) -> List[_Together]:
    """``together: [[first, ...], [second, ...]]`` pairs of a category."""
    if not isinstance(value, list):
        raise EmergencyPhrasesError(f"{where}.together: expected a list of [first, second] pairs")
    rules = []
    for index, pair in enumerate(value):
        if not isinstance(pair, list) or len(pair) != 2:
            raise EmergencyPhrasesError(f"{where}.together[{index}]: expected [first, second]")
        first, second = (
            tuple(_words(finder, t) for t in _phrase_list(part, f"{where}.together[{index}]"))
            for part in pair
        )
        rules.append(_Together(first, second, category, f"{pair[0][0]} … {pair[1][0]}"))
    return rules


def _described(words: Sequence[str], rule: _Together, idiom_spans: Sequence[_Span]) -> bool:
    """A part of each list of ``rule`` within :data:`NEAR` words, neither one an idiom."""
    firsts = _part_spans(words, rule.first, idiom_spans)
    seconds = _part_spans(words, rule.second, idiom_spans)
    for a, a_strong in firsts:
        for b, b_strong in seconds:
            near = max(a.start, b.start) - min(a.end, b.end) <= NEAR
            if near and not a.overlaps(b) and (a_strong or b_strong):
                return True
    return False


def _part_spans(
    words: Sequence[str], phrases: Sequence[Tuple[str, ...]], idiom_spans: Sequence[_Span]
) -> List[Tuple[_Span, bool]]:
    """Where any of ``phrases`` occurs, and whether it is strong context on its own.

    Strong: two or more words, or one word typed with its diacritics.
    """
    found = []
    for phrase in phrases:
        for span in _spans(words, phrase):
            if _cancelled(span, idiom_spans):
                continue
            bare = len(phrase) == 1 and _bare(words[span.start], phrase[0])
            found.append((span, not bare))
    return found


def _phrase_list(value: object, where: str) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise EmergencyPhrasesError(f"{where}: expected a list of non-empty phrases")
    return [str(v) for v in value]


def _words(finder: PhraseFinder, text: str) -> Tuple[str, ...]:
    """Words as the detector compares them, the same for messages and for the file."""
    return tuple(_calm_typing(word) for word in finder.words(text))


def _calm_typing(word: str) -> str:
    """Panic typing repeats the last letter ("ngựcc", "nhauu"); Vietnamese never does."""
    return _REPEATED_END.sub(r"\1", word)


def _bare(typed: str, phrase: str) -> bool:
    """A Vietnamese word typed without its diacritics ("ngat" for "ngất")."""
    return has_diacritics(phrase) and not has_diacritics(typed)


def _typed(words: Sequence[str], phrase: Sequence[str]) -> List[_Span]:
    """Where ``phrase`` occurs as typed, diacritics included.

    "kẻo" (lest) is a worry, "keo" may be "kẹo" (a sweet), "khoi roi" may be
    "khói rồi" (smoke): the file lists the bare form where it is safe ("neu").
    """
    return [
        span
        for span in _spans(words, phrase)
        if not any(_bare(words[span.start + i], word) for i, word in enumerate(phrase))
    ]


def _spans(words: Sequence[str], phrase: Sequence[str]) -> List[_Span]:
    return [_Span(start, start + len(phrase)) for start in phrase_starts(words, phrase)]


def _cancelled(span: _Span, idiom_spans: Sequence[_Span]) -> bool:
    """An idiom at least as long as the match covers part of it."""
    length = span.end - span.start
    return any(i.overlaps(span) and i.end - i.start >= length for i in idiom_spans)
