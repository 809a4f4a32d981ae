"""Rasa actions of the booking form: a thin adapter over ``bot.business.booking_talk``.

``action_booking_request`` says the need back and fills what the message gave
(or changes / cancels a booking by its code); ``booking_form`` asks only for
what is missing, with ``validate_booking_form`` reading each answer;
``action_book_table`` books it or offers alternatives as buttons.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapter import SLOT_ADDRESSEE, message_from
from bot.assistant import assistant
from bot.business import booking_talk as talk
from bot.business.answers import Answer
from bot.language.address import detect_addressee
from bot.needs.log import QuestionAnswered, occurrence_key

FORM_SLOTS = (*talk.REQUIRED, talk.WAITLIST)


def utter_answer(dispatcher: CollectingDispatcher, answer: Answer) -> None:
    """Send an answer's messages, its buttons with the last one."""
    buttons = [{"title": title, "payload": payload} for title, payload in answer.buttons]
    for index, text in enumerate(answer.messages):
        dispatcher.utter_message(
            text=text, buttons=buttons if index == len(answer.messages) - 1 else []
        )


def _entities(tracker: Tracker) -> Dict[str, Any]:
    return {e.get("entity"): e.get("value") for e in tracker.latest_message.get("entities") or []}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _table(tracker: Tracker) -> Optional[str]:
    """The table number the widget passes as message metadata (SPEC §4), if any."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            table = (event.get("metadata") or {}).get("table")
            return str(table)[:16] if table not in (None, "") else None
    return None


def _managed(kind: str, code: Optional[str], text: str, addressee: Optional[str]) -> Answer:
    """Change or cancel the booking ``code`` (the one made in this conversation by default)."""
    if code is None:
        return talk.ask_for_code(addressee)
    desk = assistant().bookings
    if kind == talk.CANCEL:
        return talk.cancel(desk, code, _now(), addressee)
    return talk.change(desk, code, text, _now(), addressee)


class ActionBookingRequest(Action):
    """A message about a table: a new booking (reflect, prefill) or a change / cancellation."""

    def name(self) -> str:
        """Action name used in domain.yml and the rules."""
        return "action_booking_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        """Answer a change / cancellation at once, else set what the message gave."""
        bot, now = assistant(), _now()
        message = message_from(tracker)
        # "chị muốn đặt bàn" is answered "Dạ chị …", as the need dialogue does
        addressee = detect_addressee(message.text) or tracker.get_slot(SLOT_ADDRESSEE)
        code = talk.find_code(message.text)
        kind = talk.manage_kind(message.text, code)
        key = occurrence_key(message.context.conversation_key, message.context.message_id, "book")
        bot.need_log.write([QuestionAnswered(key, talk.TOPIC, message.text, message.context)])
        if kind is not None:
            code = code or tracker.get_slot(talk.CODE)
            utter_answer(dispatcher, _managed(kind, code, message.text, addressee))
            return [
                SlotSet(talk.CODE, code),
                SlotSet(SLOT_ADDRESSEE, addressee),
                SlotSet("booking_step", talk.MANAGED),
            ]
        profile = bot.desk.profile
        values = talk.heard(profile, message.text, now, _entities(tracker))
        kept = {talk.NAME: tracker.get_slot(talk.NAME), talk.PHONE: tracker.get_slot(talk.PHONE)}
        draft = talk.Draft.from_slots({**kept, **values})
        utter_answer(dispatcher, talk.reflection(profile, draft, now, addressee, message.text))
        fresh = {slot: values.get(slot) for slot in FORM_SLOTS if slot not in kept}
        fresh.update({slot: values[slot] for slot in kept if slot in values})
        fresh[SLOT_ADDRESSEE] = addressee
        return [SlotSet(slot, value) for slot, value in fresh.items()] + [
            SlotSet("booking_step", talk.BOOK)
        ]


class ValidateBookingForm(FormValidationAction):
    """Reads each answer to the form's questions ("7h tối", "4 người", a phone number)."""

    def name(self) -> str:
        """Action name used in domain.yml."""
        return "validate_booking_form"

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        """Every form slot the latest message gives, read by ``booking_talk.heard``."""
        text = tracker.latest_message.get("text") or ""
        requested = tracker.get_slot("requested_slot")
        values = talk.heard(assistant().desk.profile, text, _now(), _entities(tracker), requested)
        return [SlotSet(slot, value) for slot, value in values.items() if slot in FORM_SLOTS]


class ActionAskBookingBranch(Action):
    """Which branch, with a button per branch of the profile."""

    def name(self) -> str:
        """Action name the form calls to ask for ``booking_branch``."""
        return "action_ask_booking_branch"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        """Ask which branch."""
        profile = assistant().desk.profile
        utter_answer(dispatcher, talk.branch_question(profile, tracker.get_slot(SLOT_ADDRESSEE)))
        return []


class ActionBookTable(Action):
    """The form is complete: book, or offer the nearest free times, another branch, the list."""

    def name(self) -> str:
        """Action name used in the rules."""
        return "action_book_table"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        """Book the table the slots describe."""
        bot = assistant()
        draft = talk.Draft.from_slots({slot: tracker.get_slot(slot) for slot in FORM_SLOTS})
        answer, code = talk.submit(
            bot.bookings,
            draft,
            _now(),
            conversation_key=message_from(tracker).context.conversation_key,
            table=_table(tracker),
            addressee=tracker.get_slot(SLOT_ADDRESSEE),
        )
        utter_answer(dispatcher, answer)
        if code is None:  # alternatives were offered: their buttons carry the whole booking
            return [SlotSet(talk.WAITLIST, False)]
        cleared = [SlotSet(slot, None) for slot in talk.CLEARED_AFTER_BOOKING]
        return [SlotSet(talk.CODE, code), *cleared]
