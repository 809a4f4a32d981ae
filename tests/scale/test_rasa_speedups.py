"""The compiled action-response validator accepts and rejects exactly what Rasa's does."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_speedups

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
    rasa_speedups.install()
    action = RemoteAction("action_x", None)
    assert action._validate_action_result(GOOD) is True
    with pytest.raises(
        jsonschema.ValidationError, match="Failed to validate Action server response"
    ):
        action._validate_action_result(BAD)
