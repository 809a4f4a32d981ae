"""Load runs pooled across rounds: throughput over all the time, errors by message."""

from __future__ import annotations

from collections import Counter

from harness.bench.load import LoadResult


def test_rounds_pool_latencies_errors_and_time() -> None:
    pooled = LoadResult(50)
    pooled.absorb(LoadResult(50, [0.1, 0.2], 1, 1.0, Counter({"no": 1})))
    pooled.absorb(LoadResult(50, [0.3], 2, 2.0, Counter({"no": 1, "bye": 1})))
    assert (pooled.turns, pooled.errors, pooled.seconds) == (6, 3, 3.0)
    assert pooled.throughput == 1.0  # answered turns over the time of every round
    assert pooled.failed == Counter({"no": 2, "bye": 1})
    assert pooled.percentile(50) == 200.0
