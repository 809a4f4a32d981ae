"""The emergency detector: diacritics count, idioms are not emergencies, none is missed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language.emergency import EmergencyDetector, EmergencyPhrasesError
from bot.language.lexicon import Lexicon
from harness.evaluation.openworld import emergency_phrasings, non_emergencies


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


def test_every_written_emergency_is_caught_and_nothing_else(detector: EmergencyDetector) -> None:
    phrasings = [t for texts in emergency_phrasings().values() for t in texts]
    assert len(phrasings) >= 60
    assert [t for t in phrasings if detector.detect(t) is None] == []
    negatives = non_emergencies()
    assert len(negatives) >= 1000
    assert [t for t in negatives if detector.detect(t) is not None] == []


def test_a_broken_phrase_file_names_file_and_entry(tmp_path: Path) -> None:
    path = tmp_path / "emergency.yml"
    path.write_text("version: 1\ncategories:\n  fire:\n    severe: cháy\n", encoding="utf-8")
    with pytest.raises(EmergencyPhrasesError, match=r"emergency\.yml: categories\.fire\.severe"):
        EmergencyDetector.load(Lexicon.load(), path)
