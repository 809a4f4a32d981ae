"""The need conversation: reflect → clarify → offer → ask → outcome.

Pure logic. Given the conversation state and what was understood, a
:class:`NeedDialogue` returns a :class:`Turn`: what to say, the next state and
the records for the need log. The Rasa actions in ``actions/`` only translate
between Rasa and this module, so every path here is testable without Rasa.

Texts come from two places: need-specific ones from the catalog (rendered
here), the conversation around them from ``domain.yml`` responses (named here,
rendered by Rasa with the given variables).

Questions about the restaurant itself (hours, menu, prices …) are answered
from an injected :class:`AnswerSource` (the business profile, see
``bot.business.topics``) and logged as :class:`QuestionAnswered`; ``now``
comes with the message, from the adapter, so this module stays pure.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Dict, List, Mapping, Optional, Protocol, Sequence, Tuple

from bot.business.answers import Answer
from bot.language.address import address_forms, detect_addressee
from bot.language.phrases import PhraseFinder
from bot.needs.catalog import Catalog, Need
from bot.needs.inference import NeedReading
from bot.needs.log import (
    ENDED_BY_GOODBYE,
    ENDED_BY_THANKS,
    ESCALATED,
    MET,
    UNMET,
    UNRECOGNIZED,
    Context,
    GuestSaid,
    HandoffRequested,
    LogRecord,
    NeedOpened,
    NeedUpdated,
    QuestionAnswered,
    RatingGiven,
    occurrence_key,
)

CLARIFY_NEED = "clarify_need"
CLARIFY_SUB_GOAL = "clarify_sub_goal"
AWAIT_FEEDBACK = "feedback"

YES, NO, THANKS = "yes", "no", "thanks"
OUT_OF_SCOPE_INTENT = "out_of_scope"
GOODBYE_INTENT = "goodbye"

# What guests ask a restaurant that is not a need. Answered from the business
# profile when the AnswerSource can; otherwise each has its own honest answer
# in domain.yml, ``utter_request_<intent>``, which says what the assistant can
# do and offers staff. Never answered as a need.
REQUEST_INTENTS = (
    "book_table",
    "ask_hours",
    "ask_address",
    "ask_contact",
    "ask_menu",
    "ask_price",
    "ask_recommendation",
    "order_food",
    "order_status",
    "delivery",
    "promotion",
    "complaint",
    "compliment",
    "job_application",
    "chitchat",
)
REQUEST_RESPONSE_PREFIX = "utter_request_"
# A greeting and "are you a bot?" go through the dialogue too (not a Rasa
# rule with a response), so the bot stays quiet while a person holds the chat.
SMALL_TALK = {"greet": "utter_greet", "bot_challenge": "utter_iamabot"}


def request_response(intent: str) -> str:
    """The domain response that answers a request intent."""
    return REQUEST_RESPONSE_PREFIX + intent


# Every domain.yml response the dialogue says; ``_say`` refuses any other, so
# this list is complete and the validator checks domain.yml against it.
SPOKEN_RESPONSES = (
    "utter_also_noted",
    "utter_anything_else",
    "utter_ask_feedback",
    "utter_ask_rating",
    "utter_ask_which_need",
    "utter_emergency",
    "utter_fallback",
    "utter_glad",
    "utter_goodbye",
    "utter_greet",
    "utter_handoff",
    "utter_iamabot",
    "utter_next_need",
    "utter_noted",
    "utter_nothing_available",
    "utter_offer_intro",
    "utter_out_of_scope",
    "utter_rating_thanks",
    "utter_sorry_not_solved",
    "utter_welcome",
    *(request_response(intent) for intent in REQUEST_INTENTS),
)


class AnswerSource(Protocol):
    """Answers from what the restaurant has and does (``bot.business.topics``)."""

    def answer(
        self, intent: str, text: str, now: dt.datetime, addressee: Optional[str]
    ) -> Optional[Answer]:
        """The full answer to a request intent, or None to reply ``utter_request_*``."""

    def facts_for_need(
        self, need: str, text: str, now: dt.datetime, addressee: Optional[str]
    ) -> Optional[Answer]:
        """Facts shown with a need's alternatives ("có món chay không" -> the dishes)."""


@dataclass(frozen=True)
class Button:
    """A quick reply; its payload is understood when posted back."""

    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One bot message: literal ``text`` or a domain ``response`` with variables."""

    text: Optional[str] = None
    response: Optional[str] = None
    variables: Mapping[str, str] = field(default_factory=dict)
    buttons: Tuple[Button, ...] = ()


@dataclass(frozen=True)
class Pending:
    """A need heard in passing, handled after the current one."""

    need: str
    key: str


@dataclass(frozen=True)
class State:
    """The conversation state kept in Rasa slots."""

    need: Optional[str] = None
    sub_goal: Optional[str] = None
    stage: Optional[str] = None
    key: Optional[str] = None
    candidates: Tuple[str, ...] = ()
    pending: Tuple[Pending, ...] = ()
    addressee: Optional[str] = None

    def cleared(self) -> "State":
        """The state once the current need is settled (pending ones stay)."""
        return State(pending=self.pending, addressee=self.addressee)


@dataclass(frozen=True)
class Message:
    """The guest's message as the dialogue needs it."""

    text: str
    context: Context
    intent: str = ""
    sub_goal: Optional[str] = None
    now: Optional[dt.datetime] = None  # aware; without it nothing is answered from the profile
    # Values a button's payload carried besides the need and sub-goal ("stars": "4").
    values: Mapping[str, str] = field(default_factory=dict)
    opens_session: bool = False  # the guest's first message of this session


@dataclass
class Turn:
    """What one turn produces."""

    state: State
    message: Message
    replies: List[Reply] = field(default_factory=list)
    records: List[LogRecord] = field(default_factory=list)
    # The conversation came to an end ("goodbye", "thanks"): the channel may
    # ask the guest to rate it (the widget shows its one-tap stars).
    rating: Optional[str] = None


def choose_need_payload(need: str) -> str:
    """Button payload that picks a need."""
    return "/choose_need" + json.dumps({"need": need}, separators=(",", ":"))


def rate_payload(stars: int, ended_by: str) -> str:
    """Button payload of one star rating (Zalo and Messenger have no rating card)."""
    return "/rate" + json.dumps({"stars": stars, "ended_by": ended_by}, separators=(",", ":"))


def rating_buttons(ended_by: str) -> Tuple[Button, ...]:
    """One button per star, one star first."""
    return tuple(Button("★" * stars, rate_payload(stars, ended_by)) for stars in range(1, 6))


def choose_sub_goal_payload(need: str, sub_goal: str) -> str:
    """Button payload that picks a sub-goal of a need."""
    return "/choose_subgoal" + json.dumps(
        {"need": need, "sub_goal": sub_goal}, separators=(",", ":")
    )


class NeedDialogue:
    """Decides each turn of the need conversation (see the module docstring)."""

    def __init__(
        self, catalog: Catalog, phrases: PhraseFinder, answers: Optional[AnswerSource] = None
    ) -> None:
        self.catalog = catalog
        self.phrases = phrases
        self.answers = answers

    # ----- entry points (one per kind of guest turn) -----

    def on_message(self, state: State, reading: NeedReading, message: Message) -> Turn:
        """A message that may state a need, pick one, or answer a question."""
        turn = Turn(self._with_addressee(state, message), message)
        if reading.urgent:
            return self._emergency(turn, reading, message)
        chosen = self._chosen_sub_goal(turn.state, reading, message)
        if chosen is not None:
            need_id, sub_goal = chosen
            if need_id != turn.state.need:
                self._open(turn, need_id, reading, message)
            return self._offer(turn, sub_goal)
        if message.intent == GOODBYE_INTENT and message.opens_session:
            return self._say(turn, "utter_greet")  # a bare "chào em" first is a hello
        if message.intent == GOODBYE_INTENT:
            # "cần đi ngay" may read as goodbye: answers were checked just above
            turn.state = State(addressee=turn.state.addressee)
            turn.rating = ENDED_BY_GOODBYE
            return self._say(turn, "utter_goodbye")
        if reading.need:
            if reading.need == turn.state.need and turn.state.stage == CLARIFY_SUB_GOAL:
                return self._offer(turn, None)
            if reading.need == turn.state.need and turn.state.stage == AWAIT_FEEDBACK:
                return self._not_solved(turn)
            return self._start(turn, reading.need, reading, message)
        if reading.ambiguous:
            return self._ask_which(turn, reading.ambiguous)
        if message.intent in SMALL_TALK:
            return self._say(turn, SMALL_TALK[message.intent])
        if message.intent in REQUEST_INTENTS:
            return self._request(turn, message)
        if turn.state.stage == CLARIFY_SUB_GOAL:
            return self._clarify(turn, self.catalog.need(turn.state.need or ""))
        return self._unrecognised(turn, reading, message)

    def on_answer(self, state: State, answer: str, reading: NeedReading, message: Message) -> Turn:
        """A yes / no / thanks, usually to "như vậy đã ổn chưa ạ?"."""
        turn = Turn(self._with_addressee(state, message), message)
        if reading.urgent:
            return self._emergency(turn, reading, message)
        stage = turn.state.stage
        if stage == AWAIT_FEEDBACK:
            if answer == NO:
                return self._not_solved(turn)
            if not turn.state.pending:  # solved, and nothing else waits: a natural end
                turn.rating = ENDED_BY_THANKS
            return self._met(turn)
        if stage == CLARIFY_SUB_GOAL:
            chosen = self._chosen_sub_goal(turn.state, reading, message)
            if chosen is not None:
                return self._offer(turn, chosen[1])
            return self._clarify(turn, self.catalog.need(turn.state.need or ""))
        if stage == CLARIFY_NEED and answer == NO:
            turn.state = turn.state.cleared()
            return self._say(turn, "utter_fallback")
        if stage == CLARIFY_NEED:
            return self._ask_which(turn, turn.state.candidates)
        if answer == THANKS:
            turn.rating = ENDED_BY_THANKS
            return self._say(turn, "utter_welcome")
        return self._say(turn, "utter_noted")

    def on_rating(self, state: State, message: Message) -> Turn:
        """Stars tapped on a rating button: stored, and thanked (the state is unchanged)."""
        turn = Turn(self._with_addressee(state, message), message)
        stars, ended_by = message.values.get("stars", ""), message.values.get("ended_by")
        if not stars.isdigit() or not 1 <= int(stars) <= 5:
            return self._say(turn, "utter_noted")
        ending = ended_by if ended_by in (ENDED_BY_GOODBYE, ENDED_BY_THANKS) else None
        key = _key(message, "rating")
        turn.records.append(RatingGiven(key, int(stars), message.context, ending))
        return self._say(turn, "utter_rating_thanks")

    def on_handoff(self, state: State, reading: NeedReading, message: Message) -> Turn:
        """The guest asks for a person, at any point."""
        turn = Turn(self._with_addressee(state, message), message)
        if reading.urgent:
            return self._emergency(turn, reading, message)
        current = turn.state
        if current.key and current.stage in (CLARIFY_SUB_GOAL, AWAIT_FEEDBACK):
            turn.records.append(NeedUpdated(current.key, outcome=ESCALATED))
        self._handoff_record(turn, _key(message, "handoff"), current.need)
        turn.state = current.cleared()
        return self._say(turn, "utter_handoff")

    def while_held(self, state: State, reading: NeedReading, message: Message) -> Turn:
        """A person holds the conversation: the bot stays quiet, except for an emergency.

        The guest's words go to the staff transcript instead of being answered;
        the state is kept as it was, so the bot resumes where it stopped once
        the conversation is handed back.
        """
        turn = Turn(self._with_addressee(state, message), message)
        if reading.urgent:
            return self._emergency(turn, reading, message)
        if message.text and not message.text.startswith("/"):
            turn.records.append(GuestSaid(_key(message, "held"), message.text, message.context))
        return turn

    # ----- steps -----

    def _request(self, turn: Turn, message: Message) -> Turn:
        """A question about the restaurant: the profile's answer, logged by topic."""
        answer = None
        if self.answers is not None and message.now is not None:
            answer = self.answers.answer(
                message.intent, message.text, message.now, turn.state.addressee
            )
        if answer is None:
            return self._say(turn, request_response(message.intent))
        self._tell(turn, answer)
        key = _key(message, "question:" + answer.topic)
        turn.records.append(QuestionAnswered(key, answer.topic, message.text, message.context))
        return turn

    def _need_facts(self, turn: Turn, need_id: str, message: Message) -> None:
        """What the profile says that serves the need, before its alternatives."""
        if self.answers is None or message.now is None:
            return
        facts = self.answers.facts_for_need(
            need_id, message.text, message.now, turn.state.addressee
        )
        if facts is not None:
            self._tell(turn, facts)

    @staticmethod
    def _tell(turn: Turn, answer: Answer) -> None:
        """The answer's messages; its buttons go with the last one."""
        buttons = tuple(Button(title, payload) for title, payload in answer.buttons)
        last = len(answer.messages) - 1
        for index, text in enumerate(answer.messages):
            turn.replies.append(Reply(text=text, buttons=buttons if index == last else ()))

    def _start(self, turn: Turn, need_id: str, reading: NeedReading, message: Message) -> Turn:
        self._open(turn, need_id, reading, message)
        self._need_facts(turn, need_id, message)
        for other in reading.secondary:
            key = _key(message, other)
            turn.records.append(self._opened(key, other, reading, message))
            turn.state = replace(turn.state, pending=(*turn.state.pending, Pending(other, key)))
            self._say(turn, "utter_also_noted", topic=self.catalog.need(other).topic)
        need = self.catalog.need(need_id)
        if need.clarify is None:
            return self._offer(turn, None)
        stated = self._sub_goal_in_text(need, message.text)
        return self._offer(turn, stated) if stated else self._clarify(turn, need)

    def _open(self, turn: Turn, need_id: str, reading: NeedReading, message: Message) -> None:
        key = _key(message, need_id)
        turn.records.append(self._opened(key, need_id, reading, message))
        turn.state = replace(
            turn.state,
            need=need_id,
            key=key,
            sub_goal=None,
            stage=None,
            candidates=(),
            pending=tuple(p for p in turn.state.pending if p.need != need_id),
        )
        self._reflect(turn, self.catalog.need(need_id))

    def _reflect(self, turn: Turn, need: Need) -> None:
        turn.replies.append(Reply(text=self._render(turn.state, need.reflect)))

    def _clarify(self, turn: Turn, need: Need) -> Turn:
        assert need.clarify is not None and turn.state.need
        buttons = tuple(
            Button(option.button, choose_sub_goal_payload(turn.state.need, option.id))
            for option in need.clarify.options
        )
        turn.replies.append(
            Reply(text=self._render(turn.state, need.clarify.question), buttons=buttons)
        )
        turn.state = replace(turn.state, stage=CLARIFY_SUB_GOAL)
        return turn

    def _offer(self, turn: Turn, sub_goal: Optional[str]) -> Turn:
        state = turn.state
        need = self.catalog.need(state.need or "")
        offers = need.offers(sub_goal)
        texts = tuple(self._render(state, alternative.text) for alternative in offers)
        if not offers:
            turn.records.append(
                NeedUpdated(state.key or "", sub_goal=sub_goal, alternatives=(), outcome=UNMET)
            )
            self._say(turn, "utter_nothing_available")
            turn.replies.append(Reply(text=self._render(state, need.escalation)))
            self._handoff_record(turn, state.key or "", state.need)
            turn.state = state.cleared()
            return self._continue_pending(turn)
        turn.records.append(NeedUpdated(state.key or "", sub_goal=sub_goal, alternatives=texts))
        self._say(turn, "utter_offer_intro")
        turn.replies.append(Reply(text="\n".join(f"• {text}" for text in texts)))
        self._say(turn, "utter_ask_feedback")
        turn.state = replace(state, sub_goal=sub_goal, stage=AWAIT_FEEDBACK)
        return turn

    def _met(self, turn: Turn) -> Turn:
        turn.records.append(NeedUpdated(turn.state.key or "", outcome=MET))
        self._say(turn, "utter_glad")
        turn.state = turn.state.cleared()
        if not turn.state.pending:  # else the next need follows at once
            self._say(turn, "utter_anything_else")
        return self._continue_pending(turn)

    def _not_solved(self, turn: Turn) -> Turn:
        need = self.catalog.need(turn.state.need or "")
        turn.records.append(NeedUpdated(turn.state.key or "", outcome=ESCALATED))
        self._say(turn, "utter_sorry_not_solved")
        turn.replies.append(Reply(text=self._render(turn.state, need.escalation)))
        self._handoff_record(turn, turn.state.key or "", turn.state.need)
        turn.state = turn.state.cleared()
        return self._continue_pending(turn)

    def _continue_pending(self, turn: Turn) -> Turn:
        if not turn.state.pending:
            return turn
        first, rest = turn.state.pending[0], turn.state.pending[1:]
        need = self.catalog.need(first.need)
        turn.state = replace(turn.state, need=first.need, key=first.key, pending=rest)
        self._say(turn, "utter_next_need", topic=need.topic)
        self._reflect(turn, need)
        return self._clarify(turn, need) if need.clarify else self._offer(turn, None)

    def _ask_which(self, turn: Turn, candidates: Sequence[str]) -> Turn:
        first, second = candidates[0], candidates[1]
        buttons = tuple(
            Button(self.catalog.need(n).label, choose_need_payload(n)) for n in (first, second)
        )
        self._say(
            turn,
            "utter_ask_which_need",
            buttons=buttons,
            first=self.catalog.need(first).topic,
            second=self.catalog.need(second).topic,
        )
        turn.state = replace(turn.state, stage=CLARIFY_NEED, candidates=(first, second))
        return turn

    def _unrecognised(self, turn: Turn, reading: NeedReading, message: Message) -> Turn:
        key = _key(message, UNRECOGNIZED)
        turn.records.append(self._opened(key, UNRECOGNIZED, reading, message))
        turn.state = replace(turn.state.cleared(), key=key)
        response = (
            "utter_out_of_scope" if message.intent == OUT_OF_SCOPE_INTENT else "utter_fallback"
        )
        return self._say(turn, response)

    def _emergency(self, turn: Turn, reading: NeedReading, message: Message) -> Turn:
        need_id = reading.need or UNRECOGNIZED
        key = _key(message, need_id)
        turn.records.append(
            replace(self._opened(key, need_id, reading, message), outcome=ESCALATED)
        )
        self._handoff_record(turn, key, need_id, urgent=True)
        turn.state = State(addressee=turn.state.addressee)
        return self._say(turn, "utter_emergency")

    # ----- helpers -----

    def _chosen_sub_goal(
        self, state: State, reading: NeedReading, message: Message
    ) -> Optional[Tuple[str, str]]:
        """(need, sub-goal) from a button payload, or from typed words when asked."""
        if message.sub_goal:
            need_id = reading.need if reading.explicit and reading.need else state.need
            need = self.catalog.needs.get(need_id or "")
            if need_id and need and need.sub_goal(message.sub_goal):
                return need_id, message.sub_goal
        if state.stage == CLARIFY_SUB_GOAL and state.need:
            typed = self._sub_goal_in_text(self.catalog.need(state.need), message.text)
            if typed:
                return state.need, typed
        return None

    def _sub_goal_in_text(self, need: Need, text: str) -> Optional[str]:
        if need.clarify is None:
            return None
        for option in need.clarify.options:
            if self.phrases.first_match(text, [option.button, *option.phrases]) >= 0:
                return option.id
        return None

    def _opened(self, key: str, need_id: str, reading: NeedReading, message: Message) -> NeedOpened:
        item = next(
            (
                mention.literal
                for mention in reading.items
                if need_id in self.catalog.needs_for_item(mention.item_id)
            ),
            reading.items[0].literal if reading.items else None,
        )
        confidence = dict(reading.ranked).get(need_id, reading.confidence)
        return NeedOpened(
            key, need_id, message.text, message.context, item=item, confidence=confidence
        )

    @staticmethod
    def _handoff_record(turn: Turn, key: str, need_id: Optional[str], urgent: bool = False) -> None:
        message = turn.message
        said = "" if message.text.startswith("/") else message.text  # a button, not words
        turn.records.append(HandoffRequested(key, said, message.context, need_id, urgent))

    def _say(
        self, turn: Turn, response: str, buttons: Tuple[Button, ...] = (), **variables: str
    ) -> Turn:
        if response not in SPOKEN_RESPONSES:
            raise ValueError(f"{response} is not in SPOKEN_RESPONSES")
        turn.replies.append(
            Reply(
                response=response,
                variables={**self._forms(turn.state), **variables},
                buttons=buttons,
            )
        )
        return turn

    def _render(self, state: State, text: str) -> str:
        return text.format(**self._forms(state))

    @staticmethod
    def _forms(state: State) -> Dict[str, str]:
        return address_forms(state.addressee)

    @staticmethod
    def _with_addressee(state: State, message: Message) -> State:
        detected = detect_addressee(message.text)
        return replace(state, addressee=detected) if detected else state


def _key(message: Message, need: str) -> str:
    return occurrence_key(message.context.conversation_key, message.context.message_id, need)
