"""`python -m harness bench-nlu` on a small JointIDSF-layout fixture written for these tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.bench.jointidsf import DatasetError, Utterance, predicted_tags, read_split

FIXTURE = Path(__file__).parent / "fixtures" / "jointidsf_mini"


def test_reads_the_layout_and_builds_entities_with_offsets() -> None:
    train = read_split(FIXTURE, "train")
    assert len(train) == 120
    utterance = Utterance(
        ("bay", "từ", "hà", "nội", "đến", "huế"),
        ("O", "O", "B-fromloc", "I-fromloc", "O", "B-toloc"),
        "flight",
    )
    entities = utterance.entities()
    assert [(e["entity"], e["value"]) for e in entities] == [
        ("fromloc", "hà nội"),
        ("toloc", "huế"),
    ]
    for entity in entities:
        assert utterance.text[entity["start"] : entity["end"]] == entity["value"]


def test_predictions_are_projected_back_onto_the_tokens() -> None:
    utterance = Utterance(("từ", "hà", "nội", "đi", "huế"), ("O", "B-a", "I-a", "O", "B-b"), "x")
    predicted = [{"entity": "a", "start": 3, "end": 9}, {"entity": "b", "start": 13, "end": 16}]
    assert predicted_tags(utterance, predicted) == list(utterance.tags)
    # an entity cut inside a token still tags the whole token
    assert predicted_tags(utterance, [{"entity": "a", "start": 4, "end": 6}])[1] == "B-a"


def test_bad_layout_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "seq.in").write_text("a b\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"missing .*seq\.out"):
        read_split(tmp_path, "train")
    (tmp_path / "train" / "seq.out").write_text("O\n", encoding="utf-8")
    (tmp_path / "train" / "label").write_text("x\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"seq\.out:1: 1 tags for 2 tokens"):
        read_split(tmp_path, "train")


@pytest.mark.slow
def test_bench_nlu_trains_and_prints_the_three_scores(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness",
            "bench-nlu",
            "--data",
            str(FIXTURE),
            "--epochs",
            "40",
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    scores = {}
    for line in completed.stdout.splitlines():
        for name in ("intent accuracy", "slot F1 (seqeval)", "sentence accuracy"):
            if line.startswith(name):
                scores[name] = float(line.split()[-1])
    assert set(scores) == {"intent accuracy", "slot F1 (seqeval)", "sentence accuracy"}
    assert scores["intent accuracy"] >= 0.9
    assert scores["slot F1 (seqeval)"] >= 0.5
    assert 0.0 <= scores["sentence accuracy"] <= scores["intent accuracy"]
    assert "train examples     120" in completed.stdout


def test_missing_dataset_exits_with_a_message(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "harness", "bench-nlu", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2
    assert "error: missing" in completed.stderr


def _token_starts(text: str, given_tokens: bool) -> set:
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.components import VietnameseTokenizer

    config = {**VietnameseTokenizer.get_default_config(), "given_tokens": given_tokens}
    tokenizer = VietnameseTokenizer(config, None, None)  # type: ignore[arg-type]
    tokens = tokenizer.tokenize(Message(data={"text": text}), "text")
    return {t.start for t in tokens} | {t.end for t in tokens}


def test_the_bench_keeps_the_dataset_tokens_across_slot_boundaries() -> None:
    # underthesea joins "vào khoảng": the slot starting at "khoảng" would begin mid-token
    utterance = Utterance(
        ("đến", "vào", "khoảng", "7", "giờ"), ("O", "O", "B-time", "I-time", "I-time"), "x"
    )
    (entity,) = utterance.entities()
    assert entity["start"] not in _token_starts(utterance.text, given_tokens=False)
    assert {entity["start"], entity["end"]} <= _token_starts(utterance.text, given_tokens=True)


def test_every_fixture_slot_lines_up_with_the_given_tokens() -> None:
    for utterance in read_split(FIXTURE, "test"):
        bounds = _token_starts(utterance.text, given_tokens=True)
        for entity in utterance.entities():
            assert {entity["start"], entity["end"]} <= bounds, utterance.text
