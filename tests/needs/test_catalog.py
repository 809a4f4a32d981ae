"""The needs catalog is data: the real one loads, broken ones are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.needs.catalog import Catalog, CatalogError, CatalogSource
from bot.paths import CATALOG_PATH

SPEC_NEEDS = {
    "phone_power",
    "internet_access",
    "stay_dry",
    "transport",
    "parking",
    "restroom",
    "child_care",
    "dietary",
    "workspace",
    "celebration",
    "health_aid",
    "payment",
    "time_pressure",
    "accessibility",
    "lost_item",
    "comfort_temperature",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_all_sixteen_spec_needs_are_in_the_catalog(catalog: Catalog) -> None:
    assert set(catalog.needs) >= SPEC_NEEDS


def test_every_need_has_what_the_bot_and_the_report_use(catalog: Catalog) -> None:
    for need_id, need in catalog.needs.items():
        assert need.label and need.reflect and need.escalation and need.topic, need_id
        assert "{requests}" in need.recommendation or "{unmet}" in need.recommendation, need_id
        assert need.offers(None) or need.clarify, f"{need_id}: nothing available today"
        if need.clarify:
            assert 2 <= len(need.clarify.options) <= 4


def test_charger_sub_goals_lead_to_different_alternatives(catalog: Catalog) -> None:
    need = catalog.need("phone_power")
    quick = [a.text for a in need.offers("quick_call")]
    own = [a.text for a in need.offers("charge_own_phone")]
    assert quick and own and not set(quick) & set(own)
    assert any("mượn điện thoại" in text for text in quick)
    assert any("sạc" in text for text in own)


def test_items_point_to_needs(catalog: Catalog) -> None:
    assert catalog.needs_for_item("umbrella") == ["stay_dry", "lost_item"]
    assert catalog.needs_for_item("charger") == ["phone_power"]


def test_the_emergency_need_is_a_catalog_field(catalog: Catalog) -> None:
    assert catalog.emergency_need == "health_aid"
    assert [n for n, need in catalog.needs.items() if need.emergency] == ["health_aid"]


def test_exactly_one_emergency_need(tmp_path: Path) -> None:
    path = _broken(tmp_path, "    emergency: true\n", "")
    with pytest.raises(CatalogError, match="exactly one need must have 'emergency: true'"):
        Catalog.load(path)


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = CATALOG_PATH.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "catalog.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


@pytest.mark.parametrize(
    "old, new, location, message",
    [
        (
            "        available: true\n        serves: [quick_call]",
            "        available: maybe\n        serves: [quick_call]",
            "needs.phone_power.alternatives[0].available",
            "value is not a valid boolean",
        ),
        (
            "        serves: [quick_call]",
            "        serves: [quick_cal]",
            "needs.phone_power.alternatives[0].serves",
            "unknown sub-goal 'quick_cal'",
        ),
        (
            "    items: [charger, power_bank, cable, socket, low_battery]",
            "    items: [charger, power_bank, cable, socket, low_batery]",
            "needs.phone_power.items[4]",
            "unknown item 'low_batery'",
        ),
        (
            '    reflect: "{Kh} cần dùng điện thoại',
            '    reflect: "{Khach} cần dùng điện thoại',
            "needs.phone_power.reflect",
            "unknown placeholder {Khach}",
        ),
        (
            '    escalation: "Để em nhờ quản lý tìm cách giúp {kh} ngay',
            '    escalaton: "Để em nhờ quản lý tìm cách giúp {kh} ngay',
            "needs.phone_power.escalaton",
            "extra fields not permitted",
        ),
    ],
)
def test_broken_catalog_names_file_line_entry_and_field(
    tmp_path: Path, old: str, new: str, location: str, message: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(CatalogError) as raised:
        Catalog.load(path)
    problems = raised.value.problems
    matching = [p for p in problems if location in p and message in p]
    assert matching, problems
    assert matching[0].startswith(f"{path}:")
    assert f":{_line_of(path, new.strip().splitlines()[0])}:" in matching[0] or location.endswith(
        "escalation"
    )


def test_missing_field_and_every_problem_reported_at_once(tmp_path: Path) -> None:
    text = CATALOG_PATH.read_text(encoding="utf-8")
    text = text.replace(
        '    reflect: "{Kh} đang cần vào mạng', '    reflekt: "{Kh} đang cần vào mạng', 1
    )
    text = text.replace("    items: [restroom]", "    items: [toilet]", 1)
    path = tmp_path / "catalog.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        Catalog.load(path)
    joined = "\n".join(raised.value.problems)
    assert "needs.internet_access.reflect: field required" in joined
    assert "needs.restroom.items[0]: unknown item 'toilet'" in joined


def test_unreadable_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yml"
    path.write_text("needs: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="cannot read"):
        Catalog.load(path)


def test_duplicate_synonym_across_items_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, "synonyms: [áo mưa,", "synonyms: [sac,")
    with pytest.raises(CatalogError, match="'sac' is also a synonym of 'charger'"):
        Catalog.load(path)


def test_source_reloads_valid_edits_and_keeps_the_last_good_catalog(tmp_path: Path) -> None:
    import os

    path = tmp_path / "catalog.yml"
    text = CATALOG_PATH.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    source = CatalogSource(path)
    assert len(source.get().need("phone_power").offers("charge_own_phone")) == 3

    # the counter is out of chargers today: that alternative is skipped, no restart
    path.write_text(
        text.replace(
            "        available: true\n        serves: [charge_own_phone]",
            "        available: false\n        serves: [charge_own_phone]",
            1,
        ),
        encoding="utf-8",
    )
    os.utime(path, (1, 1))
    offers = source.get().need("phone_power").offers("charge_own_phone")
    assert len(offers) == 2 and not any("Quầy thu ngân" in a.text for a in offers)

    path.write_text("needs: [broken", encoding="utf-8")
    os.utime(path, (2, 2))
    assert len(source.get().need("phone_power").offers("charge_own_phone")) == 2
    assert source.last_error is not None
