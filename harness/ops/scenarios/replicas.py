"""Replicas: a conversation hopping between Rasa servers keeps its state.

Also: the lock store serialises concurrent turns, and socket.io works on every replica.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any, Dict, List, Tuple

import aiohttp
from sqlalchemy import select, text

from bot.rasa.channels import BUSY_MESSAGE
from bot.store.models import NeedOccurrence
from harness.ops.cluster import Cluster
from harness.ops.conversations import CHARGER_STORY, is_busy, texts
from harness.ops.ledger import keys_of, settle
from harness.ops.scenarios.common import (
    Log,
    Result,
    check_alive,
    check_ledger,
    post,
    quiet,
    socketio_turn,
)


def tracker_slots(cluster: Cluster, sender: str) -> List[Dict[str, Any]]:
    """The slot values after each user turn, read from the SQL tracker store."""
    with cluster.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
            {"s": sender},
        ).all()
    states: List[Dict[str, Any]] = []
    slots: Dict[str, Any] = {}
    for type_name, data in rows:
        event = json.loads(data)
        if type_name == "user":
            states.append(dict(slots))
        elif type_name == "slot":
            slots[event["name"]] = event.get("value")
    states.append(dict(slots))
    return states[1:]  # the state after turn 1, turn 2, …


def replicas(cluster: Cluster, log: Log = quiet) -> Result:
    """A conversation hopping between replicas keeps its state; the lock and socket.io work.

    The charger story with its turns on replica A, B, A: the slots (need,
    sub-goal, stage) read back from the SQL tracker store after each turn, and
    one need-log row with outcome ``met``. Then two overlapping messages of one
    conversation on A and B (both must end up in the tracker), and a socket.io
    turn on B.
    """
    result = Result("replicas")
    if len(cluster.rasa_urls) < 2:
        result.problems.append("needs two Rasa replicas")
        return result
    a, b = cluster.rasa_urls[:2]
    sender = f"replicas-{uuid.uuid4().hex[:8]}"
    for number, (turn, url) in enumerate(zip(CHARGER_STORY.turns, (a, b, a), strict=True), start=1):
        started = time.monotonic()
        status, replies = post(url, sender, turn.message)
        result.figures.sent += 1
        result.figures.latencies.append(time.monotonic() - started)
        problem = f"HTTP {status}" if status != 200 else turn.check(replies)
        if problem:
            result.problems.append(f"turn {number} on {url}: {problem}")
        said = " / ".join(texts(replies)) if status == 200 else f"HTTP {status}"
        log(f"    turn {number} on {url}: {said[:120]}")
    states = tracker_slots(cluster, sender)
    want = [
        {"need": "phone_power", "sub_goal": None, "stage": "clarify_sub_goal"},
        {"need": "phone_power", "sub_goal": "charge_own_phone", "stage": "feedback"},
        {"need": None, "sub_goal": None, "stage": None},
    ]
    for number, (state, wanted) in enumerate(zip(states, want, strict=False), start=1):
        got = {name: state.get(name) for name in wanted}
        if got != wanted:
            result.problems.append(f"slots after turn {number}: {got}, expected {wanted}")
    if len(states) != 3:
        result.problems.append(f"tracker has {len(states)} user turns, expected 3")
    keys = {state.get("need_log_key") for state in states[:2]}
    if len(keys) != 1 or None in keys:
        result.problems.append(f"the need-log key changed between replicas: {keys}")
    expected = {sender: CHARGER_STORY.rows}
    result.ledger = settle(cluster.engine, expected, {sender: 0}, cluster.secret, [cluster.outbox])
    check_ledger(result, result.ledger)
    with cluster.engine.connect() as connection:
        row = connection.execute(
            select(NeedOccurrence.sub_goal, NeedOccurrence.alternatives).where(
                NeedOccurrence.conversation_key == next(iter(keys_of([sender], cluster.secret)))
            )
        ).first()
    if row is None or row.sub_goal != "charge_own_phone" or not row.alternatives:
        result.problems.append(f"logged sub-goal / alternatives wrong: {row}")
    _concurrent_turns(cluster, result)
    said = socketio_turn(b, f"replicas-sio-{uuid.uuid4().hex[:8]}", "wifi pass j v e")
    result.figures.sent += 1
    if not said or said == [BUSY_MESSAGE] or not any("•" in t for t in said):
        result.problems.append(f"socket.io turn on {b}: {said!r}")
    check_alive(result, cluster)
    return result


def _concurrent_turns(cluster: Cluster, result: Result, offset: float = 0.02) -> None:
    """Two messages of one conversation overlapping on two replicas: the lock serialises them.

    The second one is sent ``offset`` seconds after the first, while the first is
    being processed: it must wait for the lock (Rasa polls it every second) and
    both turns must end up in the tracker. Sent at the very same instant, both
    can get a ticket: Rasa 3.6's ``RedisLockStore`` issues tickets with a GET
    then a SET, not atomically (see deploy/README.md).
    """
    sender = f"replicas-lock-{uuid.uuid4().hex[:8]}"
    messages = ("em có sạc iPhone không anh mượn, đang cần quá?", "wifi pass j v e")

    async def both() -> List[Tuple[int, Any, float]]:
        async with aiohttp.ClientSession() as session:

            async def one(url: str, message: str, delay: float) -> Tuple[int, Any, float]:
                await asyncio.sleep(delay)
                started = time.monotonic()
                async with session.post(
                    f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
                ) as response:
                    body = await response.json(content_type=None)
                    return response.status, body, time.monotonic() - started

            urls = cluster.rasa_urls[:2]
            return await asyncio.gather(
                one(urls[0], messages[0], 0.0), one(urls[1], messages[1], offset)
            )

    answers = asyncio.run(both())
    result.figures.sent += 2
    for status, replies, seconds in answers:
        result.figures.latencies.append(seconds)
        if status != 200 or not replies or is_busy(replies):
            result.problems.append(f"overlapping turn not answered: {status} {replies!r}")
    result.notes.append(
        f"overlapping turns on two replicas: the second waited {answers[1][2]:.2f} s for the lock"
    )
    with cluster.engine.connect() as connection:
        users = connection.execute(
            text("SELECT count(*) FROM events WHERE sender_id = :s AND type_name = 'user'"),
            {"s": sender},
        ).scalar_one()
    if users != 2:
        result.problems.append(f"overlapping turns: tracker has {users} user events, expected 2")


# --------------------------------------------------------------------- load
