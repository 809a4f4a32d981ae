"""What the guest's widget polls: staff replies, and whether a person holds the chat.

The widget knows its own sender id (a random UUID it generated, the only
credential here); the web app hashes it like the action server does, so
the database never holds the raw id. Read from the database on each call:
any replica answers, and after a reload the widget gets every reply again.
CORS: the demo page is same-origin; other sites must be in ``ALLOWED_ORIGINS``.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from bot import settings
from bot.store import handover
from bot.store.masking import conversation_key
from bot.web.deps import MAX_ID, engine

router = APIRouter()


@router.get("/api/chat/{sender}/messages")
def staff_messages(
    request: Request,
    sender: str = PathParam(..., min_length=8, max_length=64, pattern=r"^[\w-]+$"),
    after: int = Query(0, ge=0, le=MAX_ID),
) -> JSONResponse:
    """``{"held_by": name or null, "messages": [...]}``: staff replies after id ``after``."""
    key = conversation_key(sender, settings.conversation_secret())
    response = JSONResponse(handover.guest_view(engine(request), key, after).to_json())
    origin = request.headers.get("origin", "").rstrip("/")
    if origin and origin in settings.allowed_origins():
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response
