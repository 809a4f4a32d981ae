"""The need conversation, turn by turn (pure logic over the real catalog)."""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional, Tuple

import pytest

from bot.language.lexicon import Lexicon
from bot.language.phrases import PhraseFinder
from bot.needs.catalog import Catalog
from bot.needs.dialogue import (
    AWAIT_FEEDBACK,
    CLARIFY_NEED,
    CLARIFY_SUB_GOAL,
    NO,
    THANKS,
    YES,
    Message,
    NeedDialogue,
    State,
    Turn,
    rating_buttons,
)
from bot.needs.inference import NeedInference, NeedReading
from bot.needs.log import Context, HandoffRequested, NeedOpened, NeedUpdated, RatingGiven


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def dialogue(catalog: Catalog) -> NeedDialogue:
    return NeedDialogue(catalog, PhraseFinder(Lexicon.load()))


@pytest.fixture(scope="module")
def inference(catalog: Catalog) -> NeedInference:
    return NeedInference(catalog)


class Guest:
    """Plays one conversation against the dialogue, like the Rasa actions do."""

    def __init__(self, dialogue: NeedDialogue, inference: NeedInference) -> None:
        self.dialogue, self.inference = dialogue, inference
        self.state = State()
        self.turns = 0
        self.records: List[object] = []

    def _message(self, text: str, intent: str, sub_goal: Optional[str] = None) -> Message:
        self.turns += 1
        return Message(text, Context("conv-1", f"m{self.turns}"), intent=intent, sub_goal=sub_goal)

    def _reading(
        self,
        intent: str,
        items: List[Tuple[str, str]],
        text: str,
        ranking: Optional[Dict[str, float]] = None,
        need: Optional[str] = None,
    ) -> NeedReading:
        ranking = ranking or {intent: 0.97}
        entities = []
        for item, literal in items:
            start = text.index(literal)
            entities.append(
                {"entity": "item", "value": item, "start": start, "end": start + len(literal)}
            )
        if need:
            entities.append({"entity": "need", "value": need})
        parse = {
            "text": text,
            "intent": {"name": intent, "confidence": max(ranking.values())},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking.items()],
            "entities": entities,
        }
        return self.inference.read(parse, current_need=self.state.need)

    def _keep(self, turn: Turn) -> Turn:
        self.state = turn.state
        self.records += turn.records
        return turn

    def says(self, text: str, intent: str, items=(), ranking=None) -> Turn:
        reading = self._reading(intent, list(items), text, ranking)
        return self._keep(
            self.dialogue.on_message(self.state, reading, self._message(text, intent))
        )

    def clicks_sub_goal(self, need: str, sub_goal: str) -> Turn:
        text = f'/choose_subgoal{{"need":"{need}","sub_goal":"{sub_goal}"}}'
        reading = self._reading("choose_subgoal", [], text, need=need)
        return self._keep(
            self.dialogue.on_message(
                self.state, reading, self._message(text, "choose_subgoal", sub_goal)
            )
        )

    def answers(self, answer: str, text: str, intent: str) -> Turn:
        reading = self._reading(intent, [], text)
        return self._keep(
            self.dialogue.on_answer(self.state, answer, reading, self._message(text, intent))
        )

    def asks_for_a_person(self, text: str = "cho tôi gặp nhân viên", items=()) -> Turn:
        reading = self._reading("ask_human", list(items), text)
        return self._keep(
            self.dialogue.on_handoff(self.state, reading, self._message(text, "ask_human"))
        )


def texts(turn: Turn) -> List[str]:
    return [r.text or r.response or "" for r in turn.replies]


def outcome_of(records: List[object], key: str) -> Optional[str]:
    outcome = None
    for record in records:
        if isinstance(record, NeedOpened) and record.key == key:
            outcome = record.outcome
        if isinstance(record, NeedUpdated) and record.key == key and record.outcome:
            outcome = record.outcome
    return outcome


@pytest.fixture
def guest(dialogue: NeedDialogue, inference: NeedInference) -> Guest:
    return Guest(dialogue, inference)


def test_charger_quick_call_branch(guest: Guest) -> None:
    text = "em có sạc iPhone không anh mượn, đang cần quá?"
    turn = guest.says(text, "phone_power", [("charger", "sạc iPhone")])
    reflected, question = turn.replies
    assert reflected.text.startswith("Anh cần dùng điện thoại")  # the guest called himself "anh"
    assert question.text == "Anh chỉ cần gọi nhanh một cuộc, hay cần sạc máy của mình ạ?"
    assert [b.title for b in question.buttons] == [
        "Chỉ cần gọi nhanh một cuộc",
        "Cần sạc máy của mình",
    ]
    assert (
        question.buttons[0].payload
        == '/choose_subgoal{"need":"phone_power","sub_goal":"quick_call"}'
    )
    assert guest.state.stage == CLARIFY_SUB_GOAL
    opened = turn.records[0]
    assert isinstance(opened, NeedOpened)
    assert (opened.need, opened.item, opened.text) == ("phone_power", "sạc iPhone", text)

    turn = guest.clicks_sub_goal("phone_power", "quick_call")
    offered = turn.replies[1].text
    assert "mượn điện thoại của quán" in offered and "Quầy thu ngân" not in offered
    assert turn.replies[-1].response == "utter_ask_feedback"
    assert guest.state.stage == AWAIT_FEEDBACK
    update = turn.records[0]
    assert (
        isinstance(update, NeedUpdated) and update.sub_goal == "quick_call" and update.alternatives
    )

    turn = guest.answers(THANKS, "ok cảm ơn em", "thanks")
    assert texts(turn) == ["utter_glad", "utter_anything_else"]
    assert turn.rating == "thanks"  # solved, nothing else open: the guest may rate it
    assert outcome_of(guest.records, opened.key) == "met"
    assert guest.state == State(addressee="anh")


def test_charger_own_phone_branch_offers_chargers_best_available_first(guest: Guest) -> None:
    guest.says("co sac ko em", "phone_power", [("charger", "sac")])
    turn = guest.says("cần sạc máy của mình", "phone_power", [("charger", "sạc")])
    bullets = turn.replies[1].text.splitlines()
    assert bullets[0].startswith("• Quầy thu ngân có sạc đa năng")
    assert any("đồng nghiệp" in b for b in bullets) and any(
        "Cửa hàng tiện lợi" in b for b in bullets
    )
    assert not any("mượn điện thoại của quán" in b for b in bullets)
    assert guest.state.sub_goal == "charge_own_phone"


def test_not_solved_escalates_never_a_flat_no(guest: Guest) -> None:
    guest.says("có chỗ gửi xe máy không em", "parking", [("parking_spot", "gửi xe")])
    guest.clicks_sub_goal("parking", "motorbike")
    turn = guest.answers(NO, "chưa ổn", "deny")
    assert texts(turn)[0] == "utter_sorry_not_solved"
    assert "bảo vệ" in texts(turn)[1]
    key = next(r.key for r in guest.records if isinstance(r, NeedOpened))
    assert outcome_of(guest.records, key) == "escalated"
    assert any(isinstance(r, HandoffRequested) and r.need == "parking" for r in turn.records)


def test_nothing_available_is_said_kindly_and_recorded_unmet(
    dialogue: NeedDialogue, inference: NeedInference
) -> None:
    from copy import deepcopy

    catalog = deepcopy(dialogue.catalog)
    need = catalog.need("phone_power")
    need.__dict__["alternatives"] = [  # the counter is out of everything today
        a.copy(update={"available": False}) for a in need.alternatives
    ]
    guest = Guest(NeedDialogue(catalog, dialogue.phrases), NeedInference(catalog))
    guest.says("em ơi có sạc không", "phone_power", [("charger", "sạc")])
    turn = guest.clicks_sub_goal("phone_power", "charge_own_phone")
    assert texts(turn)[0] == "utter_nothing_available"
    assert "quản lý" in texts(turn)[1]
    update = next(r for r in turn.records if isinstance(r, NeedUpdated))
    assert update.outcome == "unmet" and update.alternatives == ()
    assert any(isinstance(r, HandoffRequested) for r in turn.records)
    assert guest.state.stage is None


def test_need_without_clarifying_question_goes_straight_to_alternatives(guest: Guest) -> None:
    turn = guest.says("nha ve sinh o dau vay", "restroom", [("restroom", "nha ve sinh")])
    assert [r.response for r in turn.replies[1:]] == [
        "utter_offer_intro",
        None,
        "utter_ask_feedback",
    ]
    assert "cuối hành lang" in turn.replies[2].text


def test_sub_goal_stated_in_the_first_message_skips_the_question(guest: Guest) -> None:
    turn = guest.says("trời mưa to quá mà mình phải về ngay", "stay_dry", [("rain", "trời mưa")])
    assert guest.state.sub_goal == "leave_now" and guest.state.stage == AWAIT_FEEDBACK
    assert "ô cho khách mượn" in turn.replies[2].text


@pytest.mark.parametrize(
    ("text", "sub_goal", "offered"),
    [
        ("cho mik 2 phan com ga mang di", "take_away", "gói mang đi"),
        ("chờ 40 phút rồi mà món chưa lên em ơi", "dine_in_fast", "báo bếp ưu tiên"),
        ("con bao lau nua moi len mon vay em", "dine_in_fast", "báo bếp ưu tiên"),
    ],
)
def test_waiting_or_take_away_is_answered_without_asking(
    guest: Guest, text: str, sub_goal: str, offered: str
) -> None:
    turn = guest.says(text, "time_pressure")
    assert guest.state.sub_goal == sub_goal and guest.state.stage == AWAIT_FEEDBACK
    assert offered in turn.replies[2].text


def test_typed_answer_to_the_question_even_if_read_as_goodbye(guest: Guest) -> None:
    guest.says("trời mưa quá", "stay_dry", [("rain", "trời mưa")])
    assert guest.state.stage == CLARIFY_SUB_GOAL
    guest.says("cần đi ngay", "goodbye")
    assert guest.state.sub_goal == "leave_now"


def test_a_real_goodbye_ends_the_conversation(guest: Guest) -> None:
    guest.says("wifi pass la gi", "internet_access", [("wifi_password", "pass")])
    turn = guest.says("thôi chào em nhé", "goodbye")
    assert texts(turn) == ["utter_goodbye"] and guest.state.need is None
    assert turn.rating == "goodbye"


def test_two_needs_in_one_message_are_both_handled(guest: Guest) -> None:
    text = "trời mưa mà điện thoại cũng sắp hết pin"
    turn = guest.says(
        text,
        "phone_power",
        [("rain", "trời mưa"), ("phone", "điện thoại"), ("low_battery", "sắp hết pin")],
        ranking={"phone_power": 0.8, "stay_dry": 0.19},
    )
    assert "utter_also_noted" in texts(turn)
    assert [r.need for r in turn.records if isinstance(r, NeedOpened)] == [
        "phone_power",
        "stay_dry",
    ]
    guest.clicks_sub_goal("phone_power", "quick_call")
    turn = guest.answers(YES, "ok", "affirm")
    assert texts(turn)[:2] == ["utter_glad", "utter_next_need"]  # no "anything else?" yet
    assert guest.state.need == "stay_dry" and guest.state.stage == CLARIFY_SUB_GOAL


def test_change_of_topic_mid_flow(guest: Guest) -> None:
    guest.says("em có sạc không", "phone_power", [("charger", "sạc")])
    turn = guest.says("mà cho chị hỏi nhà vệ sinh ở đâu", "restroom", [("restroom", "nhà vệ sinh")])
    assert guest.state.need == "restroom"
    assert "Chị cần dùng nhà vệ sinh" in turn.replies[0].text


def test_ambiguous_message_asks_which_need(guest: Guest) -> None:
    turn = guest.says("em ơi giúp với", "stay_dry", ranking={"stay_dry": 0.46, "transport": 0.44})
    (question,) = turn.replies
    assert question.response == "utter_ask_which_need"
    assert question.variables["first"] == "ô, áo mưa để khỏi ướt"
    assert [b.payload for b in question.buttons] == [
        '/choose_need{"need":"stay_dry"}',
        '/choose_need{"need":"transport"}',
    ]
    assert guest.state.stage == CLARIFY_NEED


def test_unrecognised_request_is_logged_with_its_text(guest: Guest) -> None:
    turn = guest.says(
        "quán có cho mang chó vào không", "out_of_scope", ranking={"out_of_scope": 0.9}
    )
    assert texts(turn) == ["utter_out_of_scope"]
    (opened,) = turn.records
    assert opened.need == "unrecognized" and opened.text == "quán có cho mang chó vào không"


def test_ask_human_at_any_point_escalates_the_open_need(guest: Guest) -> None:
    guest.says("em có sạc không", "phone_power", [("charger", "sạc")])
    turn = guest.asks_for_a_person()
    assert texts(turn) == ["utter_handoff"]
    key = next(r.key for r in guest.records if isinstance(r, NeedOpened))
    assert outcome_of(guest.records, key) == "escalated"
    handoff = next(r for r in turn.records if isinstance(r, HandoffRequested))
    assert handoff.need == "phone_power" and handoff.text == "cho tôi gặp nhân viên"


def test_emergency_skips_everything_and_gives_115(guest: Guest) -> None:
    guest.says("em có sạc không", "phone_power", [("charger", "sạc")])
    turn = guest.asks_for_a_person("cứu với, có người ngất xỉu")
    assert texts(turn) == ["utter_emergency"]
    handoff = next(r for r in turn.records if isinstance(r, HandoffRequested))
    assert handoff.urgent and handoff.need == "health_aid"
    opened = next(r for r in turn.records if isinstance(r, NeedOpened))
    assert opened.outcome == "escalated"


def test_emergency_response_gives_115(tmp_path) -> None:
    import yaml

    from bot.paths import ROOT

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert "115" in domain["responses"]["utter_emergency"][0]["text"]


def test_greeting_and_bot_question_are_answered_keeping_the_open_need(guest: Guest) -> None:
    guest.says("trời mưa quá", "stay_dry", [("rain", "trời mưa")])
    assert texts(guest.says("chào em", "greet")) == ["utter_greet"]
    assert texts(guest.says("em là bot à", "bot_challenge")) == ["utter_iamabot"]
    assert guest.state.stage == CLARIFY_SUB_GOAL  # the question still waits for its answer


def test_thanks_with_nothing_open_is_just_welcome(guest: Guest) -> None:
    turn = guest.answers(THANKS, "cảm ơn em", "thanks")
    assert texts(turn) == ["utter_welcome"] and turn.records == []
    assert turn.rating == "thanks"


def test_repeated_message_has_the_same_keys(
    dialogue: NeedDialogue, inference: NeedInference
) -> None:
    """A retried action call produces the same idempotency keys: no duplicate rows."""
    first, second = Guest(dialogue, inference), Guest(dialogue, inference)
    a = first.says("có ô không em", "stay_dry", [("umbrella", "ô")])
    b = second.says("có ô không em", "stay_dry", [("umbrella", "ô")])
    assert [r.key for r in a.records] == [r.key for r in b.records]


@pytest.mark.parametrize("intent", ["ask_menu", "book_table", "complaint", "chitchat"])
def test_a_request_that_is_not_a_need_gets_its_honest_answer(guest: Guest, intent: str) -> None:
    turn = guest.says("cho mình xem thực đơn", intent, ranking={intent: 0.9, "accessibility": 0.05})
    assert texts(turn) == [f"utter_request_{intent}"]
    assert turn.records == [] and turn.state.need is None


def test_an_answer_to_the_question_wins_over_a_request_intent(guest: Guest) -> None:
    guest.says("em có sạc không", "phone_power", [("charger", "sạc")])
    turn = guest.says("chỉ cần gọi nhanh thôi", "chitchat")
    assert any("mượn điện thoại" in text for text in texts(turn))


def test_stars_tapped_on_a_rating_button_are_recorded_and_thanked(guest: Guest) -> None:
    guest.says("wifi pass la gi", "internet_access", [("wifi_password", "pass")])
    before = guest.state
    [*_, last] = rating_buttons("goodbye")
    assert (last.title, last.payload) == ("★★★★★", '/rate{"stars":5,"ended_by":"goodbye"}')
    tapped = replace(
        guest._message(last.payload, "rate"), values={"stars": "5", "ended_by": "goodbye"}
    )
    turn = guest.dialogue.on_rating(guest.state, tapped)
    assert texts(turn) == ["utter_rating_thanks"] and turn.state == before
    [rated] = turn.records
    assert isinstance(rated, RatingGiven) and (rated.stars, rated.ended_by) == (5, "goodbye")
    odd = replace(tapped, values={"stars": "9"})
    assert guest.dialogue.on_rating(guest.state, odd).records == []
