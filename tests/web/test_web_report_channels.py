"""The report filtered by channel: website, Messenger, Zalo (HTML, JSON, CSV)."""

from __future__ import annotations

import pytest
from web_helpers import TOKEN, put

from bot.needs.log import MET, UNMET

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def data(engine):
    """phone_power: 3 from the widget, 2 from Zalo (1 unmet), 1 from Messenger."""
    for _ in range(3):
        put(engine, "phone_power", MET, "có sạc không em")
    put(engine, "phone_power", UNMET, "quán có sạc type c không ạ", channel="zalo")
    put(engine, "phone_power", MET, "cho mượn sạc với", channel="zalo")
    put(engine, "internet_access", MET, "pass wifi là gì", channel="facebook")
    return engine


def requests_of(report: dict, need: str) -> int:
    return next(n["requests"] for n in report["needs"] if n["need"] == need)


def test_json_counts_only_the_chosen_channel_and_lists_every_channel(client, data):
    everything = client.get("/api/report?days=7", headers=AUTH).json()
    zalo = client.get("/api/report?days=7&channel=zalo", headers=AUTH).json()
    assert requests_of(everything, "phone_power") == 5 and everything["channel"] is None
    assert requests_of(zalo, "phone_power") == 2 and zalo["channel"] == "zalo"
    assert requests_of(zalo, "internet_access") == 0
    assert [n["unmet"] for n in zalo["needs"] if n["need"] == "phone_power"] == [1]
    counts = {c["channel"]: (c["label"], c["requests"]) for c in zalo["channels"]}
    assert counts == {"rest": ("Website", 3), "facebook": ("Messenger", 1), "zalo": ("Zalo", 2)}
    assert {"days", "needs", "recommendations", "unrecognized"} <= set(zalo)  # SPEC shape kept


def test_csv_and_page_follow_the_channel(client, data):
    csv = client.get("/api/report.csv?days=7&channel=facebook", headers=AUTH)
    assert csv.status_code == 200
    assert "hieu-y-nhu-cau-facebook-" in csv.headers["content-disposition"]
    assert "pass wifi" in csv.text and "sạc" not in csv.text
    page = client.get("/report?days=30&channel=zalo", headers=AUTH)
    assert page.status_code == 200
    assert 'href="/report?days=30&amp;channel=zalo" aria-current="page">Zalo (2)' in page.text
    assert 'href="/report?period=today&amp;channel=zalo"' in page.text  # the period keeps it
    assert 'href="/api/report.csv?days=30&amp;channel=zalo"' in page.text


def test_a_malformed_channel_is_refused(client, data):
    assert client.get("/api/report?channel=Zalo%3Cscript%3E", headers=AUTH).status_code == 422
