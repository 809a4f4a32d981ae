"""``make soak``: the scale scenarios for N minutes on PostgreSQL (+ Redis), with figures.

Starts the scaled-out stack of :mod:`harness.ops.cluster` (two Rasa replicas when
``REDIS_URL`` is set, one otherwise) on a PostgreSQL database created for the
run in the server at ``TEST_DATABASE_URL`` (or ``--database-url``), then:

1. ``replicas`` once (a conversation hopping between replicas), when there are two;
2. rounds of ``load`` (N concurrent 10-turn conversations) and ``faults``
   (need-log database down 30 s, action server SIGKILLed and restarted, Redis
   down) until the time is up (at least one round of each);
3. ``hostile input`` once (≥ 2,000 requests).

Each result is printed as it comes (requests, errors, busy answers, rows
expected vs found, latency p50/p95, timings), then a table per scenario.
Logs of every process stay in the work directory printed at the start. Exit
status 0 when every scenario passed. Not part of ``make test``.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Dict, List, Optional, TextIO

from bot.paths import VAR_DIR
from harness.ops import scenarios
from harness.ops.traffic import percentile


@dataclass
class Totals:
    """One scenario over all its rounds."""

    rounds: int = 0
    failed: int = 0
    sent: int = 0
    errors: int = 0
    busy: int = 0
    rows_expected: int = 0
    rows_found: int = 0
    counted_rows: bool = False
    latencies: List[float] = field(default_factory=list)

    def add(self, result: scenarios.Result) -> None:
        """Count one round."""
        self.rounds += 1
        self.failed += 0 if result.ok else 1
        self.sent += result.figures.sent
        self.errors += len(result.figures.errors)
        self.busy += result.figures.busy
        self.latencies += result.figures.latencies
        if result.ledger:
            self.counted_rows = True
            self.rows_expected += result.ledger.rows_expected
            self.rows_found += result.ledger.rows_found


def table(totals: Dict[str, Totals]) -> str:
    """The per-scenario summary as a fixed-width table."""
    head = (
        f"{'scenario':<10} {'rounds':>6} {'failed':>6} {'requests':>9} {'errors':>6} "
        f"{'busy':>6} {'rows exp':>9} {'rows found':>10} {'p50 ms':>7} {'p95 ms':>7}"
    )
    lines = [head, "-" * len(head)]
    for name, t in totals.items():
        expected, found = (t.rows_expected, t.rows_found) if t.counted_rows else ("-", "-")
        lines.append(
            f"{name:<10} {t.rounds:>6} {t.failed:>6} {t.sent:>9} {t.errors:>6} {t.busy:>6} "
            f"{expected:>9} {found:>10} "
            f"{percentile(t.latencies, 0.5) * 1000:>7.0f} "
            f"{percentile(t.latencies, 0.95) * 1000:>7.0f}"
        )
    return "\n".join(lines)


def run(
    minutes: float,
    guests: int = 50,
    database_url: Optional[str] = None,
    redis_url: Optional[str] = None,
    out: TextIO = sys.stdout,
) -> int:
    """Run the soak (see the module docstring); 0 when every scenario passed."""
    from bot.rasa.model import latest_model
    from harness.ops.cluster import start_cluster

    admin_url = database_url or os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        print(
            "make soak needs PostgreSQL: set TEST_DATABASE_URL (a server where it may create "
            "and drop a database), e.g.\n"
            "  TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test "
            "REDIS_URL=redis://127.0.0.1:6379/0 make soak MINUTES=5",
            file=sys.stderr,
        )
        return 2
    redis_url = redis_url or os.environ.get("REDIS_URL") or None

    def say(line: str) -> None:
        print(line, file=out, flush=True)

    workdir = VAR_DIR / "soak" / datetime.now().strftime("%Y%m%d-%H%M%S")
    say(f"==> Starting the stack (logs in {workdir})")
    started = time.monotonic()
    cluster = start_cluster(workdir, latest_model(), admin_url, redis_url)
    say(
        f"    {len(cluster.rasa_urls)} Rasa replica(s), database {cluster.database_name}, "
        f"lock store {'Redis' if redis_url else 'in memory (no REDIS_URL)'}, "
        f"up in {time.monotonic() - started:.0f} s"
    )
    totals: Dict[str, Totals] = {}

    def play(name: str, scenario: Callable[[], scenarios.Result]) -> None:
        say(f"==> {name}")
        result = scenario()
        say(result.report())
        totals.setdefault(name, Totals()).add(result)

    deadline = time.monotonic() + minutes * 60
    try:
        if len(cluster.rasa_urls) > 1:
            play("replicas", lambda: scenarios.replicas(cluster, log=say))
        play("load", lambda: scenarios.load(cluster, guests=guests, log=say))
        play("faults", lambda: scenarios.faults(cluster, log=say))
        while time.monotonic() < deadline - 90:  # a round of both takes about 75 s
            play("load", lambda: scenarios.load(cluster, guests=guests, log=say))
            play("faults", lambda: scenarios.faults(cluster, log=say))
        play("hostile", lambda: scenarios.hostile_input(cluster, log=say))
    finally:
        cluster.close()
    say(f"\n==> Soak of {(time.monotonic() - started) / 60:.1f} min\n" + table(totals))
    return 0 if all(t.failed == 0 for t in totals.values()) else 1
