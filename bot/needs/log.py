"""What the need conversation writes to the need log (implemented in bot.store).

The conversation produces these records; a :class:`NeedLog` persists them.
Every need occurrence has an idempotency key, so a retried write never
duplicates a row and a later outcome updates the same row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Optional, Protocol, Sequence, Tuple, Union

MET = "met"
UNMET = "unmet"
ESCALATED = "escalated"
NO_ANSWER = "no_answer"
OUTCOMES = (MET, UNMET, ESCALATED, NO_ANSWER)
UNRECOGNIZED = "unrecognized"


def occurrence_key(conversation_key: str, message_id: str, need: str) -> str:
    """Idempotency key of one need in one message of one conversation."""
    raw = f"{conversation_key}\x1f{message_id}\x1f{need}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


@dataclass(frozen=True)
class Context:
    """Where a message came from (filled in by the Rasa action layer)."""

    conversation_key: str
    message_id: str
    channel: str = "rest"
    model_id: str = ""
    table: Optional[str] = None  # the guest's table (the QR code they scanned), when known
    # The guest's raw id on Messenger / Zalo, only so a staff reply can reach them
    # there; kept on a hand-over's conversation, never on a need-log row.
    reply_to: Optional[str] = None


@dataclass(frozen=True)
class NeedOpened:
    """A need occurrence was recognised (or a request was not)."""

    key: str
    need: str
    text: str
    context: Context
    item: Optional[str] = None
    confidence: float = 0.0
    sub_goal: Optional[str] = None
    outcome: str = NO_ANSWER


@dataclass(frozen=True)
class NeedUpdated:
    """Later facts about an occurrence: sub-goal, alternatives offered, outcome."""

    key: str
    sub_goal: Optional[str] = None
    alternatives: Optional[Tuple[str, ...]] = None
    outcome: Optional[str] = None


@dataclass(frozen=True)
class HandoffRequested:
    """The guest needs a person: staff see these in the report until handled."""

    key: str
    text: str
    context: Context
    need: Optional[str] = None
    urgent: bool = False
    # What was said just before, oldest first, as ("guest" | "bot", text): the
    # staff transcript starts with it, so a person sees what the bot tried.
    earlier: Tuple[Tuple[str, str], ...] = ()


@dataclass(frozen=True)
class QuestionAnswered:
    """A question about the restaurant (hours, menu, price …) answered from its profile.

    Not a need, but logged like one: the report counts what guests ask most,
    so the owner can make the answer unnecessary (hours on the door, prices on
    Google Maps). Kept in its own table, apart from the 16 needs.
    """

    key: str
    topic: str
    text: str
    context: Context
    outcome: str = MET


@dataclass(frozen=True)
class GuestSaid:
    """A guest message while a person holds the conversation: it goes to staff, not the bot."""

    key: str
    text: str
    context: Context


# How a rated conversation ended (the widget's card adds staff handing it back).
ENDED_BY_GOODBYE, ENDED_BY_THANKS, ENDED_BY_HAND_BACK = "goodbye", "thanks", "hand_back"
RATING_ENDINGS = (ENDED_BY_GOODBYE, ENDED_BY_THANKS, ENDED_BY_HAND_BACK)


@dataclass(frozen=True)
class RatingGiven:
    """The guest's 1–5 stars for a conversation that ended, tapped on Zalo or Messenger.

    (The widget's rating card goes to the web app, with its optional comment.)
    """

    key: str
    stars: int
    context: Context
    ended_by: Optional[str] = None


LogRecord = Union[
    NeedOpened, NeedUpdated, HandoffRequested, QuestionAnswered, GuestSaid, RatingGiven
]


class NeedLog(Protocol):
    """Persists log records; must never raise into the conversation."""

    def write(self, records: Sequence[LogRecord]) -> None:
        """Store the records (in order), queueing them if storage is down."""
