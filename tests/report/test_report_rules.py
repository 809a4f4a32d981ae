"""``data/report/recommendations.yml``: the shipped rule, and bad files named precisely."""

from __future__ import annotations

import pytest

from bot.paths import REPORT_RULES_PATH
from bot.report.rules import RecommendationRule
from bot.yaml_source import DataFileError

GOOD = """\
days: 7
min_requests: 5
min_unmet_share: 0.5
count_as_unmet: [unmet, escalated]
recurring_min_requests: 30
"""


def test_the_shipped_rule():
    rule = RecommendationRule.load(REPORT_RULES_PATH)
    assert rule.days == 7
    assert rule.min_requests == 5
    assert rule.min_unmet_share == 0.5
    assert rule.count_as_unmet == ("unmet", "escalated")
    assert rule.recurring_min_requests == 30


def test_a_valid_file_loads(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text(GOOD.replace("days: 7", "days: 14"), encoding="utf-8")
    assert RecommendationRule.load(path).days == 14


@pytest.mark.parametrize(
    ("old", "new", "field", "line"),
    [
        ("min_unmet_share: 0.5", "min_unmet_share: 1.5", "min_unmet_share", 3),
        ("min_unmet_share: 0.5", "min_unmet_share: nhiều", "min_unmet_share", 3),
        ("days: 7", "days: 0", "days", 1),
        ("min_requests: 5", "min_requests: -1", "min_requests", 2),
        ("[unmet, escalated]", "[unmet, lost]", "count_as_unmet", 4),
        ("recurring_min_requests: 30", "recurring_min_request: 30", "recurring_min_request", 5),
    ],
)
def test_a_bad_file_is_rejected_naming_the_field(tmp_path, old, new, field, line):
    path = tmp_path / "rules.yml"
    path.write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(DataFileError) as raised:
        RecommendationRule.load(path)
    message = str(raised.value)
    assert field in message
    assert f"{path}:{line}" in message


def test_an_unreadable_file_is_a_data_file_error(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text("days: [7\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="cannot read"):
        RecommendationRule.load(path)
    with pytest.raises(DataFileError, match="cannot read"):
        RecommendationRule.load(tmp_path / "missing.yml")
