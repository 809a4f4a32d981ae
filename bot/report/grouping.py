"""Grouping unrecognised requests by meaning, so new needs stand out.

Two ways to compare texts, measured against a labelled set by ``make eval``
(purity and adjusted Rand index, ``tests/openworld/unrecognized_groups.yml``):

* ``char_ngrams`` (default): TF-IDF over folded character 2–4-grams
  (scikit-learn), which groups by shared wording;
* ``embeddings``: the multilingual sentence encoder (e5-small). On our
  labelled set it groups worse than character n-grams (adjusted Rand 0.02
  vs 0.06, ``make eval``), so it is not the default; kept to re-measure.

Each text joins the group whose leader is most similar, when similar enough,
most frequent texts first; otherwise it leads a new group.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Sequence

import numpy as np

from bot.language.text import fold

EMBEDDINGS, CHAR_NGRAMS = "embeddings", "char_ngrams"
# Chosen on the first half of each labelled group, scored on the second (make eval).
THRESHOLDS: Dict[str, float] = {EMBEDDINGS: 0.93, CHAR_NGRAMS: 0.4}
DEFAULT_METHOD = CHAR_NGRAMS


@dataclass
class Group:
    """Similar texts; ``representative`` is the most frequent one."""

    representative: str
    members: List[str] = field(default_factory=list)  # distinct, most frequent first
    count: int = 0  # requests in the group, repeats included


def _char_ngram_vectors(texts: Sequence[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(
        [fold(text) for text in texts]
    )
    return np.asarray(matrix.todense())  # rows are L2-normalised


def _embedding_vectors(texts: Sequence[str]) -> np.ndarray:
    from bot.language.sentence_encoder import shared_encoder

    return shared_encoder().encode(texts)


VECTORIZERS: Dict[str, Callable[[Sequence[str]], np.ndarray]] = {
    EMBEDDINGS: _embedding_vectors,
    CHAR_NGRAMS: _char_ngram_vectors,
}


def group_similar(
    texts: Sequence[str], method: str = DEFAULT_METHOD, threshold: float = 0.0
) -> List[Group]:
    """Greedy leader clustering of ``texts``; largest groups first."""
    cleaned = [t.strip() for t in texts if t and t.strip()]
    if not cleaned:
        return []
    frequency = Counter(cleaned)
    distinct = [text for text, _ in frequency.most_common()]
    vectors = VECTORIZERS[method](distinct)
    limit = threshold or THRESHOLDS[method]
    leaders: List[int] = []
    groups: List[Group] = []
    for index, text in enumerate(distinct):
        if leaders:
            similarity = vectors[leaders] @ vectors[index]
            best = int(similarity.argmax())
            if similarity[best] >= limit:
                groups[best].members.append(text)
                groups[best].count += frequency[text]
                continue
        leaders.append(index)
        groups.append(Group(text, [text], frequency[text]))
    return sorted(groups, key=lambda g: -g.count)
