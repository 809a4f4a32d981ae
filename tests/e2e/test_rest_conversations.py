"""End to end over Rasa's REST channel: Rasa server + action server + need log + report."""

from __future__ import annotations

import json
import time
import uuid
from typing import Callable, Dict, List, Optional

import pytest
import requests

from bot.needs.catalog import Catalog

pytestmark = pytest.mark.slow

FIRST_MESSAGES: Dict[str, str] = {
    "phone_power": "em ơi có sạc điện thoại không",
    "internet_access": "cho mình xin mật khẩu wifi với",
    "stay_dry": "trời mưa quá, quán có ô cho mượn không",
    "transport": "gọi giúp anh chiếc taxi được không em",
    "parking": "quán có chỗ gửi xe không em",
    "restroom": "nhà vệ sinh ở đâu vậy em",
    "child_care": "quán có ghế cho em bé ngồi không",
    "dietary": "mình ăn chay, quán có món chay không",
    "workspace": "có chỗ nào yên tĩnh để làm việc không em",
    "celebration": "tối nay sinh nhật bạn mình, quán có nến không",
    "health_aid": "em ơi có thuốc đau đầu không",
    "payment": "quán có quẹt thẻ được không em",
    "time_pressure": "anh đang vội, món nào ra nhanh nhất",
    "accessibility": "bố tôi đi xe lăn, có lối vào không em",
    "lost_item": "tôi để quên cái ví ở bàn hôm qua",
    "comfort_temperature": "trong quán nóng quá em ơi",
}


def texts(replies: List[dict]) -> List[str]:
    return [r.get("text") or "" for r in replies]


def buttons(replies: List[dict]) -> List[dict]:
    return [b for r in replies for b in r.get("buttons") or []]


def new_sender() -> str:
    return f"test-{uuid.uuid4()}"


def report(stack, days: int = 1, ready: Optional[Callable[[dict], bool]] = None) -> dict:
    """The JSON report, polled until ``ready`` (default: some need logged) or 20 s."""
    ready = ready or (lambda body: sum(n["requests"] for n in body["needs"]) > 0)
    deadline = time.monotonic() + 20
    while True:
        response = requests.get(
            f"{stack.web_url}/api/report?days={days}",
            headers={"Authorization": f"Bearer {stack.staff_token}"},
            timeout=30,
        )
        response.raise_for_status()
        body = response.json()
        if ready(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.5)


def test_charger_story_branches_differ(live_stack) -> None:
    quick, own = new_sender(), new_sender()
    first = live_stack.say(quick, "em có sạc iPhone không anh mượn, đang cần quá?")
    assert "điện thoại" in texts(first)[0] and "pin" in texts(first)[0]
    titles = {b["title"]: b["payload"] for b in buttons(first)}
    assert set(titles) == {"Chỉ cần gọi nhanh một cuộc", "Cần sạc máy của mình"}

    quick_offer = live_stack.say(quick, titles["Chỉ cần gọi nhanh một cuộc"])
    live_stack.say(own, "em co sac ip ko")
    own_offer = live_stack.say(own, titles["Cần sạc máy của mình"])
    quick_text, own_text = "\n".join(texts(quick_offer)), "\n".join(texts(own_offer))
    assert "mượn điện thoại của quán" in quick_text and "sạc đa năng" not in quick_text
    assert "sạc đa năng" in own_text and "đồng nghiệp" in own_text
    assert "mượn điện thoại của quán" not in own_text
    feedback = {b["title"]: b["payload"] for b in buttons(own_offer)}
    assert set(feedback) == {"Ổn rồi, cảm ơn em", "Chưa ổn"}

    assert texts(live_stack.say(quick, feedback["Ổn rồi, cảm ơn em"]))
    escalation = texts(live_stack.say(own, "chưa ổn"))
    assert any("quản lý" in t for t in escalation)


@pytest.mark.parametrize("need", sorted(FIRST_MESSAGES))
def test_every_need_gets_a_reflected_goal_and_alternatives(live_stack, need: str) -> None:
    catalog = Catalog.load()
    sender = new_sender()
    replies = live_stack.say(sender, FIRST_MESSAGES[need])
    assert replies, need
    reflect = catalog.need(need).reflect.format(kh="anh/chị", Kh="Anh/chị")
    spoken = texts(replies)
    assert spoken[0] in {
        reflect,
        catalog.need(need).reflect.format(kh="anh", Kh="Anh"),
        catalog.need(need).reflect.format(kh="chị", Kh="Chị"),
    }, spoken
    sub_goals = [b["payload"] for b in buttons(replies) if b["payload"].startswith("/choose_sub")]
    if catalog.need(need).clarify and sub_goals:  # unless the message already said which
        replies = live_stack.say(sender, sub_goals[0])
    offered = "\n".join(texts(replies))
    assert "•" in offered, offered
    assert texts(replies)[-1] == "Như vậy đã ổn chưa ạ?"


def test_two_needs_in_one_message_are_both_handled(live_stack) -> None:
    sender = new_sender()
    replies = live_stack.say(sender, "trời mưa mà điện thoại cũng sắp hết pin")
    first = texts(replies)
    # the stronger need first (the model decides which), the other noted, not dropped
    assert any("điện thoại" in t for t in first) and any("ướt" in t for t in first), first
    phone_first = "điện thoại" in first[0]
    live_stack.say(sender, buttons(replies)[0]["payload"])  # answer its question
    after = texts(live_stack.say(sender, "ổn rồi em"))
    other = "mưa" if phone_first else "điện thoại"
    assert any(other in t for t in after), after  # then the other one, unasked


def test_emergency_gives_115_at_once(live_stack) -> None:
    replies = texts(live_stack.say(new_sender(), "cứu với, bàn 4 có người ngất xỉu"))
    assert len(replies) == 1 and "115" in replies[0]


def test_a_choking_child_is_an_emergency(live_stack) -> None:
    replies = texts(live_stack.say(new_sender(), "bé nhà mình bị sặc, mặt tím tái rồi"))
    assert len(replies) == 1 and "115" in replies[0]


@pytest.mark.parametrize(
    "message", ["món ăn ra nguội ngắt, không ngon chút nào", "không gian quán đẹp ngất ngây"]
)
def test_idioms_never_start_the_emergency_path(live_stack, message: str) -> None:
    replies = texts(live_stack.say(new_sender(), message))
    assert replies and not any("115" in reply for reply in replies)


def test_a_menu_request_is_not_answered_as_a_need(live_stack) -> None:
    replies = live_stack.say(new_sender(), "cho mình xem thực đơn")
    assert any("thực đơn" in text for text in texts(replies)), replies
    assert not any("xe lăn" in text for text in texts(replies))
    assert any("Phở bò tái" in text for text in texts(replies))  # from data/business.yml


def test_conversations_show_up_in_the_report_with_outcomes(live_stack) -> None:
    sender = new_sender()
    live_stack.say(sender, "quan co cho gui xe khong em")
    live_stack.say(sender, '/choose_subgoal{"need":"parking","sub_goal":"motorbike"}')
    live_stack.say(sender, "ok cảm ơn em")
    other = new_sender()
    live_stack.say(other, "wifi pass j v e")
    live_stack.say(other, "chưa được em ơi")
    live_stack.say(new_sender(), "quán mình mở được mấy năm rồi em")  # nobody modelled it
    body = report(live_stack)
    needs = {n["need"]: n for n in body["needs"]}
    assert needs["parking"]["requests"] >= 1
    assert needs["internet_access"]["escalated"] >= 1
    assert "wifi pass j v e" in needs["internet_access"]["top_phrases"]
    assert any("mấy năm" in group["example"] for group in body["unrecognized"])
    assert json.dumps(body)  # serialisable


def test_report_requires_the_token(live_stack) -> None:
    response = requests.get(f"{live_stack.web_url}/api/report?days=1", timeout=10)
    assert response.status_code == 401
    assert "needs" not in response.text
