"""The incremental replay gives exactly Rasa's past states, call after call."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.paths import ROOT
from bot.rasa.past_states import past_states

RULE_ONLY = {"slots": ["need"], "loops": ["booking_form"]}
FLAGS: List[Dict[str, Any]] = [
    {},
    {"omit_unset_slots": True},
    {"ignore_rule_only_turns": True, "rule_only_data": RULE_ONLY},
    {"ignore_rule_only_turns": True, "rule_only_data": None},
]


def _user(text: str, intent: str, entities: Optional[list] = None) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9}, entities or [])


def conversation() -> List[Event]:
    """A conversation with rule-only turns, a form, a rewind and a restart."""
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        _user("em ơi có sạc không", "phone_power", [{"entity": "item", "value": "charger"}]),
        ActionExecuted("action_need", hide_rule_turn=True),
        SlotSet("need", "phone_power"),
        BotUttered("Dạ, anh cần gọi gấp hay sạc máy ạ?"),
        ActionExecuted("action_listen", hide_rule_turn=True),
        _user("sạc máy", "choose_subgoal"),
        ActionExecuted("action_need"),
        SlotSet("sub_goal", "charge_own_phone"),
        ActionExecuted("action_listen"),
        _user("tối nay còn bàn không", "book_table"),
        ActionExecuted("booking_form", hide_rule_turn=True),
        ActiveLoop("booking_form"),
        FollowupAction("booking_form"),
        ActionExecuted("booking_form"),
        ActionExecuted("action_listen"),
        _user("7h", "inform"),
        ActionExecuted("action_listen"),
        UserUtteranceReverted(),
        _user("7 giờ tối", "inform"),
        ActionExecuted("booking_form"),
        ActiveLoop(None),
        ActionExecuted("action_listen"),
        Restarted(),
        ActionExecuted("action_listen"),
        _user("cảm ơn em", "thank"),
        ActionExecuted("utter_thank"),
        ActionExecuted("action_listen"),
    ]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.mark.parametrize("flags", FLAGS)
def test_same_states_as_rasa_after_every_event(domain: Domain, flags: Dict[str, Any]) -> None:
    tracker = DialogueStateTracker("guest", domain.slots)
    for event in conversation():
        tracker.update(event)
        expected = domain.states_for_tracker_history(tracker, **flags)
        assert past_states(tracker, domain, **flags) == expected
        assert past_states(tracker, domain, **flags) == expected  # asked again, same answer


def test_every_flag_set_on_one_tracker_in_turn(domain: Domain) -> None:
    tracker = DialogueStateTracker("guest", domain.slots)
    for event in conversation():
        tracker.update(event)
        for flags in FLAGS:
            assert past_states(tracker, domain, **flags) == domain.states_for_tracker_history(
                tracker, **flags
            )


def test_callers_may_edit_what_they_get(domain: Domain) -> None:
    tracker = DialogueStateTracker("guest", domain.slots)
    for event in conversation()[:12]:
        tracker.update(event)
    expected = domain.states_for_tracker_history(tracker)
    given = past_states(tracker, domain)
    for state in given:  # what the featurizers do to the last user input, and more
        state.get("user", {}).pop("intent", None)
        state.pop("slots", None)
    given.clear()
    assert past_states(tracker, domain) == expected
    tracker.update(_user("ok", "affirm"))
    assert past_states(tracker, domain) == domain.states_for_tracker_history(tracker)


def test_a_history_that_is_not_an_extension_is_replayed_from_the_start(domain: Domain) -> None:
    events = conversation()
    first = DialogueStateTracker("guest", domain.slots)
    for event in events[:12]:
        first.update(event)
    past_states(first, domain)
    other = DialogueStateTracker.from_events("guest", events[:8], domain.slots)
    other.__dict__.update({key: value for key, value in first.__dict__.items() if "hieu" in key})
    assert past_states(other, domain) == domain.states_for_tracker_history(other)
