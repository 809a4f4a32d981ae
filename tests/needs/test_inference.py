"""Ranking needs from intent ranking, catalog items and context."""

from __future__ import annotations

from typing import Dict, List, Optional

import pytest

from bot.needs.catalog import Catalog
from bot.needs.inference import NeedInference


@pytest.fixture(scope="module")
def inference() -> NeedInference:
    return NeedInference(Catalog.load())


def parse(
    ranking: Dict[str, float], items: Optional[List[tuple]] = None, text: str = "", **extra
) -> dict:
    ordered = sorted(ranking.items(), key=lambda kv: -kv[1])
    entities = [
        {"entity": "item", "value": value, "start": start, "end": end}
        for value, start, end in items or []
    ]
    return {
        "text": text,
        "intent": {"name": ordered[0][0], "confidence": ordered[0][1]},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ordered],
        "entities": entities + extra.get("more_entities", []),
    }


def test_confident_intent_decides(inference: NeedInference) -> None:
    reading = inference.read(parse({"phone_power": 0.97, "internet_access": 0.02}))
    assert reading.need == "phone_power"
    assert reading.confidence == pytest.approx(0.97)
    assert reading.ranked[0][0] == "phone_power"


def test_item_refines_the_goal_umbrella_to_find_again_is_lost_item(
    inference: NeedInference,
) -> None:
    text = "hôm qua tôi để quên cái ô ở bàn"
    lost, umbrella = text.index("để quên"), text.index("cái ô")
    reading = inference.read(
        parse(
            {"lost_item": 0.6, "stay_dry": 0.35},
            [("lost_signal", lost, lost + 7), ("umbrella", umbrella, umbrella + 5)],
            text,
        )
    )
    assert reading.need == "lost_item"
    assert reading.literal_item("lost_item", inference.catalog) == "để quên"


def test_item_rescues_a_low_confidence_parse(inference: NeedInference) -> None:
    text = "chị muốn xin cái mền đắp chân"
    reading = inference.read(
        parse(
            {"comfort_temperature": 0.2, "greet": 0.1, "nlu_fallback": 0.4},
            [("blanket", 17, 20)],
            text,
        )
    )
    assert reading.need == "comfort_temperature"
    assert reading.items[0].literal == "mền"


def test_close_call_becomes_a_question(inference: NeedInference) -> None:
    reading = inference.read(parse({"stay_dry": 0.48, "transport": 0.45, "greet": 0.07}))
    assert reading.need is None
    assert reading.ambiguous == ("stay_dry", "transport")


def test_nothing_recognised(inference: NeedInference) -> None:
    reading = inference.read(parse({"out_of_scope": 0.95, "payment": 0.03}))
    assert reading.need is None and not reading.ambiguous


def test_context_wins_a_close_call(inference: NeedInference) -> None:
    ranking = {"stay_dry": 0.47, "transport": 0.46}
    assert inference.read(parse(ranking)).need is None
    assert inference.read(parse(ranking), current_need="transport").need == "transport"


@pytest.mark.parametrize(
    "ranking",
    [
        {"phone_power": 0.8, "stay_dry": 0.19},  # a clear winner, the other noted
        {"phone_power": 0.55, "stay_dry": 0.4},  # a close call, but each has its own items
    ],
)
def test_two_needs_in_one_message(inference: NeedInference, ranking: Dict[str, float]) -> None:
    text = "trời mưa mà điện thoại cũng sắp hết pin"
    reading = inference.read(
        parse(ranking, [("rain", 0, 8), ("phone", 12, 22), ("low_battery", 28, 39)], text)
    )
    assert reading.need == "phone_power" and not reading.ambiguous
    assert reading.secondary == ("stay_dry",)


def test_an_item_alone_is_not_a_second_need(inference: NeedInference) -> None:
    # "điện thoại" is a lost_item item, but nothing in the sentence says it is lost
    reading = inference.read(
        parse(
            {"phone_power": 0.99, "lost_item": 0.001},
            [("phone", 0, 10), ("low_battery", 11, 18)],
            "điện thoại hết pin",
        )
    )
    assert reading.secondary == ()


def test_emergency_is_urgent_whatever_the_intent(inference: NeedInference) -> None:
    reading = inference.read(parse({"ask_human": 0.9}, text="có người ngất ở bàn 5"))
    assert reading.urgent and reading.need == inference.catalog.emergency_need == "health_aid"
    assert reading.emergency is not None and reading.emergency.category == "unconscious"


def test_a_choking_child_is_an_emergency_whatever_the_model_says(
    inference: NeedInference,
) -> None:
    text = "bé nhà mình bị sặc, mặt tím tái rồi"
    reading = inference.read(parse({"phone_power": 0.98}, text=text))
    assert reading.urgent and reading.need == "health_aid"


def test_cold_food_is_not_an_emergency(inference: NeedInference) -> None:
    text = "món ăn ra nguội ngắt, không ngon chút nào"
    reading = inference.read(parse({"complaint": 0.9, "health_aid": 0.05}, text=text))
    assert not reading.urgent and reading.need is None


def test_a_request_that_is_not_a_need_outweighs_every_need(inference: NeedInference) -> None:
    reading = inference.read(parse({"ask_menu": 0.62, "accessibility": 0.3}, text="xem thực đơn"))
    assert reading.need is None and not reading.ambiguous


def test_items_can_still_outweigh_a_request_intent(inference: NeedInference) -> None:
    text = "trời mưa quá quán có gì không"  # a request and a need as likely: the item decides
    reading = inference.read(parse({"ask_menu": 0.45, "stay_dry": 0.45}, [("rain", 0, 8)], text))
    assert reading.need == "stay_dry"
    without_item = inference.read(parse({"ask_menu": 0.45, "stay_dry": 0.45}, text=text))
    assert without_item.need is None


def test_button_payload_names_the_need(inference: NeedInference) -> None:
    payload = parse({"choose_need": 1.0}, more_entities=[{"entity": "need", "value": "stay_dry"}])
    reading = inference.read(payload)
    assert reading.explicit and reading.need == "stay_dry" and reading.confidence == 1.0


def test_unknown_values_are_ignored(inference: NeedInference) -> None:
    payload = parse(
        {"choose_need": 1.0},
        [("not_an_item", 0, 1)],
        more_entities=[{"entity": "need", "value": "no_such_need"}],
    )
    reading = inference.read(payload)
    assert reading.need is None and reading.items == ()


def test_close_call_with_shared_items_stays_a_question(inference: NeedInference) -> None:
    # an umbrella serves staying dry and (asked for to find it) lost items
    reading = inference.read(parse({"stay_dry": 0.48, "lost_item": 0.45}, [("umbrella", 0, 2)]))
    assert reading.need is None
    assert set(reading.ambiguous) == {"stay_dry", "lost_item"}
