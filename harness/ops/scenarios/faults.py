"""Faults: the need-log database, the action server and Redis fail while guests keep talking."""

from __future__ import annotations

import time
import uuid
from typing import Dict

from bot.rasa.channels import BUSY_MESSAGE
from bot.store.outbox import Outbox
from harness.ops.cluster import Cluster
from harness.ops.conversations import PARKING, Script, is_busy
from harness.ops.scenarios.common import (
    WIDGET_TIMEOUT,
    Log,
    Result,
    check_alive,
    check_ledger,
    check_traffic,
    ledger_for,
    post,
    quiet,
    socketio_turn,
)
from harness.ops.traffic import Traffic


def faults(
    cluster: Cluster,
    guests: int = 12,
    db_outage: float = 30.0,
    redis_outage: float = 5.0,
    script: Script = PARKING,
    log: Log = quiet,
) -> Result:
    """Conversations keep going while the need-log database, the action server and Redis fail.

    1. The need-log database is cut off for ``db_outage`` seconds: every turn
       is still answered, records wait in the action server's outbox.
    2. Meanwhile (records waiting) the action server is killed with SIGKILL
       while no request is in flight, and restarted: guests get the busy
       message (REST and socket.io) and send again; the outbox file keeps
       its records.
    3. Redis (the lock store) is cut off for ``redis_outage`` seconds: the
       REST call answers 200 with the busy message, nothing crashes, and the
       next message after Redis is back gets a real answer.
    Then the need log must hold exactly the rows of every finished conversation.
    """
    result = Result(f"faults ({guests} guests, need-log DB down {db_outage:.0f} s)")
    began = time.monotonic()
    traffic = Traffic(
        cluster.rasa_urls,
        script,
        guests,
        prefix=f"faults-{uuid.uuid4().hex[:6]}",
        repeat=True,
        busy_retry=1.0,
    ).start()
    time.sleep(3)

    log("    cutting the need-log database off")
    cluster.db_proxy.cut()
    cut_at = time.monotonic()
    answered_before = len(traffic.figures.latencies)
    time.sleep(db_outage * 0.5)

    _kill_action_server(cluster, traffic, result, log)

    time.sleep(max(0.0, db_outage - (time.monotonic() - cut_at)))
    cluster.db_proxy.restore()
    result.timings["need-log DB outage"] = time.monotonic() - cut_at
    answered_during = len(traffic.figures.latencies) - answered_before
    result.notes.append(f"{answered_during} requests answered during the database outage")
    log("    need-log database back")
    time.sleep(3)

    if cluster.redis_proxy is not None:
        _redis_outage(cluster, result, redis_outage, log)
    else:
        result.notes.append("no REDIS_URL: Redis outage skipped")

    time.sleep(2)
    _finish(cluster, traffic, result)
    result.timings["scenario"] = time.monotonic() - began
    return result


def _kill_action_server(cluster: Cluster, traffic: Traffic, result: Result, log: Log) -> None:
    """SIGKILL the action server between requests while records wait; guests get "busy"."""
    traffic.pause()
    time.sleep(0.2)
    if not traffic.wait_idle():
        result.problems.append("requests still in flight before the kill")
    outbox = Outbox(cluster.outbox)
    waiting = len(outbox)
    busy_before = traffic.figures.busy
    log(f"    SIGKILL to the action server ({waiting} records wait in its outbox)")
    cluster.kill_actions()
    survived = len(outbox)
    traffic.resume()
    sio_guest = f"faults-sio-{uuid.uuid4().hex[:6]}"
    said = socketio_turn(cluster.rasa_urls[-1], sio_guest, "wifi pass j v e")  # needs actions
    result.figures.sent += 1
    if said != [BUSY_MESSAGE]:
        result.problems.append(f"socket.io while the action server is down: {said!r}")
    time.sleep(2)
    result.timings["action server restart"] = cluster.restart_actions()
    busy_while_down = traffic.figures.busy - busy_before
    result.notes.append(
        f"outbox: {waiting} records before SIGKILL, {survived} after; "
        f"{busy_while_down} busy answers while the action server was down"
    )
    if waiting == 0:
        result.problems.append("no record was waiting in the outbox at the kill")
    if survived != waiting:
        result.problems.append(f"outbox lost records in the kill: {waiting} -> {survived}")
    if busy_while_down == 0:
        result.problems.append("no busy answer while the action server was down")


def _finish(cluster: Cluster, traffic: Traffic, result: Result) -> None:
    """Let the guests finish, then check latencies, busy answers and the need log."""
    stopping = time.monotonic()
    traffic.stop()
    traffic.join(300)
    result.timings["guests finishing"] = time.monotonic() - stopping
    result.figures = traffic.figures
    if traffic.figures.slowest > WIDGET_TIMEOUT:
        result.problems.append(
            f"a turn took {traffic.figures.slowest:.0f} s: the widget gives up after "
            f"{WIDGET_TIMEOUT:.0f} s and sends the message again"
        )
    bad_busy = [status for _, status in traffic.busy_replies if status != 200]
    if bad_busy:
        result.problems.append(f"busy answers with HTTP status {sorted(set(bad_busy))}")
    check_traffic(result, traffic)
    result.ledger, _ = ledger_for(cluster, traffic)
    check_ledger(result, result.ledger)
    check_alive(result, cluster)


def _redis_outage(cluster: Cluster, result: Result, seconds: float, log: Log) -> None:
    assert cluster.redis_proxy is not None
    log("    cutting Redis (lock store) off")
    cluster.redis_proxy.cut()
    started = time.monotonic()
    probe = f"faults-redis-{uuid.uuid4().hex[:6]}"
    for url in cluster.rasa_urls:
        status, replies = post(url, probe, "chào em")
        result.figures.sent += 1
        if status != 200 or not isinstance(replies, list) or not is_busy(replies):
            result.problems.append(f"Redis down: {url} answered {status} {replies!r}")
    result.notes.append("Redis down: REST answers 200 with the busy message")
    time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    cluster.redis_proxy.restore()
    result.timings["Redis outage"] = time.monotonic() - started
    log("    Redis back")
    deadline = time.monotonic() + 15
    recovered: Dict[str, bool] = dict.fromkeys(cluster.rasa_urls, False)
    while time.monotonic() < deadline and not all(recovered.values()):
        for url in [u for u, ok in recovered.items() if not ok]:
            status, replies = post(url, probe, "chào em")
            recovered[url] = status == 200 and bool(replies) and not is_busy(replies)
        time.sleep(0.5)
    result.timings["Redis recovery"] = time.monotonic() - started - result.timings["Redis outage"]
    if not all(recovered.values()):
        result.problems.append(f"not recovered after Redis came back: {recovered}")
