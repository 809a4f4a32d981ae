"""`python -m bot export-unrecognized` turns the need log into an NLU draft Rasa can read."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Dict, List

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.cli import main
from bot.needs.log import UNRECOGNIZED, Context, NeedOpened
from bot.report.grouping import Group
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from bot.store.needlog import apply_payload, to_payload, utcnow
from bot.training.export import draft_nlu, example_text, export_unrecognized

PETS = [
    "quán có cho mang chó vào không",
    "quán có cho mang chó vào không",
    "quan co cho mang cho vao khong",
    "quán có cho mang chó theo không",
    "có cho mang mèo vào quán không",
]
HOURS = ["mấy giờ quán đóng cửa", "mấy giờ quán đóng cửa vậy"]


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite need log with unrecognised (and other) requests."""
    url = f"sqlite:///{tmp_path / 'needs.db'}"
    upgrade(url)
    now = utcnow()
    rows = [(UNRECOGNIZED, text, now - timedelta(hours=i)) for i, text in enumerate(PETS + HOURS)]
    rows += [
        (UNRECOGNIZED, "gọi cho mình số 0912 345 678 nhé", now - timedelta(days=1)),
        (UNRECOGNIZED, "tin nhắn cũ từ tháng trước", now - timedelta(days=20)),
        ("phone_power", "em có sạc iphone không", now),
    ]
    engine = make_engine(url)
    with engine.begin() as connection:
        for index, (need, text, at) in enumerate(rows):
            context = Context(conversation_key=f"c{index}", message_id=f"m{index}")
            record = NeedOpened(key=f"k{index}", need=need, text=text, context=context)
            apply_payload(connection, to_payload(record, at=at))
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def intents(path: Path) -> Dict[str, List[str]]:
    """{intent: [examples]} as Rasa's NLU reader loads the file."""
    data = load_data(str(path))
    loaded: Dict[str, List[str]] = {}
    for message in data.intent_examples:
        loaded.setdefault(message.get("intent"), []).append(message.get("text"))
    return loaded


def test_unrecognised_requests_become_a_draft_rasa_can_read(database_url, tmp_path):
    draft = export_unrecognized(make_engine(database_url), days=7)
    out = tmp_path / "draft.yml"
    out.write_text(draft.text, encoding="utf-8")

    loaded = intents(out)

    assert list(loaded) == ["TODO_new_need_1", "TODO_new_need_2", "TODO_new_need_3"]
    pets = loaded["TODO_new_need_1"]
    assert pets[0] == PETS[0]  # the most frequent wording first
    assert sorted(pets) == sorted(set(PETS))  # then the other distinct ones
    assert sorted(loaded["TODO_new_need_2"]) == sorted(HOURS)
    assert loaded["TODO_new_need_3"] == ["gọi cho mình số [SĐT] nhé"]  # masked when logged
    assert (draft.groups, draft.requests) == (3, 8)
    assert "# TODO_new_need_1: 5 requests, 4 distinct" in draft.text
    assert draft.text.count("# Rename this intent to a need id, or move these examples") == 3
    assert "tháng trước" not in draft.text  # older than 7 days
    assert "sạc iphone" not in draft.text  # recognised needs are not exported


def test_the_command_writes_stdout_or_a_file_and_keeps_existing_ones(
    database_url, tmp_path, capsys
):
    assert main(["export-unrecognized", "--days", "30"]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("- intent: TODO_new_need_") == 4
    assert "9 requests in 4 groups" in captured.err

    out = tmp_path / "drafts" / "unrecognized.yml"
    assert main(["export-unrecognized", "--days", "7", "--out", str(out)]) == 0
    assert list(intents(out)) == ["TODO_new_need_1", "TODO_new_need_2", "TODO_new_need_3"]

    out.write_text("# my edits\n", encoding="utf-8")
    assert main(["export-unrecognized", "--days", "7", "--out", str(out)]) == 1
    assert "exists" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "# my edits\n"
    assert main(["export-unrecognized", "--days", "7", "--out", str(out), "--force"]) == 0
    assert "TODO_new_need_1" in out.read_text(encoding="utf-8")


def test_an_empty_period_is_still_a_valid_nlu_file(tmp_path):
    draft = draft_nlu([], days=7, generated=datetime(2024, 5, 1, 12, 0))
    out = tmp_path / "empty.yml"
    out.write_text(draft.text, encoding="utf-8")

    assert intents(out) == {}
    assert (draft.groups, draft.requests) == (0, 0)


def test_guest_text_cannot_break_the_yaml_or_look_like_an_annotation(tmp_path):
    texts = ["dòng một\ndòng hai\t  cuối", "mình là [khách](vip) nè", "- #gạch đầu dòng: |"]
    groups = [Group(text, [text], 1) for text in texts]
    out = tmp_path / "draft.yml"
    out.write_text(draft_nlu(groups, 7, datetime(2024, 5, 1)).text, encoding="utf-8")

    loaded = intents(out)

    assert [examples for examples in loaded.values()] == [
        ["dòng một dòng hai cuối"],
        ["mình là [khách] (vip) nè"],
        ["- #gạch đầu dòng: |"],
    ]
    assert example_text("a\x00b\u2028c") == "a b c"
    assert load_data(str(out)).entities == set()


def test_a_need_log_that_is_not_migrated_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")

    assert main(["export-unrecognized", "--days", "7"]) == 1
    assert "python -m bot migrate" in capsys.readouterr().err
