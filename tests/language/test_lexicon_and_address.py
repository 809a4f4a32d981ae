"""The teencode lexicon (data), guest addressing and clarifying-answer matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language.address import address_forms, detect_addressee
from bot.language.lexicon import Lexicon, LexiconError
from bot.language.phrases import PhraseFinder


def test_project_lexicon_covers_the_spec_teencode() -> None:
    lexicon = Lexicon.load()
    expected = {
        "ko": "không",
        "k": "không",
        "dc": "được",
        "đc": "được",
        "j": "gì",
        "mk": "mình",
        "bn": "bạn",
        "đt": "điện thoại",
        "ip": "iphone",
        "wf": "wifi",
        "pass": "mật khẩu",
    }
    for variant, standard in expected.items():
        assert lexicon.standard(variant) == standard, variant
    assert lexicon.standard("KO") == "không"
    assert lexicon.standard("sạc") is None


def test_clashing_variants_are_rejected_with_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yml"
    path.write_text("teencode:\n  không: [ko]\n  có: [ko]\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"lexicon.yml: teencode.có: variant 'ko' already means"):
        Lexicon.load(path)


@pytest.mark.parametrize(
    "content, message",
    [
        ("teencode: [a, b]\n", "section 'teencode' must be a mapping"),
        ("teencode:\n  không: []\n", "expected a non-empty list"),
        ("teencode:\n  mật khẩu: [pass word]\n", "must be a single word"),
        ("teencode:\n  x: [a\n", "cannot read lexicon"),
    ],
)
def test_bad_lexicon_files_are_rejected_clearly(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "lexicon.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        Lexicon.load(path)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("em có sạc iPhone không anh mượn, đang cần quá?", "anh"),
        ("cho chị xin mật khẩu wifi", "chị"),
        ("a can sac dt", "anh"),
        ("chị ơi cho em hỏi wifi", None),  # vocative: says nothing about the guest
        ("anh ơi có ô không", None),
        ("wifi pass j v", None),
    ],
)
def test_detect_addressee(text: str, expected: str | None) -> None:
    assert detect_addressee(text) == expected


def test_address_forms() -> None:
    assert address_forms("chị") == {"kh": "chị", "Kh": "Chị"}
    assert address_forms(None) == {"kh": "anh/chị", "Kh": "Anh/chị"}


def test_phrases_tolerate_missing_diacritics_but_respect_given_ones() -> None:
    finder = PhraseFinder(Lexicon.load())
    assert finder.contains("thanh toan bang the nhe", "thẻ")
    assert not finder.contains("thế thì sao", "thẻ")
    assert finder.contains("chi can goi 1 cuoc thoi", "gọi 1 cuộc")
    assert finder.contains("sạc máy của mk", "sạc máy của mình")  # teencode expanded
    assert finder.first_match("cần đi ngay", ["ngồi chờ", "đi ngay"]) == 1
    assert finder.first_match("", ["đi ngay"]) == -1
