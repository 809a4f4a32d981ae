"""The scale scenarios: replicas, load, faults, hostile input — each returns its figures.

Used by ``tests/scale`` (which asserts ``result.ok`` and a few specifics) and
by ``make soak`` (which prints the figures). A :class:`Result` lists what
went wrong in ``problems``; an empty list means the scenario passed.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import aiohttp
import requests
from markupsafe import escape
from sqlalchemy import select, text

from bot.rasa.channels import BUSY_MESSAGE
from bot.store.models import NeedOccurrence
from bot.store.outbox import Outbox
from harness.ops import hostile
from harness.ops.cluster import Cluster
from harness.ops.conversations import CHARGER_STORY, EVENING, PARKING, Script, is_busy, texts
from harness.ops.ledger import Ledger, keys_of, settle
from harness.ops.traffic import Figures, Traffic, expected_rows

Log = Callable[[str], None]
WIDGET_TIMEOUT = 30.0  # seconds; REQUEST_TIMEOUT in bot/web/static/widget.js


@dataclass
class Result:
    """What one scenario did and found."""

    name: str
    figures: Figures = field(default_factory=Figures)
    ledger: Optional[Ledger] = None
    problems: List[str] = field(default_factory=list)
    timings: Dict[str, float] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems

    def report(self) -> str:
        """Several lines: figures, rows, timings, notes, problems."""
        lines = [f"[{'ok' if self.ok else 'FAILED'}] {self.name}: {self.figures.summary()}"]
        if self.ledger:
            lines.append(f"    {self.ledger.summary()}")
        if self.timings:
            lines.append(
                "    " + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(self.timings.items()))
            )
        lines += [f"    note: {note}" for note in self.notes]
        lines += [f"    PROBLEM: {problem}" for problem in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(f"    … and {len(self.problems) - 20} more problems")
        return "\n".join(lines)


def _quiet(_: str) -> None:
    pass


def _post(url: str, sender: str, message: str, timeout: float = 60) -> Tuple[int, Any]:
    response = requests.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout
    )
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


def socketio_turn(url: str, session_id: str, message: str, timeout: float = 20.0) -> List[str]:
    """One guest turn over socket.io (long polling, session persistence): the bot's texts."""

    async def turn() -> List[str]:
        import socketio

        client = socketio.AsyncClient()
        texts_: List[str] = []
        quiet = asyncio.Event()

        @client.on("bot_uttered")
        async def on_bot(data: Dict[str, Any]) -> None:
            texts_.append(str(data.get("text") or ""))
            quiet.set()

        confirmed = asyncio.Event()
        client.on("session_confirm", lambda _data: confirmed.set())
        await client.connect(url, socketio_path="/socket.io", transports=["polling"])
        try:
            await client.emit("session_request", {"session_id": session_id})
            await asyncio.wait_for(confirmed.wait(), timeout)
            await client.emit("user_uttered", {"message": message, "session_id": session_id})
            await asyncio.wait_for(quiet.wait(), timeout)
            while True:  # the rest of the turn's messages follow within moments
                quiet.clear()
                try:
                    await asyncio.wait_for(quiet.wait(), 1.0)
                except asyncio.TimeoutError:
                    break
        except asyncio.TimeoutError:
            texts_.append("<no answer>")
        finally:
            # A polite disconnect waits for the pending long-poll (~30 s); drop it.
            await client.eio.disconnect(abort=True)
        return texts_

    return asyncio.run(turn())


def _ledger_for(
    cluster: Cluster, traffic: Traffic, timeout: float = 90.0
) -> Tuple[Ledger, Dict[str, Tuple[Tuple[str, str], ...]]]:
    expected = expected_rows(traffic.finished)
    handoffs = {item.sender: item.script.handoffs for item in traffic.finished}
    ledger = settle(cluster.engine, expected, handoffs, cluster.secret, [cluster.outbox], timeout)
    return ledger, expected


def _check_traffic(result: Result, traffic: Traffic) -> None:
    result.problems += traffic.figures.errors
    if traffic.abandoned:
        result.problems.append(f"{len(traffic.abandoned)} conversations abandoned")


def _check_ledger(result: Result, ledger: Ledger) -> None:
    if not ledger.exact:
        result.problems.append(f"need log is not exact: {ledger.summary()}")


def _check_alive(result: Result, cluster: Cluster) -> None:
    dead = [name for name, alive in cluster.alive().items() if not alive]
    if dead:
        result.problems.append(f"processes died: {dead}")


# ----------------------------------------------------------------- replicas


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


def replicas(cluster: Cluster, log: Log = _quiet) -> Result:
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
        status, replies = _post(url, sender, turn.message)
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
    _check_ledger(result, result.ledger)
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
    _check_alive(result, cluster)
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


def load(cluster: Cluster, guests: int = 50, script: Script = EVENING, log: Log = _quiet) -> Result:
    """``guests`` conversations at once, each ``script`` (10 turns) across the replicas."""
    result = Result(f"load ({guests} conversations x {len(script.turns)} turns)")
    traffic = Traffic(cluster.rasa_urls, script, guests, prefix=f"load-{uuid.uuid4().hex[:6]}")
    started = time.monotonic()
    traffic.run()
    result.timings["traffic"] = time.monotonic() - started
    result.figures = traffic.figures
    _check_traffic(result, traffic)
    if result.figures.busy:
        result.problems.append(f"{result.figures.busy} busy answers without any fault")
    result.ledger, _ = _ledger_for(cluster, traffic)
    _check_ledger(result, result.ledger)
    _check_alive(result, cluster)
    log(f"    {len(traffic.finished)} conversations finished in {result.timings['traffic']:.1f} s")
    return result


# ------------------------------------------------------------------- faults


def faults(
    cluster: Cluster,
    guests: int = 12,
    db_outage: float = 30.0,
    redis_outage: float = 5.0,
    script: Script = PARKING,
    log: Log = _quiet,
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
    _check_traffic(result, traffic)
    result.ledger, _ = _ledger_for(cluster, traffic)
    _check_ledger(result, result.ledger)
    _check_alive(result, cluster)
    result.timings["scenario"] = time.monotonic() - began
    return result


def _redis_outage(cluster: Cluster, result: Result, seconds: float, log: Log) -> None:
    assert cluster.redis_proxy is not None
    log("    cutting Redis (lock store) off")
    cluster.redis_proxy.cut()
    started = time.monotonic()
    probe = f"faults-redis-{uuid.uuid4().hex[:6]}"
    for url in cluster.rasa_urls:
        status, replies = _post(url, probe, "chào em")
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
            status, replies = _post(url, probe, "chào em")
            recovered[url] = status == 200 and bool(replies) and not is_busy(replies)
        time.sleep(0.5)
    result.timings["Redis recovery"] = time.monotonic() - started - result.timings["Redis outage"]
    if not all(recovered.values()):
        result.problems.append(f"not recovered after Redis came back: {recovered}")


# ------------------------------------------------------------------ hostile


@dataclass
class _Sent:
    request: hostile.Request
    status: int
    body: bytes
    seconds: float


async def _send_all(
    bases: Sequence[str],
    batch: Sequence[hostile.Request],
    concurrency: int,
    per_second: float = 0.0,
) -> List[_Sent]:
    """Send ``batch`` (request n to ``bases[n % len(bases)]``), ``concurrency`` at a time."""
    semaphore = asyncio.Semaphore(concurrency)
    timeout = aiohttp.ClientTimeout(total=120)
    sent: List[_Sent] = []

    async with aiohttp.ClientSession(timeout=timeout, skip_auto_headers=["Content-Type"]) as s:

        async def one(number: int, item: hostile.Request) -> None:
            if per_second:
                await asyncio.sleep(number / per_second)
            async with semaphore:
                started = time.monotonic()
                try:
                    base = bases[number % len(bases)]
                    async with s.request(
                        item.method, base + item.path, data=item.body, headers=item.headers
                    ) as response:
                        body = await response.read()
                        status = response.status
                except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                    body, status = repr(error).encode(), 0
                sent.append(_Sent(item, status, body, time.monotonic() - started))

        await asyncio.gather(*(one(n, item) for n, item in enumerate(batch)))
    return sent


def _check_webhook_answer(item: _Sent) -> Optional[str]:
    """A 200 from the webhook must carry at least one bot message."""
    if item.request.method != "POST" or "/webhooks/rest/webhook" not in item.request.path:
        return None
    if item.status != 200 or item.request.kind == "silent-command":
        return None  # "/restart" says nothing by design
    try:
        if "stream=true" in item.request.path:
            messages = [json.loads(line) for line in item.body.splitlines() if line.strip()]
        else:
            messages = json.loads(item.body)
    except ValueError:
        return f"200 without JSON: {item.body[:100]!r}"
    if not isinstance(messages, list) or not messages:
        return f"200 without a bot message: {item.body[:100]!r}"
    return None


def _record(result: Result, sent: Sequence[_Sent], statuses: Counter, where: str) -> None:
    for item in sent:
        result.figures.sent += 1
        result.figures.latencies.append(item.seconds)
        statuses[item.status] += 1
        problem = None
        if item.status == 0 or item.status >= 500:
            problem = f"HTTP {item.status}: {item.body[:120]!r}"
        else:
            problem = _check_webhook_answer(item)
        if problem:
            result.figures.errors.append(
                f"{where} {item.request.method} {item.request.path[:60]} "
                f"({item.request.kind}): {problem}"
            )


def hostile_input(
    cluster: Cluster, rest_count: int = 1300, report_count: int = 700, log: Log = _quiet
) -> Result:
    """Hostile messages and bodies to the webhook, odd queries to the report; see hostile.py."""
    from fastapi.testclient import TestClient

    from bot.web.app import create_app

    result = Result(f"hostile input ({rest_count} webhook + {report_count} report requests)")
    statuses: Counter = Counter()
    prefix = f"hostile-{uuid.uuid4().hex[:6]}"
    batch = hostile.rest_requests(rest_count, prefix=prefix)
    started = time.monotonic()
    sent = asyncio.run(_send_all(cluster.rasa_urls, batch, concurrency=8))
    _record(result, sent, statuses, "rasa")
    result.timings["webhook"] = time.monotonic() - started
    log(f"    webhook: {len(batch)} requests in {result.timings['webhook']:.1f} s")

    # The report routes in-process (the real app on the same database, no rate limit) …
    started = time.monotonic()
    app = create_app(engine=cluster.engine, staff_token=cluster.staff_token, rate=1e9, burst=10**9)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        in_process: List[_Sent] = []
        for item in hostile.report_requests(report_count, cluster.staff_token):
            began = time.monotonic()
            response = client.request(
                item.method, item.path, content=item.body, headers=item.headers
            )
            in_process.append(
                _Sent(item, response.status_code, response.content, time.monotonic() - began)
            )
    _record(result, in_process, statuses, "web (in-process)")
    result.timings["report (in-process)"] = time.monotonic() - started

    # … and a sample on the live web app, paced under its rate limit.
    live = hostile.report_requests(60, cluster.staff_token, seed=10)
    sent = asyncio.run(_send_all([cluster.web_url], live, concurrency=4, per_second=10))
    _record(result, sent, statuses, "web")

    _check_report_escaping(cluster, result, prefix, rest_count)
    _check_unauthenticated(cluster, result, statuses)
    _check_still_answering(cluster, result)
    _check_rate_limit(cluster, result)
    result.problems[:0] = result.figures.errors
    result.notes.append("statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    return result


def _check_report_escaping(cluster: Cluster, result: Result, prefix: str, count: int) -> None:
    """Hostile texts that became rows are shown escaped (and never raw) in /report."""
    senders = [f"{prefix}-marked-{n}" for n in range(len(hostile.MARKED) * 3)]
    senders += [f"{prefix}-{n}" for n in range(count)]
    keys = list(keys_of(senders, cluster.secret))
    deadline = time.monotonic() + 60
    while len(Outbox(cluster.outbox)) and time.monotonic() < deadline:
        time.sleep(0.5)
    with cluster.engine.connect() as connection:
        rows = [
            t
            for (t,) in connection.execute(
                select(NeedOccurrence.text).where(NeedOccurrence.conversation_key.in_(keys))
            )
            if t
        ]
    result.notes.append(f"{len(rows)} hostile messages became need-log rows")
    page = requests.get(
        f"{cluster.web_url}/report?days=1",
        headers={"Authorization": f"Bearer {cluster.staff_token}"},
        timeout=60,
    )
    if page.status_code != 200:
        result.problems.append(f"/report answered {page.status_code}")
        return
    shown = page.text
    risky = [t.strip() for t in set(rows) if any(c in t for c in "<>\"'&")]
    raw = [t for t in risky if t in shown]
    if raw:
        result.problems.append(f"shown unescaped in /report: {raw[:3]!r}")
    for marker in hostile.RAW_MARKERS:
        if marker in shown:
            result.problems.append(f"{marker!r} appears raw in /report")
    escaped = [t for t in hostile.MARKED if str(escape(t)) in shown]
    if not escaped:
        result.problems.append("none of the marked hostile texts is shown (escaped) in /report")
    result.notes.append(
        f"{len(risky)} row texts with markup; {len(escaped)} marked texts shown escaped"
    )


def _check_unauthenticated(cluster: Cluster, result: Result, statuses: Counter) -> None:
    sent = asyncio.run(
        _send_all([cluster.web_url], hostile.unauthenticated_requests(), concurrency=2)
    )
    _record(result, sent, statuses, "web (no token)")
    for item in sent:
        if item.status != 401:
            result.problems.append(
                f"{item.request.method} {item.request.path} without a token: {item.status}"
            )
        if b'"needs"' in item.body or b"need_occurrences" in item.body:
            result.problems.append(f"{item.request.path} without a token leaked data")


def _check_still_answering(cluster: Cluster, result: Result) -> None:
    for url in cluster.rasa_urls:
        status, replies = _post(url, f"after-hostile-{uuid.uuid4().hex[:6]}", "wifi pass j v e")
        if status != 200 or not replies or is_busy(replies):
            result.problems.append(f"{url} after the hostile input: {status} {replies!r}")
    health = requests.get(f"{cluster.web_url}/healthz", timeout=10)
    if health.status_code != 200:
        result.problems.append(f"web app after the hostile input: {health.status_code}")
    _check_alive(result, cluster)


def _check_rate_limit(cluster: Cluster, result: Result, burst: int = 150) -> None:
    """A burst from one client gets 429 (with Retry-After), then it may come back."""
    time.sleep(3.5)  # a full bucket (60 at 20/s)
    with requests.Session() as session:
        answers = [session.get(f"{cluster.web_url}/healthz", timeout=10) for _ in range(burst)]
    codes = [a.status_code for a in answers]
    limited = [a for a in answers if a.status_code == 429]
    first = codes.index(429) if 429 in codes else -1
    result.notes.append(f"rate limit: first 429 after {first} requests, {len(limited)} of {burst}")
    if not limited:
        result.problems.append(f"no 429 in a burst of {burst} requests")
    elif not all(a.headers.get("Retry-After") for a in limited):
        result.problems.append("429 without Retry-After")
    if codes[0] != 200:
        result.problems.append(f"first request of the burst answered {codes[0]}")
    time.sleep(1.5)
    if requests.get(f"{cluster.web_url}/healthz", timeout=10).status_code != 200:
        result.problems.append("the client is still limited 1.5 s after the burst")
