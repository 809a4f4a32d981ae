"""NLU evaluation on the held-out split (tests/heldout/, never trained on).

Each held-out message is parsed by a trained model; we score the intent and
the need (what ``python -m bot infer`` prints: a catalog id or ``none``),
overall and per writing style:

* ``teencode``: at least one teencode word from the lexicon ("ko", "dc", "đt");
* ``accented``: written with diacritics;
* ``unaccented``: no diacritics at all.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

from bot.language.text import has_diacritics
from bot.needs.catalog import Catalog
from bot.paths import HELDOUT_DIR, LEXICON_PATH

STYLES = ("accented", "unaccented", "teencode")
_WORD = re.compile(r"[\w-]+", re.UNICODE)


def teencode_words(lexicon_path: Path = LEXICON_PATH) -> frozenset:
    """Variants listed in the lexicon's ``teencode`` section."""
    sections = yaml.safe_load(Path(lexicon_path).read_text(encoding="utf-8")) or {}
    return frozenset(
        str(variant).lower()
        for variants in (sections.get("teencode") or {}).values()
        for variant in variants
    )


def style_of(text: str, teencode: frozenset) -> str:
    """Which of :data:`STYLES` a message is written in."""
    if any(word in teencode for word in _WORD.findall(text.lower())):
        return "teencode"
    return "accented" if has_diacritics(text) else "unaccented"


@dataclass(frozen=True)
class Example:
    """One held-out message with its gold intent."""

    text: str
    intent: str


def load_examples(directory: Path = HELDOUT_DIR) -> List[Example]:
    """Every example of the held-out YAML files (Rasa NLU format)."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(directory))
    return [Example(m.get("text"), m.get("intent")) for m in data.intent_examples]


@dataclass(frozen=True)
class Prediction:
    """What the model made of one example."""

    example: Example
    style: str
    intent: str
    intent_confidence: float
    need: str
    gold_need: str

    @property
    def intent_ok(self) -> bool:
        """Top-1 intent is right."""
        return self.intent == self.example.intent

    @property
    def need_ok(self) -> bool:
        """The need (catalog id or none) is right."""
        return self.need == self.gold_need


@dataclass
class Evaluation:
    """Scores of one model on the held-out split."""

    model: str
    predictions: List[Prediction]
    seconds: float
    counts: Dict[str, int] = field(default_factory=dict)

    def accuracy(self, what: str = "need", style: Optional[str] = None) -> float:
        """Share of right ``need`` or ``intent`` predictions (for one style or all)."""
        chosen = [p for p in self.predictions if style is None or p.style == style]
        if not chosen:
            return 0.0
        right = sum(p.need_ok if what == "need" else p.intent_ok for p in chosen)
        return right / len(chosen)

    def by_style(self) -> Dict[str, Tuple[int, float, float]]:
        """{style: (examples, need accuracy, intent accuracy)}, plus "all"."""
        table = {
            style: (
                sum(p.style == style for p in self.predictions),
                self.accuracy("need", style),
                self.accuracy("intent", style),
            )
            for style in STYLES
        }
        table["all"] = (len(self.predictions), self.accuracy("need"), self.accuracy("intent"))
        return table

    def confusion(self) -> Counter:
        """(gold intent, predicted intent) -> count, mistakes only."""
        return Counter((p.example.intent, p.intent) for p in self.predictions if not p.intent_ok)

    def misses(self) -> List[Prediction]:
        """Examples whose need was wrong."""
        return [p for p in self.predictions if not p.need_ok]


def evaluate(
    model: Optional[Path] = None,
    examples: Optional[Iterable[Example]] = None,
    catalog: Optional[Catalog] = None,
) -> Evaluation:
    """Parse every held-out example with ``model`` (default: the newest)."""
    from bot.needs.inference import NeedInference
    from bot.rasa.model import Parser

    catalog = catalog or Catalog.load()
    inference = NeedInference(catalog)
    teencode = teencode_words()
    parser = Parser(model)
    started = time.perf_counter()
    predictions = []
    try:
        for example in examples if examples is not None else load_examples():
            parse = parser.parse(example.text)
            reading = inference.read(parse)
            intent = parse.get("intent") or {}
            ranking = {e["name"]: e["confidence"] for e in parse.get("intent_ranking") or []}
            name = intent.get("name") or ""
            if name == "nlu_fallback" and ranking:
                # the fallback keeps the original ranking: score its top intent
                name = max((n for n in ranking if n != "nlu_fallback"), key=ranking.get)
            predictions.append(
                Prediction(
                    example=example,
                    style=style_of(example.text, teencode),
                    intent=name,
                    intent_confidence=float(intent.get("confidence") or 0.0),
                    need=reading.need or "none",
                    gold_need=example.intent if example.intent in catalog.needs else "none",
                )
            )
    finally:
        parser.close()
    return Evaluation(str(parser.model_path), predictions, time.perf_counter() - started)
