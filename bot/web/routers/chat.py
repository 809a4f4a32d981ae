"""What the guest's widget calls besides Rasa: staff replies, and the rating of a conversation.

The widget knows its own sender id (a random UUID it generated, the only
credential here); the web app hashes it like the action server does, so
the database never holds the raw id. Read from the database on each call:
any replica answers, and after a reload the widget gets every reply again.
CORS: the demo page is same-origin; other sites must be in ``ALLOWED_ORIGINS``.
"""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, validator

from bot import settings
from bot.needs.log import RATING_ENDINGS
from bot.store import handover, ratings
from bot.store.masking import conversation_key
from bot.store.needlog import utcnow
from bot.web.deps import MAX_ID, engine

router = APIRouter()

SENDER = PathParam(..., min_length=8, max_length=64, pattern=r"^[\w-]+$")


class RatingSent(BaseModel):
    """One tap on the widget's rating card (stars; a comment may follow on the same card)."""

    card: str = Field(..., min_length=8, max_length=64, pattern=r"^[\w-]+$")
    stars: int = Field(..., ge=1, le=5)
    comment: Optional[str] = Field(None, max_length=ratings.MAX_COMMENT)
    ended_by: Optional[str] = None
    table: Optional[str] = Field(None, max_length=16)

    @validator("ended_by")
    def _known_ending(cls, value: Optional[str]) -> Optional[str]:  # noqa: N805 (pydantic)
        if value is not None and value not in RATING_ENDINGS:
            raise ValueError(f"ended_by must be one of {RATING_ENDINGS}")
        return value


@router.get("/api/chat/{sender}/messages")
def staff_messages(
    request: Request, sender: str = SENDER, after: int = Query(0, ge=0, le=MAX_ID)
) -> Response:
    """``{"held_by": name or null, "messages": [...]}``: staff replies after id ``after``."""
    key = conversation_key(sender, settings.conversation_secret())
    view = handover.guest_view(engine(request), key, after)
    return _cors(request, JSONResponse(view.to_json()))


@router.post("/api/chat/{sender}/rating")
def rate(request: Request, sent: RatingSent, sender: str = SENDER) -> Response:
    """Store the guest's stars (and comment) for the conversation that just ended."""
    key = conversation_key(sender, settings.conversation_secret())
    rating = ratings.GuestRating(
        sent.card, sent.stars, sent.comment, sent.ended_by, (sent.table or "").strip() or None
    )
    ratings.rate(engine(request), key, rating, utcnow())
    return _cors(request, JSONResponse({"saved": True, "stars": sent.stars}))


@router.options("/api/chat/{sender}/rating")
def rate_preflight(request: Request, sender: str = SENDER) -> Response:
    """CORS preflight for a widget embedded on the restaurant's own site."""
    response = _cors(request, Response(status_code=204))
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    return response


def _cors(request: Request, response: Response) -> Response:
    origin = request.headers.get("origin", "").rstrip("/")
    if origin and origin in settings.allowed_origins():
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response
