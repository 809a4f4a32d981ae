"""Over REST: questions about the restaurant answered from data/business.yml.

The live stack reads a copy of the profile (``BUSINESS_FILE``); the last test
edits it and the next answer changes, with the same trained model.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from test_rest_conversations import new_sender, report, texts

pytestmark = pytest.mark.slow

QUESTIONS = {
    "hours": ("mấy giờ quán đóng cửa vậy em", ["Giờ mở cửa", "7h"]),
    "address": ("quán ở đâu vậy em, chỉ đường giúp mình", ["Hàng Bè", "gửi"]),
    "menu": ("cho mình xem thực đơn", ["Phở bò tái – 55.000đ", "Đồ uống"]),
    "price typo, no diacritics": ("pho bo taii bao nhieu tien", ["Phở bò tái", "55.000đ"]),
    "delivery": ("quán có giao hàng không em", ["GrabFood", "km"]),
    "payment": ("quán có quẹt thẻ được không em", ["Visa", "MoMo"]),
    "diet": ("mình ăn chay, quán có món chay không", ["Phở chay", "Cơm chay thập cẩm"]),
}


def joined(replies: List[dict]) -> str:
    return "\n".join(texts(replies))


@pytest.mark.parametrize("kind", sorted(QUESTIONS))
def test_a_question_is_answered_from_the_business_profile(live_stack, kind: str) -> None:
    message, expected = QUESTIONS[kind]
    said = joined(live_stack.say(new_sender(), message))
    for part in expected:
        assert part in said, (kind, said)
    assert "chưa tra được" not in said  # not the old "ask staff" reply


def test_a_diet_question_lists_only_matching_dishes(live_stack) -> None:
    said = joined(live_stack.say(new_sender(), "mình ăn chay, quán có món chay không"))
    assert "Phở chay" in said and "Phở bò tái" not in said


def test_answered_questions_show_up_as_topics_in_the_report(live_stack) -> None:
    live_stack.say(new_sender(), "mấy giờ quán mở cửa em")
    body = report(live_stack, ready=lambda b: any(t["topic"] == "ask_hours" for t in b["topics"]))
    topics = {t["topic"]: t for t in body["topics"]}
    assert topics["ask_hours"]["requests"] >= 1
    assert topics["ask_hours"]["label"] == "Giờ mở cửa"


def test_an_edit_of_business_yml_changes_the_next_answer_without_retraining(live_stack) -> None:
    profile = Path(live_stack.env["BUSINESS_FILE"])
    original = profile.read_text(encoding="utf-8")
    question = "phở bò tái bao nhiêu tiền em"
    assert "55.000đ" in joined(live_stack.say(new_sender(), question))
    try:
        profile.write_text(original.replace("price: 55000", "price: 59000", 1), encoding="utf-8")
        assert "59.000đ" in joined(live_stack.say(new_sender(), question))
    finally:
        profile.write_text(original, encoding="utf-8")
