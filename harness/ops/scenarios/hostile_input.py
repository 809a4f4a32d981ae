"""Hostile input: malformed, oversized and malicious requests never crash or leak anything."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import List, Optional, Sequence

import aiohttp
import requests
from markupsafe import escape
from sqlalchemy import select

from bot.store.models import NeedOccurrence
from bot.store.outbox import Outbox
from harness.ops import hostile
from harness.ops.cluster import Cluster
from harness.ops.conversations import is_busy
from harness.ops.ledger import keys_of
from harness.ops.scenarios.common import (
    Log,
    Result,
    check_alive,
    post,
    quiet,
)


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
    cluster: Cluster, rest_count: int = 1300, report_count: int = 700, log: Log = quiet
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
        status, replies = post(url, f"after-hostile-{uuid.uuid4().hex[:6]}", "wifi pass j v e")
        if status != 200 or not replies or is_busy(replies):
            result.problems.append(f"{url} after the hostile input: {status} {replies!r}")
    health = requests.get(f"{cluster.web_url}/healthz", timeout=10)
    if health.status_code != 200:
        result.problems.append(f"web app after the hostile input: {health.status_code}")
    check_alive(result, cluster)


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
