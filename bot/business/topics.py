"""Which guest messages the business profile answers, for the need dialogue.

Why: the dialogue (``bot.needs.dialogue``) knows intents, the
:class:`~bot.business.answers.BusinessDesk` knows topics. This maps one onto
the other, so the dialogue stays free of business rules:

* a request intent (``ask_hours``, ``ask_price`` …) is answered in full;
* two needs get the facts that serve them alongside their alternatives:
  ``dietary`` the dishes for the diet the guest named ("có món chay không"),
  ``payment`` the payment methods the restaurant takes.

A profile that cannot be read must never break a conversation: the answer is
then None and the dialogue falls back to its honest ``utter_request_*`` reply.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Optional

from bot.business.answers import DIETARY_TOPIC, PAYMENT_TOPIC, Answer, BusinessDesk
from bot.business.menu import diet_query

logger = logging.getLogger(__name__)

# need id -> topic whose answer goes with the need's alternatives
NEED_TOPICS = {"dietary": DIETARY_TOPIC, "payment": PAYMENT_TOPIC}


class ProfileAnswers:
    """An :class:`bot.needs.dialogue.AnswerSource` over a :class:`BusinessDesk`."""

    def __init__(self, desk: BusinessDesk) -> None:
        self.desk = desk

    def answer(
        self, intent: str, text: str, now: dt.datetime, addressee: Optional[str]
    ) -> Optional[Answer]:
        """The answer to a request intent from the profile; None when it has none."""
        if intent not in self.desk.topics or intent in NEED_TOPICS.values():
            return None
        return self._safely(intent, text, now, addressee)

    def facts_for_need(
        self, need: str, text: str, now: dt.datetime, addressee: Optional[str]
    ) -> Optional[Answer]:
        """Profile facts that serve ``need`` as the guest stated it; None when none fit."""
        topic = NEED_TOPICS.get(need)
        if topic is None:
            return None
        if topic == DIETARY_TOPIC and not self._names_a_diet(text):
            return None  # "mình dị ứng" alone: the need's alternatives ask which
        return self._safely(topic, text, now, addressee)

    def _names_a_diet(self, text: str) -> bool:
        try:
            return bool(diet_query(self.desk.profile, text))
        except Exception:  # a broken profile: no facts, the need goes on
            logger.exception("business profile unreadable")
            return False

    def _safely(
        self, topic: str, text: str, now: dt.datetime, addressee: Optional[str]
    ) -> Optional[Answer]:
        try:
            return self.desk.answer(topic, text, now, addressee)
        except Exception:
            logger.exception("business profile: no answer for %s", topic)
            return None
