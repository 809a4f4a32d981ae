"""Zalo Official Account as a Rasa input channel (``bot.rasa.zalo.ZaloInput`` in credentials.yml).

Rasa has no Zalo channel. This one serves ``POST /webhooks/zalo/webhook``:

* **Only signed, fresh events reach Rasa.** Zalo signs every event with the
  header ``X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp +
  OA secret key)>`` (``app_id`` and ``timestamp`` — milliseconds — are fields
  of the body). A missing or wrong signature, another app's event, or one older
  (or newer) than :data:`MAX_AGE_SECONDS` answers 401 and nothing is handled or
  logged; a replayed capture of a real event is stale after that time.
* **Text both ways.** ``user_send_text`` events become guest messages; the bot's
  buttons go out as ``oa.query.hide`` buttons whose payload comes back as the
  guest's text (hidden in their chat), so "/choose_sub_goal{…}" works as on the
  widget. A photo, sticker, voice … (``user_send_*``) gets a polite "please
  write it" (:data:`~bot.rasa.channels.NOT_TEXT_MESSAGE`) without reaching Rasa;
  other events (follows, the OA's own messages) are acknowledged and ignored.
* **Within Zalo's reply limits.** The replies of one turn are collected and
  sent after it as few messages as possible (texts joined; a message with
  buttons closes one), each answering the guest's ``msg_id``: Zalo counts at
  most 8 free replies within 48 hours of a guest's message.
* **Re-delivered events are answered once** (:mod:`bot.rasa.redelivery`), and
  the ``msg_id`` is the message id Rasa records, so the need log keys on it too.

Configured from the environment (``ZALO_APP_ID``, ``ZALO_OA_SECRET_KEY``,
``ZALO_OA_ACCESS_TOKEN``); while any is empty the webhook answers 503 and the
rest of the assistant runs as usual.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.channels import ZALO
from bot.channels.outbound import Button, DeliveryError, buttons_from, deliver, zalo_message
from bot.rasa.channels import (
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    NOT_TEXT_MESSAGE,
    OnNewMessage,
    answer_always,
    clean_text,
    valid_sender,
)
from bot.rasa.redelivery import Redelivery

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ZEvent-Signature"
MAX_AGE_SECONDS = 10 * 60
TEXT_EVENT = "user_send_text"
GUEST_EVENTS = "user_send_"  # user_send_image, _sticker, _audio, _file, _location …


@dataclass(frozen=True)
class Signer:
    """Zalo's event signature for one app and OA secret key."""

    app_id: str
    secret_key: str

    def signature(self, body: bytes, timestamp: str) -> str:
        """``mac=`` + sha256(app_id + body + timestamp + secret key), as Zalo sends it."""
        raw = self.app_id.encode() + body + timestamp.encode() + self.secret_key.encode()
        return "mac=" + hashlib.sha256(raw).hexdigest()

    def valid(self, body: bytes, event: Dict[str, Any], header: str, now: float) -> bool:
        """Signed by Zalo for this app, and sent within :data:`MAX_AGE_SECONDS` of ``now``."""
        timestamp = event.get("timestamp")
        if isinstance(timestamp, bool) or not isinstance(timestamp, (str, int)):
            return False
        if str(event.get("app_id")) != self.app_id or not str(timestamp).isdigit():
            return False
        sent = int(timestamp) / (1000 if int(timestamp) > 10**11 else 1)  # ms (s tolerated)
        if abs(now - sent) > MAX_AGE_SECONDS:
            return False
        return hmac.compare_digest(self.signature(body, str(timestamp)), header.strip())


def guest_text(event: Dict[str, Any]) -> Optional[Tuple[str, str, str]]:
    """``(sender id, msg_id, text)`` of a guest's text event; None for anything else."""
    if event.get("event_name") != TEXT_EVENT:
        return None
    sender = (event.get("sender") or {}).get("id")
    message = event.get("message") or {}
    msg_id, text = message.get("msg_id"), message.get("text")
    if not valid_sender(sender) or not isinstance(msg_id, str) or not msg_id:
        return None
    if not isinstance(text, str) or not clean_text(text).strip():
        return None
    return str(sender), msg_id, clean_text(text[:MAX_MESSAGE_CHARS]).strip()


class ZaloOutput(OutputChannel):
    """Collects a turn's replies; :meth:`flush` sends them in as few Zalo messages as it can."""

    @classmethod
    def name(cls) -> str:
        """``zalo``."""
        return ZALO

    def __init__(self) -> None:
        self.pending: List[Tuple[str, List[Button]]] = []

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Queue a text."""
        self.pending.append((text, []))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Queue a text with Zalo buttons."""
        self.pending.append((text, buttons_from(buttons)))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Quick replies are Zalo buttons too."""
        self.pending.append((text, buttons_from(quick_replies)))

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        """Nothing for the guest (e.g. ``held_by_staff``: a person answers instead)."""

    def messages(self) -> List[Tuple[str, List[Button]]]:
        """The queued replies merged: texts joined until a message with buttons."""
        merged: List[Tuple[str, List[Button]]] = []
        texts: List[str] = []
        for text, buttons in self.pending:
            texts.append(text)
            if buttons:
                merged.append(("\n\n".join(texts), buttons))
                texts = []
        if texts:
            merged.append(("\n\n".join(texts), []))
        return merged

    async def flush(self, msg_id: str) -> None:
        """Send the queued replies as answers to the guest's message ``msg_id``."""
        for text, buttons in self.messages():
            outgoing = zalo_message({"message_id": msg_id}, text, buttons)
            try:
                await asyncio.to_thread(deliver, outgoing)
            except DeliveryError:
                logger.exception("zalo: a reply to message %s was not delivered", msg_id)
        self.pending = []


class ZaloInput(InputChannel):
    """``/webhooks/zalo/webhook``: Zalo OA events in, replies out through the OA message API."""

    @classmethod
    def name(cls) -> str:
        """``zalo``: the URL prefix and the channel on need-log rows."""
        return ZALO

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """From the environment (see the module docstring); credentials.yml only names us."""
        return cls(settings.zalo_app_id(), settings.zalo_oa_secret_key())

    def __init__(self, app_id: str, secret_key: str) -> None:
        self.signer = Signer(app_id, secret_key)
        self.redelivery = Redelivery(settings.redis_url())

    @property
    def configured(self) -> bool:
        """All three Zalo settings are present."""
        return bool(self.signer.app_id and self.signer.secret_key) and bool(
            settings.zalo_oa_access_token()
        )

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The health route and the webhook."""
        answering = answer_always(on_new_message, self.name())
        zalo = Blueprint("zalo_webhook", __name__)

        @zalo.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured})

        @zalo.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self.receive(request, answering)

        return zalo

    async def receive(self, request: Request, answering: OnNewMessage) -> HTTPResponse:
        """Check, de-duplicate and answer one event (see the module docstring)."""
        if not self.configured:
            return response.json({"error": "Zalo OA is not configured"}, status=503)
        body = request.body or b""
        if len(body) > MAX_BODY_BYTES:
            return response.json({"error": "body too large"}, status=413)
        event = _json_object(body)
        header = request.headers.get(SIGNATURE_HEADER) or ""
        if event is None or not self.signer.valid(body, event, header, time.time()):
            logger.warning("zalo: event with a missing, wrong or stale signature refused")
            return response.json({"error": "invalid signature"}, status=401)
        msg_id = (event.get("message") or {}).get("msg_id")
        if not str(event.get("event_name")).startswith(GUEST_EVENTS) or not msg_id:
            return response.json({"status": "ignored"})
        if not self.redelivery.first_time(f"{ZALO}:{msg_id}"):
            return response.json({"status": "duplicate"})
        output = ZaloOutput()
        incoming = guest_text(event)
        if incoming is None:  # a photo, sticker, voice … (or an unusable text event)
            await output.send_text_message("", NOT_TEXT_MESSAGE)
        else:
            sender, _, text = incoming
            message = UserMessage(text, output, sender, input_channel=ZALO, message_id=msg_id)
            await answering(message)
        await output.flush(str(msg_id))
        return response.json({"status": "ok"})


def _json_object(body: bytes) -> Optional[Dict[str, Any]]:
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) else None
