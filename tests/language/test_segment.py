"""Word segmentation: exact offsets into what the customer typed, and norms."""

from __future__ import annotations

import random
import unicodedata

import pytest

from bot.language.lexicon import Lexicon
from bot.language.segment import Segmenter, Word
from bot.language.text import fold, nfc_with_offsets

PHRASES = ["sạc", "cục sạc", "pin dự phòng", "ổ cắm", "hết pin", "mật khẩu wifi", "nhà vệ sinh"]


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter(Lexicon.load(), PHRASES)


def assert_offsets(text: str, words: list[Word]) -> None:
    previous_end = 0
    for word in words:
        assert text[word.start : word.end] == word.text, word
        assert word.start >= previous_end, "words overlap or go backwards"
        assert word.text.strip() == word.text and word.text
        previous_end = word.end


TRICKY = [
    "em có sạc iPhone không anh mượn, đang cần quá?",
    "Điện thoại mình sắp hết pin rồi 😭😭 có ổ cắm ko???",
    "wifi...pass là gì vậy!!!(bàn 5)",
    "cho mình hỏi nhà vệ sinh — ở đâu; cảm ơn 🙏🏽",
    "你好 hello xin chào 👋 مرحبا",
    "   khoảng   trắng\tlạ\nxuống dòng   ",
    "giá 150.000đ lúc 12:30, gọi 0912 345 678 hoặc a.b@gmail.com",
    "x\u200by\u0007z ‍‍ <script>alert(1)</script>",
    "e\u0301m co\u0301 sa\u0323c kho\u0302ng",  # decomposed Unicode (NFD keyboards)
]


@pytest.mark.parametrize("text", TRICKY)
def test_offsets_point_into_the_original_text(segmenter: Segmenter, text: str) -> None:
    words = segmenter.segment(text)
    assert words
    assert_offsets(text, words)


def test_empty_and_blank_messages_have_no_words(segmenter: Segmenter) -> None:
    assert segmenter.segment("") == []
    assert segmenter.segment("   \n\t ") == []


def test_ten_kilobyte_message_keeps_every_offset(segmenter: Segmenter) -> None:
    text = ("em ơi cho mình mượn cục sạc, điện thoại sắp hết pin 😭 " * 200)[:10_240]
    words = segmenter.segment(text)
    assert_offsets(text, words)
    assert len(words) > 2000
    assert sum(w.text == "cục sạc" for w in words) >= 150


def test_random_unicode_never_breaks_offsets(segmenter: Segmenter) -> None:
    alphabet = "aăâeêioôơuưyđ áàảãạ̣́̀̉̃ ,.!?😭🙏你0123456789\u200b\n" + "sạc pin wifi ko đc"
    rng = random.Random(1234)
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert_offsets(text, segmenter.segment(text))


def test_decomposed_input_maps_back_to_original_characters(segmenter: Segmenter) -> None:
    text = "sa\u0323c"  # "sạc" typed as s, a, combining dot below, c
    (word,) = segmenter.segment(text)
    assert (word.start, word.end) == (0, len(text))
    assert word.norm == "sac"


def test_nfc_with_offsets_maps_composed_clusters() -> None:
    normalised, starts, ends = nfc_with_offsets("a\u0301b")
    assert normalised == "áb"
    assert (starts, ends) == ([0, 2], [2, 3])


def test_catalog_phrases_stay_whole_words_even_without_diacritics(segmenter: Segmenter) -> None:
    # underthesea alone glues "co sac" into one word; the guard splits it again
    texts = [w.text for w in segmenter.segment("em co sac ip ko")]
    assert "sac" in texts
    assert [w.text for w in segmenter.segment("mình cần pin du phong")][-1] == "pin du phong"


def test_norm_folds_diacritics_and_expands_teencode(segmenter: Segmenter) -> None:
    words = {w.text: w.norm for w in segmenter.segment("đt hết pin, ko có sạc, pass wf là j")}
    assert words["đt"] == "dien_thoai"
    assert words["hết pin"] == "het_pin"
    assert words["ko"] == "khong"
    assert words["pass wf"] == "mat_khau_wifi"  # matched as the phrase "mật khẩu wifi"
    assert words["j"] == "gi"


def test_teencode_applies_to_whole_words_only(segmenter: Segmenter) -> None:
    norms = [w.norm for w in segmenter.segment("50k thôi k")]
    assert norms[-1] == "khong"  # the standalone "k"
    assert "khong" not in norms[:2]  # "50k" is fifty thousand, not "50 không"


def test_what_the_customer_wrote_is_never_changed(segmenter: Segmenter) -> None:
    text = "Cho Mình Xin PASS WF"
    words = segmenter.segment(text)
    assert " ".join(w.text for w in words) == text


def test_fold() -> None:
    assert fold("Điện Thoại Hết PIN") == "dien thoai het pin"
    assert fold(unicodedata.normalize("NFD", "Phở")) == "pho"


@pytest.mark.parametrize(
    "text",
    [
        *TRICKY,
        "co sac dien thoai ko e, mat khau wifi la gi",
        "Cho mình xin cục sạc với pin dự phòng, ổ cắm ở đâu?",
        "Bác sĩ bây giờ có thể thản nhiên báo tin bệnh nhân bị ung thư",
    ],
)
def test_word_tokenizer_matches_underthesea(text: str) -> None:
    """The compiled-once tokenizer gives exactly underthesea's word_tokenize output."""
    from underthesea import word_tokenize

    from bot.language.segment import _escape_for_underthesea, _WordTokenizer

    fixed = [_escape_for_underthesea(p) for p in sorted(PHRASES, key=lambda p: (-len(p), p))]
    normalised = nfc_with_offsets(text)[0]
    expected = word_tokenize(normalised, use_token_normalize=False, fixed_words=fixed)
    assert _WordTokenizer(fixed)(normalised) == expected
