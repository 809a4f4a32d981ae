"""The open-world scoring: false needs per style, thresholds from the dev split only."""

from __future__ import annotations

from typing import Dict

import pytest

from bot.needs.catalog import Catalog
from bot.needs.inference import InferenceSettings, NeedInference
from harness.evaluation.openworld import (
    DEV_SPLITS,
    NO_NEED,
    OPENWORLD_DIR,
    Parsed,
    dev_examples,
    false_needs,
    most_claimed,
    need_top1,
    openworld_examples,
    score_groupings,
    tune,
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def parsed(text: str, style: str, gold: str, ranking: Dict[str, float]) -> Parsed:
    ordered = sorted(ranking.items(), key=lambda kv: -kv[1])
    parse = {
        "text": text,
        "intent": {"name": ordered[0][0], "confidence": ordered[0][1]},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ordered],
        "entities": [],
    }
    return Parsed(text, style, gold, gold if gold != "ask_menu" else NO_NEED, parse)


MENU = parsed("xem thực đơn", "accented", "ask_menu", {"ask_menu": 0.2, "accessibility": 0.7})
CLOSE_MENU = parsed("thực đơn", "accented", "ask_menu", {"ask_menu": 0.3, "accessibility": 0.45})
CHARGER = parsed("sac ip", "unaccented", "phone_power", {"phone_power": 0.5, "greet": 0.2})


def test_false_needs_per_style_with_the_needs_claimed(catalog: Catalog) -> None:
    rate, wrong = false_needs(NeedInference(catalog), [MENU, CHARGER])
    assert rate.rate("accented") == 1.0 and rate.counts["all"] == (1, 1)
    assert most_claimed(wrong) == [("accessibility", 1, "xem thực đơn")]
    assert need_top1(NeedInference(catalog), [CHARGER]).rate("unaccented") == 1.0


def test_tuning_prefers_the_setting_that_rejects_the_false_need(catalog: Catalog) -> None:
    best = tune(catalog, [CLOSE_MENU, CHARGER], InferenceSettings(non_need_margin=-0.3))[0]
    assert best.false_need == 0.0 and best.need_top1 == 1.0
    assert best.settings.non_need_margin >= 0.2  # 0.45 must not beat 0.3 by less than that


def test_grouping_scores_both_methods_on_the_labelled_set() -> None:
    scores = {s.method: s for s in score_groupings()}
    assert set(scores) == {"embeddings", "char_ngrams"}
    for score in scores.values():
        assert score.texts >= 75 and 0.0 <= score.purity <= 1.0 and -1.0 <= score.ari <= 1.0


def test_thresholds_are_chosen_on_every_dev_split_and_nothing_else(catalog: Catalog) -> None:
    files = {path.stem for path in OPENWORLD_DIR.glob("dev*.yml")}
    assert set(DEV_SPLITS) == files and "heldout" not in files
    requests = openworld_examples("dev_requests")
    assert len(requests) >= 300
    assert not [e.text for e in requests if e.intent in catalog.needs]  # none is a need
    assert len(dev_examples()) == sum(len(openworld_examples(name)) for name in DEV_SPLITS)
