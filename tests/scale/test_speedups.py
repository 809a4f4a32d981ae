"""Each fix of bot.rasa.speedups gives exactly what Rasa gives without it."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

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


RESPONSES = [
    GOOD,
    BAD,
    {"events": [], "responses": []},
    {},
    {"events": [{"event": "user", "text": "chào", "parse_data": {"intent": {"name": "greet"}}}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "item"}]}}]},  # no value
    {"events": [{"event": "action", "name": "action_listen", "policy": None}]},
    {"events": [{"event": "slot", "name": "need"}]},  # a slot event without its value
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": ["slot"]}]},
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": "today"}]},
    {"events": ["slot"]},
    {"events": None},
    {"events": [{"event": "bot", "text": "Dạ"}], "responses": [{"text": 3}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "x"}]},
]


@pytest.mark.parametrize("result", RESPONSES)
def test_split_schema_check_agrees_with_the_whole_schema(result: dict) -> None:
    speedups.install()
    schema = RemoteAction.action_response_format_spec()
    try:
        jsonschema.validate(result, schema)
        valid = True
    except jsonschema.ValidationError:
        valid = False
    check = speedups._response_check()
    assert len(check.by_event) == len(schema["properties"]["events"]["items"]["oneOf"])
    assert speedups._surely_valid(check, result) is valid
    action = RemoteAction("action_x", None)
    if valid:
        assert action._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate"):
            action._validate_action_result(result)


class Double(GraphComponent):
    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> "Double":
        return cls()

    def run(self, x: int) -> int:
        if x < 0:
            raise RuntimeError("negative")
        return 2 * x


class Add(Double):
    def run(self, a: int, b: int) -> int:  # type: ignore[override]
        return a + b


def _runner(tmp_path) -> DaskGraphRunner:
    def node(uses: type, needs: dict, target: bool = False) -> SchemaNode:
        return SchemaNode(needs, uses, "create", "run", {}, is_target=target)

    schema = GraphSchema(
        {
            "double": node(Double, {"x": "__x__"}),
            "twice": node(Double, {"x": "double"}),
            "sum": node(Add, {"a": "twice", "b": "double"}, target=True),
            "lonely": node(Double, {"x": "__y__"}, target=True),
        }
    )
    storage = LocalModelStorage(tmp_path)
    return DaskGraphRunner(schema, storage, ExecutionContext(schema, "test"))


def test_graph_runner_gives_dasks_results_and_errors(tmp_path) -> None:
    speedups.install()
    runner = _runner(tmp_path)
    for inputs, targets in [
        ({"__x__": 3}, ["sum"]),
        ({"__x__": 3, "__y__": 5}, None),
        ({"__x__": 1}, ["twice", "double"]),
    ]:
        assert runner.run(inputs, targets) == speedups._dask_run(runner, inputs, targets)
    assert runner.run({"__x__": 3}, ["sum"]) == {"sum": 18}
    for run in (runner.run, lambda *a: speedups._dask_run(runner, *a)):
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            run({"__x__": "double"}, ["sum"])
        with pytest.raises(GraphComponentException):  # a component's error, as Rasa wraps it
            run({"__x__": -1}, ["sum"])


def test_trackers_written_and_read_back_as_rasa_does() -> None:
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    from bot.paths import ROOT

    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events(
        "khách",
        [
            UserUttered("Em ơi, có sạc không? 😀", {"name": "phone_power", "confidence": 0.9}),
            SlotSet("need", "phone_power"),
        ],
        domain.slots,
    )
    store = InMemoryTrackerStore(domain)
    speedups.install()
    text = store.serialise_tracker(tracker)
    assert json.loads(text) == json.loads(json.dumps(tracker.as_dialogue().as_dict()))
    again = store.deserialise_tracker("khách", text)
    assert [e.as_dict() for e in again.events] == [e.as_dict() for e in tracker.events]
    assert store.deserialise_tracker("khách", text.encode()) is not None  # bytes, as Redis gives
    assert speedups._dumps({1: "một"}) == json.dumps({1: "một"})  # what orjson refuses
    assert speedups._loads('{"x": NaN}')["x"] != 0  # what only Python's json reads
    assert speedups._dumps(float("nan")) == "null"  # not JSON: orjson writes null (documented)
    slot = domain.slots[0]
    copied = copy.copy(slot)
    assert copied is not slot and type(copied) is type(slot) and vars(copied) == vars(slot)


@pytest.mark.parametrize(
    "dtypes", [("int64", "int64"), ("float64", "int64"), ("float32", "float32")]
)
def test_sparse_features_joined_as_scipy_joins_them(dtypes: tuple) -> None:
    import numpy as np
    import scipy.sparse
    from rasa.shared.nlu.training_data.features import Features

    def features(width: int, dtype: str, seed: int) -> Features:
        matrix = scipy.sparse.random(7, width, density=0.05, format="coo", random_state=seed)
        return Features(matrix.astype(dtype), "sequence", "text", f"origin{seed}")

    speedups.install()
    ours, rasas = features(300, dtypes[0], 1), features(300, dtypes[0], 1)
    for seed, width in ((2, 900), (3, 50)):
        extra = features(width, dtypes[1], seed)
        ours.combine_with_features(extra)
        speedups._rasa_combine_sparse(rasas, extra)
    joined, expected = ours.features, rasas.features
    assert joined.format == expected.format == "coo" and joined.shape == expected.shape
    assert joined.dtype == expected.dtype and joined.row.dtype == expected.row.dtype
    for name in ("data", "row", "col"):
        assert np.array_equal(getattr(joined, name), getattr(expected, name))
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        ours.combine_with_features(
            Features(scipy.sparse.coo_matrix((2, 3)), "sequence", "text", "x")
        )


def test_rule_keys_found_as_rasa_finds_them(trained_model) -> None:
    from rasa.core.agent import Agent
    from rasa.core.policies.rule_policy import RulePolicy

    from tests.scale.test_past_states import conversation

    agent = Agent.load(str(trained_model))
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    policy = next(n._component for n in nodes if isinstance(n._component, RulePolicy))
    lookup = policy.lookup["rules"]
    histories = [json.loads(key) for key in lookup]  # each rule's own turns
    histories += [history[:-1] for history in histories if len(history) > 1]
    tracker = DialogueStateTracker("guest", agent.domain.slots)
    for event in conversation():
        tracker.update(event)
        histories.append(tracker.past_states(agent.domain))
    older = histories[0]  # the same rules after a longer conversation
    histories += [older + history for history in histories[: len(lookup)]]
    assert len(lookup) > 40 and len(histories) > 100
    speedups.install()
    for states in histories:
        expected = speedups._rasa_possible_keys(policy, lookup, copy.deepcopy(states))
        assert speedups._possible_rule_keys(policy, lookup, copy.deepcopy(states)) == expected
    assert any(speedups._possible_rule_keys(policy, lookup, states) for states in histories)
