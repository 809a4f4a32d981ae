"""Scripted guest conversations whose need-log rows are known in advance.

A :class:`Script` is a list of turns (what the guest sends, what kind of
answer must come back) plus the rows it must leave in the need log:
``(need, outcome)`` per occurrence, and how many handoffs. The checks look at
the shape of the answer (buttons, payloads) and at the start of the texts in
``domain.yml``, so rewording a response does not break them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import yaml

from bot.needs.dialogue import choose_sub_goal_payload
from bot.needs.log import ESCALATED, MET, NO_ANSWER, UNRECOGNIZED
from bot.paths import ROOT
from bot.rasa.channels import BUSY_MESSAGE

Replies = List[Dict[str, Any]]
Check = Callable[[Replies], Optional[str]]  # None when the answer is right, else why not


@cache
def _response_start(name: str) -> str:
    """The first text of a ``domain.yml`` response, up to its first ``{variable}``."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    text = str(domain["responses"][name][0]["text"])
    return text.split("{", 1)[0]


def texts(replies: Replies) -> List[str]:
    """The texts of the bot's messages."""
    return [str(reply.get("text") or "") for reply in replies]


def payloads(replies: Replies) -> List[str]:
    """The payloads of every button in the bot's messages."""
    return [str(b.get("payload")) for r in replies for b in (r.get("buttons") or [])]


def is_busy(replies: Replies) -> bool:
    """Whether the answer is the channel's "system busy, send it again" message."""
    return texts(replies) == [BUSY_MESSAGE]


def says(response: str) -> Check:
    """One of the messages starts like the ``domain.yml`` response."""

    def check(replies: Replies) -> Optional[str]:
        start = _response_start(response)
        if any(text.startswith(start) for text in texts(replies)):
            return None
        return f"expected {response}, got {texts(replies)!r}"

    return check


def asks_sub_goal(need: str) -> Check:
    """The clarifying question of ``need``, with its sub-goal buttons."""

    def check(replies: Replies) -> Optional[str]:
        prefix = '/choose_subgoal{"need":' + json.dumps(need)
        if any(p.startswith(prefix) for p in payloads(replies)):
            return None
        return f"expected the {need} question, got {texts(replies)!r}"

    return check


def offers(*wanted: str, unwanted: Sequence[str] = ()) -> Check:
    """Alternatives (bullets) and "như vậy đã ổn chưa ạ?", mentioning ``wanted``."""

    def check(replies: Replies) -> Optional[str]:
        spoken = "\n".join(texts(replies))
        if "•" not in spoken or "/affirm" not in payloads(replies):
            return f"expected alternatives, got {texts(replies)!r}"
        missing = [w for w in wanted if w not in spoken]
        present = [u for u in unwanted if u in spoken]
        if missing or present:
            return f"alternatives lack {missing} / wrongly include {present}: {spoken!r}"
        return None

    return check


def not_understood(replies: Replies) -> Optional[str]:
    """Fallback or out-of-scope: the answer offers a person (``/ask_human``)."""
    if "/ask_human" in payloads(replies):
        return None
    return f"expected the fallback, got {texts(replies)!r}"


def answered(replies: Replies) -> Optional[str]:
    """Any real answer (not empty, not the busy message)."""
    if replies and not is_busy(replies):
        return None
    return f"expected an answer, got {texts(replies)!r}"


@dataclass(frozen=True)
class Turn:
    """One guest message and the check of the bot's answer."""

    message: str
    check: Check


@dataclass(frozen=True)
class Script:
    """A whole conversation and the need-log rows it must leave."""

    name: str
    turns: Tuple[Turn, ...]
    rows: Tuple[Tuple[str, str], ...]  # (need, outcome), one per occurrence
    handoffs: int = 0


CHARGER_QUESTION = "em có sạc iPhone không anh mượn, đang cần quá?"
PARKING_QUESTION = "quan co cho gui xe khong em"
WIFI_QUESTION = "wifi pass j v e"
UNKNOWN_QUESTION = "quán mình mở được mấy năm rồi em"  # nobody modelled it (hours are an intent)
THANKS = "ok cảm ơn em"

# The founding story, in three turns (the multi-replica scenario alternates servers).
CHARGER_STORY = Script(
    "charger",
    (
        Turn(CHARGER_QUESTION, asks_sub_goal("phone_power")),
        Turn(
            choose_sub_goal_payload("phone_power", "charge_own_phone"),
            offers("sạc đa năng", "đồng nghiệp", unwanted=["mượn điện thoại của quán"]),
        ),
        Turn(THANKS, says("utter_glad")),
    ),
    rows=(("phone_power", MET),),
)

# Ten turns, four needs, every outcome but "unmet": the load scenario.
EVENING = Script(
    "evening",
    (
        Turn("chào em", says("utter_greet")),
        Turn(CHARGER_QUESTION, asks_sub_goal("phone_power")),
        Turn(
            choose_sub_goal_payload("phone_power", "quick_call"),
            offers("mượn điện thoại của quán"),
        ),
        Turn(THANKS, says("utter_glad")),
        Turn(PARKING_QUESTION, asks_sub_goal("parking")),
        Turn(choose_sub_goal_payload("parking", "motorbike"), offers()),
        Turn("/deny", says("utter_sorry_not_solved")),
        Turn(WIFI_QUESTION, offers()),
        Turn("/affirm", says("utter_glad")),
        Turn(UNKNOWN_QUESTION, not_understood),
    ),
    rows=(
        ("phone_power", MET),
        ("parking", ESCALATED),
        ("internet_access", MET),
        (UNRECOGNIZED, NO_ANSWER),
    ),
    handoffs=1,
)

# Three turns, one need: short conversations to keep going through the faults.
PARKING = Script(
    "parking",
    (
        Turn(PARKING_QUESTION, asks_sub_goal("parking")),
        Turn(choose_sub_goal_payload("parking", "motorbike"), offers()),
        Turn(THANKS, says("utter_glad")),
    ),
    rows=(("parking", MET),),
)
