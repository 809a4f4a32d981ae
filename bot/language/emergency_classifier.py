"""What guests describe rather than name: a small learned emergency classifier.

The phrases of ``data/language/emergency.yml`` are precise, but only as complete
as their list; measured on emergencies written by someone who never saw it,
they missed about one in five ("mặt xanh lè", "người cứng đờ răng cắn chặt",
"máu ra ào ào"). A logistic regression over folded character n-grams and the
words as typed generalises from the examples instead. It only ever *adds*: the
detector asks it when no phrase matched, and it counts from the probability
set in ``emergency.yml`` (``classifier.threshold``, chosen by cross-validation
on the same examples; ``make eval`` prints the grid).

Trained when first used, in about three seconds and deterministically, on
``data/language/emergency_examples*.yml`` (emergencies and hard negatives) plus
every NLU example outside ``*_emergency.yml`` files as negatives. Nothing is
downloaded and nothing is cached on disk: the data files are the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, List, Sequence, Tuple

import numpy as np
import yaml

from bot.language.text import fold
from bot.paths import DATA_DIR

EXAMPLES_GLOB = "emergency_examples*.yml"
EMERGENCY_FILE_MARK = "emergency"  # NLU files of emergencies: not negatives
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class EmergencyExamples:
    """Texts to learn from: emergencies (with their category) and not."""

    emergencies: Tuple[Tuple[str, str], ...]  # (category, text)
    not_emergencies: Tuple[str, ...]

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> "EmergencyExamples":
        """The example files and the NLU data under ``data_dir``."""
        emergencies: List[Tuple[str, str]] = []
        negatives: List[str] = []
        for path in sorted((data_dir / "language").glob(EXAMPLES_GLOB)):
            raw = _yaml(path)
            for category, texts in (raw.get("emergencies") or {}).items():
                emergencies += [(str(category), str(t)) for t in texts or ()]
            negatives += [str(t) for t in raw.get("not_emergencies") or ()]
        for path in sorted((data_dir / "nlu").rglob("*.yml")):
            if EMERGENCY_FILE_MARK not in path.name:
                negatives += nlu_texts(path)
        return cls(tuple(emergencies), tuple(dict.fromkeys(negatives)))

    def texts_and_labels(self) -> Tuple[List[str], np.ndarray]:
        """Every text with 1 for an emergency, 0 otherwise."""
        texts = [t for _, t in self.emergencies] + list(self.not_emergencies)
        labels = np.array([1] * len(self.emergencies) + [0] * len(self.not_emergencies))
        return texts, labels


class EmergencyClassifier:
    """Probability that a message reports an emergency."""

    def __init__(self, model: Any) -> None:
        self._model = model

    @classmethod
    def fit(cls, examples: EmergencyExamples) -> "EmergencyClassifier":
        """Train on ``examples`` (deterministic)."""
        texts, labels = examples.texts_and_labels()
        model = new_model()
        model.fit(texts, labels)
        return cls(model)

    def probability(self, text: str) -> float:
        """P(emergency) for one message."""
        return float(self._model.predict_proba([text])[0, 1])


def new_model() -> Any:
    """An untrained pipeline: folded character n-grams and typed words, then a linear model."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            preprocessor=lambda text: fold(text.lower()),
            sublinear_tf=True,
            min_df=2,
        ),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
    )
    return make_pipeline(features, LogisticRegression(C=10, class_weight="balanced", max_iter=2000))


def cross_validated(examples: EmergencyExamples, folds: int = 5) -> Tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities and the labels, for choosing the threshold."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts, labels = examples.texts_and_labels()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=42)
    probabilities = cross_val_predict(
        new_model(), texts, labels, cv=splitter, method="predict_proba"
    )[:, 1]
    return probabilities, labels


@lru_cache(maxsize=2)
def trained_classifier(data_dir: Path = DATA_DIR) -> EmergencyClassifier:
    """One classifier per process and data directory (trained on first use)."""
    return EmergencyClassifier.fit(EmergencyExamples.load(data_dir))


def nlu_texts(path: Path) -> List[str]:
    """The example texts of a Rasa NLU YAML file, entity annotations removed."""
    texts: List[str] = []
    for block in _yaml(path).get("nlu") or ():
        if isinstance(block, dict) and isinstance(block.get("examples"), str):
            texts += _example_lines(block["examples"].splitlines())
    return texts


def _example_lines(lines: Iterable[str]) -> List[str]:
    return [
        _ANNOTATION.sub(r"\1", line.strip()[2:]).strip()
        for line in lines
        if line.strip().startswith("- ")
    ]


def _yaml(path: Path) -> Any:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {}


def threshold_grid(
    probabilities: Sequence[float], labels: Sequence[int], thresholds: Sequence[float]
) -> List[Tuple[float, float, int, int]]:
    """(threshold, recall, false emergencies, negatives) per threshold."""
    p, y = np.asarray(probabilities), np.asarray(labels)
    return [
        (t, float((p[y == 1] >= t).mean()), int((p[y == 0] >= t).sum()), int((y == 0).sum()))
        for t in thresholds
    ]
