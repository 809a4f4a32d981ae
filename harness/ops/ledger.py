"""Rows expected vs rows found in the need log, for the conversations a scenario played.

The need log stores a keyed hash of the sender id (SPEC §5), so the expected
rows are looked up by ``conversation_key(sender, CONVERSATION_KEY_SECRET)``.
Delivery is asynchronous (the outbox), so :func:`settle` polls the database
until the rows are all there and the outboxes are empty, or a timeout passes.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.store.masking import conversation_key
from bot.store.models import Handoff, NeedOccurrence
from bot.store.outbox import Outbox

Row = Tuple[str, str]  # (need, outcome)


@dataclass
class Ledger:
    """The comparison for one scenario."""

    rows_expected: int = 0
    rows_found: int = 0
    handoffs_expected: int = 0
    handoffs_found: int = 0
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    outbox_pending: int = 0
    outbox_rejected: int = 0
    settle_seconds: float = 0.0

    @property
    def exact(self) -> bool:
        """Every expected row once, nothing else, nothing left in an outbox."""
        return (
            not self.missing
            and not self.unexpected
            and self.rows_found == self.rows_expected
            and self.handoffs_found == self.handoffs_expected
            and self.outbox_pending == 0
            and self.outbox_rejected == 0
        )

    def summary(self) -> str:
        """One line: rows and handoffs expected vs found, outbox state."""
        text = (
            f"rows {self.rows_found}/{self.rows_expected}, "
            f"handoffs {self.handoffs_found}/{self.handoffs_expected}, "
            f"outbox pending {self.outbox_pending}, set aside {self.outbox_rejected}, "
            f"settled in {self.settle_seconds:.1f} s"
        )
        if self.missing:
            text += f"; missing {self.missing[:5]}"
        if self.unexpected:
            text += f"; unexpected {self.unexpected[:5]}"
        return text


def keys_of(senders: Sequence[str], secret: bytes) -> Dict[str, str]:
    """Conversation key → sender."""
    return {conversation_key(sender, secret): sender for sender in senders}


def compare(
    engine: Engine,
    expected: Mapping[str, Sequence[Row]],
    handoffs: Mapping[str, int],
    secret: bytes,
    outboxes: Sequence[Path] = (),
) -> Ledger:
    """Compare the need log with ``expected`` (sender → rows) right now."""
    keys = keys_of(list(expected), secret)
    found: Dict[str, Counter] = {sender: Counter() for sender in expected}
    handoffs_found = 0
    key_list = list(keys)
    with engine.connect() as connection:
        for start in range(0, len(key_list), 500):
            chunk = key_list[start : start + 500]
            for conv, need, outcome in connection.execute(
                select(
                    NeedOccurrence.conversation_key, NeedOccurrence.need, NeedOccurrence.outcome
                ).where(NeedOccurrence.conversation_key.in_(chunk))
            ):
                found[keys[conv]][(need, outcome)] += 1
            handoffs_found += len(
                connection.execute(
                    select(Handoff.id).where(Handoff.conversation_key.in_(chunk))
                ).all()
            )
    ledger = Ledger(
        rows_expected=sum(len(rows) for rows in expected.values()),
        rows_found=sum(sum(c.values()) for c in found.values()),
        handoffs_expected=sum(handoffs.values()),
        handoffs_found=handoffs_found,
    )
    for sender, rows in expected.items():
        want, got = Counter(rows), found[sender]
        for row, count in (want - got).items():
            ledger.missing.append(f"{sender}: {row} x{count}")
        for row, count in (got - want).items():
            ledger.unexpected.append(f"{sender}: {row} x{count}")
    for path in outboxes:
        if Path(path).exists():
            outbox = Outbox(Path(path))
            ledger.outbox_pending += len(outbox)
            ledger.outbox_rejected += len(outbox.rejected())
    return ledger


def settle(
    engine: Engine,
    expected: Mapping[str, Sequence[Row]],
    handoffs: Mapping[str, int],
    secret: bytes,
    outboxes: Sequence[Path] = (),
    timeout: float = 60.0,
) -> Ledger:
    """:func:`compare` until it is exact or ``timeout`` passes; the last comparison."""
    started = time.monotonic()
    while True:
        ledger = compare(engine, expected, handoffs, secret, outboxes)
        ledger.settle_seconds = time.monotonic() - started
        if ledger.exact or ledger.settle_seconds > timeout:
            return ledger
        time.sleep(0.5)
