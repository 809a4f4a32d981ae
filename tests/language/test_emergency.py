"""The emergency detector: diacritics count, idioms are not emergencies, none is missed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language.emergency import EmergencyDetector, EmergencyPhrasesError
from bot.language.emergency_classifier import EmergencyExamples
from bot.language.lexicon import Lexicon
from bot.language.text import fold
from bot.needs.catalog import Catalog
from bot.needs.inference import NeedInference
from harness.evaluation.openworld import (
    EMERGENCY_DEV,
    EmergencyScores,
    emergency_negatives,
    emergency_phrasings,
    score_emergencies,
)

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
        ("thằng nhỏ té xuống ao, đang chìm", "drowning"),
        ("ông khách chạm vô tủ đông bị điện giật ngã ra", "electric_shock"),
        ("mấy ông say choảng nhau, có người bể đầu", "fight"),
        ("bình gas bếp nướng bị xì, mùi nồng lắm", "fire"),
        ("my wife's throat is closing, she ate shrimp", "allergy"),
        ("ban so ba co nguoi ngat xiu", "unconscious"),  # "số ba" (table 3), not "sợ bà"
        ("bep boc khoi roi", "fire"),  # "khói rồi" (smoke), not "khỏi rồi" (recovered)
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
        "nhìn bill mà muốn đột quỵ",  # hyperbole
        "ăn no căng bụng không thở nổi",
        "bị chém đẹp quá, tô phở 150k",  # "chém" is overcharging
        "this bún bò is fire",
        "bò nướng đá nóng bốc khói thơm",  # a sizzling plate
        "nếu lỡ bé bị nghẹn thì quán có ai biết sơ cứu không",  # a hypothetical
        "sợ con bị bỏng, cho bàn xa bếp than giúp",  # a worry
        "hồi nhỏ từng bị điện giật nên giờ sợ ổ cắm",  # the past
        "điện thoại rớt xuống hồ cá rồi",  # a thing, not a person
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


def test_the_dev_set_is_caught_and_never_trained_on(scores: EmergencyScores) -> None:
    """tests/openworld/emergencies_dev.yml: the rules are tuned on it, never trained on."""
    dev = scores.dev
    assert dev.caught[1] >= 150 and dev.negatives >= 300
    assert dev.missed == []
    assert dev.false == []
    examples = EmergencyExamples.load()
    trained = {fold(t) for _, t in examples.emergencies}
    trained |= {fold(t) for t in examples.not_emergencies}
    written = [t for texts in emergency_phrasings(EMERGENCY_DEV).values() for t in texts]
    assert not [t for t in written + emergency_negatives(EMERGENCY_DEV) if fold(t) in trained]


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
