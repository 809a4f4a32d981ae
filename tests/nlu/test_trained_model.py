"""The real trained model: `python -m bot infer`, held-out accuracy, Rasa's own checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.paths import ROOT

pytestmark = pytest.mark.slow

ACCURACY_GATE = 0.90


def test_infer_cli_names_the_need_whatever_the_style(trained_model: Path) -> None:
    lines = {
        "em có sạc điện thoại không": "phone_power",
        "em co sac dien thoai khong": "phone_power",
        "e oi co sac ip ko, dt mk sap het pin r": "phone_power",
        "cho mình xin mật khẩu wifi": "internet_access",
        "pass wf la j v e": "internet_access",
        "troi mua qua, quan co o cho muon khong": "stay_dry",
        "wc o dau v e": "restroom",
        "toi de quen cai vi o ban so 3": "lost_item",
        "chào em": "none",
        "": "none",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "infer", "--model", str(trained_model)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    results = [json.loads(line) for line in completed.stdout.splitlines()]
    assert [r["text"] for r in results] == list(lines)
    for result in results:
        assert set(result) == {"text", "need", "confidence", "intent", "entities"}
        assert isinstance(result["confidence"], float) and 0.0 <= result["confidence"] <= 1.0
        assert result["need"] == lines[result["text"]], result
    charger = results[1]["entities"]
    assert {"entity": "item", "value": "charger", "text": "sac dien thoai"}.items() <= charger[
        0
    ].items()


def test_heldout_need_accuracy_gate(trained_model: Path) -> None:
    from bot.evaluation import evaluate

    evaluation = evaluate(trained_model)
    table = evaluation.by_style()
    for style, (count, need, intent) in table.items():
        print(f"{style:<11} n={count:<4} need={need:.1%} intent={intent:.1%}")
    assert table["all"][0] >= 200
    assert all(table[style][0] >= 40 for style in ("accented", "unaccented", "teencode"))
    assert evaluation.accuracy("need") >= ACCURACY_GATE


def _rasa(*args: str) -> subprocess.CompletedProcess:
    rasa = Path(sys.executable).parent / "rasa"
    return subprocess.run([str(rasa), *args], capture_output=True, text=True, cwd=ROOT, timeout=900)


def test_rasa_data_validate() -> None:
    completed = _rasa("data", "validate", "--data", "data/nlu", "data/stories", "data/rules")
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]


def test_test_stories_pass_without_prediction_errors(trained_model: Path, tmp_path: Path) -> None:
    completed = _rasa(
        "test",
        "core",
        "--model",
        str(trained_model),
        "--stories",
        "tests/test_stories.yml",
        "--fail-on-prediction-errors",
        "--out",
        str(tmp_path / "results"),
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    assert "Correct:" in output
