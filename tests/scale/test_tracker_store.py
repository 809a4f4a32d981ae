"""The live tracker store answers as Rasa's in-memory store would, without its JSON."""

from __future__ import annotations

import asyncio
from typing import Any, Iterable

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from bot.paths import ROOT
from bot.rasa.tracker_store import LiveTrackerStore


def run(coroutine: Any) -> Any:
    return asyncio.new_event_loop().run_until_complete(coroutine)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def turn(tracker: DialogueStateTracker, text: str, need: str) -> None:
    tracker.update(UserUttered(text, {"name": "phone_power", "confidence": 0.9}))
    tracker.update(ActionExecuted("action_need"))
    tracker.update(SlotSet("need", need))
    tracker.update(ActionExecuted("action_listen"))


def new_session(tracker: DialogueStateTracker) -> None:
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))


def dump(tracker: DialogueStateTracker) -> Iterable[Any]:
    return [event.as_dict() for event in tracker.events], tracker.current_slot_values()


def test_endpoints_yml_names_it_and_rasa_builds_it(domain: Domain) -> None:
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store")
    store = create_tracker_store(config, domain)
    assert isinstance(store, LiveTrackerStore)
    assert store.live_conversations == 256


def test_the_next_turn_gets_the_saved_tracker_itself(domain: Domain) -> None:
    store = LiveTrackerStore(domain)
    tracker = run(store.get_or_create_tracker("guest"))
    turn(tracker, "em ơi có sạc không", "phone_power")
    run(store.save(tracker))
    assert run(store.retrieve("guest")) is tracker
    assert run(store.retrieve("nobody")) is None
    assert list(run(store.keys())) == ["guest"]


def test_same_answers_as_rasas_in_memory_store(domain: Domain) -> None:
    live, rasa = LiveTrackerStore(domain, live_conversations=1), InMemoryTrackerStore(domain)
    for guest in ("a", "b", "c"):  # with one live conversation, two are written as JSON
        tracker = run(live.get_or_create_tracker(guest))
        turn(tracker, f"xin chào, mình là {guest}", "phone_power")
        new_session(tracker)  # a second session: retrieve gives only the last one
        turn(tracker, "cho mình xin wifi", "internet_access")
        run(rasa.save(tracker))
        run(live.save(tracker))
    assert sorted(run(live.keys())) == ["a", "b", "c"] and list(live.live) == ["c"]
    for guest in ("a", "b", "c"):
        assert dump(run(live.retrieve(guest))) == dump(run(rasa.retrieve(guest)))
        full = run(live.retrieve_full_tracker(guest))
        assert dump(full) == dump(run(rasa.retrieve_full_tracker(guest)))


def test_a_turn_that_failed_after_the_save_is_not_handed_on(domain: Domain) -> None:
    store = LiveTrackerStore(domain)
    tracker = run(store.get_or_create_tracker("guest"))
    turn(tracker, "có sạc không", "phone_power")
    run(store.save(tracker))
    saved = dump(tracker)
    turn(tracker, "trời mưa quá", "stay_dry")  # changed, never saved
    again = run(store.retrieve("guest"))
    assert again is not tracker and dump(again) == saved
    assert again.get_slot("need") == "phone_power"
    assert run(store.retrieve("guest")) is again  # the rebuilt one is kept


def test_a_new_domain_rebuilds_the_tracker_with_its_slots(domain: Domain) -> None:
    store = LiveTrackerStore(domain)
    tracker = run(store.get_or_create_tracker("guest"))
    turn(tracker, "có sạc không", "phone_power")
    run(store.save(tracker))
    store.domain = Domain.load(str(ROOT / "domain.yml"))  # a model with a new domain
    again = run(store.retrieve("guest"))
    assert again is not tracker and dump(again) == dump(tracker)
    assert again.slots["need"] is not tracker.slots["need"]
