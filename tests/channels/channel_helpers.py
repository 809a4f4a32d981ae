"""A local fake of the Zalo OA and Graph APIs, and signed webhook events for the tests.

Nothing leaves the machine: the stack under test gets ``ZALO_API_URL`` and
``FACEBOOK_GRAPH_URL`` pointing here. The fake records every request and
answers like the platforms do on success (or with ``fail_with`` when set).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

import requests

APP_ID = "4321987654321"
OA_SECRET = "test-oa-secret-key"
OA_TOKEN = "test-oa-access-token"
FB_SECRET = "test-fb-app-secret"
FB_PAGE_TOKEN = "test-fb-page-token"
FB_VERIFY = "test-fb-verify-token"


@dataclass
class Seen:
    """One request the fake received."""

    path: str
    headers: Dict[str, str]
    body: Dict[str, Any]


class FakePlatform:
    """Zalo's ``/v3.0/oa/message/cs`` and Graph's ``/v25.0/me/messages`` on a free port."""

    def __init__(self) -> None:
        self.seen: List[Seen] = []
        self.fail_with: Optional[Tuple[int, Dict[str, Any]]] = None
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.seen.append(Seen(self.path, dict(self.headers), body))
                status, answer = fake.fail_with or (200, fake._success(self.path))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    @staticmethod
    def _success(path: str) -> Dict[str, Any]:
        if "/oa/message" in path:
            return {"error": 0, "message": "Success", "data": {"message_id": uuid.uuid4().hex}}
        return {"recipient_id": "psid", "message_id": f"m_{uuid.uuid4().hex}"}

    def requests_where(self, match: Callable[[Seen], bool]) -> List[Seen]:
        """What was received so far that ``match``es."""
        with self._lock:
            return [seen for seen in self.seen if match(seen)]

    def wait_for(
        self, match: Callable[[Seen], bool], count: int = 1, timeout: float = 30
    ) -> List[Seen]:
        """Wait until ``count`` matching requests arrived; return them (fails the test if not)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.requests_where(match)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"expected {count} request(s) at the fake, got {self.seen}")

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


def channel_env(fake: FakePlatform) -> Dict[str, str]:
    """The Messenger and Zalo settings of a stack that talks to ``fake``."""
    return {
        "ZALO_APP_ID": APP_ID,
        "ZALO_OA_SECRET_KEY": OA_SECRET,
        "ZALO_OA_ACCESS_TOKEN": OA_TOKEN,
        "ZALO_API_URL": fake.url,
        "FACEBOOK_PAGE_ACCESS_TOKEN": FB_PAGE_TOKEN,
        "FACEBOOK_APP_SECRET": FB_SECRET,
        "FACEBOOK_VERIFY_TOKEN": FB_VERIFY,
        "FACEBOOK_GRAPH_URL": f"{fake.url}/v25.0",
    }


# ----- Zalo -----


def zalo_event(sender: str, text: str, msg_id: Optional[str] = None, age: float = 0) -> bytes:
    """A ``user_send_text`` event as Zalo posts it (timestamp in milliseconds)."""
    event = {
        "app_id": APP_ID,
        "user_id_by_app": f"app-{sender}",
        "event_name": "user_send_text",
        "timestamp": str(int((time.time() - age) * 1000)),
        "sender": {"id": sender},
        "recipient": {"id": "oa-579745863508352884"},
        "message": {"text": text, "msg_id": msg_id or uuid.uuid4().hex},
    }
    return json.dumps(event, ensure_ascii=False).encode()


def zalo_signature(body: bytes, secret: str = OA_SECRET) -> str:
    """``mac=`` + sha256(app_id + body + timestamp + OA secret key), app_id from the body."""
    event = json.loads(body)
    raw = str(event["app_id"]).encode() + body + str(event["timestamp"]).encode() + secret.encode()
    return "mac=" + hashlib.sha256(raw).hexdigest()


def post_zalo(rasa_url: str, body: bytes, signature: Optional[str] = "sign") -> requests.Response:
    """POST an event to the Zalo webhook, signed unless ``signature`` is given (None: unsigned)."""
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        signature = zalo_signature(body)
    if signature is not None:
        headers["X-ZEvent-Signature"] = signature
    return requests.post(
        f"{rasa_url}/webhooks/zalo/webhook", data=body, headers=headers, timeout=60
    )


def to_zalo_message(msg_id: str) -> Callable[[Seen], bool]:
    """Matches the bot's replies to the guest's message ``msg_id``."""
    return lambda seen: (
        seen.path.startswith("/v3.0/oa/message/cs")
        and seen.body.get("recipient") == {"message_id": msg_id}
    )


# ----- Messenger -----


def messenger_event(sender: str, text: str, mid: Optional[str] = None) -> bytes:
    """A page webhook event with one message from ``sender``."""
    event = {
        "object": "page",
        "entry": [
            {
                "id": "page-1",
                "time": int(time.time() * 1000),
                "messaging": [
                    {
                        "sender": {"id": sender},
                        "recipient": {"id": "page-1"},
                        "timestamp": int(time.time() * 1000),
                        "message": {"mid": mid or f"m_{uuid.uuid4().hex}", "text": text},
                    }
                ],
            }
        ],
    }
    return json.dumps(event, ensure_ascii=False).encode()


def post_messenger(rasa_url: str, body: bytes, secret: str = FB_SECRET) -> requests.Response:
    """POST an event to the Messenger webhook with ``X-Hub-Signature-256``."""
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    return requests.post(
        f"{rasa_url}/webhooks/facebook/webhook", data=body, headers=headers, timeout=60
    )
