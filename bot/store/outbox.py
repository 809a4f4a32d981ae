"""A durable local queue (SQLite) for need-log records on their way to the database.

Every record is committed here first, so a database outage, a restart or a
crash never loses one; a background flusher delivers them in order.

The queue keeps one connection open. Opening one per record re-ran the WAL
set-up and, as the last connection closed, a checkpoint with its fsyncs: with
the database's own connections, most of the action server's time at 50
concurrent conversations (py-spy, issue #17). Commits stay ``synchronous=FULL``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Sequence, Tuple

Payload = Dict[str, Any]


class Outbox:
    """Append-only queue of JSON payloads in a local SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # one thread at a time on the shared connection
        self._connection = sqlite3.connect(
            self.path, timeout=30, isolation_level=None, check_same_thread=False
        )
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        with self._connect() as connection:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS outbox ("
                " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " payload TEXT NOT NULL)"
            )
            connection.execute(
                "CREATE TABLE IF NOT EXISTS rejected ("
                " id INTEGER PRIMARY KEY,"
                " payload TEXT NOT NULL,"
                " error TEXT NOT NULL,"
                " rejected_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._connection

    def close(self) -> None:
        """Close the queue's connection (the file keeps what was committed)."""
        with self._lock:
            self._connection.close()

    def push(self, payloads: Sequence[Payload]) -> None:
        """Durably append payloads (one transaction)."""
        # ASCII escapes: a lone surrogate typed by a guest is stored, not an encoding error
        rows = [(json.dumps(p, ensure_ascii=True, default=str),) for p in payloads]
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany("INSERT INTO outbox (payload) VALUES (?)", rows)
            connection.execute("COMMIT")

    def peek(self, limit: int) -> List[Tuple[int, Payload]]:
        """The oldest ``limit`` payloads with their ids."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT id, payload FROM outbox ORDER BY id LIMIT ?", (limit,)
            ).fetchall()
        return [(row_id, json.loads(text)) for row_id, text in rows]

    def remove(self, ids: Sequence[int]) -> None:
        """Forget delivered payloads."""
        if not ids:
            return
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in ids])
            connection.execute("COMMIT")

    def reject(self, row_id: int, error: str) -> None:
        """Set a payload the database refused aside (kept for a person to look at)."""
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "INSERT OR REPLACE INTO rejected (id, payload, error)"
                " SELECT id, payload, ? FROM outbox WHERE id = ?",
                (error[:2000], row_id),
            )
            connection.execute("DELETE FROM outbox WHERE id = ?", (row_id,))
            connection.execute("COMMIT")

    def rejected(self) -> List[Tuple[int, Payload, str]]:
        """Payloads set aside, with the database's reason."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT id, payload, error FROM rejected ORDER BY id"
            ).fetchall()
        return [(row_id, json.loads(text), error) for row_id, text, error in rows]

    def __len__(self) -> int:
        with self._connect() as connection:
            return int(connection.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])
