"""Scale-out on one machine (SPEC §6, issue #8): replicas, load, faults, hostile input.

One cluster for the module (harness/ops/cluster.py): two Rasa servers reading
deploy/endpoints.prod.yml (SQLTrackerStore on a PostgreSQL database created
for the run, RedisLockStore with its own key prefix), one action server and
the web app logging needs to the same database, with TCP proxies in front of
the need-log database and Redis so outages can be staged. The scenarios live
in harness/ops/scenarios.py (``make soak`` runs them for longer); here they run
short and every figure is asserted. Runs when TEST_DATABASE_URL and
REDIS_URL are set (CI sets both); 3–4 minutes on 2 cores.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from harness.ops import scenarios
from harness.ops.cluster import Cluster, start_cluster
from harness.ops.conversations import EVENING

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture(scope="module")
def redis_url() -> str:
    """``REDIS_URL``, or skip saying why."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: scale tests need Redis for the lock store (CI sets it)")
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=3).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at REDIS_URL is not reachable: {error}")
    return url


@pytest.fixture(scope="module")
def cluster(
    postgres_url: str, redis_url: str, trained_model: Path, tmp_path_factory
) -> Iterator[Cluster]:
    """Two Rasa replicas, one action server, the web app; PostgreSQL + Redis."""
    workdir = tmp_path_factory.mktemp("scale")
    running = start_cluster(workdir, trained_model, postgres_url, redis_url)
    yield running
    running.close()


def _show(result: scenarios.Result) -> None:
    print("\n" + result.report())


def test_a_conversation_keeps_its_state_across_replicas(cluster: Cluster) -> None:
    result = scenarios.replicas(cluster, log=print)
    _show(result)
    assert result.ok, result.report()
    assert result.ledger and (result.ledger.rows_expected, result.ledger.rows_found) == (1, 1)


def test_fifty_concurrent_conversations_leave_exactly_their_rows(cluster: Cluster) -> None:
    result = scenarios.load(cluster, guests=50, script=EVENING, log=print)
    _show(result)
    assert result.ok, result.report()
    assert result.figures.sent == 50 * len(EVENING.turns) == 500
    assert result.ledger is not None
    assert result.ledger.rows_expected == result.ledger.rows_found == 50 * len(EVENING.rows)
    assert result.ledger.handoffs_expected == result.ledger.handoffs_found == 50


def test_outages_are_answered_and_lose_no_row(cluster: Cluster) -> None:
    result = scenarios.faults(cluster, guests=12, db_outage=30.0, redis_outage=5.0, log=print)
    _show(result)
    assert result.ok, result.report()
    assert result.timings["need-log DB outage"] >= 30.0
    assert result.ledger is not None and result.ledger.rows_expected > 0


def test_hostile_input_gets_no_5xx_and_nothing_unescaped(cluster: Cluster) -> None:
    result = scenarios.hostile_input(cluster, rest_count=1300, report_count=700, log=print)
    _show(result)
    assert result.ok, result.report()
    assert result.figures.sent >= 2000
