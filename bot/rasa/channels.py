"""Rasa input channels for Hiểu Ý: the stock REST and socket.io channels, hardened.

Registered in ``credentials.yml`` by module path (``bot.rasa.channels.RestInput``,
``bot.rasa.channels.SocketIOInput``) instead of the built-in ``rest:`` / ``socketio:``
keys. Their ``name()`` stays ``"rest"`` / ``"socketio"``, so the URLs clients use
(``/webhooks/rest/webhook``, ``/socket.io``) and the channel recorded in the
need log do not change.

What they add to Rasa's channels:

* **A graceful answer when a turn produced no bot message.** When the action
  server is down, killed or failing, ``RemoteAction.run`` raises and
  ``MessageProcessor._run_action`` logs the error and carries on without the
  action's events; the turn ends with no bot message and the stock REST channel
  answers ``200 []`` — the guest sees nothing at all. When the lock store
  (Redis) or the tracker store is unreachable, ``handle_message`` raises; the
  stock REST channel catches it and answers ``200 []`` as well (socket.io says
  nothing either). In all these cases these channels answer :data:`BUSY_MESSAGE`
  ("please send it again in a few seconds, or ask the staff at the counter"),
  so a guest is never left without a reply (SPEC §1: never ignore a request).
* **Input hygiene at the edge.** The stock REST channel answers 500 to a body
  that is valid JSON but not an object (``[]``, ``null``, ``"x"``), hands a
  ``sender`` of any JSON type or length to the tracker store (a ``VARCHAR(255)``
  column), and passes text the need log cannot keep: a lone surrogate (a JSON
  escape such as backslash-u-d800) cannot be encoded into the outbox, so the
  record is dropped; PostgreSQL refuses a NUL character. Clients can also
  override ``model_id`` through the metadata, which is written to the need log.
  Here the body must be a JSON object with a non-empty string ``sender`` (at
  most :data:`MAX_SENDER_CHARS` printable characters) and a string ``message``
  that is not blank (a blank one would be logged as an unrecognised request),
  else 400; a body over :data:`MAX_BODY_BYTES` or a message over
  :data:`MAX_MESSAGE_CHARS` characters gets 413 (the widget sends at most 500).
  The text is cleaned: lone surrogates become U+FFFD, control characters other
  than tab and newline are dropped. ``input_channel`` is kept only if it is a
  short identifier, ``metadata`` only if it is an object, and without the keys
  Rasa fills in itself. socket.io has no status codes: there, unusable
  messages are dropped (logged) and long ones truncated.
* **socket.io sessions that work.** Rasa 3.6 does not ``await``
  python-socketio 5's ``enter_room``, so with ``session_persistence`` the
  answers went to a room nobody was in; ``session_request`` is replaced.

:class:`FacebookInput` is Rasa's Messenger channel (name ``facebook``, URL
``/webhooks/facebook/webhook``) changed where it had to be: settings from the
environment instead of ``${VAR}`` in credentials.yml (Rasa refuses to start
when one is unset; without them the webhook answers 503), ``X-Hub-Signature-256``
checked (SHA-1 ``X-Hub-Signature`` still accepted) and a bad one answered 401,
every event of a batch handled (Rasa's stops at the first), the page's own
echoes ignored, re-delivered events answered once, buttons sent as Messenger
quick replies (Rasa's button template takes at most 3 and drops them all
beyond), and replies sent by :mod:`bot.channels.outbound` to a configurable
Graph API URL (tests use a local fake) instead of the ``fbmessenger`` client.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import json
import logging
import re
import unicodedata
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels import facebook, rest, socketio
from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import settings
from bot.channels import FACEBOOK
from bot.channels.outbound import DeliveryError, buttons_from, deliver, messenger_message
from bot.rasa import speedups
from bot.rasa.redelivery import Redelivery

logger = logging.getLogger(__name__)

BUSY_MESSAGE = (
    "Dạ hệ thống của quán đang bận một chút, anh/chị nhắn lại giúp em sau ít giây, "
    "hoặc gọi nhân viên ở quầy ạ."
)
# Messenger / Zalo guests can send photos, stickers or voice: the assistant reads text only.
NOT_TEXT_MESSAGE = (
    "Dạ hiện em chỉ đọc được tin nhắn chữ thôi ạ, anh/chị nhắn giúp em bằng chữ nhé, "
    "hoặc gọi nhân viên ở quầy ạ."
)
MAX_BODY_BYTES = 64 * 1024
MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 255  # Rasa's SQL tracker store keeps sender ids in a VARCHAR(255)
RESERVED_METADATA_KEYS = frozenset({"model_id", "assistant_id"})
# Rasa commands that say nothing by design (default actions without a response).
SILENT_COMMANDS = frozenset({"/restart", "/session_start"})
_CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_KEEP_CONTROLS = frozenset("\t\n")

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def clean_text(text: str) -> str:
    """``text`` without lone surrogates (→ U+FFFD) and control characters.

    Tab and newline stay; carriage returns become newlines. Everything else in
    Unicode category ``Cc`` (NUL, ESC, DEL, C1 controls) is dropped: PostgreSQL
    rejects NUL in text, and none of them means anything in a chat message.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any("\ud800" <= char <= "\udfff" for char in text):
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return "".join(
        char for char in text if char in _KEEP_CONTROLS or unicodedata.category(char) != "Cc"
    )


def valid_sender(sender: Any) -> bool:
    """Whether ``sender`` can be a conversation id: a short, clean, non-blank string."""
    return (
        isinstance(sender, str)
        and 0 < len(sender) <= MAX_SENDER_CHARS
        and bool(sender.strip())
        and sender == clean_text(sender)
        and "\n" not in sender
        and "\t" not in sender
    )


def clean_metadata(metadata: Any) -> Optional[Dict[str, Any]]:
    """Client metadata if it is an object, without the keys Rasa fills in itself."""
    if not isinstance(metadata, dict):
        return None
    return {k: v for k, v in metadata.items() if k not in RESERVED_METADATA_KEYS}


class WatchedOutput(OutputChannel):
    """Delegates to a channel's output and remembers whether anything was sent."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0

    def name(self) -> str:  # the wrapped channel's name
        """The wrapped channel's name (Rasa picks channel-specific responses by it)."""
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Send a bot message through the wrapped channel."""
        self.sent += 1
        await self.inner.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send a text through the wrapped channel."""
        self.sent += 1
        await self.inner.send_text_message(recipient_id, text, **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send a text with buttons through the wrapped channel."""
        self.sent += 1
        await self.inner.send_text_with_buttons(recipient_id, text, buttons, **kwargs)

    async def send_quick_replies(
        self,
        recipient_id: str,
        text: str,
        quick_replies: List[Dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """Send quick replies through the wrapped channel."""
        self.sent += 1
        await self.inner.send_quick_replies(recipient_id, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send an image through the wrapped channel."""
        self.sent += 1
        await self.inner.send_image_url(recipient_id, image, **kwargs)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        """Send an attachment through the wrapped channel."""
        self.sent += 1
        await self.inner.send_attachment(recipient_id, attachment, **kwargs)

    async def send_elements(self, recipient_id: str, elements: Any, **kwargs: Any) -> None:
        """Send elements through the wrapped channel."""
        self.sent += 1
        await self.inner.send_elements(recipient_id, elements, **kwargs)

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        """Send custom JSON through the wrapped channel."""
        self.sent += 1
        await self.inner.send_custom_json(recipient_id, json_message, **kwargs)


def answer_always(on_new_message: OnNewMessage, channel: str) -> OnNewMessage:
    """``on_new_message`` that answers :data:`BUSY_MESSAGE` when a turn said nothing.

    Rasa's own errors (lock store, tracker store) are caught and logged here, so
    the channel never turns them into an empty answer or a 500.
    """

    async def handle(message: UserMessage) -> None:
        watched = WatchedOutput(message.output_channel)
        message.output_channel = watched
        try:
            await on_new_message(message)
        except Exception:  # the guest still gets an answer; the cause goes to the log
            logger.exception(
                "%s: the message from %r was not processed", channel, message.sender_id
            )
        if watched.sent or (message.text or "").strip() in SILENT_COMMANDS:
            return
        logger.warning("%s: no bot message for %r; answering busy", channel, message.sender_id)
        try:
            await watched.inner.send_text_message(message.sender_id, BUSY_MESSAGE)
        except Exception:  # e.g. the socket went away meanwhile
            logger.exception("%s: could not send the busy message", channel)

    return handle


def _error(status: int, detail: str) -> HTTPResponse:
    return response.json({"error": detail}, status=status)


class RestInput(rest.RestInput):
    """Rasa's REST channel (same name and URL) with input checks and a busy answer."""

    @classmethod
    def name(cls) -> str:
        """Still ``rest``: the URL stays ``/webhooks/rest/webhook``."""
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Rasa's REST routes; bodies checked first, every turn answered."""
        speedups.install()  # the Rasa server builds its routes once, at start-up
        blueprint = super().blueprint(answer_always(on_new_message, self.name()))
        blueprint.middleware(self._check_body, "request")
        return blueprint

    @staticmethod
    async def _check_body(request: Request) -> Optional[HTTPResponse]:
        """400 / 413 for webhook bodies Rasa's REST channel would choke on."""
        if request.method != "POST" or not request.path.endswith("/webhook"):
            return None
        if len(request.body or b"") > MAX_BODY_BYTES:
            return _error(413, f"request body over {MAX_BODY_BYTES} bytes")
        try:
            body = json.loads(request.body or b"")
        except (ValueError, RecursionError):  # also invalid UTF-8; RecursionError: [[[[…
            return _error(400, "the body must be JSON")
        if not isinstance(body, dict):
            return _error(400, 'the body must be a JSON object {"sender": ..., "message": ...}')
        if not valid_sender(body.get("sender")):
            return _error(
                400, f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} characters'
            )
        message = body.get("message")
        if not isinstance(message, str):
            return _error(400, '"message" must be a string')
        if len(message) > MAX_MESSAGE_CHARS:
            return _error(413, f'"message" over {MAX_MESSAGE_CHARS} characters')
        if not clean_text(message).strip():
            return _error(400, '"message" is empty')
        return None

    async def _extract_sender(self, req: Request) -> Optional[str]:
        return req.json.get("sender")

    def _extract_message(self, req: Request) -> Optional[str]:
        return clean_text(req.json.get("message") or "")

    def _extract_input_channel(self, req: Request) -> str:
        channel = req.json.get("input_channel")
        return channel if isinstance(channel, str) and _CHANNEL_NAME.match(channel) else self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        """The client's metadata object, without keys Rasa reserves."""
        return clean_metadata(request.json.get("metadata"))


class SocketIOInput(socketio.SocketIOInput):
    """Rasa's socket.io channel (same name and path) with clean input and a busy answer."""

    @classmethod
    def name(cls) -> str:
        """Still ``socketio``."""
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Rasa's socket.io server; every message cleaned, every turn answered."""
        speedups.install()
        answering = answer_always(on_new_message, self.name())

        async def clean(message: UserMessage) -> None:
            if not valid_sender(message.sender_id):
                logger.warning("socketio: message with an unusable session id ignored")
                return
            text = message.text if isinstance(message.text, str) else ""
            message.text = clean_text(text[:MAX_MESSAGE_CHARS]).strip()
            if not message.text:
                return  # nothing was said; the REST channel answers 400 here
            message.metadata = clean_metadata(message.metadata)
            await answering(message)

        blueprint = super().blueprint(clean)
        if self.sio is not None:
            self._register_session_request(self.sio)
        return blueprint

    def _register_session_request(self, sio: AsyncServer) -> None:
        """Replace Rasa's ``session_request`` handler, which never joins the session room.

        Rasa 3.6 calls ``sio.enter_room(...)`` without ``await``; since
        python-socketio 5.x made it a coroutine, the socket never joins the room
        named after the session id, and with ``session_persistence`` (where bot
        messages go to that room) the guest receives no answer at all.
        """

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if valid_sender(requested) else uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)


class MessengerOutput(OutputChannel):
    """Replies to a Messenger guest through the Send API; buttons as quick replies."""

    @classmethod
    def name(cls) -> str:
        """``facebook``."""
        return FACEBOOK

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """A text."""
        await self._send(recipient_id, text, [])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """A text with quick replies."""
        await self._send(recipient_id, text, buttons)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """A text with quick replies."""
        await self._send(recipient_id, text, quick_replies)

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        """Nothing for the guest (e.g. ``held_by_staff``: a person answers instead)."""

    async def _send(self, recipient_id: str, text: str, buttons: List[Dict[str, Any]]) -> None:
        outgoing = messenger_message(recipient_id, text, buttons_from(buttons))
        try:
            await asyncio.to_thread(deliver, outgoing)
        except DeliveryError:
            logger.exception("facebook: a reply to %r was not delivered", recipient_id)


class _Messenger(facebook.Messenger):
    """Rasa's event parsing, with every event of a batch, no echoes and no re-deliveries."""

    def __init__(self, on_new_message: OnNewMessage, redelivery: Redelivery) -> None:
        self.on_new_message = on_new_message
        self.redelivery = redelivery
        self.last_message: Dict[str, Any] = {}

    async def handle(self, payload: Dict, metadata: Optional[Dict[str, Any]]) -> None:
        """Every messaging event of every entry (Rasa's returns after the first)."""
        for entry in payload.get("entry") or []:
            for event in entry.get("messaging") or []:
                self.last_message = event
                message = event.get("message")
                if isinstance(message, dict) and not message.get("is_echo"):
                    await self.message(event, metadata)
                elif event.get("postback"):
                    await self.postback(event, metadata)

    async def message(self, message: Dict[str, Any], metadata: Optional[Dict[str, Any]]) -> None:
        """Text and quick replies go to Rasa; a photo, sticker or voice gets a polite word."""
        if self._is_quick_reply_message(message) or self._is_user_message(message):
            await super().message(message, metadata)
        elif valid_sender(self.get_user_id()) and self._first_time():
            await MessengerOutput().send_text_message(self.get_user_id(), NOT_TEXT_MESSAGE)

    def _mid(self) -> Optional[str]:
        """The current event's message id (``mid``), if Facebook gave one."""
        event = self.last_message.get("message") or self.last_message.get("postback") or {}
        mid = event.get("mid")
        return mid if isinstance(mid, str) and mid else None

    def _first_time(self) -> bool:
        """The current event was not handled before (Facebook re-delivers)."""
        mid = self._mid()
        return mid is None or self.redelivery.first_time(f"{FACEBOOK}:{mid}")

    async def _handle_user_message(
        self, text: str, sender_id: str, metadata: Optional[Dict[str, Any]]
    ) -> None:
        if not self._first_time():
            return
        mid = self._mid()
        text = clean_text(str(text)[:MAX_MESSAGE_CHARS]).strip()
        if not text or not valid_sender(sender_id):
            return
        message = UserMessage(
            text, MessengerOutput(), sender_id, input_channel=FACEBOOK, message_id=mid
        )
        await self.on_new_message(message)


class FacebookInput(facebook.FacebookInput):
    """Rasa's Messenger channel, configured from the environment (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        """Still ``facebook``: the URL stays ``/webhooks/facebook/webhook``."""
        return FACEBOOK

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "FacebookInput":
        """``FACEBOOK_VERIFY_TOKEN``, ``FACEBOOK_APP_SECRET``, ``FACEBOOK_PAGE_ACCESS_TOKEN``."""
        return cls(
            settings.facebook_verify_token(),
            settings.facebook_app_secret(),
            settings.facebook_page_access_token(),
        )

    def __init__(self, fb_verify: str, fb_secret: str, fb_access_token: str) -> None:
        super().__init__(fb_verify, fb_secret, fb_access_token)
        self.redelivery = Redelivery(settings.redis_url())

    @property
    def configured(self) -> bool:
        """All three Messenger settings are present."""
        return bool(self.fb_verify and self.fb_secret and self.fb_access_token)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Health, the subscription handshake and the webhook."""
        answering = answer_always(on_new_message, self.name())
        fb_webhook = Blueprint("fb_webhook", __name__)

        @fb_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured})

        @fb_webhook.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if self.configured and hmac.compare_digest(token, self.fb_verify):
                return response.text(request.args.get("hub.challenge") or "")
            return response.text("invalid verify token", status=403)

        @fb_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.configured:
                return _error(503, "Messenger is not configured")
            if not self.signed(request):
                logger.warning("facebook: event with a missing or wrong signature refused")
                return _error(401, "invalid signature")
            body = request.json if isinstance(request.json, dict) else {}
            await _Messenger(answering, self.redelivery).handle(body, self.get_metadata(request))
            return response.text("success")

        return fb_webhook

    def signed(self, request: Request) -> bool:
        """The body carries the app secret's signature (SHA-256, else Rasa's SHA-1 check)."""
        body = request.body or b""
        sha256 = request.headers.get("X-Hub-Signature-256") or ""
        if sha256:
            expected = "sha256=" + hmac.new(self.fb_secret.encode(), body, "sha256").hexdigest()
            return hmac.compare_digest(expected, sha256.strip())
        sha1 = request.headers.get("X-Hub-Signature") or ""
        return sha1.startswith("sha1=") and self.validate_hub_signature(self.fb_secret, body, sha1)
