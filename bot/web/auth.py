"""Staff authentication for the report, and a per-client rate limit.

Staff present ``Authorization: Bearer <STAFF_TOKEN>`` or log in once with the
token through a form, which sets a signed, HTTP-only session cookie. Tokens
are compared in constant time; without a valid one no report data is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

SESSION_COOKIE = "hieuy_staff"
SESSION_SECONDS = 12 * 3600


@dataclass
class StaffAuth:
    """Checks bearer tokens and session cookies against ``STAFF_TOKEN``."""

    token: Optional[str]

    def __post_init__(self) -> None:
        secret = hashlib.sha256(f"hieuy-session:{self.token or ''}".encode()).hexdigest()
        self._signer = TimestampSigner(secret, salt="staff-session")

    @property
    def enabled(self) -> bool:
        """False when no token is configured: then nobody gets in."""
        return bool(self.token)

    def token_matches(self, candidate: Optional[str]) -> bool:
        """Constant-time comparison with the staff token."""
        if not self.token or not candidate:
            return False
        return hmac.compare_digest(candidate.encode("utf-8"), self.token.encode("utf-8"))

    def bearer_ok(self, authorization: Optional[str]) -> bool:
        """A valid ``Authorization: Bearer`` header."""
        scheme, _, value = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and self.token_matches(value.strip())

    def new_session(self) -> str:
        """A signed session cookie value."""
        return self._signer.sign(b"staff").decode("ascii")

    def session_ok(self, cookie: Optional[str]) -> bool:
        """A valid, unexpired session cookie."""
        if not self.enabled or not cookie:
            return False
        try:
            return self._signer.unsign(cookie, max_age=SESSION_SECONDS) == b"staff"
        except (BadSignature, SignatureExpired):
            return False


@dataclass
class RateLimiter:
    """Token bucket per client: ``rate`` requests/second, bursts of ``burst``."""

    rate: float
    burst: int
    _buckets: Dict[str, Tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, client: str) -> bool:
        """Spend one token for ``client``; False when it has none left."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > 10_000:  # forget idle clients
                stale = [k for k, (_, seen) in self._buckets.items() if now - seen > 600]
                for key in stale:
                    del self._buckets[key]
            return allowed
