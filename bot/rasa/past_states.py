"""A tracker's past dialogue states, replayed once and extended as events come.

Rasa's policies ask the tracker for its past states several times per
prediction (the RulePolicy with the last message as text and as intent, the
MemoizationPolicy with its own flags), two or three predictions a turn, and
each call replays the conversation from its first event
(``Domain.states_for_tracker_history``): ~12 % of the Rasa server's CPU at 50
concurrent conversations. Here the replay is kept on the tracker object, one
per set of flags, and a later call applies only the events appended since.
The steps are Rasa's own, in Rasa's order; a history that is not an extension
of the kept one (a rewind, a restart) is replayed from the start.

Featurizers edit the states they get (the last user input, the text of
earlier turns), so every caller gets a fresh copy that shares sub-states
exactly where Rasa's own list shares them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Hashable, List, Optional, Sequence, Tuple

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

_ATTRIBUTE = "_hieu_y_replays"


@dataclass
class _Replay:
    """Where the replay of one tracker stands, for one set of flags."""

    tracker: DialogueStateTracker  # a fresh copy with ``events`` applied
    events: List[Event] = field(default_factory=list)
    states: List[State] = field(default_factory=list)
    last_ml_action: Optional[Dict[str, Any]] = None
    turn_was_hidden: bool = False
    answer: Optional[Tuple[int, Optional[Event], List[State]]] = None  # the last one given


@dataclass(frozen=True)
class _Flags:
    omit_unset_slots: bool
    ignore_rule_only_turns: bool
    rule_only_data: Optional[Dict[str, Any]]

    def key(self, domain: Domain) -> Hashable:
        """Which replay these flags (and this domain) ask for."""
        rule_only = self.rule_only_data or {}
        frozen = tuple((name, tuple(values)) for name, values in sorted(rule_only.items()))
        return (id(domain), self.omit_unset_slots, self.ignore_rule_only_turns, frozen)


def past_states(
    self: DialogueStateTracker,
    domain: Domain,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> List[State]:
    """Same result as ``DialogueStateTracker.past_states``, replaying only new events."""
    flags = _Flags(omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    replays: Dict[Hashable, _Replay] = self.__dict__.setdefault(_ATTRIBUTE, {})
    key = flags.key(domain)
    replay = replays.get(key)
    newest = self.events[-1] if self.events else None
    if replay and replay.answer:
        count, last, states = replay.answer
        if count == len(self.events) and last is newest:  # asked again, no new event
            return _copy(states)
    applied = self.applied_events()
    if replay is None or not _extends(applied, replay.events):
        replay = replays[key] = _Replay(self.init_copy())
    for event in applied[len(replay.events) :]:
        if isinstance(event, ActionExecuted):
            _add_state(domain, replay, event.hide_rule_turn, flags)
        replay.tracker.update(event)
        replay.events.append(event)
    current = _Replay(
        replay.tracker,
        states=list(replay.states),
        last_ml_action=replay.last_ml_action,
        turn_was_hidden=replay.turn_was_hidden,
    )
    _add_state(domain, current, False, flags)  # the state after the last event
    replay.answer = (len(self.events), newest, current.states)
    return _copy(current.states)


def _add_state(domain: Domain, replay: _Replay, hide_rule_turn: bool, flags: _Flags) -> None:
    """One step of Rasa's ``states_for_tracker_history`` loop, on ``replay``."""
    tracker = replay.tracker
    if flags.ignore_rule_only_turns:
        if not replay.turn_was_hidden:
            replay.last_ml_action = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and tracker.latest_action_name != tracker.active_loop_name:
            replay.turn_was_hidden = hide_rule_turn
        if replay.turn_was_hidden:
            return
    state = domain.get_active_state(tracker, omit_unset_slots=flags.omit_unset_slots)
    if flags.ignore_rule_only_turns:
        domain._remove_rule_only_features(state, flags.rule_only_data)
        if replay.states:
            domain._substitute_rule_only_user_input(state, replay.states[-1])
        if replay.last_ml_action:
            state[PREVIOUS_ACTION] = replay.last_ml_action
    replay.states.append(domain._clean_state(state))


def _extends(applied: Sequence[Event], replayed: Sequence[Event]) -> bool:
    """Whether the replayed events are, object for object, the start of ``applied``."""
    return len(replayed) <= len(applied) and all(
        old is new for old, new in zip(replayed, applied, strict=False)
    )


def _copy(states: List[State]) -> List[State]:
    """New state and sub-state dicts; a sub-state shared in ``states`` stays shared."""
    copies: Dict[int, Dict[str, Any]] = {}
    result: List[State] = []
    for state in states:
        new: State = {}
        for kind, sub_state in state.items():
            copied = copies.get(id(sub_state))
            if copied is None:
                copied = copies[id(sub_state)] = dict(sub_state)
            new[kind] = copied
        result.append(new)
    return result
