"""A project's training data, read with the file and line of every value.

Rasa's own loaders drop line numbers, so the domain, NLU, rules and stories
are read here with ruamel (via :class:`bot.yaml_source.YamlSource`); the
lines of NLU examples inside ``examples: |`` blocks are found by scanning the
file text after the ``examples`` key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from bot.paths import ROOT
from bot.yaml_source import DataFileError, YamlSource


@dataclass(frozen=True)
class ProjectPaths:
    """Where a project's files are; :meth:`at` gives the standard layout under a root."""

    root: Path
    catalog: Path
    business: Path
    lexicon: Path
    emergency: Path
    domain: Path
    config: Path
    nlu: Path
    rules: Path
    stories: Path
    test_stories: Path
    heldout: Path
    openworld: Path

    @classmethod
    def at(cls, root: Path = ROOT) -> "ProjectPaths":
        """The standard layout under ``root`` (the code is always this checkout's)."""
        root = Path(root).resolve()
        data = root / "data"
        return cls(
            root=root,
            catalog=data / "needs" / "catalog.yml",
            business=data / "business.yml",
            lexicon=data / "language" / "lexicon.yml",
            emergency=data / "language" / "emergency.yml",
            domain=root / "domain.yml",
            config=root / "config.yml",
            nlu=data / "nlu",
            rules=data / "rules",
            stories=data / "stories",
            test_stories=root / "tests" / "test_stories.yml",
            heldout=root / "tests" / "heldout",
            openworld=root / "tests" / "openworld",
        )

    def show(self, path: Path) -> str:
        """``path`` relative to the root when it is inside it."""
        try:
            return str(Path(path).resolve().relative_to(self.root))
        except ValueError:
            return str(path)


@dataclass(frozen=True)
class Problem:
    """One thing a trainer must fix; ``path`` is None for whole-project problems."""

    path: Optional[Path]
    line: Optional[int]
    message: str


def data_files(location: Path) -> List[Path]:
    """YAML files at ``location`` (a file, or a directory searched recursively)."""
    location = Path(location)
    if location.is_file():
        return [location]
    if not location.is_dir():
        return []
    return sorted(p for p in location.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def read_yaml(path: Path) -> Tuple[Optional[YamlSource], List[Problem]]:
    """Parse ``path``; an unreadable file becomes a problem (with its line if known)."""
    try:
        return YamlSource.read(path), []
    except DataFileError as error:
        cause = error.__cause__
        mark = getattr(cause, "problem_mark", None)
        if mark is not None:  # a YAML syntax error: say where and what, briefly
            context = getattr(cause, "context", None) or ""
            problem = getattr(cause, "problem", None)
            message = f"YAML syntax error: {problem} ({context})" if context else ""
            message = message or f"YAML syntax error: {problem}"
            return None, [Problem(Path(path), mark.line + 1, message)]
        return None, [Problem(Path(path), None, str(error).replace(f"{path}: ", "", 1))]


# ----- NLU -----


@dataclass(frozen=True)
class Example:
    """One NLU example: the text as written and without entity annotations."""

    intent: str
    text: str
    plain: str
    entities: Tuple[Tuple[str, str], ...]  # (entity, value)
    path: Path
    line: Optional[int]


@dataclass(frozen=True)
class IntentBlock:
    """One ``- intent:`` block of an NLU file."""

    intent: str
    path: Path
    line: Optional[int]
    examples: Tuple[Example, ...]


def read_nlu(location: Path) -> Tuple[List[IntentBlock], List[Problem]]:
    """Every intent block of the NLU files at ``location``."""
    blocks: List[IntentBlock] = []
    problems: List[Problem] = []
    for path in data_files(location):
        source, unreadable = read_yaml(path)
        problems += unreadable
        if source is None or not isinstance(source.root, dict):
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for index, block in enumerate(source.root.get("nlu") or []):
            if not isinstance(block, dict) or "intent" not in block:
                continue
            where: List[Any] = ["nlu", index]
            intent = str(block["intent"])
            start = source.line_of([*where, "examples"]) or source.line_of(where) or 1
            texts = _example_texts(block.get("examples"))
            examples = tuple(
                _example(intent, text, path, line)
                for text, line in zip(texts, _lines_of(lines, start, texts), strict=True)
            )
            blocks.append(IntentBlock(intent, path, source.line_of(where), examples))
    return blocks, problems


def _example_texts(examples: Any) -> List[str]:
    """Example texts the way Rasa's YAML reader takes them."""
    if isinstance(examples, str):
        return [
            line[1:].strip("\n\r ")
            for line in examples.splitlines()
            if line.startswith("-") and line[1:].strip()
        ]
    if isinstance(examples, list):
        texts = [e.get("text") if isinstance(e, dict) else e for e in examples]
        return [str(t).strip() for t in texts if t is not None and str(t).strip()]
    return []


def _lines_of(lines: Sequence[str], start: int, texts: Sequence[str]) -> Iterator[Optional[int]]:
    """1-based line of each text, searching forward from ``start`` (the examples key)."""
    cursor = start - 1
    for text in texts:
        following = range(cursor, len(lines))
        found = next((n for n in following if _is_item(lines[n], text)), None)
        if found is None:  # e.g. ``- text: "..."`` items: quoted, so look for a substring
            found = next((n for n in following if text in lines[n]), None)
        if found is None:
            yield None
            continue
        cursor = found + 1
        yield found + 1


def _is_item(line: str, text: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("-") and stripped[1:].strip() == text


def _example(intent: str, text: str, path: Path, line: Optional[int]) -> Example:
    from rasa.shared.nlu.training_data import entities_parser

    entities = tuple(
        (str(e["entity"]), str(e.get("value", "")))
        for e in entities_parser.find_entities_in_training_example(text)
    )
    plain = entities_parser.replace_entities(text) if entities else text
    return Example(intent, text, plain, entities, path, line)


# ----- rules, stories, test stories -----


@dataclass(frozen=True)
class Step:
    """An ``intent`` (or an ``or`` of intents) or an ``action`` step of a rule/story."""

    kind: str  # "intent" or "action"
    names: Tuple[str, ...]
    line: Optional[int]
    entities: Tuple[Tuple[str, str, Optional[int]], ...] = ()  # (entity, value, line)


@dataclass(frozen=True)
class Flow:
    """A rule or a story (also a test story)."""

    kind: str  # "rule" or "story"
    name: str
    path: Path
    line: Optional[int]
    steps: Tuple[Step, ...] = field(default_factory=tuple)

    def intents(self) -> Iterator[str]:
        """Every intent the flow uses."""
        for step in self.steps:
            if step.kind == "intent":
                yield from step.names

    def intents_followed_by(self, action: str) -> Iterator[str]:
        """Intents directly followed by ``action``."""
        for step, after in zip(self.steps[:-1], self.steps[1:], strict=True):
            if step.kind == "intent" and after.kind == "action" and action in after.names:
                yield from step.names


def read_flows(locations: Sequence[Path]) -> Tuple[List[Flow], List[Problem]]:
    """Every rule and story in the YAML files at ``locations``."""
    flows: List[Flow] = []
    problems: List[Problem] = []
    for path in [p for location in locations for p in data_files(location)]:
        source, unreadable = read_yaml(path)
        problems += unreadable
        if source is None or not isinstance(source.root, dict):
            continue
        for section, kind in (("rules", "rule"), ("stories", "story")):
            for index, entry in enumerate(source.root.get(section) or []):
                if isinstance(entry, dict):
                    flows.append(_flow(source, [section, index], kind, entry))
    return flows, problems


def _flow(source: YamlSource, where: List[Any], kind: str, entry: Dict[str, Any]) -> Flow:
    steps: List[Step] = []
    for index, step in enumerate(entry.get("steps") or []):
        at = [*where, "steps", index]
        if not isinstance(step, dict):
            continue
        if "intent" in step:
            entities = tuple(_entities(source, [*at, "entities"], step.get("entities")))
            steps.append(Step("intent", (str(step["intent"]),), source.line_of(at), entities))
        elif "or" in step and isinstance(step["or"], list):
            names = tuple(
                str(o["intent"]) for o in step["or"] if isinstance(o, dict) and "intent" in o
            )
            steps.append(Step("intent", names, source.line_of(at)))
        elif "action" in step:
            steps.append(Step("action", (str(step["action"]),), source.line_of(at)))
    name = str(entry.get(kind) or "")
    return Flow(kind, name, source.path, source.line_of(where), tuple(steps))


def _entities(
    source: YamlSource, where: List[Any], entities: Any
) -> Iterator[Tuple[str, str, Optional[int]]]:
    if not isinstance(entities, list):
        return
    for index, entity in enumerate(entities):
        line = source.line_of([*where, index])
        if isinstance(entity, dict):
            for name, value in entity.items():
                yield str(name), str(value), line
        else:
            yield str(entity), "", line


# ----- domain -----


@dataclass(frozen=True)
class Domain:
    """What validation needs from ``domain.yml``, with lines."""

    path: Path
    intents: Dict[str, Optional[int]]
    responses: Dict[str, Optional[int]]
    response_texts: Dict[str, List[Tuple[str, Optional[int]]]]
    actions: Tuple[str, ...]
    slots: Tuple[str, ...]
    sections: Dict[str, Optional[int]]  # line of each top-level key
    forms: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # form -> required slots

    @property
    def form_questions(self) -> Tuple[str, ...]:
        """``utter_ask_<slot>`` responses a form says (Rasa picks them, no rule names them)."""
        return tuple(f"utter_ask_{slot}" for slots in self.forms.values() for slot in slots)


def read_domain(path: Path) -> Tuple[Optional[Domain], List[Problem]]:
    """Intents, responses (with their texts), actions and slots of the domain file."""
    source, problems = read_yaml(path)
    if source is None:
        return None, problems
    root = source.root if isinstance(source.root, dict) else {}
    intents: Dict[str, Optional[int]] = {}
    for index, intent in enumerate(root.get("intents") or []):
        name = next(iter(intent), None) if isinstance(intent, dict) else intent
        if name is not None:
            intents.setdefault(str(name), source.line_of(["intents", index]))
    responses: Dict[str, Optional[int]] = {}
    texts: Dict[str, List[Tuple[str, Optional[int]]]] = {}
    for name, variants in (root.get("responses") or {}).items():
        responses[str(name)] = source.line_of(["responses", name])
        texts[str(name)] = [
            (str(variant["text"]), source.line_of(["responses", name, index, "text"]))
            for index, variant in enumerate(variants or [])
            if isinstance(variant, dict) and variant.get("text") is not None
        ]
    actions = tuple(str(a) for a in root.get("actions") or [] if not isinstance(a, dict))
    actions += tuple(str(next(iter(a))) for a in root.get("actions") or [] if isinstance(a, dict))
    slots = tuple(str(s) for s in (root.get("slots") or {}))
    sections = {str(key): source.line_of([key]) for key in root}
    forms = {
        str(name): tuple(str(slot) for slot in (form or {}).get("required_slots") or [])
        for name, form in (root.get("forms") or {}).items()
    }
    domain = Domain(Path(path), intents, responses, texts, actions, slots, sections, forms)
    return domain, problems
