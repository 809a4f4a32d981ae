"""Database down → records wait in the durable outbox → delivered exactly once.

The outages are real: a SQLite file in a directory that does not exist yet, a
PostgreSQL URL on a closed port, a database whose tables are not migrated yet,
and a writer process that dies with records still queued.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import List

from sqlalchemy import create_engine, inspect
from store_helpers import closed_port, context, handoffs, occurrences, wait_until

from bot.needs.log import (
    ESCALATED,
    MET,
    UNMET,
    HandoffRequested,
    LogRecord,
    NeedOpened,
    NeedUpdated,
)
from bot.paths import ROOT
from bot.store.migrate import upgrade
from bot.store.needlog import BATCH_SIZE
from bot.store.outbox import Outbox

OUTCOMES = (MET, UNMET, ESCALATED)


def records(needs: int, handoff_count: int = 0, prefix: str = "k") -> List[LogRecord]:
    """``needs`` openings each followed by its outcome, then ``handoff_count`` handoffs."""
    batch: List[LogRecord] = []
    for i in range(needs):
        ctx = context(f"conv-{i}", f"msg-{i}")
        batch.append(NeedOpened(f"{prefix}{i}", "phone_power", f"có sạc không {i}", ctx))
        batch.append(NeedUpdated(f"{prefix}{i}", outcome=OUTCOMES[i % 3]))
    for i in range(handoff_count):
        batch.append(HandoffRequested(f"{prefix}h{i}", "gặp nhân viên", context(f"conv-h{i}")))
    return batch


def assert_delivered(engine, needs: int, handoff_count: int = 0) -> None:
    rows = occurrences(engine)
    assert len(rows) == needs
    assert len({row["key"] for row in rows}) == needs
    assert sorted(row["outcome"] for row in rows) == sorted(OUTCOMES[i % 3] for i in range(needs))
    assert len(handoffs(engine)) == handoff_count


def test_sqlite_directory_missing_then_created(tmp_path, need_logs):
    url = f"sqlite:///{tmp_path / 'later' / 'needs.db'}"
    engine = create_engine(url, future=True)  # unlike make_engine, does not create the dir
    log = need_logs(engine, retry_seconds=60)
    batch = records(7, handoff_count=3)

    log.write(batch)
    assert log.flush() is False
    assert log.pending() == len(batch) == 17
    assert not (tmp_path / "later").exists()

    upgrade(url)  # the volume is back and migrated: same URL, same engine
    assert log.flush() is True
    assert log.pending() == 0
    assert_delivered(engine, 7, 3)

    assert log.flush() is True
    assert_delivered(engine, 7, 3)
    engine.dispose()


def test_postgres_on_a_closed_port_then_back(pg_url, engines, need_logs):
    upgrade(pg_url)
    real = engines(pg_url)
    log = need_logs(
        engines(f"postgresql://postgres@127.0.0.1:{closed_port()}/test"), retry_seconds=60
    )
    batch = records(5, handoff_count=2)

    started = time.monotonic()
    log.write(batch)
    assert log.flush() is False
    assert time.monotonic() - started < 10  # fails fast; the guest is not kept waiting
    assert log.pending() == 12
    assert occurrences(real) == [] and handoffs(real) == []

    log.engine = real  # the database answers again
    assert log.flush() is True
    assert log.pending() == 0
    assert_delivered(real, 5, 2)
    assert log.flush() is True
    assert_delivered(real, 5, 2)


def test_tables_not_migrated_yet(db_url, engines, need_logs):
    engine = engines(db_url)
    log = need_logs(engine, retry_seconds=60)
    log.write(records(4, handoff_count=1))
    assert log.flush() is False
    assert log.pending() == 9
    assert not {"need_occurrences", "handoffs"} & set(inspect(engine).get_table_names())

    upgrade(db_url)
    assert log.flush() is True
    assert log.pending() == 0
    assert_delivered(engine, 4, 1)


def test_queue_longer_than_one_batch_is_delivered_exactly(tmp_path, need_logs):
    url = f"sqlite:///{tmp_path / 'later' / 'needs.db'}"
    engine = create_engine(url, future=True)
    log = need_logs(engine, retry_seconds=60)
    batch = records(BATCH_SIZE, handoff_count=BATCH_SIZE // 2, prefix="big")
    assert len(batch) > 2 * BATCH_SIZE

    log.write(batch[: BATCH_SIZE + 1])  # an opening and its outcome straddle two batches
    log.write(batch[BATCH_SIZE + 1 :])
    assert log.flush() is False
    assert log.pending() == len(batch)

    upgrade(url)
    assert log.flush() is True
    assert log.pending() == 0
    assert_delivered(engine, BATCH_SIZE, BATCH_SIZE // 2)
    engine.dispose()


WRITER = """
import json, os, sys
from sqlalchemy import create_engine
from bot.needs.log import Context, NeedOpened, NeedUpdated
from bot.store.needlog import SqlNeedLog
from bot.store.outbox import Outbox

url, outbox = sys.argv[1], sys.argv[2]
log = SqlNeedLog(create_engine(url, future=True), Outbox(outbox), retry_seconds=60)
for i in range(6):
    ctx = Context(f"conv-{i}", f"msg-{i}", "rest", "m")
    log.write([NeedOpened(f"k{i}", "phone_power", "hết pin rồi", ctx)])
    log.write([NeedUpdated(f"k{i}", outcome="unmet")])
print(json.dumps({"flushed": log.flush(), "pending": log.pending()}), flush=True)
os._exit(0)  # dies without close(): nothing but the outbox file survives
"""


def test_outbox_survives_a_process_restart(db_url, engines, need_logs, tmp_path):
    outbox = tmp_path / "outbox.sqlite"
    down = f"sqlite:///{tmp_path / 'not-mounted' / 'needs.db'}"
    result = subprocess.run(
        [sys.executable, "-c", WRITER, down, str(outbox)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"flushed": False, "pending": 12}
    assert len(Outbox(outbox)) == 12

    upgrade(db_url)
    engine = engines(db_url)
    log = need_logs(engine, outbox_path=outbox)  # the restarted process
    # Left-over records are delivered on start, without waiting for a new write.
    assert wait_until(lambda: len(occurrences(engine)) == 6 and log.pending() == 0)
    assert log.flush() is True
    rows = occurrences(engine)
    assert sorted(row["key"] for row in rows) == [f"k{i}" for i in range(6)]
    assert {row["outcome"] for row in rows} == {UNMET}
    assert len(Outbox(outbox)) == 0


def test_new_log_on_the_same_outbox_flushes_explicitly(tmp_path, engines, need_logs):
    url = f"sqlite:///{tmp_path / 'needs.db'}"
    outbox = tmp_path / "outbox.sqlite"
    first = need_logs(create_engine(f"sqlite:///{tmp_path / 'gone' / 'x.db'}"), outbox, 60)
    first.write(records(3))
    assert first.flush() is False
    first.close(timeout=2)
    assert first.pending() == 6  # close() with the database down loses nothing

    upgrade(url)
    engine = engines(url)
    second = need_logs(engine, Path(outbox), 60)
    assert second.flush() is True
    assert second.pending() == 0
    assert_delivered(engine, 3)


def test_background_flusher_delivers_without_an_explicit_flush(db_url, engines, need_logs):
    upgrade(db_url)
    engine = engines(db_url)
    log = need_logs(engine)
    log.write(records(5, handoff_count=2))
    assert wait_until(lambda: len(occurrences(engine)) == 5 and len(handoffs(engine)) == 2)
    assert wait_until(lambda: log.pending() == 0)
    assert_delivered(engine, 5, 2)

    log.close()
    assert log._thread is not None and not log._thread.is_alive()


def test_background_flusher_retries_until_the_database_is_back(tmp_path, need_logs):
    url = f"sqlite:///{tmp_path / 'later' / 'needs.db'}"
    engine = create_engine(url, future=True)
    log = need_logs(engine, retry_seconds=0.05)
    log.write(records(4, handoff_count=1))
    time.sleep(0.3)  # several failed attempts with growing back-off
    assert log.pending() == 9

    upgrade(url)
    assert wait_until(lambda: log.pending() == 0, timeout=20)
    assert_delivered(engine, 4, 1)
    log.close()
    assert not log._thread.is_alive()
    engine.dispose()


def test_close_stops_the_flusher_and_delivers_what_is_left(tmp_path, need_logs):
    url = f"sqlite:///{tmp_path / 'later' / 'needs.db'}"
    engine = create_engine(url, future=True)
    log = need_logs(engine, retry_seconds=60)  # the flusher backs off for a minute
    log.write(records(3, handoff_count=1))
    assert log.flush() is False

    upgrade(url)
    started = time.monotonic()
    log.close(timeout=5)
    assert time.monotonic() - started < 5  # woke the sleeping flusher instead of waiting
    assert not log._thread.is_alive()
    assert log.pending() == 0
    assert_delivered(engine, 3, 1)
    engine.dispose()


def test_a_refused_record_is_set_aside_and_does_not_block_the_queue(tmp_path) -> None:
    """A record the database refuses must not stop the others (nor be lost)."""
    from bot.needs.log import Context, NeedOpened
    from bot.store.db import make_engine
    from bot.store.migrate import upgrade
    from bot.store.needlog import SqlNeedLog, to_payload
    from bot.store.outbox import Outbox

    url = f"sqlite:///{tmp_path / 'needs.db'}"
    upgrade(url)
    outbox = Outbox(tmp_path / "outbox.sqlite")
    context = Context("conv", "m1")
    good = to_payload(NeedOpened("k-good", "restroom", "wc o dau", context))
    poison = dict(good, key="k-bad", type="NoSuchRecord")
    later = to_payload(NeedOpened("k-later", "parking", "gui xe o dau", context))
    outbox.push([good, poison, later])
    log = SqlNeedLog(make_engine(url), outbox)
    assert log.flush() is True
    assert log.pending() == 0
    ((_, payload, error),) = outbox.rejected()
    assert payload["key"] == "k-bad" and "NoSuchRecord" in error
    with make_engine(url).connect() as connection:
        from sqlalchemy import text

        keys = {row[0] for row in connection.execute(text("SELECT key FROM need_occurrences"))}
    assert keys == {"k-good", "k-later"}


def test_lone_surrogates_are_queued_and_delivered(tmp_path) -> None:
    from bot.needs.log import Context, NeedOpened
    from bot.store.db import make_engine
    from bot.store.migrate import upgrade
    from bot.store.needlog import SqlNeedLog
    from bot.store.outbox import Outbox

    url = f"sqlite:///{tmp_path / 'needs.db'}"
    upgrade(url)
    log = SqlNeedLog(make_engine(url), Outbox(tmp_path / "outbox.sqlite"), retry_seconds=60)
    log.write([NeedOpened("k1", "unrecognized", "a\ud800b", Context("c", "m"))])
    assert log.pending() == 1
    assert log.flush() is True and log.pending() == 0


def test_text_is_made_storable_before_queueing() -> None:
    from bot.needs.log import Context, NeedOpened
    from bot.store.needlog import to_payload

    typed = "a\ud800b\x00c"
    payload = to_payload(NeedOpened("k", "unrecognized", typed, Context("c", "m"), item=typed))
    assert payload["text"] == payload["item"] == "a\ufffdbc"
