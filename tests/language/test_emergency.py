"""The emergency detector: diacritics count, idioms are not emergencies, none is missed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language.emergency import EmergencyDetector, EmergencyPhrasesError
from bot.language.lexicon import Lexicon
from bot.needs.catalog import Catalog
from bot.needs.inference import NeedInference
from harness.evaluation.openworld import EmergencyScores, score_emergencies

# Regression gates on the held-out set (the figures themselves: make eval).
HELDOUT_RECALL_GATE = 0.9
HELDOUT_FALSE_GATE = 12


@pytest.fixture(scope="module")
def inference() -> NeedInference:
    return NeedInference(Catalog.load())


@pytest.fixture(scope="module")
def detector() -> EmergencyDetector:
    return EmergencyDetector.load(Lexicon.load())


@pytest.mark.parametrize(
    "text, category",
    [
        ("bé nhà mình bị sặc, mặt tím tái rồi", "choking"),
        ("có người ngất ở bàn 5", "unconscious"),
        ("co nguoi ngat o ban 5", "unconscious"),  # no diacritics: a phrase with context
        ("ng nha mk vua ngat, goi cap cuu vs", "unconscious"),
        ("ông cụ ôm ngực kêu đau", "heart"),
        ("anh kia lên cơn động kinh", "seizure"),
        ("máu chảy không cầm được", "bleeding"),
        ("bị bỏng nước sôi phồng rộp cả tay", "burn"),
        ("ăn tôm xong sưng môi khó thở", "allergy"),
        ("bếp bốc cháy rồi", "fire"),
        ("hai ông đang đánh nhauu, đập chai", "fight"),  # panic typing
        ("FIRE in the kitchen", "fire"),
    ],
)
def test_emergencies_in_every_style(detector: EmergencyDetector, text: str, category: str) -> None:
    match = detector.detect(text)
    assert match is not None, text
    assert match.category == category


@pytest.mark.parametrize(
    "text",
    [
        "món ăn ra nguội ngắt, không ngon chút nào",  # ngắt is not ngất
        "không gian quán đẹp ngất ngây",
        "đọc menu mà cười ngất",
        "mon an ra nguoi ngat",  # without diacritics "nguoi ngat" is also cold food
        "ngat",  # one bare word without diacritics is not enough
        "quán xinh xỉu",
        "cho e 1 ly bạc xỉu ít đá",
        "cơm cháy chà bông bao nhiêu một phần",
        "cuối tháng cháy túi rồi",
        "uống vội bị sặc nước chút thôi, không sao",  # played down
        "cứu em với, điện thoại sắp hết pin",  # an everyday trouble
    ],
)
def test_idioms_and_mild_troubles_are_not_emergencies(
    detector: EmergencyDetector, text: str
) -> None:
    assert detector.detect(text) is None


def test_severe_signs_are_never_played_down(detector: EmergencyDetector) -> None:
    assert detector.detect("không sao đâu nhưng bé tím tái rồi") is not None


@pytest.fixture(scope="module")
def scores(inference: NeedInference) -> EmergencyScores:
    return score_emergencies(inference, cross_validate=False)


def test_every_example_is_caught_and_no_training_message_is_an_emergency(
    scores: EmergencyScores,
) -> None:
    built_on = scores.built_on
    assert built_on.caught[1] >= 500 and built_on.negatives >= 3000
    assert built_on.missed == []
    assert built_on.false == []


def test_held_out_emergencies_regression_gate(scores: EmergencyScores) -> None:
    """Written unseen, never tuned on: recall and false alarms must not regress."""
    heldout = scores.heldout
    caught, total = heldout.caught
    assert total >= 90 and heldout.negatives >= 1000
    assert caught / total >= HELDOUT_RECALL_GATE, heldout.missed
    assert len(heldout.false) <= HELDOUT_FALSE_GATE, heldout.false


def test_a_broken_phrase_file_names_file_and_entry(tmp_path: Path) -> None:
    path = tmp_path / "emergency.yml"
    path.write_text("version: 1\ncategories:\n  fire:\n    severe: cháy\n", encoding="utf-8")
    with pytest.raises(EmergencyPhrasesError, match=r"emergency\.yml: categories\.fire\.severe"):
        EmergencyDetector.load(Lexicon.load(), path)
