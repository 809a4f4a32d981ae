"""Measured fixes to Rasa 3.6's hot path, installed in the Rasa server process.

Each one was found by profiling ``make bench`` with py-spy and keeps Rasa's
behaviour exactly; only repeated work is done once.

* ``RemoteAction._validate_action_result`` checks every action-server
  response with the one-shot ``jsonschema.validate``, which re-validates the
  schema against the Draft 2020-12 meta-schema and rebuilds the validator on
  each call: ~45 % of the server's CPU at 50 concurrent conversations. Here
  the validator is built once; schema, checks and error message are Rasa's.
* ``Event.resolve_by_type`` walks every ``Event`` subclass (with
  ``inspect.isabstract`` on each) for every event it deserialises, and the
  tracker store deserialises the whole conversation each turn: ~8 % of the
  server's CPU at one client. Here the name -> class map is built once (first
  match wins, as in Rasa's loop) and rebuilt when a name is not in it.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Optional, Type

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_resolve_event_by_type = Event.resolve_by_type


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    try:
        _response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise


@functools.lru_cache(maxsize=1)
def _event_classes() -> Dict[str, Type[Event]]:
    classes: Dict[str, Type[Event]] = {}
    for cls in all_subclasses(Event):
        classes.setdefault(cls.type_name, cls)
    return classes


def _resolve_by_type(
    type_name: str, default: Optional[Type[Event]] = None
) -> Optional[Type[Event]]:
    cls = _event_classes().get(type_name)
    if cls is None:  # an event class defined after the map was built, or none
        _event_classes.cache_clear()
        cls = _event_classes().get(type_name)
    return cls or _resolve_event_by_type(type_name, default)


def install() -> None:
    """Install both fixes (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
