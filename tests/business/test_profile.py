"""The business profile: it loads, every problem names file, line and field, edits are live."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bot.business.profile import BusinessProfile, ProfileError, ProfileSource
from bot.paths import BUSINESS_PATH

SAMPLE = Path(__file__).resolve().parent / "business.yml"


def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "business.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def problems(path: Path) -> list:
    with pytest.raises(ProfileError) as error:
        BusinessProfile.load(path)
    return error.value.problems


@pytest.mark.parametrize("path", [BUSINESS_PATH, SAMPLE], ids=["data", "test-copy"])
def test_the_profiles_load(path):
    profile = BusinessProfile.load(path)
    assert profile.name == "Quán Mộc" and len(profile.branches) == 2
    assert len(profile.menu) >= 25 and str(profile.zone) == "Asia/Ho_Chi_Minh"


def test_hours_per_weekday_and_special_days():
    profile = BusinessProfile.load(SAMPLE)
    friday, special = profile.hours_on(dt.date(2026, 12, 4))
    assert (tuple(friday), special) == (((7 * 60, 23 * 60),), None)
    tet, special = profile.hours_on(dt.date(2027, 2, 7))
    assert tet.closed and special.reason.startswith("Tết")


def test_a_price_in_words_is_reported_with_file_line_and_field(tmp_path):
    path = broken(tmp_path, "    price: 60000\n", '    price: "ba mươi"\n')
    line = line_of(path, 'price: "ba mươi"')
    assert problems(path) == [
        f'{path}:{line}: menu[5].price: must be a positive number of đồng, got "ba mươi"'
    ]


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("    price: 55000\n", "    price: 55.000\n", "menu[0].price", "without dots"),
        ("    price: 55000\n", "    price: 55\n", "menu[0].price", "write the full amount"),
        ('  friday: "07:00-23:00"', '  friday: "7h-23h"', "hours.friday", 'got "7h-23h"'),
        ('  friday: "07:00-23:00"', '  friday: "23:00-07:00"', "hours.friday", "closes before"),
        (
            "    category: Bún\n",
            "    category: Bun\n",
            "menu[5].category",
            'unknown category "Bun"',
        ),
        ("    tags: [cay]\n", "    tags: [cayy]\n", "menu[6].tags[0]", 'unknown tag "cayy"'),
        ("timezone: Asia/Ho_Chi_Minh", "timezone: Asia/Hanoi_City", "timezone", "unknown time"),
        ("  largest_party: 10", "  largest_party: 40", "reservations.largest_party", "do not fit"),
        ("    last_day: 2027-02-08", "    last_day: 2027-02-01", "special_days[3].last_day", ""),
        ("    map_url: https://maps", "    map_url: maps", "branches[0].map_url", ""),
        ("  waitlist: true", "  waitlist: yes please", "reservations.waitlist", ""),
        ("  - name: Phở gà\n", "  - name: Phở bò tái\n", "menu[2]", "listed twice"),
        ("    directions: Từ", "    direction: Từ", "branches[0].direction", "extra fields"),
    ],
)
def test_every_mistake_names_its_line_and_field(tmp_path, old, new, field, message):
    path = broken(tmp_path, old, new)
    problem = next(p for p in problems(path) if f": {field}: " in p)
    assert message in problem
    where, line = problem.split(": ")[0].rsplit(":", 1)
    assert where == str(path)
    assert new.strip() in path.read_text(encoding="utf-8").splitlines()[int(line) - 1]


def test_several_problems_are_reported_at_once(tmp_path):
    path = broken(tmp_path, "    price: 55000\n", "    price: free\n")
    path.write_text(
        path.read_text(encoding="utf-8").replace("  slot_minutes: 90", "  slot_minutes: 0"),
        encoding="utf-8",
    )
    found = problems(path)
    assert len(found) == 2
    assert any("menu[0].price" in p for p in found)
    assert any("reservations.slot_minutes" in p for p in found)


def test_an_unreadable_file(tmp_path):
    path = tmp_path / "business.yml"
    path.write_text("name: [broken", encoding="utf-8")
    [problem] = problems(path)
    assert problem.startswith(f"{path}: cannot read")


def test_edits_are_picked_up_without_a_restart_and_a_broken_edit_keeps_the_last_good(tmp_path):
    path = tmp_path / "business.yml"
    text = SAMPLE.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    source = ProfileSource(path)
    assert source.get().menu[0].price == 55000

    path.write_text(text.replace("    price: 55000\n", "    price: 60000\n", 1), encoding="utf-8")
    os.utime(path, (1, 1))
    assert source.get().menu[0].price == 60000

    path.write_text(text.replace("    price: 55000\n", "    price: nope\n", 1), encoding="utf-8")
    os.utime(path, (2, 2))
    assert source.get().menu[0].price == 60000
    assert "menu[0].price" in str(source.last_error)
