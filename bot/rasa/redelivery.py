"""Webhook events already answered: a platform that re-delivers an event gets no second reply.

Messenger re-delivers an event it thinks failed (no 200 within its timeout),
Zalo OA likewise; the same message must not be answered twice. Each event id
(Zalo ``msg_id``, Messenger ``mid``) is claimed once:

* with ``REDIS_URL`` set, by ``SET key 1 NX EX`` in Redis — shared by every Rasa
  replica, so a re-delivery that lands on another replica is caught too;
* always, in a per-process LRU of recent ids — enough on one machine, and the
  fallback while Redis is unreachable (then two replicas could each answer a
  re-delivered event once: logged, documented in deploy/README.md).

An id is claimed before the message is handled: if the turn then fails, the
guest already got the channel's "busy" answer, and a re-delivery stays quiet.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any, Optional

logger = logging.getLogger(__name__)

KEY_PREFIX = "hieuy:event:"
REMEMBER_SECONDS = 2 * 24 * 3600  # longer than any platform keeps re-delivering
LOCAL_SIZE = 20_000


class Redelivery:
    """Claims event ids: :meth:`first_time` is True once per id."""

    def __init__(self, redis_url: Optional[str] = None, size: int = LOCAL_SIZE) -> None:
        self._seen: "OrderedDict[str, None]" = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self._redis: Any = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(
                redis_url, socket_timeout=0.5, socket_connect_timeout=0.5
            )

    def first_time(self, event_id: str) -> bool:
        """Claim ``event_id``; False when it was claimed before (here or by a replica)."""
        local = self._claim_locally(event_id)
        if self._redis is None:
            return local
        try:
            return bool(self._redis.set(KEY_PREFIX + event_id, 1, nx=True, ex=REMEMBER_SECONDS))
        except Exception as error:  # Redis away: this process's memory still answers
            logger.warning("redelivery: Redis unreachable (%s); per-process memory only", error)
            return local

    def _claim_locally(self, event_id: str) -> bool:
        with self._lock:
            if event_id in self._seen:
                self._seen.move_to_end(event_id)
                return False
            self._seen[event_id] = None
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)
            return True
