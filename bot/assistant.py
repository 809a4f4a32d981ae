"""The assistant's runtime parts, wired once per process (used by the actions).

The catalog is re-read when its file changes (see CatalogSource), so a
business can mark an alternative unavailable without restarting.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Tuple

from bot import settings
from bot.business.answers import BusinessDesk
from bot.business.booking import BookingDesk
from bot.business.topics import ProfileAnswers
from bot.language.lexicon import Lexicon
from bot.language.phrases import PhraseFinder
from bot.needs.catalog import Catalog, CatalogSource
from bot.needs.dialogue import NeedDialogue
from bot.needs.inference import NeedInference
from bot.needs.log import NeedLog
from bot.paths import CATALOG_PATH, LEXICON_PATH
from bot.store.bookings import BookingStore

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


class Assistant:
    """Catalog and business profile (hot-reloaded), need inference, dialogue, need log."""

    def __init__(
        self,
        need_log: NeedLog,
        catalog_path: Path = CATALOG_PATH,
        lexicon_path: Path = LEXICON_PATH,
        business_path: Optional[Path] = None,
        booking_store: Optional[BookingStore] = None,
        held: Optional[Callable[[str], bool]] = None,
    ) -> None:
        self.need_log = need_log
        # re-read when the file changes: an owner's edit is the next answer, no retraining
        self.desk = BusinessDesk.from_file(business_path or settings.business_path())
        self._answers = ProfileAnswers(self.desk)
        self._booking_store = booking_store
        # Whether a person holds a conversation (by its key); a test needs no database.
        self.held: Callable[[str], bool] = held or (lambda _key: False)
        self._source = CatalogSource(catalog_path)
        self._phrases = PhraseFinder(Lexicon.load(lexicon_path))
        self._built_for: Optional[Catalog] = None
        self._current()

    def _current(self) -> Tuple[NeedInference, NeedDialogue]:
        catalog = self._source.get()
        if catalog is not self._built_for:
            self._parts = (
                NeedInference(catalog),
                NeedDialogue(catalog, self._phrases, self._answers),
            )
            self._built_for = catalog
        return self._parts

    @property
    def bookings(self) -> BookingDesk:
        """Table bookings over the live profile (needs a booking store)."""
        if self._booking_store is None:
            raise RuntimeError("this assistant was built without a booking store")
        desk = self.desk
        return BookingDesk(lambda: desk.profile, self._booking_store)

    @property
    def catalog(self) -> Catalog:
        """The current catalog."""
        return self._source.get()

    @property
    def inference(self) -> NeedInference:
        """Need inference over the current catalog."""
        return self._current()[0]

    @property
    def dialogue(self) -> NeedDialogue:
        """The need dialogue over the current catalog."""
        return self._current()[1]


_instance: Optional[Assistant] = None
_instance_lock = threading.Lock()


def assistant() -> Assistant:
    """The process-wide assistant, with the SQL need log from ``DATABASE_URL``."""
    global _instance
    if _instance is None:
        with _instance_lock:
            if _instance is None:
                from bot.store.db import make_engine
                from bot.store.needlog import SqlNeedLog
                from bot.store.outbox import Outbox

                engine = make_engine()
                log = SqlNeedLog(engine, Outbox(settings.outbox_path()))
                _instance = Assistant(log, booking_store=BookingStore(engine), held=held_in(engine))
    return _instance


def held_in(engine: "Engine") -> Callable[[str], bool]:
    """Whether a person holds a conversation, read from the database.

    The database, not the process, decides, so every action-server replica
    agrees. Unreachable database: the bot answers (a guest is never left
    without any reply because staff state could not be read).
    """
    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.handover import is_held

    def held(conversation_key: str) -> bool:
        try:
            return is_held(engine, conversation_key)
        except (SQLAlchemyError, OSError):
            return False

    return held
