"""``python -m harness bench-nlu --data DIR``: our pipeline on a JointIDSF-layout dataset.

The layout of PhoATIS and similar public Vietnamese datasets:
``train|dev|test/{seq.in,seq.out,label}`` — one utterance per line, tokens
separated by spaces, BIO slot tags aligned with the tokens, one intent label.
We train our NLU pipeline on ``train`` (``dev`` is not used for tuning) and
report intent accuracy, slot F1 (entity level, seqeval / conlleval) and
sentence accuracy (intent and every slot right) on ``test``.

Featurisation is chosen for a 2-core machine: DIET with one small transformer
layer, BIO instead of BILOU tags, and character n-grams capped in number.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from bot.paths import CATALOG_PATH, LEXICON_PATH

SPLITS = ("train", "dev", "test")


class DatasetError(ValueError):
    """The dataset directory does not follow the JointIDSF layout."""


@dataclass(frozen=True)
class Utterance:
    """One line of the dataset."""

    tokens: Tuple[str, ...]
    tags: Tuple[str, ...]
    intent: str

    @property
    def text(self) -> str:
        """The dataset's tokens joined by single spaces (``_`` of word-segmented data kept)."""
        return " ".join(self.tokens)

    def token_spans(self) -> List[Tuple[int, int]]:
        """Character span of every token in :attr:`text`."""
        spans, cursor = [], 0
        for token in self.tokens:
            length = len(token)
            spans.append((cursor, cursor + length))
            cursor += length + 1
        return spans

    def entities(self) -> List[Dict[str, object]]:
        """BIO tags as Rasa entities with character offsets."""
        entities: List[Dict[str, object]] = []
        text, spans = self.text, self.token_spans()
        for index, tag in enumerate(self.tags):
            kind, _, label = tag.partition("-")
            if kind == "B" or (
                kind == "I"
                and (
                    not entities
                    or entities[-1]["_last"] != index - 1
                    or entities[-1]["entity"] != label
                )
            ):
                entities.append({"entity": label, "start": spans[index][0], "_last": index})
            elif kind == "I":
                entities[-1]["_last"] = index
            else:
                continue
            entities[-1]["end"] = spans[index][1]
        for entity in entities:
            entity["value"] = text[entity["start"] : entity["end"]]
            del entity["_last"]
        return entities


def read_split(directory: Path, split: str) -> List[Utterance]:
    """Read one split, checking that the three files line up."""
    folder = Path(directory) / split
    files = {name: folder / name for name in ("seq.in", "seq.out", "label")}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise DatasetError(
            f"missing {', '.join(missing)} (expected {split}/seq.in, seq.out, label)"
        )
    lines = {name: path.read_text(encoding="utf-8").splitlines() for name, path in files.items()}
    if len({len(v) for v in lines.values()}) != 1:
        counts = ", ".join(f"{name}: {len(v)}" for name, v in lines.items())
        raise DatasetError(f"{folder}: files have different line counts ({counts})")
    utterances = []
    for number, (words, tags, intent) in enumerate(
        zip(lines["seq.in"], lines["seq.out"], lines["label"], strict=True), start=1
    ):
        tokens, labels = tuple(words.split()), tuple(tags.split())
        if len(tokens) != len(labels):
            raise DatasetError(
                f"{folder}/seq.out:{number}: {len(labels)} tags for {len(tokens)} tokens"
            )
        utterances.append(Utterance(tokens, labels, intent.strip().replace("#", "+")))
    return utterances


def pipeline_config(epochs: int = 40) -> Dict[str, object]:
    """Our Vietnamese pipeline, sized for thousands of utterances on 2 cores."""
    return {
        "recipe": "default.v1",
        "language": "vi",
        "assistant_id": "bench-nlu",
        "pipeline": [
            {
                "name": "bot.rasa.components.VietnameseTokenizer",
                "catalog": str(CATALOG_PATH),
                "lexicon": str(LEXICON_PATH),
                "max_tokens": 256,
                "given_tokens": True,  # the dataset's tokens, not our segmentation
            },
            {"name": "CountVectorsFeaturizer", "use_lemma": False},
            {"name": "CountVectorsFeaturizer", "use_lemma": True},
            {
                "name": "CountVectorsFeaturizer",
                "use_lemma": True,
                "analyzer": "char_wb",
                "min_ngram": 2,
                "max_ngram": 4,
                "max_features": 4000,
            },
            {
                "name": "DIETClassifier",
                "epochs": epochs,
                "random_seed": 42,
                "number_of_transformer_layers": 1,
                "transformer_size": 128,
                "embedding_dimension": 32,
                "BILOU_flag": False,
                "constrain_similarities": True,
            },
        ],
        "policies": [],
    }


def to_rasa_yaml(utterances: Sequence[Utterance]) -> str:
    """The training split as a Rasa NLU YAML file."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    messages = [
        Message(data={"text": u.text, "intent": u.intent, "entities": u.entities()})
        for u in utterances
    ]
    return RasaYAMLWriter().dumps(TrainingData(training_examples=messages))


def predicted_tags(utterance: Utterance, entities: Sequence[Dict[str, object]]) -> List[str]:
    """Project predicted character-span entities back onto the dataset's tokens (BIO)."""
    tags = ["O"] * len(utterance.tokens)
    for entity in sorted(entities, key=lambda e: int(e["start"])):
        first = True
        for index, (start, end) in enumerate(utterance.token_spans()):
            if start < int(entity["end"]) and end > int(entity["start"]) and tags[index] == "O":
                tags[index] = ("B-" if first else "I-") + str(entity["entity"])
                first = False
    return tags


@dataclass
class BenchResult:
    """Scores and costs of one bench-nlu run."""

    train_examples: int
    test_examples: int
    intents: int
    slot_types: int
    intent_accuracy: float
    slot_f1: float
    sentence_accuracy: float
    train_seconds: float
    eval_seconds: float

    def table(self) -> str:
        """A short printable summary."""
        return "\n".join(
            [
                f"train examples     {self.train_examples}",
                f"test examples      {self.test_examples}",
                f"intents / slots    {self.intents} / {self.slot_types}",
                f"intent accuracy    {self.intent_accuracy:.4f}",
                f"slot F1 (seqeval)  {self.slot_f1:.4f}",
                f"sentence accuracy  {self.sentence_accuracy:.4f}",
                f"training           {self.train_seconds:.1f}s",
                f"evaluation         {self.eval_seconds:.1f}s",
            ]
        )


def run(data: Path, workdir: Path, epochs: int = 40) -> BenchResult:
    """Train on ``data/train``, evaluate on ``data/test``."""
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from seqeval.metrics import f1_score

    from bot.rasa.model import quiet_logging

    train, test = read_split(data, "train"), read_split(data, "test")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yml").write_text(yaml.safe_dump(pipeline_config(epochs)), encoding="utf-8")
    (workdir / "train.yml").write_text(to_rasa_yaml(train), encoding="utf-8")
    started = time.perf_counter()
    model = train_nlu(
        str(workdir / "config.yml"),
        str(workdir / "train.yml"),
        str(workdir / "models"),
        fixed_model_name="bench-nlu",
    )
    train_seconds = time.perf_counter() - started
    if not model:
        raise RuntimeError("training failed")
    quiet_logging()
    agent = Agent.load(model)
    loop = asyncio.new_event_loop()
    started = time.perf_counter()
    gold_tags, predicted, intents_right, sentences_right = [], [], 0, 0
    try:
        for utterance in test:
            parse = loop.run_until_complete(agent.parse_message(utterance.text))
            intent_ok = (parse.get("intent") or {}).get("name") == utterance.intent
            tags = predicted_tags(utterance, parse.get("entities") or [])
            gold_tags.append(list(utterance.tags))
            predicted.append(tags)
            intents_right += intent_ok
            sentences_right += intent_ok and tags == list(utterance.tags)
    finally:
        loop.close()
    slot_types = {t.split("-", 1)[1] for u in train for t in u.tags if t != "O"}
    return BenchResult(
        train_examples=len(train),
        test_examples=len(test),
        intents=len({u.intent for u in train}),
        slot_types=len(slot_types),
        intent_accuracy=intents_right / len(test),
        slot_f1=float(f1_score(gold_tags, predicted)) if test else 0.0,
        sentence_accuracy=sentences_right / len(test),
        train_seconds=train_seconds,
        eval_seconds=time.perf_counter() - started,
    )


def main(data: Path, epochs: int, workdir: Optional[Path] = None) -> BenchResult:
    """Run the benchmark in ``workdir`` (default: a temporary directory)."""
    import tempfile

    if workdir is not None:
        return run(data, workdir, epochs)
    with tempfile.TemporaryDirectory(prefix="hieuy-bench-nlu-") as directory:
        return run(data, Path(directory), epochs)
