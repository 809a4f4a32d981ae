"""Concurrent guests over Rasa's REST channel (asyncio + aiohttp), with figures.

Each guest plays a :class:`~harness.ops.conversations.Script` turn by turn; turns
alternate between the Rasa URLs given (so a conversation hops between
replicas). A guest who gets the channel's busy message waits and sends the
same message again, as the message asks, when ``busy_retry`` is set; without
it a busy answer is an error. A :class:`Traffic` can be paused (no new
request starts; :meth:`Traffic.wait_idle` waits for those in flight) and
stopped (guests finish the conversation they are in, then leave), and it can
run in a background thread while the caller breaks things.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import aiohttp

from harness.ops.conversations import Replies, Script, is_busy

REQUEST_TIMEOUT = 60.0


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values``; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


@dataclass
class Figures:
    """What a run of requests amounted to."""

    sent: int = 0
    errors: List[str] = field(default_factory=list)
    busy: int = 0
    latencies: List[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        """Median latency in seconds."""
        return percentile(self.latencies, 0.50)

    @property
    def p95(self) -> float:
        """95th percentile latency in seconds."""
        return percentile(self.latencies, 0.95)

    @property
    def slowest(self) -> float:
        """The longest latency in seconds."""
        return max(self.latencies, default=0.0)

    def summary(self) -> str:
        """One line: requests, errors, busy answers, latency p50/p95/max."""
        return (
            f"{self.sent} requests, {len(self.errors)} errors, {self.busy} busy answers, "
            f"p50 {self.p50 * 1000:.0f} ms, p95 {self.p95 * 1000:.0f} ms, "
            f"max {self.slowest:.1f} s"
        )


@dataclass(frozen=True)
class Finished:
    """A conversation played to its end (its rows are due in the need log)."""

    sender: str
    script: Script


class Traffic:
    """Guests playing scripts against Rasa; see the module docstring."""

    def __init__(
        self,
        rasa_urls: Sequence[str],
        script: Script,
        guests: int,
        *,
        prefix: Optional[str] = None,
        repeat: bool = False,
        busy_retry: Optional[float] = None,
        give_up_after: float = 180.0,
    ) -> None:
        self.rasa_urls = list(rasa_urls)
        self.script = script
        self.guests = guests
        self.prefix = prefix or f"load-{uuid.uuid4().hex[:8]}"
        self.repeat = repeat
        self.busy_retry = busy_retry
        self.give_up_after = give_up_after
        self.figures = Figures()
        self.finished: List[Finished] = []
        self.abandoned: List[str] = []
        self.busy_replies: List[Tuple[float, int]] = []  # (time, HTTP status)
        self.in_flight = 0
        self._lock = threading.Lock()
        self._go = threading.Event()
        self._go.set()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    # ----- control (from any thread) -----

    def pause(self) -> None:
        """No new request starts until :meth:`resume`."""
        self._go.clear()

    def resume(self) -> None:
        """Requests start again."""
        self._go.set()

    def wait_idle(self, timeout: float = 120.0) -> bool:
        """Wait until no request is in flight (use after :meth:`pause`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.in_flight == 0:
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        """Guests finish their current conversation and leave."""
        self._stop.set()
        self._go.set()

    def start(self) -> "Traffic":
        """Run in a background thread (see :meth:`join`)."""
        self._thread = threading.Thread(target=self.run, name="traffic", daemon=True)
        self._thread.start()
        return self

    def join(self, timeout: Optional[float] = None) -> None:
        """Wait for the background run to end."""
        if self._thread:
            self._thread.join(timeout)

    def run(self) -> Figures:
        """Play every guest to the end (blocking)."""
        asyncio.run(self._main())
        return self.figures

    # ----- the guests -----

    async def _main(self) -> None:
        connector = aiohttp.TCPConnector(limit=self.guests, force_close=False)
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            await asyncio.gather(*(self._guest(session, n) for n in range(self.guests)))

    async def _guest(self, session: aiohttp.ClientSession, number: int) -> None:
        round_ = 0
        while True:
            sender = f"{self.prefix}-{number}-{round_}"
            if await self._conversation(session, number, sender):
                with self._lock:
                    self.finished.append(Finished(sender, self.script))
            else:
                with self._lock:
                    self.abandoned.append(sender)
            round_ += 1
            if not self.repeat or self._stop.is_set():
                return

    async def _conversation(self, session: aiohttp.ClientSession, number: int, sender: str) -> bool:
        for index, turn in enumerate(self.script.turns):
            url = self.rasa_urls[(number + index) % len(self.rasa_urls)]
            started = time.monotonic()
            while True:
                status, replies, problem = await self._send(session, url, sender, turn.message)
                if problem is None and is_busy(replies):
                    with self._lock:
                        self.figures.busy += 1
                        self.busy_replies.append((time.time(), status))
                    waited = time.monotonic() - started
                    if self.busy_retry is not None and waited < self.give_up_after:
                        await asyncio.sleep(self.busy_retry)
                        continue
                    problem = "busy answer"
                if problem is None:
                    problem = turn.check(replies)
                if problem is not None:
                    self._error(f"{sender} turn {index + 1} ({turn.message!r}) on {url}: {problem}")
                    return False
                break
        return True

    async def _send(
        self, session: aiohttp.ClientSession, url: str, sender: str, message: str
    ) -> Tuple[int, Replies, Optional[str]]:
        while not self._go.is_set():
            await asyncio.sleep(0.05)
        with self._lock:
            self.in_flight += 1
            self.figures.sent += 1
        started = time.monotonic()
        try:
            async with session.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
            ) as response:
                body: Any = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            return 0, [], f"{type(error).__name__}: {error}"
        finally:
            with self._lock:
                self.in_flight -= 1
        with self._lock:
            self.figures.latencies.append(time.monotonic() - started)
        if status != 200:
            return status, [], f"HTTP {status}: {str(body)[:200]}"
        if not isinstance(body, list):
            return status, [], f"not a list: {str(body)[:200]}"
        return status, body, None

    def _error(self, message: str) -> None:
        with self._lock:
            self.figures.errors.append(message)


def expected_rows(finished: Sequence[Finished]) -> Dict[str, Tuple[Tuple[str, str], ...]]:
    """Sender → the rows its finished conversation must have left."""
    return {item.sender: item.script.rows for item in finished}
