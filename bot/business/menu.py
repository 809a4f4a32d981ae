"""Finding dishes in what a guest types: names with typos, diets and allergies.

Why: guests write "pho bo taii bao nhieu" or "mình dị ứng lạc"; the menu is
data, so matching must work on any owner's dish names and vocabulary without
training. Dish names are compared on folded text (no diacritics) with
:class:`difflib.SequenceMatcher` (stdlib; no fuzzy-matching dependency), and
diets come from the profile's ``tags``/``allergens`` vocabulary, with
"không", "dị ứng", "kiêng" … turning a word into something to avoid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import List, Sequence, Tuple

from bot.business.profile import BusinessProfile, Dish, Term
from bot.language.text import fold


def folded_words(text: str) -> str:
    """Folded words separated by single spaces, punctuation dropped."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def has_words(folded_text: str, words: str) -> bool:
    """Whether folded ``words`` stand as whole words in ``folded_text``."""
    return re.search(rf"\b{re.escape(words)}\b", folded_text) is not None


@dataclass(frozen=True)
class DishMatch:
    """Dishes a guest may mean, best first; ``sure`` when one clearly wins."""

    dishes: Tuple[Dish, ...]
    sure: bool
    exact: bool  # sure, and named letter for letter (no typo to double-check)
    query: str


# Words around a dish name in a price question ("giá", "bao nhiêu", "món", "ạ").
_FILLER_WORDS = (
    "gia bao nhieu bn bnhieu nhiu tien sao the nao mon cho hoi em anh chi minh oi a ak "
    "vay nhe nha la phan to bat dia ly coc cua quan co khong ko k j gi nhi ha xin voi "
    "duoc dc an uong ban muon het mat re dat ngon nhat thu"
)
_FILLER = frozenset(_FILLER_WORDS.split())
# Thresholds on the similarity score (0-1), tuned on the sample menu's near names.
_SURE, _CLOSE, _GAP, _PARTIAL, _COVERAGE_FLOOR = 0.84, 0.6, 0.1, 0.85, 0.6


def match_dishes(profile: BusinessProfile, text: str) -> DishMatch:
    """Dishes named in ``text``, with or without diacritics or with a small typo."""
    tokens = [t for t in folded_words(text).split() if t not in _FILLER]
    query = " ".join(tokens)
    if not tokens:
        return DishMatch((), False, False, query)
    scored = sorted(
        ((*_score(tokens, dish), index, dish) for index, dish in enumerate(profile.menu)),
        key=lambda row: (-row[0], row[2]),
    )
    best, exact = scored[0][0], scored[0][1]
    close = [row for row in scored if row[0] >= max(_CLOSE, best - _GAP)]
    # one clear winner, or the only one named letter for letter ("cơm gà" vs "cơm tấm")
    sure = best >= _SURE and (len(close) == 1 or (exact and sum(r[1] for r in close) == 1))
    dishes = tuple(row[3] for row in close[: 1 if sure else 5])
    return DishMatch(dishes, sure, sure and exact, query)


def _score(tokens: Sequence[str], dish: Dish) -> Tuple[float, bool]:
    """How well a run of ``tokens`` names the dish (or an alias, or their start).

    A run that explains only part of what the guest typed counts less, so
    "phở" alone does not make "phở gà" as likely as "phở bò" does "phở bò tái".
    Also says whether the best run is the name (or its start) letter for letter.
    """
    query_length = len(" ".join(tokens))
    best, exact = 0.0, False
    for name in (fold(n).split() for n in [dish.name, *dish.aliases]):
        for size in range(1, min(len(tokens), len(name) + 1) + 1):
            for start in range(len(tokens) - size + 1):
                window = " ".join(tokens[start : start + size])
                coverage = _COVERAGE_FLOOR + (1 - _COVERAGE_FLOOR) * len(window) / query_length
                candidates = [(SequenceMatcher(None, window, " ".join(name)).ratio(), 1.0)]
                if size < len(name):
                    prefix = " ".join(name[:size])
                    candidates.append((SequenceMatcher(None, window, prefix).ratio(), _PARTIAL))
                for ratio, weight in candidates:
                    if ratio * weight * coverage > best:
                        best, exact = ratio * weight * coverage, ratio == 1.0
    return best, exact


@dataclass(frozen=True)
class DietQuery:
    """What a guest wants or must avoid: tags to have / avoid, allergens to avoid / have."""

    with_tags: Tuple[str, ...] = ()
    without_tags: Tuple[str, ...] = ()
    without_allergens: Tuple[str, ...] = ()
    with_allergens: Tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return any((self.with_tags, self.without_tags, self.without_allergens, self.with_allergens))

    def allows(self, dish: Dish) -> bool:
        """Whether ``dish`` fits."""
        return (
            all(t in dish.tags for t in self.with_tags)
            and all(a in dish.allergens for a in self.with_allergens)
            and not any(t in dish.tags for t in self.without_tags)
            and not any(a in dish.allergens for a in self.without_allergens)
        )

    def describe(self) -> str:
        """The constraints in words: "chay, không cay, không có đậu phộng"."""
        parts = [*self.with_tags, *(f"có {a}" for a in self.with_allergens)]
        parts += [f"không {t}" for t in self.without_tags]
        parts += [f"không có {a}" for a in self.without_allergens]
        return ", ".join(parts)


# Words that turn a tag or allergen into something to avoid ("không cay", "dị ứng lạc").
_AVOID = re.compile(
    r"\b(?:khong|ko|k|kg|khg|tranh|kieng|di ung|bi di ung|it|bot|khong an duoc|khong an)"
    r"(?:\s+(?:co|an|duoc|bo|them|bi|mon|do))*\s*$"
)


_AND = re.compile(r"\s*(?:(?:voi|va|hoac|hay|ca|lan)\s*)+")


def diet_terms(profile: BusinessProfile, text: str) -> List[Tuple[str, Term, bool]]:
    """(kind, term, avoided) for each tag/allergen in folded ``text``, longest spelling first."""
    found: List[Tuple[int, int, str, Term]] = []
    vocabulary = [("tag", t) for t in profile.tags] + [("allergen", a) for a in profile.allergens]
    spellings = sorted(
        ((fold(s), kind, term) for kind, term in vocabulary for s in term.spellings()),
        key=lambda row: -len(row[0]),
    )
    for spelling, kind, term in spellings:
        for hit in re.finditer(rf"\b{re.escape(spelling)}\b", text):
            if not any(s < hit.end() and hit.start() < e for s, e, _, _ in found):
                found.append((hit.start(), hit.end(), kind, term))
    found.sort(key=lambda row: row[0])
    terms: List[Tuple[str, Term, bool]] = []
    previous_end, avoided = 0, False
    for start, end, kind, term in found:
        # "dị ứng lạc với hải sản": the items of a list share its "dị ứng"
        listed = avoided and _AND.fullmatch(text[previous_end:start]) is not None
        avoided = listed or _AVOID.search(text[:start]) is not None
        terms.append((kind, term, avoided))
        previous_end = end
    return terms


def diet_query(profile: BusinessProfile, text: str) -> DietQuery:
    """The diet or allergy constraints ``text`` states (empty when none)."""
    terms = diet_terms(profile, folded_words(text))
    pick = {
        (kind, avoided): tuple(
            dict.fromkeys(t.name for k, t, a in terms if (k, a) == (kind, avoided))
        )
        for kind in ("tag", "allergen")
        for avoided in (False, True)
    }
    return DietQuery(
        with_tags=pick["tag", False],
        without_tags=pick["tag", True],
        without_allergens=pick["allergen", True],
        with_allergens=pick["allergen", False],
    )
