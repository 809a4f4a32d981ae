"""Translation between Rasa SDK objects and the need dialogue in ``bot``."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import settings
from bot.assistant import Assistant, assistant
from bot.channels import PUSH_CHANNELS
from bot.language.address import address_forms
from bot.needs.dialogue import Message, Pending, State, Turn, rating_buttons
from bot.needs.inference import NeedReading
from bot.needs.log import Context, HandoffRequested, LogRecord
from bot.store.masking import conversation_key

SLOT_NEED = "need"
SLOT_SUB_GOAL = "sub_goal"
SLOT_STAGE = "stage"
SLOT_KEY = "need_log_key"
SLOT_CANDIDATES = "candidate_needs"
SLOT_PENDING = "pending_needs"
SLOT_ADDRESSEE = "addressee"
SLOT_TABLE = "table"
MAX_TABLE_CHARS = 16
# The bot's only output while a person holds the chat: the widget shows nothing
# for it (a custom payload), and the channel sees that the turn was answered.
HELD_BY_STAFF = {"held_by_staff": True}
RATING_KEY = "rating"  # {"rating": {"ended_by": "goodbye"}}: the widget's rating card
BUTTON_VALUES = ("stars", "ended_by")  # entities of a rating button's payload


def state_from(tracker: Tracker) -> State:
    """The dialogue state stored in the tracker's slots."""
    pending = tuple(
        Pending(str(entry["need"]), str(entry["key"]))
        for entry in tracker.get_slot(SLOT_PENDING) or []
        if isinstance(entry, dict) and "need" in entry and "key" in entry
    )
    return State(
        need=tracker.get_slot(SLOT_NEED),
        sub_goal=tracker.get_slot(SLOT_SUB_GOAL),
        stage=tracker.get_slot(SLOT_STAGE),
        key=tracker.get_slot(SLOT_KEY),
        candidates=tuple(tracker.get_slot(SLOT_CANDIDATES) or ()),
        pending=pending,
        addressee=tracker.get_slot(SLOT_ADDRESSEE),
    )


def table_of(tracker: Tracker) -> Optional[str]:
    """The guest's table: from this message's metadata (the widget sends it), else the slot."""
    latest: Dict[str, Any] = tracker.latest_message or {}
    metadata = latest.get("metadata") or {}
    sent = metadata.get("table") if isinstance(metadata, dict) else None
    if isinstance(sent, (str, int)) and not isinstance(sent, bool) and str(sent).strip():
        return str(sent).strip()[:MAX_TABLE_CHARS]
    kept = tracker.get_slot(SLOT_TABLE)
    return str(kept) if kept else None


def message_from(tracker: Tracker) -> Message:
    """The latest guest message with its log context."""
    latest: Dict[str, Any] = tracker.latest_message or {}
    text = latest.get("text") or ""
    message_id = latest.get("message_id") or _fallback_message_id(tracker, text)
    channel = tracker.get_latest_input_channel() or "rest"
    context = Context(
        conversation_key=conversation_key(tracker.sender_id, settings.conversation_secret()),
        message_id=str(message_id),
        channel=channel,
        model_id=_model_id(tracker),
        table=table_of(tracker),
        reply_to=tracker.sender_id if channel in PUSH_CHANNELS else None,
    )
    sub_goal = next(
        (e.get("value") for e in latest.get("entities") or [] if e.get("entity") == SLOT_SUB_GOAL),
        None,
    )
    values = {
        str(e.get("entity")): str(e.get("value"))
        for e in latest.get("entities") or []
        if e.get("entity") in BUTTON_VALUES
    }
    intent = (latest.get("intent") or {}).get("name") or ""
    now = datetime.now(timezone.utc)  # the dialogue is pure: the clock is read here
    return Message(
        text=text,
        context=context,
        intent=intent,
        sub_goal=sub_goal,
        now=now,
        values=values,
        opens_session=_opens_session(tracker),
    )


def _opens_session(tracker: Tracker) -> bool:
    """The latest message is the guest's first since the session started."""
    said = 0
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        said += event.get("event") == "user"
    return said <= 1


def parse_of(tracker: Tracker) -> Dict[str, Any]:
    """The NLU parse of the latest message (intent ranking, entities, text)."""
    return dict(tracker.latest_message or {})


def slot_values(state: State) -> Dict[str, Any]:
    """The dialogue state as slot values."""
    return {
        SLOT_NEED: state.need,
        SLOT_SUB_GOAL: state.sub_goal,
        SLOT_STAGE: state.stage,
        SLOT_KEY: state.key,
        SLOT_CANDIDATES: list(state.candidates),
        SLOT_PENDING: [{"need": p.need, "key": p.key} for p in state.pending],
        SLOT_ADDRESSEE: state.addressee,
    }


def apply_turn(turn: Turn, dispatcher: CollectingDispatcher, before: State) -> List[EventType]:
    """Send the turn's replies and return slot events for what changed since ``before``.

    Only changed slots travel back: Rasa validates every returned event against
    a JSON schema, which profiling showed to be the largest cost of a turn.
    """
    for reply in turn.replies:
        buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
        if reply.response:
            dispatcher.utter_message(response=reply.response, buttons=buttons, **reply.variables)
        else:
            dispatcher.utter_message(text=reply.text, buttons=buttons)
    if turn.rating:
        _ask_rating(turn, dispatcher)
    old, new = slot_values(before), slot_values(turn.state)
    return [SlotSet(name, value) for name, value in new.items() if value != old[name]]


def _ask_rating(turn: Turn, dispatcher: CollectingDispatcher) -> None:
    """The widget shows its rating card; on Zalo and Messenger, five star buttons."""
    ended_by = turn.rating or ""
    if turn.message.context.channel in PUSH_CHANNELS:
        buttons = [{"title": b.title, "payload": b.payload} for b in rating_buttons(ended_by)]
        forms = address_forms(turn.state.addressee)
        dispatcher.utter_message(response="utter_ask_rating", buttons=buttons, **forms)
    else:
        dispatcher.utter_message(json_message={RATING_KEY: {"ended_by": ended_by}})


def _model_id(tracker: Tracker) -> str:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return str((event.get("metadata") or {}).get("model_id") or "")
    return ""


def _fallback_message_id(tracker: Tracker, text: str) -> str:
    """Stable id when the channel gave none: the user event's timestamp + text."""
    timestamp: Optional[float] = None
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            timestamp = event.get("timestamp")
            break
    return hashlib.sha256(f"{timestamp}|{text}".encode()).hexdigest()[:32]


EARLIER_LINES = 8  # what staff see of the conversation before an escalation


def earlier_lines(tracker: Tracker, limit: int = EARLIER_LINES) -> Tuple[Tuple[str, str], ...]:
    """The session's last words before the guest's current message, oldest first."""
    lines: List[Tuple[str, str]] = []
    current_seen = False
    for event in reversed(tracker.events):
        kind, text = event.get("event"), str(event.get("text") or "")
        if kind == "session_started" and current_seen:
            break
        if kind == "user" and not current_seen:
            current_seen = True  # the message being answered: the escalation's own text
        elif kind == "user" and text and not text.startswith("/"):  # a button: no words
            lines.append(("guest", text))
        elif kind == "bot" and current_seen and text:
            lines.append(("bot", text))
        if len(lines) >= limit:
            break
    return tuple(reversed(lines))


def with_earlier(records: Sequence[LogRecord], tracker: Tracker) -> List[LogRecord]:
    """Escalations carry the conversation so far, for the staff transcript."""
    if not any(isinstance(record, HandoffRequested) for record in records):
        return list(records)
    earlier = earlier_lines(tracker)
    return [
        replace(record, earlier=earlier) if isinstance(record, HandoffRequested) else record
        for record in records
    ]


class NeedAction(Action, ABC):
    """Base of the actions: read state and need, let the dialogue decide, log, reply."""

    def __init__(self, bot: Optional[Assistant] = None) -> None:
        self._bot = bot  # None: the process-wide assistant, built on first use

    @property
    def bot(self) -> Assistant:
        """The assistant this action talks to."""
        return self._bot or assistant()

    @abstractmethod
    def decide(self, bot: Assistant, state: State, reading: NeedReading, message: Message) -> Turn:
        """The dialogue step this action stands for."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        """Run one turn of the need dialogue."""
        bot = self.bot
        state = state_from(tracker)
        reading = bot.inference.read(parse_of(tracker), current_need=state.need)
        message = message_from(tracker)
        if bot.held(message.context.conversation_key):
            turn = bot.dialogue.while_held(state, reading, message)
            if not turn.replies:  # said, not silence: the channel answers "busy" to silence
                dispatcher.utter_message(json_message=HELD_BY_STAFF)
        else:
            turn = self.decide(bot, state, reading, message)
        bot.need_log.write(with_earlier(turn.records, tracker))
        events = apply_turn(turn, dispatcher, state)
        if message.context.table and message.context.table != tracker.get_slot(SLOT_TABLE):
            events.append(SlotSet(SLOT_TABLE, message.context.table))
        return events
