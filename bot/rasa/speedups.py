"""Measured fixes to Rasa 3.6's hot path, installed in the Rasa server process.

Each one was found by profiling ``make bench`` with py-spy and keeps Rasa's
behaviour (tests/scale/test_speedups.py compares each with Rasa's own code);
only repeated or needless work is left out.

* ``RemoteAction._validate_action_result`` checks every action-server
  response with the one-shot ``jsonschema.validate``, which re-validates the
  schema against the Draft 2020-12 meta-schema and rebuilds the validator on
  each call: ~45 % of the server's CPU at 50 concurrent conversations. Here
  the validators are built once. Even so, each event was tried against all 23
  branches of the schema's ``oneOf`` (~7 % of the CPU): the branches differ by
  their ``event`` constant, so an event is first checked against its own
  branch alone, which passes exactly when the ``oneOf`` does. Anything that
  does not pass that way goes through the whole schema, whose verdict and
  error message (Rasa's) are the ones that count.
* ``Event.resolve_by_type`` walks every ``Event`` subclass (with
  ``inspect.isabstract`` on each) for every event it deserialises, and the
  tracker store deserialises the whole conversation each turn: ~8 % of the
  server's CPU at one client. Here the name -> class map is built once (first
  match wins, as in Rasa's loop) and rebuilt when a name is not in it.
* ``DaskGraphRunner.run`` hands each NLU parse and each policy prediction to
  dask's scheduler, and first cuts the graph down to the targets' ancestors
  again: the scheduler's bookkeeping is ~7 % of the server's CPU at 50
  concurrent conversations, for graphs of a dozen nodes run one after the
  other. Here the same nodes are called depth first with the same inputs,
  each once, and the cut graph is kept per set of targets.
* ``DialogueStateTracker.past_states`` replays the whole conversation on every
  call: :mod:`bot.rasa.past_states` replays only the events added since.
* JSON: the tracker store writes and reads the whole conversation each turn,
  and each action call sends it: ``json`` was ~9.5 % of the CPU. orjson writes
  and reads the same JSON several times faster; what it refuses goes to
  ``json`` as before. One difference: NaN and infinities, which JSON has no
  words for, are written as ``null`` (Python's ``json`` writes ``NaN``, which
  other JSON readers reject); nothing in a tracker of ours is NaN.
* DIET joins the sparse features of the three CountVectors featurizers with
  ``scipy.sparse.hstack`` (through ``bmat``, ~0.4 ms a call, four calls a
  message: ~7 % of the CPU). Two COO matrices are joined here as ``bmat``
  joins them (data, rows, columns shifted by the left width; same dtypes);
  anything else still goes through ``hstack``.
* ``RulePolicy._get_possible_keys`` filters the rule keys against every state
  of the conversation, newest first, though a rule of n turns can only fail
  on the n newest (``_is_rule_applicable`` is true beyond): ~5 % of the CPU
  in long conversations. Here the filtering stops once it is past the longest
  rule still possible, or when none is left; the keys kept are the same.
* Every tracker (one per turn from the store, one per replay) copies each
  slot with ``copy.copy``'s generic protocol (~3 %); ``Slot.__copy__`` does
  the same shallow copy directly.
"""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple, Type, Union

import aiohttp
import numpy as np
import orjson
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.tracker_store import (
    SerializedTrackerAsText,
    TrackerDeserialisationException,
    TrackerStore,
)
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import State
from rasa.shared.core.events import Event
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import Dialogue, DialogueStateTracker
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig
from scipy.sparse import coo_matrix

from bot.rasa import past_states

_resolve_event_by_type = Event.resolve_by_type
_dask_run = DaskGraphRunner.run  # Rasa's, for the tests' comparisons
_rasa_combine_sparse = Features._combine_sparse_features
_rasa_possible_keys = RulePolicy._get_possible_keys


@dataclass(frozen=True)
class _ResponseCheck:
    """Rasa's action-response schema, whole and split by event type."""

    whole: Any  # the full schema's validator: the verdict and error of record
    outline: Any  # the response with every event only required to be an object
    by_event: Dict[str, Any]  # event type -> the item schema with only its branch


@functools.lru_cache(maxsize=1)
def _response_check() -> _ResponseCheck:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    items = schema["properties"]["events"]["items"]
    outline = copy.deepcopy(schema)
    outline["properties"]["events"]["items"] = {"type": "object"}
    common = {key: value for key, value in items.items() if key != "oneOf"}
    by_event = {
        branch["properties"]["event"]["const"]: validator_class({**common, "allOf": [branch]})
        for branch in items["oneOf"]
    }
    if len(by_event) != len(items["oneOf"]):  # branches not told apart by their type
        by_event = {}
    return _ResponseCheck(validator_class(schema), validator_class(outline), by_event)


def _surely_valid(check: _ResponseCheck, result: Dict[str, Any]) -> bool:
    """True only if ``result`` matches the schema; False sends it to the full check."""
    if not check.by_event or not check.outline.is_valid(result):
        return False
    for event in result.get("events") or ():
        kind = event.get("event")  # a dict: the outline says so
        validator = check.by_event.get(kind) if isinstance(kind, str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    check = _response_check()
    if _surely_valid(check, result):
        return True
    try:
        check.whole.validate(result)
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


def _needed_nodes(runner: DaskGraphRunner, targets: Tuple[str, ...]) -> Dict[str, List[str]]:
    """Node -> the nodes it needs, for the targets' part of the graph (kept per runner)."""
    cut: Dict[Tuple[str, ...], Dict[str, List[str]]] = runner.__dict__.setdefault("_hieu_y_cut", {})
    if targets not in cut:
        schema = runner._graph_schema.minimal_graph_schema(list(targets))
        cut[targets] = {name: list(node.needs.values()) for name, node in schema.nodes.items()}
    return cut[targets]


def _run_graph(
    self: DaskGraphRunner,
    inputs: Optional[Dict[str, Any]] = None,
    targets: Optional[List[str]] = None,
) -> Dict[str, Any]:
    """``DaskGraphRunner.run``: same nodes, inputs, results and errors, without dask."""
    run_targets: Sequence[str] = targets if targets else self._graph_schema.target_names
    needs = _needed_nodes(self, tuple(run_targets))
    given: Dict[str, Tuple[str, Any]] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and (value in needs or value in given):
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure "
                f"that none of the input names passed to the `run` method are the "
                f"same as node names in the graph schema."
            )
        given[name] = (name, value)
    done: Dict[str, Any] = {}

    def result(name: str) -> Any:
        if name in given:
            return given[name]
        if name not in needs:  # dask passes an unknown key on as its name
            return name
        if name not in done:
            node = self._instantiated_nodes[name]
            done[name] = node(*[result(need) for need in needs[name]])
        return done[name]

    try:
        return dict(result(target) for target in run_targets)
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error


def _dumps(value: Any) -> str:
    """``json.dumps`` through orjson: the same JSON, in UTF-8 instead of escapes."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson refuses (keys that are not strings, big ints)
        return json.dumps(value)


def _loads(text: Union[str, bytes]) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # what only Python reads (NaN), and its errors
        return json.loads(text)


def _serialise_tracker(tracker: DialogueStateTracker) -> str:
    """``SerializedTrackerAsText.serialise_tracker`` with :func:`_dumps`."""
    return _dumps(tracker.as_dialogue().as_dict())


def _deserialise_tracker(
    self: TrackerStore, sender_id: str, serialised_tracker: Union[str, bytes]
) -> Optional[DialogueStateTracker]:
    """``TrackerStore.deserialise_tracker`` with :func:`_loads`."""
    tracker = self.init_tracker(sender_id)
    try:
        dialogue = Dialogue.from_parameters(_loads(serialised_tracker))
    except UnicodeDecodeError as error:
        raise TrackerDeserialisationException(
            "Tracker cannot be deserialised. "
            "Trackers must be serialised as json. "
            "Support for deserialising pickled trackers has been removed."
        ) from error
    tracker.recreate_from_dialogue(dialogue)
    return tracker


def _endpoint_session(self: EndpointConfig) -> aiohttp.ClientSession:
    """``EndpointConfig.session`` whose JSON bodies are written by :func:`_dumps`."""
    auth = None
    if self.basic_auth:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=_dumps,
    )


def _combine_sparse_features(self: Features, additional_features: Features) -> None:
    """``Features._combine_sparse_features``, joining two COO matrices directly."""
    left, right = self.features, additional_features.features
    joinable = isinstance(left, coo_matrix) and isinstance(right, coo_matrix)
    if not joinable or left.shape[0] != right.shape[0]:  # Rasa's join, or its error
        return _rasa_combine_sparse(self, additional_features)
    self.features = coo_matrix(
        (
            np.concatenate((left.data, right.data)),
            (
                np.concatenate((left.row, right.row)),
                np.concatenate((left.col, right.col + left.shape[1])),
            ),
        ),
        shape=(left.shape[0], left.shape[1] + right.shape[1]),
    )
    self._cached_fingerprint = None
    return None


def _possible_rule_keys(self: RulePolicy, lookup: Dict[str, str], states: List[State]) -> Set[str]:
    """``RulePolicy._get_possible_keys``, looking back only as far as a rule reaches."""
    possible_keys = set(lookup.keys())
    for turn_index, state in enumerate(reversed(states)):
        if not possible_keys or turn_index >= max(
            len(self._rule_key_to_state(key)) for key in possible_keys
        ):
            break  # every key left is applicable to the older turns
        possible_keys = {
            key for key in possible_keys if self._is_rule_applicable(key, turn_index, state)
        }
    return possible_keys


def _copy_slot(self: Slot) -> Slot:
    """``copy.copy(slot)`` as the default protocol does it: a new object, same attributes."""
    duplicate = self.__class__.__new__(self.__class__)
    duplicate.__dict__.update(self.__dict__)
    return duplicate


def install() -> None:
    """Install every fix (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    DaskGraphRunner.run = _run_graph
    DialogueStateTracker.past_states = past_states.past_states
    SerializedTrackerAsText.serialise_tracker = staticmethod(_serialise_tracker)
    TrackerStore.deserialise_tracker = _deserialise_tracker
    EndpointConfig.session = _endpoint_session
    Slot.__copy__ = _copy_slot
    Features._combine_sparse_features = _combine_sparse_features
    RulePolicy._get_possible_keys = _possible_rule_keys
