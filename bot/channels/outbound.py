"""Sending a message to a guest on Messenger or Zalo OA: one request builder per platform.

Synchronous (``requests``, already pinned for Rasa): the web app's routes run
in a thread pool and the Rasa channels call :func:`deliver` through
``asyncio.to_thread``, so there is one sending code path for both.

What each platform accepts (cited in deploy/README.md):

* **Messenger Send API** — ``POST {graph}/me/messages?access_token=…`` with
  ``recipient.id`` (the page-scoped id), ``messaging_type`` ``RESPONSE`` (only
  inside the 24-hour standard messaging window) and ``message.text`` (≤ 2000
  characters) with up to 13 ``quick_replies`` (title ≤ 20 characters, payload
  ≤ 1000). Quick replies rather than the button template: they take any
  number of options up to 13 (the template only 3) and disappear once tapped.
* **Zalo OA message API v3** — ``POST {openapi}/v3.0/oa/message/cs`` with the
  ``access_token`` header; ``recipient`` is ``{"message_id": …}`` to answer a
  guest's message (counted as one of the 8 free replies within 48 hours of it)
  or ``{"user_id": …}`` for a staff reply later; ``message.text`` ≤ 2000
  characters, buttons as ``attachment`` ``template`` ``buttons`` of type
  ``oa.query.hide`` (title ≤ 100, payload ≤ 1000, at most 5): a tap sends the
  payload back as the guest's text, hidden in their chat. Zalo answers HTTP 200
  with ``{"error": <code>, "message": …}``; any code but 0 is a failure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Sequence

import requests

from bot import settings
from bot.channels import FACEBOOK, ZALO

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
MAX_TEXT = 2000  # both platforms
MAX_PAYLOAD = 1000  # both platforms
MESSENGER_MAX_QUICK_REPLIES, MESSENGER_MAX_TITLE = 13, 20
ZALO_MAX_BUTTONS, ZALO_MAX_TITLE = 5, 100
# Graph API error code 10 / subcode 2018278: the 24-hour window has closed.
MESSENGER_OUTSIDE_WINDOW = (10, 2018278)
OUTSIDE_WINDOW_REASON = "đã quá thời hạn được phép trả lời của nền tảng"


@dataclass(frozen=True)
class Button:
    """An option the guest taps; its payload comes back as their message."""

    title: str
    payload: str


@dataclass(frozen=True)
class Outgoing:
    """One HTTP request to a platform's message API."""

    channel: str
    url: str
    body: Dict[str, Any]
    headers: Dict[str, str] = field(default_factory=dict)
    params: Dict[str, str] = field(default_factory=dict)


class DeliveryError(Exception):
    """The platform refused or could not be reached; ``reason`` is for staff, in Vietnamese."""

    def __init__(self, channel: str, reason: str) -> None:
        super().__init__(f"{channel}: {reason}")
        self.channel = channel
        self.reason = reason


def buttons_from(raw: Sequence[Mapping[str, Any]]) -> list[Button]:
    """Rasa's ``{"title", "payload"}`` buttons; a payload too long to send is left out."""
    found = []
    for button in raw:
        title, payload = str(button.get("title") or ""), str(button.get("payload") or "")
        if not title or not payload or len(payload) > MAX_PAYLOAD:
            logger.warning("button %r left out: no title, or no or too long a payload", title)
            continue
        found.append(Button(title, payload))
    return found


def messenger_message(recipient_id: str, text: str, buttons: Sequence[Button] = ()) -> Outgoing:
    """A Messenger text with quick replies, answering inside the 24-hour window."""
    message: Dict[str, Any] = {"text": text[:MAX_TEXT]}
    if buttons:
        message["quick_replies"] = [
            {"content_type": "text", "title": b.title[:MESSENGER_MAX_TITLE], "payload": b.payload}
            for b in buttons[:MESSENGER_MAX_QUICK_REPLIES]
        ]
    return Outgoing(
        FACEBOOK,
        f"{settings.facebook_graph_url()}/me/messages",
        {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message},
        params={"access_token": settings.facebook_page_access_token()},
    )


def zalo_message(
    recipient: Mapping[str, str], text: str, buttons: Sequence[Button] = ()
) -> Outgoing:
    """A Zalo OA consultation message (``recipient``: ``message_id`` or ``user_id``)."""
    message: Dict[str, Any] = {"text": text[:MAX_TEXT]}
    if buttons:
        hidden = [
            {"title": b.title[:ZALO_MAX_TITLE], "type": "oa.query.hide", "payload": b.payload}
            for b in buttons[:ZALO_MAX_BUTTONS]
        ]
        message["attachment"] = {"type": "template", "payload": {"buttons": hidden}}
    return Outgoing(
        ZALO,
        f"{settings.zalo_api_url()}/v3.0/oa/message/cs",
        {"recipient": dict(recipient), "message": message},
        headers={"access_token": settings.zalo_oa_access_token()},
    )


def to_guest(channel: str, recipient_id: str, text: str) -> Outgoing:
    """A staff member's reply to a guest who wrote from ``channel``."""
    if channel == FACEBOOK:
        return messenger_message(recipient_id, text)
    if channel == ZALO:
        return zalo_message({"user_id": recipient_id}, text)
    raise ValueError(f"no outbound API for channel {channel!r}")


def deliver(outgoing: Outgoing) -> Dict[str, Any]:
    """Send it; the platform's answer, or :class:`DeliveryError` saying why not."""
    try:
        response = requests.post(
            outgoing.url,
            json=outgoing.body,
            headers=outgoing.headers,
            params=outgoing.params,
            timeout=TIMEOUT_SECONDS,
        )
        answer = response.json() if response.content else {}
    except (requests.RequestException, ValueError) as error:
        logger.warning("%s: message API unreachable or garbled: %s", outgoing.channel, error)
        raise DeliveryError(outgoing.channel, "không kết nối được tới nền tảng") from error
    problem = _problem(outgoing.channel, response.status_code, answer)
    if problem is not None:
        logger.warning("%s: message refused: %s (%s)", outgoing.channel, problem, answer)
        raise DeliveryError(outgoing.channel, problem)
    return answer if isinstance(answer, dict) else {}


def _problem(channel: str, status: int, answer: Any) -> Optional[str]:
    """Why the platform refused, in words for staff; None when it accepted."""
    answer = answer if isinstance(answer, dict) else {}
    if channel == ZALO:
        code = answer.get("error", 0 if status == 200 else status)
        if code == 0 and status == 200:
            return None
        return f"Zalo báo lỗi {code}: {answer.get('message') or 'không rõ lý do'}"
    error = answer.get("error") if isinstance(answer.get("error"), dict) else None
    if status == 200 and error is None:
        return None
    error = error or {}
    if (error.get("code"), error.get("error_subcode")) == MESSENGER_OUTSIDE_WINDOW:
        return OUTSIDE_WINDOW_REASON
    return f"Messenger báo lỗi {error.get('code', status)}"
