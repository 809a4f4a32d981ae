"""The Rasa SDK adapter: dialogue state <-> slots, only changed slots sent back, one real turn."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any, Dict, List, Optional, Sequence

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.adapter import (
    HELD_BY_STAFF,
    SLOT_CANDIDATES,
    SLOT_NEED,
    SLOT_PENDING,
    SLOT_STAGE,
    SLOT_TABLE,
    apply_turn,
    message_from,
    slot_values,
    state_from,
    table_of,
)
from actions.booking import FORM_SLOTS
from actions.needs import ActionUnderstandNeed
from actions.outcomes import ActionFeedback, ActionHandoff, ActionRate
from bot.assistant import Assistant
from bot.business import booking_talk as talk
from bot.needs.dialogue import (
    AWAIT_FEEDBACK,
    CLARIFY_SUB_GOAL,
    Button,
    Message,
    Pending,
    Reply,
    State,
    Turn,
)
from bot.needs.log import (
    Context,
    GuestSaid,
    HandoffRequested,
    LogRecord,
    NeedOpened,
    RatingGiven,
)
from bot.paths import ROOT

FULL = State(
    need="phone_power",
    sub_goal="charge_own_phone",
    stage=AWAIT_FEEDBACK,
    key="occ-1",
    candidates=("phone_power", "internet_access"),
    pending=(Pending("restroom", "occ-2"), Pending("parking", "occ-3")),
    addressee="chị",
)


class ListLog:
    """A need log that keeps what it is given."""

    def __init__(self) -> None:
        self.records: List[LogRecord] = []

    def write(self, records: Sequence[LogRecord]) -> None:
        self.records += records


def tracker(
    slots: Optional[Dict[str, Any]] = None,
    text: str = "",
    intent: str = "",
    sender: str = "guest-1",
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95},
        "intent_ranking": [{"name": intent, "confidence": 0.95}] if intent else [],
        "entities": [],
        "message_id": "m-1",
    }
    events = [{"event": "user", "timestamp": 1.0, "metadata": {"model_id": "model-1"}}]
    return Tracker(sender, slots or {}, latest, events, False, None, {}, "action_listen")


@pytest.fixture(scope="module")
def assistant_with_log() -> Assistant:
    return Assistant(ListLog())


@pytest.fixture(autouse=True)
def _secret(monkeypatch) -> None:
    monkeypatch.setenv("CONVERSATION_KEY_SECRET", "actions-test-secret")


def run(action: Any, slots: Dict[str, Any], text: str, intent: str):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker(slots, text, intent), {}))
    return dispatcher.messages, events


# --- state <-> slots ---------------------------------------------------------------------


def test_the_slots_are_the_domains():
    """The dialogue's state and the booking form's answers are every slot of the domain."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    # the booking form's answers and where the guest sits are not dialogue state
    booking = {*FORM_SLOTS, talk.CODE, "booking_step"}
    assert set(slot_values(State())) | booking | {SLOT_TABLE} == set(domain["slots"])
    assert not set(slot_values(State())) & booking


@pytest.mark.parametrize("state", [State(), FULL, FULL.cleared(), State(candidates=("a", "b"))])
def test_state_round_trips_through_the_slots(state):
    assert state_from(tracker(slot_values(state))) == state


def test_slots_are_plain_json_values():
    values = slot_values(FULL)
    assert values[SLOT_CANDIDATES] == ["phone_power", "internet_access"]
    assert values[SLOT_PENDING] == [
        {"need": "restroom", "key": "occ-2"},
        {"need": "parking", "key": "occ-3"},
    ]


def test_an_empty_tracker_is_the_initial_state():
    assert state_from(tracker()) == State()


def test_malformed_pending_entries_are_dropped():
    slots = {SLOT_PENDING: [{"need": "restroom", "key": "k"}, {"need": "x"}, "junk", None]}
    assert state_from(tracker(slots)).pending == (Pending("restroom", "k"),)


def test_the_message_carries_a_hashed_sender_and_the_model():
    message = message_from(tracker(text="em có sạc không", intent="phone_power"))
    assert message.text == "em có sạc không"
    assert message.intent == "phone_power"
    assert message.context.message_id == "m-1"
    assert message.context.model_id == "model-1"
    assert message.context.conversation_key != "guest-1"
    assert len(message.context.conversation_key) >= 16


# --- only what changed travels back -----------------------------------------------------


def _turn(after: State, replies: Sequence[Reply] = ()) -> Turn:
    message = Message("x", Context("conv", "m"))
    turn = Turn(state=after, message=message)
    turn.replies.extend(replies)
    return turn


def test_only_changed_slots_are_returned():
    before = FULL
    after = replace(FULL, stage=CLARIFY_SUB_GOAL, sub_goal=None)
    events = apply_turn(_turn(after), CollectingDispatcher(), before)
    assert sorted(events, key=lambda e: e["name"]) == [
        SlotSet(SLOT_STAGE, CLARIFY_SUB_GOAL),
        SlotSet("sub_goal", None),
    ]


def test_an_unchanged_state_returns_no_events():
    assert apply_turn(_turn(FULL), CollectingDispatcher(), FULL) == []


def test_replies_go_out_as_responses_or_text_with_buttons():
    replies = [
        Reply(response="utter_glad", variables={"kh": "anh"}),
        Reply(text="Chọn giúp em ạ", buttons=(Button("Sạc", "/choose_need"),)),
    ]
    dispatcher = CollectingDispatcher()
    apply_turn(_turn(State(), replies), dispatcher, State())
    first, second = dispatcher.messages
    assert first["response"] == "utter_glad"
    assert first["kh"] == "anh"
    assert second["text"] == "Chọn giúp em ạ"
    assert second["buttons"] == [{"title": "Sạc", "payload": "/choose_need"}]


def test_the_end_of_a_conversation_asks_the_channel_for_a_rating():
    turn = _turn(State(), [Reply(response="utter_goodbye")])
    turn.rating = "goodbye"
    dispatcher = CollectingDispatcher()
    apply_turn(turn, dispatcher, State())
    assert dispatcher.messages[-1]["custom"] == {"rating": {"ended_by": "goodbye"}}


def test_on_zalo_and_messenger_the_rating_is_five_star_buttons():
    turn = _turn(State(addressee="chị"), [Reply(response="utter_goodbye")])
    turn.message = Message("chào em", Context("conv", "m", channel="zalo"))
    turn.rating = "goodbye"
    dispatcher = CollectingDispatcher()
    apply_turn(turn, dispatcher, State())
    asked = dispatcher.messages[-1]
    assert (asked["response"], asked["Kh"]) == ("utter_ask_rating", "Chị")
    assert [b["title"] for b in asked["buttons"]] == ["★", "★★", "★★★", "★★★★", "★★★★★"]
    assert asked["buttons"][3]["payload"] == '/rate{"stars":4,"ended_by":"goodbye"}'


def test_a_tapped_star_is_logged_with_its_channel():
    bot = Assistant(ListLog())
    state = tracker({}, '/rate{"stars":4,"ended_by":"goodbye"}', "rate")
    state.latest_message["entities"] = [
        {"entity": "stars", "value": 4},
        {"entity": "ended_by", "value": "goodbye"},
    ]
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionRate(bot).run(dispatcher, state, {}))
    [rated] = bot.need_log.records
    assert isinstance(rated, RatingGiven) and (rated.stars, rated.ended_by) == (4, "goodbye")
    assert dispatcher.messages[0]["response"] == "utter_rating_thanks"


# --- the actions over a real assistant ------------------------------------------------------


def test_a_need_opens_logs_and_sets_only_its_slots(assistant_with_log):
    log = assistant_with_log.need_log
    log.records.clear()
    messages, events = run(
        ActionUnderstandNeed(assistant_with_log), {}, "em có sạc iphone không", "phone_power"
    )
    assert messages, "the guest gets an answer"
    slots = {event["name"]: event["value"] for event in events}
    assert slots[SLOT_NEED] == "phone_power"
    assert all(value is not None for value in slots.values())  # unchanged None slots stay home
    assert [type(record) for record in log.records][:1] == [NeedOpened]


def test_feedback_after_an_offer_settles_the_need(assistant_with_log):
    slots = slot_values(State(need="phone_power", stage=AWAIT_FEEDBACK, key="occ-9"))
    messages, events = run(ActionFeedback(assistant_with_log), slots, "ok rồi em", "affirm")
    assert messages
    assert SlotSet(SLOT_NEED, None) in events


def test_a_handoff_is_logged(assistant_with_log):
    log = assistant_with_log.need_log
    log.records.clear()
    messages, _ = run(ActionHandoff(assistant_with_log), {}, "cho em gặp nhân viên", "ask_human")
    assert messages
    assert any(isinstance(record, HandoffRequested) for record in log.records)


# --- table and hand-over -----------------------------------------------------------------


def run_at_table(action: Any, text: str, intent: str, table: Any, slots=None):
    """One turn whose message came with the widget's ``{"table": ...}`` metadata."""
    dispatcher = CollectingDispatcher()
    state = tracker(slots or {}, text, intent)
    state.latest_message["metadata"] = {"table": table}
    events = asyncio.run(action.run(dispatcher, state, {}))
    return dispatcher.messages, events


def test_the_table_from_the_widget_is_kept_and_on_every_record():
    bot = Assistant(ListLog())
    _, events = run_at_table(ActionHandoff(bot), "cho mình gặp nhân viên", "ask_human", 7)
    assert SlotSet(SLOT_TABLE, "7") in events
    assert {record.context.table for record in bot.need_log.records} == {"7"}  # type: ignore[union-attr]


def test_the_slot_keeps_the_table_when_a_message_has_none():
    state = tracker({SLOT_TABLE: "5"}, "hết pin", "phone_power")
    assert table_of(state) == "5"
    assert message_from(state).context.table == "5"
    assert table_of(tracker({}, "hết pin", "phone_power")) is None


def test_while_a_person_holds_the_chat_the_bot_is_quiet_and_staff_hear_the_guest():
    bot = Assistant(ListLog(), held=lambda _key: True)
    messages, _ = run(ActionUnderstandNeed(bot), {}, "em ơi cho thêm đá", "out_of_scope")
    assert [m.get("custom") for m in messages] == [HELD_BY_STAFF]  # no words from the bot
    [said] = bot.need_log.records
    assert isinstance(said, GuestSaid) and said.text == "em ơi cho thêm đá"


def test_while_a_person_holds_the_chat_the_bot_does_not_greet_either():
    bot = Assistant(ListLog(), held=lambda _key: True)
    messages, _ = run(ActionUnderstandNeed(bot), {}, "chào em", "greet")
    assert [m.get("custom") for m in messages] == [HELD_BY_STAFF]


def test_an_emergency_is_answered_even_while_a_person_holds_the_chat():
    bot = Assistant(ListLog(), held=lambda _key: True)
    messages, _ = run(ActionUnderstandNeed(bot), {}, "cứu với có người ngất xỉu", "health_aid")
    assert [m.get("response") for m in messages] == ["utter_emergency"]
    assert any(isinstance(r, HandoffRequested) and r.urgent for r in bot.need_log.records)


def test_an_escalation_carries_what_was_said_before_for_the_staff_transcript():
    bot = Assistant(ListLog())
    state = tracker({}, "cho em gặp nhân viên", "ask_human")
    state.events = [
        {"event": "session_started"},
        {"event": "user", "text": "em có sạc iphone không"},
        {"event": "bot", "text": "Anh/chị chỉ cần gọi nhanh một cuộc, hay cần sạc máy ạ?"},
        {"event": "user", "text": '/choose_subgoal{"need":"phone_power"}'},  # a button
        {"event": "bot", "text": "Như vậy đã ổn chưa ạ?"},
        {"event": "user", "text": "cho em gặp nhân viên", "metadata": {}},
    ]
    asyncio.run(ActionHandoff(bot).run(CollectingDispatcher(), state, {}))
    [handoff] = [r for r in bot.need_log.records if isinstance(r, HandoffRequested)]
    assert handoff.earlier == (
        ("guest", "em có sạc iphone không"),
        ("bot", "Anh/chị chỉ cần gọi nhanh một cuộc, hay cần sạc máy ạ?"),
        ("bot", "Như vậy đã ổn chưa ạ?"),
    )


@pytest.mark.parametrize(("earlier_user_events", "greeted"), [(0, True), (1, False)])
def test_a_goodbye_as_the_first_words_of_a_session_is_a_hello(earlier_user_events, greeted):
    state = tracker({}, "chào em", "goodbye")
    state.events = [
        {"event": "session_started"},
        *[{"event": "user", "text": "wifi là gì"} for _ in range(earlier_user_events)],
        {"event": "user", "text": "chào em"},
    ]
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionUnderstandNeed(Assistant(ListLog())).run(dispatcher, state, {}))
    said = dispatcher.messages[0]["response"]
    assert said == ("utter_greet" if greeted else "utter_goodbye")
