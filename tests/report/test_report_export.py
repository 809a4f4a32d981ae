"""The report as CSV, as a terminal table, and through ``python -m bot report``."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from report_helpers import put, put_handoff, put_many

from bot.needs.log import ESCALATED, MET, NO_ANSWER, UNMET, UNRECOGNIZED
from bot.paths import ROOT
from bot.report.export import CSV_COLUMNS, to_csv, to_table
from bot.report.summary import Period, build_report
from bot.store.needlog import utcnow

NOW = datetime(2024, 5, 10, 12, 0)
RECENT = NOW - timedelta(days=2)


def fill(engine, at: datetime) -> None:
    """phone_power 12× (3 met, 7 unmet, 2 escalated), restroom 2×, 3 unrecognised, 1 handoff."""
    put_many(engine, "phone_power", [MET] * 3 + [UNMET] * 7 + [ESCALATED] * 2, at)
    put_many(engine, "restroom", [MET, NO_ANSWER], at, text="toilet ở đâu")
    for text in ["quán có cho mang chó vào không"] * 2 + ["quan co cho mang cho vao khong"]:
        put(engine, UNRECOGNIZED, None, at, text=text)
    put_handoff(engine, "cho gặp nhân viên", at, need="phone_power")


def read_csv(text: str):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_header_bom_and_rows(engine, catalog, rule):
    fill(engine, RECENT)
    report = build_report(engine, catalog, rule, Period.last_days(7, now=NOW))
    text = to_csv(report)
    rows = read_csv(text)

    assert text.startswith("\ufeffneed,label,requests,")
    assert rows[0] == CSV_COLUMNS
    assert len(rows) == 1 + len(catalog.needs) + len(report.dates)  # needs, then one per day
    records = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]
    phone = records[0]
    assert phone["need"] == "phone_power"
    assert phone["label"] == catalog.need("phone_power").label
    assert (phone["requests"], phone["met"], phone["unmet"], phone["escalated"]) == (
        "12",
        "3",
        "7",
        "2",
    )
    assert phone["unmet_share"] == "0.75"
    assert phone["top_phrases"] == "có sạc không"
    assert phone["recommendation"].startswith("9/12 lần khách cần sạc điện thoại")
    restroom = next(r for r in records if r["need"] == "restroom")
    assert (restroom["requests"], restroom["no_answer"], restroom["recommendation"]) == (
        "2",
        "1",
        "",
    )


@pytest.mark.parametrize(
    "typed",
    [
        '=HYPERLINK("http://evil.example","bấm vào")',
        "+1+2",
        "-2+3",
        "@SUM(A1:A2)",
        "=cmd|' /C calc'!A0",
    ],
)
def test_csv_neutralises_formulas_typed_by_guests(engine, catalog, rule, typed):
    put(engine, "phone_power", UNMET, RECENT, text=typed, item=typed[:20])
    report = build_report(engine, catalog, rule, Period.last_days(7, now=NOW))
    phone = dict(zip(CSV_COLUMNS, read_csv(to_csv(report))[1], strict=True))
    assert phone["top_phrases"] == "'" + typed
    assert phone["top_items"].startswith("'" + typed[:1])
    for row in read_csv(to_csv(report))[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_table_lists_needs_advice_groups_and_waiting_guests(engine, catalog, rule):
    fill(engine, RECENT)
    report = build_report(engine, catalog, rule, Period.last_days(7, now=NOW))
    table = to_table(report)
    lines = table.splitlines()

    assert lines[0] == "Nhu cầu của khách, 7 ngày (2024-05-03 → 2024-05-10)"
    phone = next(line for line in lines if line.startswith("phone_power"))
    assert phone.split()[:6] == ["phone_power", "12", "3", "7", "2", "0"]
    assert catalog.need("phone_power").label in phone
    restroom = next(line for line in lines if line.startswith("restroom"))
    assert restroom.split()[:6] == ["restroom", "2", "1", "0", "0", "1"]
    assert any(line.split() == ["total", "14"] for line in lines)
    assert "Đề xuất cho chủ quán:" in lines
    assert f"  • {report.recommendations[0].message}" in lines
    assert "     3 × quán có cho mang chó vào không" in lines
    assert "Khách đang chờ nhân viên: 1" in lines
    # Needs appear in the report's order (most requested first).
    order = [line.split()[0] for line in lines if line.split() and line.split()[0] in catalog.needs]
    assert order == [n.need for n in report.needs]


def test_table_without_data_has_no_advice_sections(engine, catalog, rule):
    table = to_table(build_report(engine, catalog, rule, Period.last_days(7, now=NOW)))
    assert "Đề xuất cho chủ quán" not in table
    assert "Yêu cầu chưa có trong danh mục" not in table
    assert "Khách đang chờ" not in table
    assert any(line.split() == ["total", "0"] for line in table.splitlines())


# --- python -m bot report ---------------------------------------------------------------


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=database_url)
    env.pop("REPORT_TIMEZONE", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "report", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def filled(database_url, engine) -> str:
    """The tmp database with last week's crafted rows and one older than a week."""
    now = utcnow()
    fill(engine, now - timedelta(days=1))
    put(engine, "phone_power", UNMET, now - timedelta(days=10))
    return database_url


def test_cli_prints_the_table(filled, catalog):
    result = run_cli(filled, "--days", "7")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Nhu cầu của khách, 7 ngày (")
    phone = next(line for line in lines if line.startswith("phone_power"))
    assert phone.split()[:6] == ["phone_power", "12", "3", "7", "2", "0"]
    assert any(line.split() == ["total", "14"] for line in lines)
    assert any(line.startswith("  • 9/12 lần khách cần sạc điện thoại") for line in lines)
    assert "     3 × quán có cho mang chó vào không" in lines
    assert len([line for line in lines if line.split() and line.split()[0] in catalog.needs]) == (
        len(catalog.needs)
    )


def test_cli_json(filled, catalog):
    result = run_cli(filled, "--days", "7", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["days"] == 7
    first = data["needs"][0]
    assert {k: first[k] for k in ("need", "requests", "unmet", "escalated")} == {
        "need": "phone_power",
        "requests": 12,
        "unmet": 7,
        "escalated": 2,
    }
    assert first["label"] == catalog.need("phone_power").label
    assert first["top_phrases"] == ["có sạc không"]
    assert data["recommendations"][0]["need"] == "phone_power"
    assert data["recommendations"][0]["message"].startswith("9/12 lần khách cần sạc điện thoại")
    assert data["unrecognized"][0] == {
        "example": "quán có cho mang chó vào không",
        "count": 3,
        "examples": ["quán có cho mang chó vào không", "quan co cho mang cho vao khong"],
    }


def test_cli_longer_period_includes_older_rows(filled):
    result = run_cli(filled, "--days", "30", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["days"] == 30
    assert data["needs"][0]["requests"] == 13


def test_cli_csv(filled):
    result = run_cli(filled, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = read_csv(result.stdout)
    assert rows[0] == CSV_COLUMNS
    assert rows[1][:3] == ["phone_power", rows[1][1], "12"]


@pytest.mark.parametrize(
    "args", [("--days", "0"), ("--days", "abc"), ("--format", "xml"), ("--start", "2024-13-01")]
)
def test_cli_rejects_bad_arguments(database_url, args):
    result = run_cli(database_url, *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "usage:" in result.stderr


def test_cli_start_without_end_fails_clearly(database_url):
    result = run_cli(database_url, "--start", "2024-05-01")
    assert result.returncode != 0
    assert "--start and --end" in result.stderr
    assert "Traceback" not in result.stderr
