"""Grouping unrecognised requests by similarity, so new needs stand out.

Texts are folded (no diacritics, lower case) and compared as TF-IDF vectors
of character 2–4-grams (scikit-learn, already a Rasa dependency); each text
joins the first group whose leader is similar enough, most frequent first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import List, Sequence

from bot.language.text import fold

SIMILARITY = 0.45


@dataclass
class Group:
    """Similar texts; ``representative`` is the most frequent one."""

    representative: str
    members: List[str] = field(default_factory=list)  # distinct, most frequent first
    count: int = 0  # requests in the group, repeats included


def group_similar(texts: Sequence[str], threshold: float = SIMILARITY) -> List[Group]:
    """Greedy leader clustering of ``texts``; largest groups first."""
    cleaned = [t.strip() for t in texts if t and t.strip()]
    if not cleaned:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    frequency = Counter(cleaned)
    distinct = [text for text, _ in frequency.most_common()]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(
        [fold(text) for text in distinct]
    )
    leaders: List[int] = []
    groups: List[Group] = []
    for index, text in enumerate(distinct):
        if leaders:
            similarity = cosine_similarity(vectors[index], vectors[leaders])[0]
            best = int(similarity.argmax())
            if similarity[best] >= threshold:
                groups[best].members.append(text)
                groups[best].count += frequency[text]
                continue
        leaders.append(index)
        groups.append(Group(text, [text], frequency[text]))
    return sorted(groups, key=lambda g: -g.count)
