"""The real trained model: `python -m bot infer`, held-out accuracy, Rasa's own checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Iterable, List

import pytest

from bot.paths import ROOT

pytestmark = pytest.mark.slow

# Regression gate. Rejecting what is not a need costs some need recall: 95.3 % with the
# dev-chosen thresholds (make eval, 2026-12-07); the target (issue #12: 96.2 %) is not
# reached yet.
ACCURACY_GATE = 0.88
# Regression gate on the not-a-need held-out (5.5 % on 2026-12-07); the target (3 %) is
# printed by make eval.
FALSE_NEED_GATE = 0.10


def infer(model: Path, lines: Iterable[str]) -> List[dict]:
    """``python -m bot infer`` on ``lines``, one JSON object per line."""
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "infer", "--model", str(model)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    return [json.loads(line) for line in completed.stdout.splitlines()]


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
    results = infer(trained_model, lines)
    assert [r["text"] for r in results] == list(lines)
    for result in results:
        assert set(result) == {"text", "need", "confidence", "intent", "entities"}
        assert isinstance(result["confidence"], float) and 0.0 <= result["confidence"] <= 1.0
        assert result["need"] == lines[result["text"]], result
    charger = results[1]["entities"]
    assert {"entity": "item", "value": "charger", "text": "sac dien thoai"}.items() <= charger[
        0
    ].items()


def test_infer_reports_restaurant_requests_as_no_need_with_their_intent(
    trained_model: Path,
) -> None:
    lines = {
        "cho mình xem thực đơn": "ask_menu",
        "quán mở cửa đến mấy giờ vậy em": "ask_hours",
        "tối nay còn bàn cho 4 người không": "book_table",
        "phở bò bao nhiêu tiền một tô": "ask_price",
        "quan co giao hang tan noi ko e": "delivery",
    }
    for result in infer(trained_model, lines):
        assert result["need"] == "none", result
        assert result["intent"] == lines[result["text"]], result


def test_false_need_rate_gate(trained_model: Path) -> None:
    from bot.needs.catalog import Catalog
    from bot.needs.inference import NeedInference
    from bot.rasa.model import Parser
    from harness.evaluation.openworld import false_needs, openworld_examples, parse_all

    catalog = Catalog.load()
    parser = Parser(trained_model)
    try:
        parsed = parse_all(parser, openworld_examples("heldout"), catalog)
    finally:
        parser.close()
    rate, wrong = false_needs(NeedInference(catalog), parsed)
    for style, count, share in rate.rows():
        print(f"{style:<11} n={count:<4} false-need={share:.1%}")
    assert rate.counts["all"][1] >= 400
    assert rate.rate() <= FALSE_NEED_GATE, [(p.text, need) for p, need in wrong]


def test_heldout_need_accuracy_gate(trained_model: Path) -> None:
    from harness.evaluation.heldout import evaluate

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
