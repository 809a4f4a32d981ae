"""The action that understands a need and walks the guest through it."""

from __future__ import annotations

from actions.adapter import NeedAction
from bot.assistant import Assistant
from bot.needs.dialogue import Message, State, Turn
from bot.needs.inference import NeedReading


class ActionUnderstandNeed(NeedAction):
    """Need intents, button picks, low-confidence and out-of-scope messages."""

    def name(self) -> str:
        """Action name used in domain.yml and the rules."""
        return "action_understand_need"

    def decide(self, bot: Assistant, state: State, reading: NeedReading, message: Message) -> Turn:
        """Reflect the need, clarify, offer alternatives, or ask which need."""
        return bot.dialogue.on_message(state, reading, message)
