"""Turn latency and throughput through Rasa's REST channel.

A *turn* is one POST to ``/webhooks/rest/webhook`` and its full answer: NLU,
policies, the custom action (with its need-log write) and the bot's replies.
Latencies are measured warm (after a warm-up), with one client and with many
concurrent conversations; every non-200 answer or empty reply is an error.
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Sequence, Tuple

import requests

Script = Sequence[str]

# Twelve turns of a Vietnamese guest: needs with a button and answers, questions
# about the restaurant (hours, the menu for a diet), a booking and a form turn.
OUR_SCRIPT: Script = (
    "em ơi có sạc điện thoại không",
    '/choose_subgoal{"need":"phone_power","sub_goal":"charge_own_phone"}',
    "ok cảm ơn em",
    "cho mình xin mật khẩu wifi",
    "ổn rồi",
    "nha ve sinh o dau v e",
    "quán mở cửa đến mấy giờ",
    "có món chay không em",
    "trời mưa quá, có ô không em",
    '/choose_subgoal{"need":"stay_dry","sub_goal":"leave_now"}',
    "tối mai còn bàn cho 4 người không em",
    "7h",
)
# Ten turns for `rasa init`'s moodbot, in its own (English) domain, each with a
# reply whatever its training drew: its sad path 2 from the start of the
# conversation, then its two "anytime" rules, in its own training phrases.
# After a first goodbye, its stories say nothing and the reply depends on how
# TED happened to train: the earlier scripts (happy path and sad path 1 after a
# goodbye) lost 10-20 % of their turns in one training and none in another.
STOCK_SCRIPT: Script = (
    "hello",
    "I am sad",
    "no",
    "are you a bot?",
    "bye",
    "are you a human?",
    "goodbye",
    "am I talking to a bot?",
    "see you later",
    "am I talking to a human?",
)


@dataclass
class LoadResult:
    """Latencies (seconds) and errors of one run."""

    clients: int
    latencies: List[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    failed: Counter = field(default_factory=Counter)  # message -> errors

    @property
    def turns(self) -> int:
        """Turns attempted."""
        return len(self.latencies) + self.errors

    def percentile(self, p: float) -> float:
        """Latency percentile in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000

    @property
    def throughput(self) -> float:
        """Answered turns per second of wall time."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def absorb(self, other: "LoadResult") -> None:
        """Add another run of the same kind to this one (latencies, errors, time)."""
        self.latencies += other.latencies
        self.errors += other.errors
        self.seconds += other.seconds
        self.failed.update(other.failed)

    @property
    def mean_ms(self) -> float:
        """Mean latency in milliseconds."""
        return statistics.fmean(self.latencies) * 1000 if self.latencies else float("nan")


def _conversation(url: str, script: Script, result: LoadResult, lock: threading.Lock) -> None:
    sender = f"bench-{uuid.uuid4()}"
    with requests.Session() as session:
        for message in script:
            started = time.perf_counter()
            try:
                response = session.post(
                    url, json={"sender": sender, "message": message}, timeout=60
                )
                ok = response.status_code == 200 and bool(response.json())
            except (requests.RequestException, ValueError):
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    result.latencies.append(elapsed)
                else:
                    result.errors += 1
                    result.failed[message] += 1


def run_load(rasa_url: str, script: Script, conversations: int, clients: int) -> LoadResult:
    """``conversations`` runs of ``script``, ``clients`` at a time."""
    url = f"{rasa_url}/webhooks/rest/webhook"
    result, lock = LoadResult(clients), threading.Lock()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for future in [
            pool.submit(_conversation, url, script, result, lock) for _ in range(conversations)
        ]:
            future.result()
    result.seconds = time.perf_counter() - started
    return result


def compare(
    targets: Mapping[str, Tuple[str, Script]],
    rounds: int = 3,
    warmup: int = 3,
    single: int = 10,
    concurrent: int = 50,
) -> Dict[str, Tuple[LoadResult, LoadResult]]:
    """Per bot (name -> Rasa URL, script): one client and ``concurrent`` at once, pooled.

    Each bot is warmed up, then the bots take turns, ``rounds`` times: one client
    (``single`` conversations), then ``concurrent`` conversations at once. On a
    machine shared with other work, taking turns spreads its changing load over
    every bot alike, where one bot measured after the other met another load.
    """
    for url, script in targets.values():
        run_load(url, script, warmup, 1)
    pooled = {name: (LoadResult(1), LoadResult(concurrent)) for name in targets}
    for _ in range(rounds):
        for index, (conversations, clients) in enumerate(((single, 1), (concurrent, concurrent))):
            for name, (url, script) in targets.items():
                pooled[name][index].absorb(run_load(url, script, conversations, clients))
    return pooled
