"""spaCy where it serves: accent-insensitive matching of catalog items.

A blank spaCy ``vi`` pipeline whose tokenizer is our underthesea segmenter
(so no pyvi), with an ``entity_ruler`` matching on ``NORM``, the folded,
teencode-expanded form of each word. "sac", "sạc" and "charger" therefore all
match the item ``charger``; spellings marked ``exact`` in the catalog match
only as written (``ô`` must not match ``o``, which usually means "ở").

Diacritics the guest typed count: a match is kept only when every syllable
typed with diacritics is the catalog's own ("sắc" is not "sạc", "tặng" is not
"tầng", "nhạt" is not "nhặt"); syllables typed without them match any form.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Sequence, Tuple, cast

import spacy
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc, Span
from spacy.tokens import Token as SpacyToken
from spacy.vocab import Vocab

from bot.language.segment import Segmenter
from bot.language.text import fold, has_diacritics
from bot.needs.catalog import ITEM_ENTITY

if TYPE_CHECKING:  # pragma: no cover
    from rasa.nlu.tokenizers.tokenizer import Token

    from bot.rasa.resources import LanguageResources


def _doc(vocab: Vocab, words: Sequence[Tuple[str, str]]) -> Doc:
    """A Doc of (text, norm) words; text is NFC so LOWER matches reliably."""
    doc = Doc(vocab, words=[unicodedata.normalize("NFC", text) for text, _ in words])
    for token, (_, norm) in zip(doc, words, strict=True):
        token.norm_ = norm
    return doc


class SegmenterTokenizer:
    """spaCy tokenizer backed by :class:`Segmenter` (underthesea words + norms)."""

    def __init__(self, vocab: Vocab, segmenter: Segmenter) -> None:
        self.vocab = vocab
        self.segmenter = segmenter

    def __call__(self, text: str) -> Doc:
        """Segment ``text`` into a Doc whose token norms are folded forms."""
        return _doc(self.vocab, [(w.text, w.norm) for w in self.segmenter.segment(text)])


@dataclass(frozen=True)
class ItemMatch:
    """A catalog item found at ``[start, end)`` of the message."""

    item_id: str
    start: int
    end: int


class ItemMatcher:
    """Finds catalog items in tokenized messages."""

    def __init__(self, resources: "LanguageResources") -> None:
        self._nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
        self._segmenter = resources.segmenter()
        self._nlp.tokenizer = SegmenterTokenizer(self._nlp.vocab, self._segmenter)
        ruler = cast(
            EntityRuler,
            self._nlp.add_pipe(
                "entity_ruler", config={"phrase_matcher_attr": "NORM", "validate": True}
            ),
        )
        patterns: List[dict] = []
        for item_id, spellings in sorted(resources.items.items()):
            patterns += [
                {"label": ITEM_ENTITY, "pattern": synonym, "id": item_id}
                for synonym in spellings.synonyms
            ]
            patterns += [
                {
                    "label": ITEM_ENTITY,
                    "pattern": [{"LOWER": token.lower_} for token in self._nlp.make_doc(exact)],
                    "id": item_id,
                }
                for exact in spellings.exact
            ]
        ruler.add_patterns(patterns)
        self._spellings = {
            item_id: [_syllables(s) for s in spellings.synonyms]
            for item_id, spellings in resources.items.items()
        }

    def match_text(self, text: str) -> List[ItemMatch]:
        """Items in raw text (segments it first); offsets index ``text``."""
        words = self._segmenter.segment(text)
        return self._match(
            _doc(self._nlp.vocab, [(w.text, w.norm) for w in words]),
            [(w.start, w.end) for w in words],
        )

    def match(self, tokens: Sequence["Token"]) -> List[ItemMatch]:
        """Items in Rasa tokens produced by the Vietnamese tokenizer."""
        doc = _doc(self._nlp.vocab, [(t.text, t.lemma) for t in tokens])
        return self._match(doc, [(t.start, t.end) for t in tokens])

    def _match(self, doc: Doc, spans: Sequence[Tuple[int, int]]) -> List[ItemMatch]:
        doc = self._nlp(doc)
        return [
            ItemMatch(ent.ent_id_, spans[ent.start][0], spans[ent.end - 1][1])
            for ent in doc.ents
            if ent.label_ == ITEM_ENTITY and self._as_typed(ent.ent_id_, ent)
        ]

    def _as_typed(self, item_id: str, span: "Span") -> bool:
        """The typed diacritics agree with one of the item's spellings."""
        if any(_expanded(token) for token in span):
            return True  # teencode ("đt"): the guest typed no syllables of ours
        words = _syllables(span.text)
        aligned = [s for s in self._spellings.get(item_id, []) if len(s) == len(words)]
        if not aligned:  # an ``exact`` spelling (matched as written) or a joined word
            return True
        return any(
            all(not has_diacritics(w) or w == e for w, e in zip(words, spelling, strict=True))
            for spelling in aligned
        )


def _expanded(token: "SpacyToken") -> bool:
    """The lexicon replaced what was typed ("đt" -> "dien_thoai")."""
    return token.norm_ != fold(token.text).replace(" ", "_")


def _syllables(text: str) -> List[str]:
    return unicodedata.normalize("NFC", text).lower().replace("_", " ").split()
