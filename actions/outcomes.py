"""Actions that settle a need: the guest's answer, or a request for a person."""

from __future__ import annotations

from actions.adapter import NeedAction
from bot.assistant import Assistant
from bot.needs.dialogue import NO, THANKS, YES, Message, State, Turn
from bot.needs.inference import NeedReading

ANSWERS = {"affirm": YES, "deny": NO, "thanks": THANKS}


class ActionFeedback(NeedAction):
    """Yes / no / thanks: the answer to "như vậy đã ổn chưa ạ?" (or any question)."""

    def name(self) -> str:
        """Action name used in domain.yml and the rules."""
        return "action_feedback"

    def decide(self, bot: Assistant, state: State, reading: NeedReading, message: Message) -> Turn:
        """Record the outcome and move on to any need still pending."""
        return bot.dialogue.on_answer(state, ANSWERS.get(message.intent, YES), reading, message)


class ActionHandoff(NeedAction):
    """The guest wants a person: tell them one is coming, log it as escalated."""

    def name(self) -> str:
        """Action name used in domain.yml and the rules."""
        return "action_handoff"

    def decide(self, bot: Assistant, state: State, reading: NeedReading, message: Message) -> Turn:
        """Queue the handoff for staff and answer the guest."""
        return bot.dialogue.on_handoff(state, reading, message)


class ActionRate(NeedAction):
    """Stars tapped on Zalo or Messenger after a goodbye or a thanks."""

    def name(self) -> str:
        """Action name used in domain.yml and the rules."""
        return "action_rate"

    def decide(self, bot: Assistant, state: State, reading: NeedReading, message: Message) -> Turn:
        """Store the rating and thank the guest."""
        return bot.dialogue.on_rating(state, message)
