"""Hostile input for the REST webhook and the report routes, generated deterministically.

Every item is a raw HTTP request (method, path, headers, body bytes) so that
bodies JSON libraries would refuse to produce (invalid JSON, invalid UTF-8,
lone surrogates as JSON escapes) can be sent as they are. The
messages mix what a careless or malicious client sends: empty and blank
text, 100 kB, emoji, control characters, lone surrogates, HTML/JS, SQL,
Rasa intent syntax, JSON of the wrong type, missing fields, broken JSON.
Each hostile *message* is wrapped in a valid body with a fresh sender, so the
ones that reach the bot become need-log rows and can be looked for in the
report.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from bot.rasa.channels import SILENT_COMMANDS

MARKUP = (
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(document.cookie)>",
    '"><iframe src="javascript:alert(1)"></iframe>',
    "</q></li><b>đậm</b><!--",
    "{{ 7*7 }} {% raw %} ${7*7} <%= 7*7 %>",
)
# What the markup above looks like when a page shows it raw (the report has no
# script and no iframe of its own; its charts are inline SVG, hence "<svg/").
RAW_MARKERS = ("<script", "<img src=x", "<svg/onload", "<iframe", "<b>đậm</b>", "--></q>")
# Texts that must reach the need log (a need the other scenarios never use) and
# then be shown, escaped, in the report.
MARKED = (
    "nhà vệ sinh ở đâu vậy em <script>alert('wc')</script>",
    'cho hỏi toilet ở đâu <img src=x onerror="alert(2)">',
)
SQL = (
    "'; DROP TABLE need_occurrences; --",
    "1 OR 1=1",
    "sạc' UNION SELECT key, text FROM need_occurrences --",
    "Robert'); DELETE FROM handoffs;--",
)
WEIRD = (
    "🔋🔌📱😭🙏" * 20,
    "👨‍👩‍👧‍👦 cần ghế em bé 👶🏻",
    "e\u0301m co\u0301 sa\u0323c kho\u0302ng",  # decomposed Vietnamese
    "Z\u0351\u0354a\u0358l\u0327g\u0310o\u0353" * 30,
    "\u202etxet desrever\u202c sạc",
    "zero\u200bwidth\u200d\ufeffsạc",
    "\t\n  sạc \r\n pin  \t",
    "a\u0000b\u0001c\u001bd\u007fe\u0085f sạc",
    "ｆｕｌｌｗｉｄｔｈ　ｗｉｆｉ",
    "𝕨𝕚𝕗𝕚 𝕡𝕒𝕤𝕤",
    "\\u0000 \\ud800 \\n literal backslashes",
    "%00%0d%0a%3Cscript%3E",
    "../../../../etc/passwd",
    '=HYPERLINK("http://evil","sạc")',
    "+cmd|' /C calc'!A0",
    "0912 345 678 email a@b.vn sạc pin",
)
INTENTS = (
    "/restart",
    "/session_start",
    "/affirm",
    '/choose_subgoal{"need":"<script>","sub_goal":"x"}',
    '/choose_subgoal{"need":"phone_power","sub_goal":' + '"x"' * 3 + "}",
    '/choose_need{"need":"../../etc"}',
    "/choose_need{broken",
    "/" + "a" * 300,
    '/ask_human{"x": ' * 20,
    "/nlu_fallback",
    "/action_restart",
)
# Raw message fields (JSON text), for what json.dumps would not produce.
RAW_MESSAGES = (
    '"\\ud800"',
    '"sạc \\udfff pin"',
    '"\\udc00\\ud800 wifi"',
    '"\\u0000"',
    '"\\ud83d\\udd0b pin yếu"',  # a valid pair: 🔋
)
WRONG_BODIES = (
    b"",
    b"{bad",
    b"null",
    b"[]",
    b'"just a string"',
    b"123",
    b"true",
    b'{"sender": 1, "message": ["x"]}',
    b'{"sender": null, "message": "x"}',
    b'{"sender": "x"}',
    b'{"message": "x"}',
    b'{"sender": "", "message": "x"}',
    b'{"sender": "   ", "message": "x"}',
    b'{"sender": "a\\u0000b", "message": "x"}',
    b'{"sender": "\\ud800", "message": "x"}',
    b'{"sender": {"id": 1}, "message": "x"}',
    b'{"sender": "ok", "message": {"text": "x"}}',
    b'{"sender": "ok", "message": 42}',
    b'{"sender": "ok", "message": null}',
    b'{"sender": "ok", "message": ""}',
    b'{"sender": "ok", "message": "   \\n\\t "}',
    b'{"sender": "ok", "message": "\\u0000\\u0001"}',
    b"\xff\xfe\x00{",
    b'{"sender": "ok", "message": "x"',
    b'{"sender": "ok", "message": "x"}}',
    b'{"sender": "ok", "message": "x", "sender": ["dup"]}',
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
)


@dataclass(frozen=True)
class Request:
    """One raw HTTP request."""

    method: str
    path: str
    body: bytes = b""
    headers: Dict[str, str] = field(default_factory=dict)
    kind: str = ""
    marked: Optional[str] = None  # a text that must show up (escaped) in the report


def _json_body(sender: str, message_json: str, extra: str = "") -> bytes:
    text = '{"sender": ' + json.dumps(sender) + ', "message": ' + message_json + extra + "}"
    return text.encode("utf-8", "surrogatepass")


def hostile_messages(rng: random.Random) -> List[str]:
    """Hostile message texts (each is also combined with a real request below)."""
    messages: List[str] = ["", " ", "\n\t", "x" * 100_000, "sạc " * 499, "a" * 2001]
    messages += list(MARKUP) + list(SQL) + list(WEIRD) + list(INTENTS)
    messages += [f"em có sạc điện thoại không {m}" for m in MARKUP]
    messages += [f"{m} wifi pass j v e" for m in SQL]
    messages.append("".join(chr(rng.randrange(0x20, 0x2FFF)) for _ in range(300)))
    return messages


def _body_makers(messages: List[str]) -> List[Tuple[str, Callable[[str], bytes]]]:
    """(kind, sender -> body) for every hostile message, raw text and malformed body."""
    makers: List[Tuple[str, Callable[[str], bytes]]] = []
    for text in messages:
        kind = "silent-command" if text in SILENT_COMMANDS else "message"
        makers.append((kind, lambda s, text=text: _json_body(s, json.dumps(text))))
    for raw in RAW_MESSAGES:
        makers.append(("surrogate", lambda s, raw=raw: _json_body(s, raw)))
    for body in WRONG_BODIES:
        makers.append(("wrong-body", lambda s, body=body: body))
    makers += [
        (
            "metadata",
            lambda s: _json_body(
                s, json.dumps("em có sạc không"), ', "metadata": {"model_id": "' + "m" * 500 + '"}'
            ),
        ),
        ("metadata", lambda s: _json_body(s, json.dumps("wifi"), ', "metadata": "oops"')),
        (
            "input-channel",
            lambda s: _json_body(s, json.dumps("sạc"), ', "input_channel": "' + "c" * 100 + '"'),
        ),
        (
            "input-channel",
            lambda s: _json_body(s, json.dumps("sạc"), ', "input_channel": {"x": 1}'),
        ),
        ("long-sender", lambda s: _json_body(s + "x" * 300, json.dumps("sạc"))),
    ]
    return makers


def rest_requests(count: int, seed: int = 8, prefix: str = "hostile") -> List[Request]:
    """``count`` requests to ``/webhooks/rest/webhook``, cycling through every kind."""
    makers = _body_makers(hostile_messages(random.Random(seed)))
    content_types = ("application/json", "text/plain", "application/x-www-form-urlencoded", "")
    requests: List[Request] = []
    for number in range(count):
        kind, make = makers[number % len(makers)]
        sender = f"{prefix}-{number}"
        path = "/webhooks/rest/webhook"
        if number % 7 == 3:
            path += "?stream=true"
        headers = {}
        content_type = content_types[number % len(content_types)]
        if content_type:
            headers["Content-Type"] = content_type
        requests.append(Request("POST", path, make(sender), headers, kind))
    marked_every = max(1, count // 20)
    for number, text in enumerate(MARKED * 3):
        sender = f"{prefix}-marked-{number}"
        body = _json_body(sender, json.dumps(text))
        requests.insert(
            min(len(requests), number * marked_every),
            Request(
                "POST",
                "/webhooks/rest/webhook",
                body,
                {"Content-Type": "application/json"},
                "marked",
                text,
            ),
        )
    requests += [
        Request("GET", "/webhooks/rest/webhook", kind="method"),
        Request("PUT", "/webhooks/rest/webhook", b"{}", kind="method"),
        Request("GET", "/webhooks/rest/", kind="health"),
        Request("GET", "/webhooks/rest/webhook/../../../etc/passwd", kind="path"),
        Request("GET", "/conversations/x/tracker", kind="path"),
        Request("GET", "/%00", kind="path"),
        Request("GET", "/version", kind="path"),
    ]
    return requests


REPORT_ROUTES = ("/report", "/api/report", "/api/report.csv")
BAD_DAYS = (
    "-1",
    "0",
    "367",
    "1e9",
    "abc",
    "1;DROP TABLE need_occurrences",
    "%00",
    "７",
    "٣",
    "9" * 400,
    "1.5",
    "",
    "<script>",
    "null",
    "[]",
    "🔋",
)
BAD_DATES = (
    "2024-02-30",
    "0001-01-01",
    "9999-12-31",
    "2024-13-01",
    "yesterday",
    "2024-01-01T00:00",
    "1970-01-01",
    "2024-1-1",
    "",
    "<b>",
    "2025-01-01' OR 1=1",
)
BAD_AUTH: Tuple[Dict[str, str], ...] = (
    {},
    {"Authorization": "Bearer wrong"},
    {"Authorization": "Bearer " + "x" * 10_000},
    {"Authorization": "Basic " + "eDp5"},
    {"Authorization": "Bearer"},
    {"Cookie": "hieuy_staff=forged.signature"},
    {"Cookie": "hieuy_staff=" + "A" * 4000},
)


def _odd_query(rng: random.Random, choice: int) -> str:
    """A query string the report routes must refuse or survive (one of five kinds)."""
    if choice == 0:
        return f"?days={rng.choice(BAD_DAYS)}"
    elif choice == 1:
        return f"?start={rng.choice(BAD_DATES)}&end={rng.choice(BAD_DATES)}"
    elif choice == 2:
        return f"?period={rng.choice(['today', 'week', '<x>', ''])}&days={rng.randint(1, 400)}"
    elif choice == 3:
        repeated = (f"days={rng.randint(-5, 500)}" for _ in range(rng.randint(1, 30)))
        return "?" + "&".join(repeated)
    else:
        return f"?start=2024-01-01&end=2024-12-31&x={'%ZZ' * rng.randint(1, 5)}"


def report_requests(count: int, token: str, seed: int = 9) -> List[Request]:
    """``count`` requests to the report routes: odd parameters, with and without a token."""
    rng = random.Random(seed)
    good = {"Authorization": f"Bearer {token}"}
    requests: List[Request] = []
    for number in range(count):
        route = REPORT_ROUTES[number % len(REPORT_ROUTES)]
        query = _odd_query(rng, number % 5)
        headers = dict(good) if number % 3 else dict(rng.choice(BAD_AUTH))
        requests.append(Request("GET", route + query, b"", headers, "report"))
        if number % 10 == 0:
            handoff = rng.choice(["0", "-1", "2147483648", "99999999999999999999", "abc", "1"])
            requests.append(
                Request("POST", f"/api/handoffs/{handoff}/done", b"", dict(good), "handoff")
            )
        if number % 25 == 0:
            requests.append(
                Request(
                    "POST",
                    "/login",
                    b"token=" + rng.choice([b"", b"%00", b"x" * 5000, b"' OR 1=1 --"]),
                    {"Content-Type": "application/x-www-form-urlencoded"},
                    "login",
                )
            )
    return requests


def unauthenticated_requests() -> List[Request]:
    """Every report route without a token (each must answer 401)."""
    return [
        Request("GET", "/report", kind="no-token"),
        Request("GET", "/report?days=7", kind="no-token"),
        Request("GET", "/report?period=today", kind="no-token"),
        Request("GET", "/api/report", kind="no-token"),
        Request("GET", "/api/report?days=30", kind="no-token"),
        Request("GET", "/api/report.csv", kind="no-token"),
        Request("GET", "/api/report.csv?days=30", kind="no-token"),
        Request("POST", "/api/handoffs/1/done", kind="no-token"),
        Request("GET", "/api/report", headers={"Authorization": "Bearer wrong"}, kind="no-token"),
        Request("GET", "/report", headers={"Cookie": "hieuy_staff=x.y.z"}, kind="no-token"),
    ]
