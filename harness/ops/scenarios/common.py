"""What the scale scenarios share: the result they return, REST and socket.io turns, checks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import requests

from harness.ops.cluster import Cluster
from harness.ops.ledger import Ledger, settle
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


def quiet(_: str) -> None:
    """A log that says nothing (the tests' default)."""


def post(url: str, sender: str, message: str, timeout: float = 60) -> Tuple[int, Any]:
    """One REST turn: the status and the JSON answer (or the text when it is not JSON)."""
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


def ledger_for(
    cluster: Cluster, traffic: Traffic, timeout: float = 90.0
) -> Tuple[Ledger, Dict[str, Tuple[Tuple[str, str], ...]]]:
    """Wait until the need log settles; the ledger and the rows expected."""
    expected = expected_rows(traffic.finished)
    handoffs = {item.sender: item.script.handoffs for item in traffic.finished}
    ledger = settle(cluster.engine, expected, handoffs, cluster.secret, [cluster.outbox], timeout)
    return ledger, expected


def check_traffic(result: Result, traffic: Traffic) -> None:
    """The traffic's errors and abandoned conversations as problems."""
    result.problems += traffic.figures.errors
    if traffic.abandoned:
        result.problems.append(f"{len(traffic.abandoned)} conversations abandoned")


def check_ledger(result: Result, ledger: Ledger) -> None:
    """A problem when the need log is not exactly what the guests said."""
    if not ledger.exact:
        result.problems.append(f"need log is not exact: {ledger.summary()}")


def check_alive(result: Result, cluster: Cluster) -> None:
    """A problem for every process of the cluster that died."""
    dead = [name for name, alive in cluster.alive().items() if not alive]
    if dead:
        result.problems.append(f"processes died: {dead}")
