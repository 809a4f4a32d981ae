"""The teencode / abbreviation lexicon, kept as data in ``data/language/lexicon.yml``."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Mapping, Optional

import yaml

from bot.paths import LEXICON_PATH


class LexiconError(ValueError):
    """The lexicon file is malformed; the message names the file and the entry."""


def _key(word: str) -> str:
    return unicodedata.normalize("NFC", word).strip().lower()


@dataclass(frozen=True)
class Lexicon:
    """Maps what customers type ("ko", "đt", "charger") to a standard word."""

    standard_of: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> "Lexicon":
        """Read and validate a lexicon file; every problem names the entry."""
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise LexiconError(f"{path}: cannot read lexicon: {error}") from error
        if not isinstance(raw, dict):
            raise LexiconError(f"{path}: expected sections mapping words to variants")
        return cls.from_sections(raw, source=str(path))

    @classmethod
    def from_sections(cls, sections: Mapping[str, object], source: str = "lexicon") -> "Lexicon":
        """Build from ``{section: {standard: [variants]}}``, rejecting clashes."""
        standard_of: Dict[str, str] = {}
        for section, entries in sections.items():
            if not isinstance(entries, dict):
                raise LexiconError(f"{source}: section '{section}' must be a mapping")
            for standard, variants in entries.items():
                where = f"{source}: {section}.{standard}"
                if not isinstance(variants, list) or not variants:
                    raise LexiconError(f"{where}: expected a non-empty list of variants")
                for variant in variants:
                    key = _key(str(variant))
                    if not key or " " in key:
                        raise LexiconError(f"{where}: variant '{variant}' must be a single word")
                    if key in standard_of and standard_of[key] != standard:
                        raise LexiconError(
                            f"{where}: variant '{variant}' already means '{standard_of[key]}'"
                        )
                    standard_of[key] = _key(str(standard))
        return cls(standard_of)

    def standard(self, word: str) -> Optional[str]:
        """The standard form of ``word``, or None when it is not a known variant."""
        return self.standard_of.get(_key(word))

    def to_sections(self) -> Dict[str, Dict[str, list]]:
        """A serialisable form that :meth:`from_sections` reads back."""
        grouped: Dict[str, list] = {}
        for variant, standard in sorted(self.standard_of.items()):
            grouped.setdefault(standard, []).append(variant)
        return {"lexicon": grouped}
