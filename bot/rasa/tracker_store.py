"""Rasa's in-memory tracker store, keeping the conversations in use as live trackers.

Rasa's ``InMemoryTrackerStore`` writes the whole conversation to JSON at the end
of every turn and reads it back, re-applying every event, at the start of the
next: ~11 % of the Rasa server's CPU at 50 concurrent conversations. The new
tracker's events are new objects, so the policies' replay kept on the old one
(:mod:`bot.rasa.past_states`) starts again from the first event, another ~8 %.
Here the tracker a turn saved is what the next turn gets, for the most recently
active conversations (``live_conversations`` in endpoints.yml, 256 by default);
an older one is written to JSON as Rasa writes it and read back when it returns.

A tracker changed after it was saved (a turn that failed half-way, or a model
with a new domain) is not handed on: the next turn gets a tracker rebuilt from
the events that were saved, as Rasa's JSON would give it. Turns of one
conversation never overlap (Rasa holds the conversation's lock for a turn).
Like Rasa's in-memory store, this one is for a single Rasa process; several
replicas share a SQL tracker store (deploy/endpoints.prod.yml).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, split_events
from rasa.shared.core.trackers import Dialogue, DialogueStateTracker

DEFAULT_LIVE_CONVERSATIONS = 256


@dataclass
class _Saved:
    """A saved tracker, the events it had when saved and the domain it was built for."""

    tracker: DialogueStateTracker
    events: List[Event]
    domain: Optional[Domain]

    @classmethod
    def of(cls, tracker: DialogueStateTracker, domain: Optional[Domain]) -> _Saved:
        return cls(tracker, list(tracker.events), domain)

    def unchanged(self, domain: Optional[Domain]) -> bool:
        events = self.tracker.events
        return (
            domain is self.domain
            and len(events) == len(self.events)
            and (not events or events[-1] is self.events[-1])
        )


class LiveTrackerStore(InMemoryTrackerStore):
    """``InMemoryTrackerStore`` that hands recent conversations on without JSON."""

    def __init__(
        self,
        domain: Domain,
        event_broker: Optional[EventBroker] = None,
        live_conversations: int = DEFAULT_LIVE_CONVERSATIONS,
        **kwargs: Any,
    ) -> None:
        """``live_conversations``: how many recent conversations stay as trackers."""
        kwargs.pop("host", None)  # Rasa passes the endpoint's url, which we have none of
        super().__init__(domain, event_broker, **kwargs)
        self.live: OrderedDict[str, _Saved] = OrderedDict()
        self.live_conversations = max(1, int(live_conversations))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Keep ``tracker`` as it is now; write the least recent one beyond the limit."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        self.store.pop(sender_id, None)
        self.live[sender_id] = _Saved.of(tracker, self.domain)
        self.live.move_to_end(sender_id)
        while len(self.live) > self.live_conversations:
            oldest, saved = self.live.popitem(last=False)
            self.store[oldest] = self.serialise_tracker(self._as_saved(oldest, saved))

    async def keys(self) -> Iterable[str]:
        """Every conversation, live or written."""
        return [*self.live.keys(), *self.store.keys()]

    async def _retrieve(
        self, sender_id: str, fetch_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        saved = self.live.get(sender_id)
        if saved is None:
            return await super()._retrieve(sender_id, fetch_all_sessions)
        self.live.move_to_end(sender_id)
        tracker = self._as_saved(sender_id, saved)
        if tracker is not saved.tracker:
            self.live[sender_id] = _Saved.of(tracker, self.domain)
        return tracker if fetch_all_sessions else _last_session(tracker)

    def _as_saved(self, sender_id: str, saved: _Saved) -> DialogueStateTracker:
        """The saved tracker, or one rebuilt from its saved events if it changed since."""
        if saved.unchanged(self.domain):
            return saved.tracker
        tracker = self.init_tracker(sender_id)
        tracker.recreate_from_dialogue(Dialogue(sender_id, list(saved.events)))
        return tracker


def _last_session(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """The last session, as Rasa's store returns it, building only that one tracker.

    Rasa's ``get_trackers_for_conversation_sessions(tracker)[-1]`` builds a new
    tracker for every session, even for a conversation of one session.
    """
    sessions = split_events(
        tracker.events,
        ActionExecuted,
        {"action_name": ACTION_SESSION_START_NAME},
        include_splitting_event=True,
    )
    if len(sessions) <= 1:
        return tracker
    return DialogueStateTracker.from_events(
        tracker.sender_id,
        sessions[-1],
        tracker.slots.values(),
        sender_source=tracker.sender_source,
        max_event_history=tracker._max_event_history,
    )
