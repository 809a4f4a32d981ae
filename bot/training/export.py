"""``python -m bot export-unrecognized``: guests' unrecognised requests as an NLU draft.

Rows of the need log with need ``unrecognized`` are grouped by similarity
(:func:`bot.report.grouping.group_similar`) and written as a Rasa NLU file
(version "3.1"): one ``TODO_new_need_<n>`` intent per group, largest first.
A trainer renames each intent to a need id (a new need: see docs/TRAINING.md)
or moves its examples to an existing intent, deletes noise, and `make validate`
refuses any ``TODO_`` intent left behind.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import List, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.needs.log import UNRECOGNIZED
from bot.report.grouping import Group, group_similar
from bot.store.models import NeedOccurrence
from bot.store.needlog import utcnow

INTENT_PREFIX = "TODO_new_need_"
# "[x](y)", "[x]{...}", "[x][...]" would read as entity annotations.
_ANNOTATION_LIKE = re.compile(r"\](?=[({\[])")


class NeedLogUnavailableError(RuntimeError):
    """The need log cannot be read (database down or not migrated)."""


@dataclass(frozen=True)
class Draft:
    """The YAML text and what it holds."""

    text: str
    groups: int
    requests: int


def unrecognized_texts(engine: Engine, since: datetime, until: datetime) -> List[str]:
    """Texts (already masked) of unrecognised requests logged in ``[since, until)``."""
    query = (
        select(NeedOccurrence.text)
        .where(NeedOccurrence.need == UNRECOGNIZED)
        .where(NeedOccurrence.created_at >= since, NeedOccurrence.created_at < until)
        .order_by(NeedOccurrence.created_at)
    )
    try:
        with engine.connect() as connection:
            return [text for (text,) in connection.execute(query) if text]
    except SQLAlchemyError as error:
        raise NeedLogUnavailableError(
            f"cannot read the need log at {engine.url!r} ({error.__class__.__name__}); "
            "is DATABASE_URL right and migrated (`python -m bot migrate`)?"
        ) from error


def example_text(text: str) -> str:
    """One line of an NLU example: no control characters, no annotation syntax."""
    visible = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in text.replace("\ufeff", "")
    )
    return _ANNOTATION_LIKE.sub("] ", " ".join(visible.split()))


def draft_nlu(groups: Sequence[Group], days: int, generated: datetime) -> Draft:
    """The NLU draft for ``groups`` (largest first), with review notes as comments."""
    requests = sum(group.count for group in groups)
    lines = [
        f"# Unrecognised requests of the last {days} days, exported "
        f"{generated:%Y-%m-%d %H:%M} UTC: {requests} requests in {len(groups)} groups.",
        "# This is a DRAFT for a trainer; nothing here is trained until you move it.",
        "# For each block: rename TODO_new_need_<n> to a need id (for a new need add the",
        "# catalog entry, domain intent, rule and stories: docs/TRAINING.md) or move the",
        "# examples into data/nlu/needs/<need>.yml; delete noise. Never copy examples",
        "# from tests/heldout/. Then `make validate`.",
        'version: "3.1"',
    ]
    blocks = []
    for number, group in enumerate(groups, start=1):
        examples = list(dict.fromkeys(t for t in map(example_text, group.members) if t))
        if not examples:
            continue
        block = [
            "",
            f"# {INTENT_PREFIX}{number}: {group.count} requests, {len(examples)} distinct; "
            f"e.g. “{example_text(group.representative)}”.",
            "# Rename this intent to a need id, or move these examples to an existing intent.",
            f"- intent: {INTENT_PREFIX}{number}",
            "  examples: |",
            *(f"    - {example}" for example in examples),
        ]
        blocks.append("\n".join(block))
    if blocks:
        lines.append("nlu:")
        lines += blocks
    else:
        lines.append("nlu: []  # nothing unrecognised in this period")
    return Draft("\n".join(lines) + "\n", len(blocks), requests)


def export_unrecognized(engine: Engine, days: int, now: Optional[datetime] = None) -> Draft:
    """The draft for the last ``days`` days up to ``now`` (naive UTC)."""
    until = now or utcnow()
    texts = unrecognized_texts(engine, until - timedelta(days=days), until)
    return draft_nlu(group_similar(texts), days, until)


def write_draft(draft: Draft, out: Path, force: bool = False) -> None:
    """Write ``draft`` to ``out``; an existing file is kept unless ``force``."""
    if out.exists() and not force:
        raise FileExistsError(f"{out} exists; choose another --out or add --force")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(draft.text, encoding="utf-8")
