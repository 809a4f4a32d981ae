"""A synthetic JointIDSF-layout dataset at PhoATIS scale, to time ``bench-nlu``.

No public dataset can be downloaded here, so ``make bench`` times our pipeline
on generated Vietnamese travel-booking utterances of the same size and shape:
~4,500 training utterances, ~80 slot types, ~25 intents. The scores on it say
little about real data; the training time and memory are what it measures.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import List, Tuple

CITIES = [
    "hà nội",
    "đà nẵng",
    "huế",
    "sài gòn",
    "nha trang",
    "cần thơ",
    "hải phòng",
    "đà lạt",
    "vinh",
    "phú quốc",
    "quy nhơn",
    "buôn ma thuột",
    "pleiku",
    "côn đảo",
    "thanh hóa",
]
VALUES = [
    "thứ hai",
    "thứ ba",
    "chủ nhật",
    "ngày mai",
    "buổi sáng",
    "buổi tối",
    "vietjet",
    "bamboo airways",
    "hạng thương gia",
    "hạng phổ thông",
    "một chiều",
    "khứ hồi",
    "trước tám giờ",
    "sau năm giờ chiều",
    "tháng sáu",
    "ngày hai mươi",
    "hai người",
    "bữa sáng",
    "bay thẳng",
    "nối chuyến",
    "giá rẻ",
    "sân bay nội bài",
]
FRAMES = [
    "tôi muốn",
    "cho tôi xem",
    "tìm giúp tôi",
    "có",
    "liệt kê",
    "hiển thị",
    "làm ơn tìm",
]
Tagged = List[Tuple[str, str]]


def _span(phrase: str, label: str) -> Tagged:
    return [(w, ("B-" if i == 0 else "I-") + label) for i, w in enumerate(phrase.split())]


def _plain(phrase: str) -> Tagged:
    return [(w, "O") for w in phrase.split()]


SYLLABLES = [
    "an",
    "bao",
    "binh",
    "cao",
    "chau",
    "dai",
    "dong",
    "giang",
    "hai",
    "hoa",
    "hung",
    "khanh",
    "lam",
    "linh",
    "long",
    "mai",
    "minh",
    "nam",
    "nga",
    "ngoc",
    "nhat",
    "phong",
    "phu",
    "quang",
    "son",
    "tam",
    "tan",
    "thanh",
    "thao",
    "thu",
    "tien",
    "trung",
    "tuan",
    "van",
    "viet",
    "xuan",
]
ASKS = (
    "giá vé",
    "lịch bay",
    "hành lý",
    "đổi vé",
    "hủy vé",
    "ghế ngồi",
    "suất ăn",
    "giờ cất cánh",
    "giờ hạ cánh",
    "hãng bay",
    "loại máy bay",
    "khoảng cách",
    "sân bay",
    "xe đưa đón",
    "thuê xe",
    "khách sạn",
    "thời tiết",
    "thủ tục",
    "giấy tờ",
    "hoàn tiền",
    "điểm thưởng",
    "chỗ ngồi trẻ em",
    "thú cưng",
    "xe lăn",
    "quá cảnh",
)


def _slot_value(rng: random.Random, slot: int) -> str:
    """Each slot type has its own small vocabulary, so it is learnable like real slots."""
    own = SYLLABLES[slot % len(SYLLABLES)], SYLLABLES[(slot * 7 + 3) % len(SYLLABLES)]
    return f"{rng.choice(own)} {rng.choice(VALUES)}"


def _utterance(rng: random.Random, intents: int, slots: int) -> Tuple[Tagged, str]:
    intent = rng.randrange(intents)
    source, target = rng.sample(CITIES, 2)
    parts = _plain(f"{rng.choice(FRAMES)} {ASKS[intent % len(ASKS)]} chuyến bay từ")
    parts += _span(source, "fromloc.city_name") + _plain("đến") + _span(target, "toloc.city_name")
    for _ in range(rng.randint(0, 3)):
        slot = rng.randrange(slots - 2)
        parts += _plain(rng.choice(["với", "và", "vào", "có"]))
        parts += _span(_slot_value(rng, slot), f"slot_{slot:02d}")
    return parts, f"intent_{intent:02d}"


def write_dataset(
    out: Path,
    train: int = 4478,
    dev: int = 500,
    test: int = 893,
    intents: int = 25,
    slots: int = 80,
    seed: int = 11,
) -> Path:
    """Write ``train|dev|test/{seq.in,seq.out,label}`` under ``out``."""
    rng = random.Random(seed)
    for split, size in (("train", train), ("dev", dev), ("test", test)):
        folder = out / split
        folder.mkdir(parents=True, exist_ok=True)
        rows = [_utterance(rng, intents, slots) for _ in range(size)]
        (folder / "seq.in").write_text(
            "".join(" ".join(w for w, _ in parts) + "\n" for parts, _ in rows), encoding="utf-8"
        )
        (folder / "seq.out").write_text(
            "".join(" ".join(t for _, t in parts) + "\n" for parts, _ in rows), encoding="utf-8"
        )
        (folder / "label").write_text("".join(f"{label}\n" for _, label in rows), encoding="utf-8")
    return out
