"""The needs catalog: what each need means and how the business can meet it.

The catalog is data (``data/needs/catalog.yml``), edited by the business and
by trainers. Loading validates the whole file and reports every problem with
file, line, entry and field, so a typo never reaches a guest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Set, Tuple, Type, Union

from pydantic import BaseModel, Field, StrictBool, ValidationError, validator

from bot.language.address import GUEST_PLACEHOLDERS
from bot.language.text import fold, format_fields
from bot.paths import CATALOG_PATH
from bot.yaml_source import DataFileError, ReloadingFile, YamlSource
from bot.yaml_source import StrictModel as _Strict

Location = List[Union[str, int]]  # keys and indexes down to a field
Problem = Tuple[Sequence[Union[str, int]], str]

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
# The entity that carries a catalog item (``charger``) in an NLU parse.
ITEM_ENTITY = "item"
REPORT_PLACEHOLDERS = frozenset({"requests", "unmet", "escalated", "days", "label"})


class CatalogError(DataFileError):
    """The catalog file is invalid; every problem names file, line, entry, field."""


class Item(_Strict):
    """Something a guest literally asks for or mentions ("sạc", "trời mưa")."""

    label: str
    synonyms: List[str] = Field(..., min_items=1)
    exact: List[str] = Field(
        default_factory=list,
        description="Spellings matched only as written: 'ô' must not match 'o' (ở).",
    )

    def spellings(self) -> List[str]:
        """Every way this item is written in the catalog."""
        return [*self.synonyms, *self.exact]


class SubGoal(_Strict):
    """One way the need can split ("just one call" vs "charge my own phone")."""

    id: str = Field(..., regex=ID_PATTERN)
    button: str
    phrases: List[str] = Field(default_factory=list)


class Clarify(_Strict):
    """The one clarifying question asked when the need splits."""

    question: str
    options: List[SubGoal] = Field(..., min_items=2, max_items=4)


class Alternative(_Strict):
    """A way to meet the need; list order is preference, best first."""

    text: str
    available: StrictBool
    serves: List[str] = Field(
        default_factory=list, description="Sub-goal ids; empty means every sub-goal."
    )

    def serves_sub_goal(self, sub_goal: Optional[str]) -> bool:
        """Whether this alternative helps with ``sub_goal`` (None: no split)."""
        return not self.serves or sub_goal is None or sub_goal in self.serves


class Need(_Strict):
    """An underlying goal behind literal requests."""

    label: str
    topic: str
    reflect: str
    items: List[str] = Field(..., min_items=1)
    clarify: Optional[Clarify] = None
    alternatives: List[Alternative] = Field(..., min_items=1)
    escalation: str
    recommendation: str
    emergency: StrictBool = Field(
        False, description="The need an emergency opens (exactly one need has it)."
    )

    def sub_goal(self, sub_goal_id: str) -> Optional[SubGoal]:
        """The sub-goal with this id, if the need has it."""
        options = self.clarify.options if self.clarify else []
        return next((option for option in options if option.id == sub_goal_id), None)

    def offers(self, sub_goal: Optional[str]) -> List[Alternative]:
        """Available alternatives for ``sub_goal``, best first."""
        return [
            alternative
            for alternative in self.alternatives
            if alternative.available and alternative.serves_sub_goal(sub_goal)
        ]


class _CatalogHeader(_Strict):
    """The top level; items and needs are validated one entry at a time."""

    version: int = Field(..., ge=1, le=1)
    items: Dict[str, dict]
    needs: Dict[str, dict]

    @validator("items", "needs")
    def _ids_are_snake_case(cls, value: Dict[str, object]) -> Dict[str, object]:  # noqa: N805
        if not value:
            raise ValueError("must not be empty")
        bad = [key for key in value if not re.match(ID_PATTERN, key)]
        if bad:
            raise ValueError(f"ids must be snake_case: {', '.join(bad)}")
        return value


@dataclass
class _Parsed:
    """Entries that validated on their own, plus every problem found so far."""

    items: Dict[str, Item]
    needs: Dict[str, Need]
    item_ids: Set[str]
    problems: List[Problem]


def _parse(data: Dict[str, object]) -> _Parsed:
    try:
        header = _CatalogHeader.parse_obj(data)
    except ValidationError as error:
        return _Parsed({}, {}, set(), [(e["loc"], e["msg"]) for e in error.errors()])
    parsed = _Parsed({}, {}, set(header.items), [])
    sections: Tuple[Tuple[str, Type[BaseModel], Dict[str, Any]], ...] = (
        ("items", Item, parsed.items),
        ("needs", Need, parsed.needs),
    )
    for section, model, target in sections:
        for entry_id, spec in getattr(header, section).items():
            try:
                target[entry_id] = model.parse_obj(spec)
            except ValidationError as error:
                parsed.problems += [
                    ([section, entry_id, *e["loc"]], e["msg"]) for e in error.errors()
                ]
    parsed.problems += list(_cross_check(parsed))
    return parsed


class Catalog:
    """The validated catalog with the lookups the bot needs."""

    def __init__(self, items: Mapping[str, Item], needs: Mapping[str, Need]) -> None:
        self.items: Dict[str, Item] = dict(items)
        self.needs: Dict[str, Need] = dict(needs)
        self._needs_by_item: Dict[str, List[str]] = {}
        for need_id, need in self.needs.items():
            for item_id in need.items:
                self._needs_by_item.setdefault(item_id, []).append(need_id)

    @classmethod
    def load(cls, path: Path = CATALOG_PATH) -> "Catalog":
        """Load and validate ``path``; raises :class:`CatalogError` listing problems."""
        source, data = YamlSource.read_mapping(path, CatalogError)
        parsed = _parse(data)
        if parsed.problems:
            raise CatalogError([source.problem(loc, msg) for loc, msg in parsed.problems])
        return cls(parsed.items, parsed.needs)

    def need(self, need_id: str) -> Need:
        """The need with this id (KeyError if unknown)."""
        return self.needs[need_id]

    def needs_for_item(self, item_id: str) -> List[str]:
        """Ids of the needs an item points to, in catalog order."""
        return list(self._needs_by_item.get(item_id, []))

    def phrases(self) -> List[str]:
        """Every item spelling: the words segmentation must keep whole."""
        return sorted({s for item in self.items.values() for s in item.spellings()})

    @property
    def emergency_need(self) -> str:
        """Id of the need an emergency opens (validated: exactly one)."""
        return next(need_id for need_id, need in self.needs.items() if need.emergency)


def _bad_placeholders(text: str, allowed: frozenset) -> List[str]:
    try:
        return [name for name in format_fields(text) if name not in allowed]
    except ValueError as error:  # unbalanced braces
        return [str(error)]


def _cross_check(catalog: _Parsed) -> Iterator[Problem]:
    seen: Dict[str, str] = {}
    for item_id, item in catalog.items.items():
        for index, spelling in enumerate(item.synonyms):
            key = fold(spelling)
            if key in seen and seen[key] != item_id:
                yield (
                    ["items", item_id, "synonyms", index],
                    f"'{spelling}' is also a synonym of '{seen[key]}'",
                )
            seen.setdefault(key, item_id)
        for index, spelling in enumerate(item.exact):
            if fold(spelling) in {fold(s) for s in item.synonyms}:
                yield (
                    ["items", item_id, "exact", index],
                    f"'{spelling}' is also listed under synonyms",
                )
    for need_id, need in catalog.needs.items():
        yield from _check_need(catalog, need_id, need)
    emergency = [need_id for need_id, need in catalog.needs.items() if need.emergency]
    if catalog.needs and len(emergency) != 1:
        found = ", ".join(emergency) or "none"
        yield ["needs"], f"exactly one need must have 'emergency: true' (found: {found})"


def _check_need(catalog: _Parsed, need_id: str, need: Need) -> Iterator[Problem]:
    base: Location = ["needs", need_id]
    for index, item_id in enumerate(need.items):
        if item_id not in catalog.item_ids:
            yield [*base, "items", index], f"unknown item '{item_id}'"
    guest_texts: List[Tuple[Location, str]] = [
        ([*base, "reflect"], need.reflect),
        ([*base, "escalation"], need.escalation),
    ]
    guest_texts += [
        ([*base, "alternatives", i, "text"], a.text) for i, a in enumerate(need.alternatives)
    ]
    sub_goal_ids: List[str] = []
    if need.clarify:
        guest_texts.append(([*base, "clarify", "question"], need.clarify.question))
        sub_goal_ids = [option.id for option in need.clarify.options]
        if len(set(sub_goal_ids)) != len(sub_goal_ids):
            yield [*base, "clarify", "options"], "sub-goal ids must be unique"
    for location, text in guest_texts:
        for name in _bad_placeholders(text, GUEST_PLACEHOLDERS):
            yield location, f"unknown placeholder {{{name}}} (use {{kh}} or {{Kh}})"
    for name in _bad_placeholders(need.recommendation, REPORT_PLACEHOLDERS):
        allowed = ", ".join(f"{{{p}}}" for p in sorted(REPORT_PLACEHOLDERS))
        yield [*base, "recommendation"], f"unknown placeholder {{{name}}} ({allowed})"
    for index, alternative in enumerate(need.alternatives):
        for sub_goal in alternative.serves:
            if sub_goal not in sub_goal_ids:
                yield (
                    [*base, "alternatives", index, "serves"],
                    f"unknown sub-goal '{sub_goal}'",
                )
    for sub_goal in sub_goal_ids:
        if not any(a.serves_sub_goal(sub_goal) for a in need.alternatives):
            yield [*base, "clarify"], f"no alternative serves sub-goal '{sub_goal}'"


class CatalogSource(ReloadingFile[Catalog]):
    """The catalog file, re-read when it changes; a broken edit keeps the last good one."""

    def __init__(self, path: Path = CATALOG_PATH) -> None:
        super().__init__(path, Catalog.load, "catalog")
