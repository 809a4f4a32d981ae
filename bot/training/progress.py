"""What ``make train`` shows: Rasa's progress bars and which components (re)train.

Called through the API, Rasa prints its structlog debug dumps (every rule
state) and no INFO lines, so the progress bars drown. This keeps Rasa's own
INFO lines ("Starting to train component 'DIETClassifier'.", "Restored
component 'RulePolicy' from cache."), the tqdm progress bars (epochs, story
blocks) and warnings, drops debug dumps and known third-party warnings, and counts
which components trained so the last line can say "Trained" or "Up to date".
"""

from __future__ import annotations

import logging
import re
import sys
from collections import Counter
from pathlib import Path
from typing import List

_TRAINED = re.compile(r"Starting to train component '(\w+)'")
_RESTORED = re.compile(r"Restored component '(\w+)' from cache")


class ComponentLog(logging.Handler):
    """Collects the components Rasa trains and the ones it restores from its cache."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.trained: List[str] = []
        self.restored: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Record one of Rasa's training-hook messages."""
        message = record.getMessage()
        for pattern, names in ((_TRAINED, self.trained), (_RESTORED, self.restored)):
            found = pattern.search(message)
            if found:
                names.append(found.group(1))

    def summary(self, model: Path, seconds: float) -> str:
        """The last line of ``make train``."""
        shown = _short(model)
        if not self.trained:
            return (
                f"Up to date: nothing changed, all {len(self.restored)} components restored "
                f"from Rasa's cache; packaged {shown} in {seconds:.1f}s"
            )
        trained = ", ".join(
            name if count == 1 else f"{name} x{count}"
            for name, count in Counter(self.trained).items()
        )
        return (
            f"Trained {shown} in {seconds:.1f}s (retrained: {trained}; "
            f"{len(self.restored)} restored from cache)"
        )


def show_training_progress(level: int = logging.INFO) -> ComponentLog:
    """Configure logging for a trainer watching ``python -m bot train``."""
    from bot.rasa.model import import_rasa, quiet_logging

    import_rasa()
    quiet_logging(logging.WARNING)  # structlog: no debug dumps of rule states
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    components = ComponentLog()
    rasa = logging.getLogger("rasa")
    rasa.setLevel(level)
    rasa.addHandler(console)
    rasa.addHandler(components)
    rasa.propagate = False
    return components


def _short(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
