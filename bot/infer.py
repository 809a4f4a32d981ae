"""Message -> need, as printed by ``python -m bot infer`` (SPEC §4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.needs.catalog import Catalog
from bot.needs.inference import NeedInference

NO_NEED = "none"
ENTITY_KEYS = ("entity", "value", "start", "end", "extractor")


class NeedInferrer:
    """Parses messages with the newest (or a given) model and names the need."""

    def __init__(self, model: Optional[Path] = None, catalog: Optional[Catalog] = None) -> None:
        from bot.rasa.model import Parser

        self._parser = Parser(model)
        self._inference = NeedInference(catalog or Catalog.load())

    @property
    def model_id(self) -> str:
        """Id of the loaded model."""
        return self._parser.model_id

    def infer(self, text: str) -> Dict[str, Any]:
        """``{"text", "need", "confidence", "intent", "entities"}`` for ``text``."""
        if not text.strip():
            return {"text": text, "need": NO_NEED, "confidence": 0.0, "intent": "", "entities": []}
        parse = self._parser.parse(text)
        reading = self._inference.read(parse)
        intent = parse.get("intent") or {}
        confidence = reading.confidence if reading.need else float(intent.get("confidence") or 0.0)
        return {
            "text": text,
            "need": reading.need or NO_NEED,
            "confidence": round(confidence, 4),
            "intent": intent.get("name") or "",
            "entities": _entities(parse, text),
        }


def _entities(parse: Dict[str, Any], text: str) -> List[Dict[str, Any]]:
    entities = []
    for entity in parse.get("entities") or []:
        kept = {key: entity[key] for key in ENTITY_KEYS if key in entity}
        if isinstance(entity.get("start"), int) and isinstance(entity.get("end"), int):
            kept["text"] = text[entity["start"] : entity["end"]]
        entities.append(kept)
    return entities
