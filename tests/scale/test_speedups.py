"""The compiled action-response validator accepts and rejects exactly what Rasa's does."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.rasa import speedups

GOOD = {
    "events": [{"event": "slot", "name": "need", "value": "phone_power"}],
    "responses": [{"text": "Dạ", "buttons": [{"title": "Ổn", "payload": "/affirm"}]}],
}
BAD = {"events": [{"name": "need"}], "responses": []}  # an event without "event"


def test_same_verdicts_as_rasa_one_shot_validation() -> None:
    schema = RemoteAction.action_response_format_spec()
    jsonschema.validate(GOOD, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(BAD, schema)
    speedups.install()
    action = RemoteAction("action_x", None)
    assert action._validate_action_result(GOOD) is True
    with pytest.raises(
        jsonschema.ValidationError, match="Failed to validate Action server response"
    ):
        action._validate_action_result(BAD)


def test_event_classes_resolve_exactly_as_rasa_resolves_them() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    original = speedups._resolve_event_by_type
    speedups.install()
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert Event.resolve_by_type(name) is original(name)
    assert Event.resolve_by_type("topic") is None  # Rasa's backwards compatibility
    assert Event.resolve_by_type("no_such_event", Event) is Event
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    events = [
        {"event": "slot", "name": "need", "value": "wifi"},
        {"event": "action", "name": "action_listen"},
    ]
    assert [type(e).__name__ for e in map(Event.from_parameters, events)] == [
        "SlotSet",
        "ActionExecuted",
    ]
