"""`make train` ends with "Trained …" or "Up to date …" from Rasa's own training log."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.training.progress import ComponentLog


def _log(*messages: str) -> ComponentLog:
    components = ComponentLog()
    for message in messages:
        components.emit(logging.LogRecord("rasa", logging.INFO, __file__, 1, message, (), None))
    return components


def test_nothing_retrained_is_up_to_date():
    components = _log(
        "Restored component 'DIETClassifier' from cache.",
        "Restored component 'RulePolicy' from cache.",
    )

    line = components.summary(Path("models/m.tar.gz"), 4.83)

    assert line.startswith("Up to date: nothing changed, all 2 components restored")
    assert line.endswith("packaged models/m.tar.gz in 4.8s")


def test_retrained_components_are_named_and_counted():
    components = _log(
        "Starting to train component 'CountVectorsFeaturizer'.",
        "Starting to train component 'CountVectorsFeaturizer'.",
        "Starting to train component 'DIETClassifier'.",
        "Finished training component 'DIETClassifier'.",
        "Restored component 'RulePolicy' from cache.",
    )

    line = components.summary(Path("models/m.tar.gz"), 165.72)

    assert line == (
        "Trained models/m.tar.gz in 165.7s (retrained: CountVectorsFeaturizer x2, "
        "DIETClassifier; 1 restored from cache)"
    )
