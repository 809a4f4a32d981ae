"""The dialogue answers questions about the restaurant from the business profile.

Pure wiring, no Rasa: the real :class:`ProfileAnswers` over a copy of
``data/business.yml`` (so a test can edit it), ``now`` given with the message.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from bot.business.answers import BusinessDesk
from bot.business.topics import ProfileAnswers
from bot.language.lexicon import Lexicon
from bot.language.phrases import PhraseFinder
from bot.needs.catalog import Catalog
from bot.needs.dialogue import Message, NeedDialogue, State, Turn
from bot.needs.inference import NeedInference, NeedReading
from bot.needs.log import MET, Context, NeedOpened, QuestionAnswered
from bot.paths import BUSINESS_PATH

# Tuesday 15:00 in Hà Nội (08:00 UTC)
NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def inference(catalog: Catalog) -> NeedInference:
    return NeedInference(catalog)


@pytest.fixture
def business(tmp_path: Path) -> Path:
    copy = tmp_path / "business.yml"
    shutil.copy(BUSINESS_PATH, copy)
    return copy


@pytest.fixture
def dialogue(catalog: Catalog, business: Path) -> NeedDialogue:
    answers = ProfileAnswers(BusinessDesk.from_file(business))
    return NeedDialogue(catalog, PhraseFinder(Lexicon.load()), answers)


def reading(inference: NeedInference, intent: str, text: str) -> NeedReading:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95},
        "intent_ranking": [{"name": intent, "confidence": 0.95}],
        "entities": [],
    }
    return inference.read(parse)


def ask(
    dialogue: NeedDialogue,
    inference: NeedInference,
    intent: str,
    text: str,
    now: Optional[dt.datetime] = NOW,
) -> Turn:
    message = Message(text, Context("conv-1", "m1"), intent=intent, now=now)
    return dialogue.on_message(State(), reading(inference, intent, text), message)


def spoken(turn: Turn) -> str:
    return "\n".join(r.text or r.response or "" for r in turn.replies)


QUESTIONS: Dict[str, List[str]] = {
    "ask_hours": ["mấy giờ quán đóng cửa", "22h"],
    "ask_address": ["quán ở đâu vậy em", "Hàng Bè"],
    "ask_menu": ["cho mình xem thực đơn", "Phở bò tái"],
    "ask_price": ["pho bo taii bao nhieu", "55.000đ"],
    "delivery": ["quán có ship không", "GrabFood"],
    "promotion": ["hôm nay có khuyến mãi gì không", "ưu đãi"],
    "ask_contact": ["cho xin số điện thoại quán", "0901 234 567"],
    "ask_recommendation": ["quán có món gì ngon", "đặc trưng"],
}


@pytest.mark.parametrize("intent", sorted(QUESTIONS))
def test_a_question_is_answered_from_the_profile_and_logged_by_topic(
    dialogue: NeedDialogue, inference: NeedInference, intent: str
) -> None:
    text, expected = QUESTIONS[intent]
    turn = ask(dialogue, inference, intent, text)
    assert expected in spoken(turn)
    assert not any(r.response for r in turn.replies)  # no "ask staff" fallback
    (record,) = turn.records
    assert isinstance(record, QuestionAnswered)
    assert (record.topic, record.outcome, record.text) == (intent, MET, text)
    assert turn.state.need is None


def test_the_answer_is_relative_to_now_in_the_business_time_zone(
    dialogue: NeedDialogue, inference: NeedInference
) -> None:
    late = dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.timezone.utc)  # 23:30 in Hà Nội
    assert "22h" in spoken(ask(dialogue, inference, "ask_hours", "mấy giờ đóng cửa"))
    assert "7h" in spoken(ask(dialogue, inference, "ask_hours", "mấy giờ mở cửa", now=late))


def test_without_a_clock_the_honest_reply_stays(
    dialogue: NeedDialogue, inference: NeedInference
) -> None:
    turn = ask(dialogue, inference, "ask_hours", "mấy giờ mở cửa", now=None)
    assert [r.response for r in turn.replies] == ["utter_request_ask_hours"]
    assert turn.records == []


def test_booking_is_not_answered_from_the_profile(
    dialogue: NeedDialogue, inference: NeedInference
) -> None:
    turn = ask(dialogue, inference, "book_table", "đặt bàn 4 người tối nay")
    assert turn.records == [] or not isinstance(turn.records[0], QuestionAnswered)


def test_a_vegetarian_asking_for_dishes_gets_them_with_the_need(
    dialogue: NeedDialogue, inference: NeedInference, catalog: Catalog
) -> None:
    turn = ask(dialogue, inference, "dietary", "mình ăn chay, quán có món chay không")
    reflect = catalog.need("dietary").reflect
    assert turn.replies[0].text in {reflect.format(kh=k, Kh=k.capitalize()) for k in ("anh/chị",)}
    assert "Phở chay" in spoken(turn) and "Phở bò tái" not in spoken(turn)
    assert [type(r) for r in turn.records][:1] == [NeedOpened]  # still a need in the report
    assert not any(isinstance(r, QuestionAnswered) for r in turn.records)


def test_a_payment_need_hears_the_methods_the_restaurant_takes(
    dialogue: NeedDialogue, inference: NeedInference
) -> None:
    turn = ask(dialogue, inference, "payment", "quán có quẹt thẻ được không em")
    assert "Visa" in spoken(turn)
    assert turn.state.need == "payment"


def test_an_edit_of_the_profile_is_the_next_answer(
    dialogue: NeedDialogue, inference: NeedInference, business: Path
) -> None:
    before = spoken(ask(dialogue, inference, "ask_price", "phở bò tái giá bao nhiêu"))
    assert "55.000đ" in before
    text = business.read_text(encoding="utf-8")
    business.write_text(text.replace("55000", "58000", 1), encoding="utf-8")
    after = spoken(ask(dialogue, inference, "ask_price", "phở bò tái giá bao nhiêu"))
    assert "58.000đ" in after, after
