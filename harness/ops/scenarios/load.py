"""Load: many guests at once across the replicas; every turn answered, the need log exact."""

from __future__ import annotations

import time
import uuid

from harness.ops.cluster import Cluster
from harness.ops.conversations import EVENING, Script
from harness.ops.scenarios.common import (
    Log,
    Result,
    check_alive,
    check_ledger,
    check_traffic,
    ledger_for,
    quiet,
)
from harness.ops.traffic import Traffic


def load(cluster: Cluster, guests: int = 50, script: Script = EVENING, log: Log = quiet) -> Result:
    """``guests`` conversations at once, each ``script`` (10 turns) across the replicas."""
    result = Result(f"load ({guests} conversations x {len(script.turns)} turns)")
    traffic = Traffic(cluster.rasa_urls, script, guests, prefix=f"load-{uuid.uuid4().hex[:6]}")
    started = time.monotonic()
    traffic.run()
    result.timings["traffic"] = time.monotonic() - started
    result.figures = traffic.figures
    check_traffic(result, traffic)
    if result.figures.busy:
        result.problems.append(f"{result.figures.busy} busy answers without any fault")
    result.ledger, _ = ledger_for(cluster, traffic)
    check_ledger(result, result.ledger)
    check_alive(result, cluster)
    log(f"    {len(traffic.finished)} conversations finished in {result.timings['traffic']:.1f} s")
    return result
