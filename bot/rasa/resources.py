"""The language data a trained model carries: the lexicon and the catalog's items.

Rasa components copy this into the model at training time, so a trained model
behaves the same whatever happens to the data files later, and a change to the
items or the lexicon changes the model's fingerprint (and triggers retraining).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Tuple

from bot.language.lexicon import Lexicon
from bot.language.segment import Segmenter
from bot.needs.catalog import Catalog

FILE_NAME = "language.json"


@dataclass(frozen=True)
class ItemSpellings:
    """How one catalog item is written: loose synonyms and exact spellings."""

    synonyms: Tuple[str, ...]
    exact: Tuple[str, ...] = ()


@dataclass(frozen=True)
class LanguageResources:
    """Lexicon + item spellings, serialisable into a model."""

    lexicon: Lexicon
    items: Dict[str, ItemSpellings]

    @classmethod
    def from_files(cls, catalog_path: Path, lexicon_path: Path) -> "LanguageResources":
        """Read (and validate) the catalog and the lexicon."""
        catalog = Catalog.load(Path(catalog_path))
        items = {
            item_id: ItemSpellings(tuple(item.synonyms), tuple(item.exact))
            for item_id, item in catalog.items.items()
        }
        return cls(Lexicon.load(Path(lexicon_path)), items)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "LanguageResources":
        """Inverse of :meth:`to_dict`."""
        items = {
            item_id: ItemSpellings(tuple(spec["synonyms"]), tuple(spec["exact"]))
            for item_id, spec in data["items"].items()
        }
        return cls(Lexicon.from_sections(data["lexicon"], source="model"), items)

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-serialisable form."""
        return {
            "lexicon": self.lexicon.to_sections(),
            "items": {
                item_id: {"synonyms": list(s.synonyms), "exact": list(s.exact)}
                for item_id, s in sorted(self.items.items())
            },
        }

    def fingerprint(self) -> str:
        """Stable hash of the content (what Rasa's caching should depend on)."""
        canonical = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def phrases(self) -> List[str]:
        """Every item spelling; segmentation keeps each one a whole word."""
        return sorted({s for spec in self.items.values() for s in (*spec.synonyms, *spec.exact)})

    def segmenter(self) -> Segmenter:
        """A segmenter that knows the lexicon and the item phrases."""
        return Segmenter(self.lexicon, self.phrases())

    def write(self, directory: Path) -> None:
        """Persist into a model-storage directory."""
        (Path(directory) / FILE_NAME).write_text(
            json.dumps(self.to_dict(), ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def read(cls, directory: Path) -> "LanguageResources":
        """Load what :meth:`write` stored."""
        text = (Path(directory) / FILE_NAME).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))
