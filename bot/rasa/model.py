"""Training and loading Rasa models (thin wrappers over Rasa's own API)."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Literal, Optional, Sequence, overload

from bot import environment
from bot.paths import MODELS_DIR, ROOT, TRAINING_DATA_DIRS

CONFIG_PATH = ROOT / "config.yml"
DOMAIN_PATH = ROOT / "domain.yml"


class ModelNotFoundError(FileNotFoundError):
    """No trained model exists where one was expected."""


@dataclass(frozen=True)
class TrainingRun:
    """The outcome of a training call."""

    model: Path
    seconds: float
    retrained: bool


def train(
    *,
    nlu_only: bool = False,
    force: bool = False,
    config: Path = CONFIG_PATH,
    domain: Path = DOMAIN_PATH,
    data: Sequence[Path] = TRAINING_DATA_DIRS,
    out: Path = MODELS_DIR,
    fixed_name: Optional[str] = None,
) -> TrainingRun:
    """Train (or reuse, when Rasa's fingerprints say nothing changed) a model.

    Rasa fingerprints every graph node (config, data, component code and our
    ``fingerprint_addon``); unchanged nodes are taken from its cache, so after
    a data change only the affected components are retrained.
    """
    import_rasa()
    from rasa.model_training import train as rasa_train
    from rasa.model_training import train_nlu as rasa_train_nlu

    before = latest_model(out, required=False)
    started = time.perf_counter()
    if nlu_only:
        nlu_dirs = [str(p) for p in data if Path(p).name == "nlu"]
        result: Any = rasa_train_nlu(
            str(config),
            nlu_dirs[0] if nlu_dirs else str(data[0]),
            str(out),
            fixed_model_name=fixed_name,
            domain=str(domain),
        )
        model = Path(result) if result else None
    else:
        outcome = rasa_train(
            str(domain),
            str(config),
            [str(p) for p in data],
            str(out),
            force_training=force,
            fixed_model_name=fixed_name,
        )
        if outcome.code != 0:
            raise RuntimeError(f"rasa train failed with code {outcome.code}")
        model = Path(outcome.model) if outcome.model else None
    if model is None:
        raise RuntimeError("rasa train produced no model")
    seconds = time.perf_counter() - started
    return TrainingRun(model, seconds, retrained=before is None or model != before)


@overload
def latest_model(models_dir: Path = ..., required: Literal[True] = ...) -> Path: ...


@overload
def latest_model(models_dir: Path = ..., *, required: Literal[False]) -> Optional[Path]: ...


def latest_model(models_dir: Path = MODELS_DIR, required: bool = True) -> Optional[Path]:
    """The newest ``*.tar.gz`` in ``models_dir``."""
    candidates = sorted(Path(models_dir).glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if candidates:
        return candidates[-1]
    if required:
        raise ModelNotFoundError(f"No trained model in {models_dir}/ — run `make train` first.")
    return None


def import_rasa() -> None:
    """Get ready to import Rasa with the known third-party warnings ignored, without JAX.

    Importing ``sanic.app`` (Rasa's web server) puts "once" for every
    ``DeprecationWarning`` in front of all filters; imported first, with ours
    put in front of it afterwards (:mod:`bot.environment`), ours win.

    TensorFlow 2.12 depends on JAX, and its TFLite converter imports it when
    TensorFlow is imported (it copes with an ``ImportError``). Nothing here
    converts to TFLite; JAX and jaxlib cost every Rasa process ~65 MB resident
    (measured for issue #17), so they are never loaded.
    """
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]  # "import jax" fails
    import sanic.app  # noqa: F401

    environment.apply()


def quiet_logging(level: int = logging.WARNING) -> None:
    """Send Rasa's structured logs to stderr at ``level`` (stdout stays ours).

    Called once Rasa is imported, so the known third-party warnings are
    ignored again in front of the filters Rasa's imports put first.
    """
    import structlog

    environment.apply()

    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
    )
    logging.getLogger("rasa").setLevel(level)


class Parser:
    """Loads a trained model once and parses messages with its NLU pipeline."""

    def __init__(self, model: Optional[Path] = None) -> None:
        import_rasa()
        from rasa.core.agent import Agent

        quiet_logging()
        self.model_path = Path(model) if model else latest_model()
        self._loop = asyncio.new_event_loop()
        self._agent = Agent.load(str(self.model_path))

    @property
    def model_id(self) -> str:
        """The fingerprint id Rasa gives the loaded model."""
        return str(self._agent.model_id or self.model_path.name)

    def parse(self, text: str) -> Dict[str, Any]:
        """Rasa's parse result (intent, intent_ranking, entities, text)."""
        return self._loop.run_until_complete(self._agent.parse_message(text))

    def parse_many(self, texts: Sequence[str]) -> List[Dict[str, Any]]:
        """Parse several messages."""
        return [self.parse(text) for text in texts]

    def close(self) -> None:
        """Release the event loop."""
        self._loop.close()
