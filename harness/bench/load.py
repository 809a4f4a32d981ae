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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import List, Sequence, Tuple

import requests

Script = Sequence[str]

# Ten turns of a Vietnamese guest: needs, a button, answers, an unrecognised ask.
OUR_SCRIPT: Script = (
    "em ơi có sạc điện thoại không",
    '/choose_subgoal{"need":"phone_power","sub_goal":"charge_own_phone"}',
    "ok cảm ơn em",
    "cho mình xin mật khẩu wifi",
    "ổn rồi",
    "nha ve sinh o dau v e",
    "chưa ổn em ơi",
    "quán mở cửa đến mấy giờ",
    "trời mưa quá, có ô không em",
    '/choose_subgoal{"need":"stay_dry","sub_goal":"leave_now"}',
)
# Ten turns for `rasa init`'s moodbot, in its own (English) domain.
STOCK_SCRIPT: Script = (
    "hello",
    "I am sad",
    "yes",
    "are you a bot?",
    "hi there",
    "very good",
    "good morning",
    "I am feeling very unhappy",
    "no",
    "bye",
)


@dataclass
class LoadResult:
    """Latencies (seconds) and errors of one run."""

    clients: int
    latencies: List[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

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


def measure(
    rasa_url: str, script: Script, warmup: int = 3, single: int = 10, concurrent: int = 50
) -> Tuple[LoadResult, LoadResult]:
    """Warm up, then one client (``single`` conversations) and ``concurrent`` at once."""
    run_load(rasa_url, script, warmup, 1)
    one = run_load(rasa_url, script, single, 1)
    many = run_load(rasa_url, script, concurrent, concurrent)
    return one, many


def rss_megabytes(pid: int) -> float:
    """Resident memory of a process and its children (Linux /proc)."""
    total = 0
    for candidate in [pid, *_children(pid)]:
        try:
            with open(f"/proc/{candidate}/status", encoding="utf-8") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _children(pid: int) -> List[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="utf-8") as handle:
            direct = [int(p) for p in handle.read().split()]
    except OSError:
        return []
    return direct + [grandchild for child in direct for grandchild in _children(child)]
