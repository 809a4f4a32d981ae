"""Rasa graph components for Vietnamese: a tokenizer and a catalog item extractor.

Both keep a copy of the language resources (lexicon + catalog items) in the
model, so a model behaves the same whatever happens to the data files later,
and editing items or the lexicon changes the fingerprint (Rasa retrains).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.segment import NORM_JOINER
from bot.needs.catalog import ITEM_ENTITY
from bot.paths import CATALOG_PATH, LEXICON_PATH, ROOT
from bot.rasa.resources import LanguageResources
from bot.rasa.spacy_items import ItemMatcher

logger = logging.getLogger(__name__)
_GIVEN_TOKEN = re.compile(r"\S+")

# Where both components read the lexicon and the catalog (relative to the repository).
RESOURCE_DEFAULTS = {
    "catalog": str(CATALOG_PATH.relative_to(ROOT)),
    "lexicon": str(LEXICON_PATH.relative_to(ROOT)),
}


def _resolve(path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else ROOT / candidate


class _CarriesLanguageResources(GraphComponent):
    """Shared training/persistence of :class:`LanguageResources`."""

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        resources: Optional[LanguageResources] = None,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._resources = resources or self._read_files(config)
        self._on_resources()

    def _on_resources(self) -> None:
        """Hook: build what the component needs from ``self._resources``."""

    @classmethod
    def _read_files(cls, config: Dict[str, Any]) -> LanguageResources:
        config = {**cls.get_default_config(), **config}
        return LanguageResources.from_files(
            _resolve(config["catalog"]), _resolve(config["lexicon"])
        )

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "_CarriesLanguageResources":
        """Create the component from the data files (training time)."""
        return cls(config, model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrain when the lexicon or the catalog's items change."""
        return cls._read_files(config).fingerprint()

    def train(self, training_data: TrainingData) -> Resource:
        """Copy the language resources into the model."""
        with self._model_storage.write_to(self._resource) as directory:
            self._resources.write(directory)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "_CarriesLanguageResources":
        """Load the resources stored at training time."""
        with model_storage.read_from(resource) as directory:
            resources = LanguageResources.read(directory)
        return cls(config, model_storage, resource, resources)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class VietnameseTokenizer(_CarriesLanguageResources, Tokenizer):
    """Vietnamese words (underthesea) with exact offsets and a folded lemma.

    ``Token.text`` is exactly what the customer typed; ``Token.lemma`` has no
    diacritics and expanded teencode ("đt" -> ``dien_thoai``), so featurizers
    with ``use_lemma: true`` see "khong", "ko" and "không" as one word.
    """

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        resources: Optional[LanguageResources] = None,
    ) -> None:
        Tokenizer.__init__(self, config)
        self._max_tokens = int(config["max_tokens"])
        self._given_tokens = bool(config["given_tokens"])
        super().__init__(config, model_storage, resource, resources)

    def _on_resources(self) -> None:
        self._segmenter = self._resources.segmenter()

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Component defaults (paths are relative to the repository root)."""
        return {
            **RESOURCE_DEFAULTS,
            # Messages beyond this many words are cut for NLU (the transformer
            # cost grows with length; a 100 kB paste must not stall a server).
            "max_tokens": 128,
            # Benchmarks on pre-tokenized datasets: keep the dataset's tokens
            # (whitespace-separated, "_" joining the syllables of one word)
            # instead of re-segmenting across its slot boundaries.
            "given_tokens": False,
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def supported_languages() -> Optional[List[str]]:
        """Vietnamese only."""
        return ["vi"]

    @staticmethod
    def required_packages() -> List[str]:
        """Underthesea does the word segmentation."""
        return ["underthesea"]

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        """Segment the attribute's text into tokens with offsets and lemmas."""
        text = message.get(attribute)
        if self._given_tokens:
            tokens = [
                Token(m.group(), m.start(), m.end(), lemma=self._given_norm(m.group()))
                for m in _GIVEN_TOKEN.finditer(text)
            ][: self._max_tokens]
        else:
            words = self._segmenter.segment(text)[: self._max_tokens]
            tokens = [Token(w.text, w.start, w.end, lemma=w.norm) for w in words]
        return self._apply_token_pattern(tokens)

    def _given_norm(self, token: str) -> str:
        """The norm of a dataset token: its syllables' norms, joined like ours."""
        return NORM_JOINER.join(w.norm for w in self._segmenter.segment(token.replace("_", " ")))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class CatalogItemExtractor(_CarriesLanguageResources, EntityExtractorMixin):
    """Finds catalog items with spaCy, ignoring diacritics and teencode.

    Adds an ``item`` entity whose value is the catalog item id for every item
    the customer mentions, and gives item entities found by other extractors
    (DIET) their catalog id when their text is a known spelling.
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Component defaults (paths are relative to the repository root)."""
        return dict(RESOURCE_DEFAULTS)

    @classmethod
    def required_components(cls) -> List[Type]:
        """Needs the Vietnamese tokens (their lemmas are matched)."""
        return [VietnameseTokenizer]

    @staticmethod
    def required_packages() -> List[str]:
        """SpaCy runs the phrase matching."""
        return ["spacy"]

    def _on_resources(self) -> None:
        self._matcher = ItemMatcher(self._resources)

    def process(self, messages: List[Message]) -> List[Message]:
        """Add catalog items to each message's entities."""
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            if not tokens:
                continue
            found = self._matcher.match(tokens)
            entities = list(message.get(ENTITIES, []))
            for match in found:
                overlapping = [
                    e
                    for e in entities
                    if e.get(ENTITY_ATTRIBUTE_TYPE) == ITEM_ENTITY
                    and e[ENTITY_ATTRIBUTE_START] < match.end
                    and e[ENTITY_ATTRIBUTE_END] > match.start
                ]
                for entity in overlapping:
                    entity[ENTITY_ATTRIBUTE_VALUE] = match.item_id
                    self.add_processor_name(entity)
                if not overlapping:
                    entities.append(
                        self.add_extractor_name(
                            [
                                {
                                    ENTITY_ATTRIBUTE_TYPE: ITEM_ENTITY,
                                    ENTITY_ATTRIBUTE_START: match.start,
                                    ENTITY_ATTRIBUTE_END: match.end,
                                    ENTITY_ATTRIBUTE_VALUE: match.item_id,
                                    "confidence_entity": 1.0,
                                }
                            ]
                        )[0]
                    )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep their annotated entities unchanged."""
        return training_data
