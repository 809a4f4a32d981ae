"""What ``make train`` shows: Rasa's progress bars and which components (re)train.

Called through the API, Rasa prints its structlog debug dumps (every rule
state) and no INFO lines, so the progress bars drown. This keeps Rasa's own
INFO lines, e.g. "Restored component 'DIETClassifier' from cache." or
"Starting to train component 'DIETClassifier'.", the tqdm progress bars
(epochs, story blocks), and warnings; debug dumps and deprecation noise go.
"""

from __future__ import annotations

import logging
import sys
import warnings


def show_training_progress(level: int = logging.INFO) -> None:
    """Configure logging for a trainer watching ``python -m bot train``."""
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category)
    from bot.model import quiet_logging

    quiet_logging(logging.WARNING)  # structlog: no debug dumps of rule states
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    rasa = logging.getLogger("rasa")
    rasa.setLevel(level)
    rasa.addHandler(handler)
    rasa.propagate = False
