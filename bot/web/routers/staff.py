"""The staff console: the live queue of guests waiting for a person, claim, reply, hand back.

Same authentication as the report: the page shows the login form without a
session; the event stream and the API answer 401 (never data). The queue is
read from the database on every change, so any web-app replica serves any
staff member and a restart loses nothing (``bot.store.handover``).

A reply to a guest on Messenger or Zalo is pushed through that platform's API
(``bot.channels.outbound``) before it is stored: the transcript only shows what
reached the guest, and a refusal (e.g. Messenger's 24-hour window has closed)
answers 502 with the reason, so the staff member knows to call the guest over.

Live updates are Server-Sent Events rather than websockets: one direction is
all the console needs, browsers reconnect by themselves, and it is plain HTTP
through any proxy. Each stream checks a cheap version of the queue and the
bookings every second and sends both when they changed (a heartbeat otherwise).
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any, AsyncIterator, Dict, List, Optional
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from bot import settings
from bot.channels import outbound
from bot.store import handover
from bot.store.bookings import bookings_on, bookings_version
from bot.store.needlog import utcnow
from bot.web import qr
from bot.web.deps import MAX_ID, engine, is_staff, require_staff, templates
from bot.web.routers.login import exchange_token, login_page

router = APIRouter()

CHECK_SECONDS = 1.0  # new conversations appear well within two seconds
HEARTBEAT_SECONDS = 15.0  # keeps proxies from closing an idle stream
# A stream ends after this long and the browser reconnects by itself (``retry``):
# no connection (nor the worker thread it borrows) lives forever.
STREAM_SECONDS = 300.0


class StaffName(BaseModel):
    """Who acts (typed once on the console, kept in the browser)."""

    name: str = Field(..., min_length=1, max_length=handover.MAX_NAME)


class StaffReply(StaffName):
    """A reply to the guest."""

    text: str = Field(..., min_length=1, max_length=handover.MAX_TEXT)


def queue_json(db: Engine, labels: Dict[str, str]) -> Dict[str, Any]:
    """The open conversations as the console shows them, with the needs' labels."""
    now = utcnow()
    items = []
    for waiting in handover.queue(db):
        item = waiting.to_json(now)
        item["need_label"] = labels.get(waiting.need or "", "")
        items.append(item)
    return {
        "conversations": items,
        "bookings": todays_bookings(db),
        "at": now.isoformat() + "Z",
        "long_wait_seconds": round(settings.long_wait_minutes() * 60),  # shown in red after
    }


def todays_bookings(db: Engine) -> List[Dict[str, Any]]:
    """Today's bookings (the restaurant's day), for the list beside the queue; no phone numbers."""
    today = datetime.now(ZoneInfo(settings.report_timezone())).date()
    return [
        {
            "time": row.starts_at.strftime("%H:%M"),
            "name": row.name or "",
            "party_size": row.party_size,
            "table": row.table,
            "status": row.status,
            "code": row.code,
        }
        for row in bookings_on(db, today)
    ]


def need_labels(request: Request) -> Dict[str, str]:
    """Catalog labels by need id ("cần dùng được điện thoại đang hết pin")."""
    catalog = request.app.state.catalog.get()
    return {need_id: need.label for need_id, need in catalog.needs.items()}


@router.get("/staff", response_class=HTMLResponse)
def staff_page(request: Request, token: Optional[str] = None) -> Response:
    """The console; the printed link (``?token=``) signs the staff member in."""
    if token is not None:
        return exchange_token(request, token)
    if not is_staff(request):
        return login_page(request, status_code=401)
    return templates(request).TemplateResponse(request, "staff.html", {})


@router.get("/staff/qr", response_class=HTMLResponse)
def table_qr_codes(
    request: Request,
    first: int = Query(1, ge=1, le=9999),
    last: int = Query(20, ge=1, le=9999),
    site: Optional[str] = Query(None, max_length=500, pattern=r"^https?://"),
) -> Response:
    """Printable QR codes, one per table, opening ``site`` (default: this app's demo page)."""
    if not is_staff(request):
        return login_page(request, status_code=401)
    codes = qr.table_codes(site or str(request.base_url), first, max(first, last))
    context = {"codes": codes, "first": first, "last": max(first, last)}
    return templates(request).TemplateResponse(request, "staff_qr.html", context)


@router.get("/api/staff/queue", dependencies=[Depends(require_staff)])
def staff_queue(request: Request) -> JSONResponse:
    """The queue once (the console's first paint, and scripts)."""
    return JSONResponse(queue_json(engine(request), need_labels(request)))


@router.get("/staff/events", dependencies=[Depends(require_staff)])
async def staff_events(request: Request) -> StreamingResponse:
    """Server-Sent Events: ``queue`` with the whole queue whenever it changes."""
    return StreamingResponse(
        _events(request),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(request: Request) -> AsyncIterator[str]:
    db, labels = engine(request), need_labels(request)
    seen: Any = None
    quiet = elapsed = 0.0
    yield "retry: 1000\n\n"
    while elapsed < STREAM_SECONDS and not await request.is_disconnected():
        current = await run_in_threadpool(_version, db)
        if current != seen:
            seen, quiet = current, 0.0
            data = await run_in_threadpool(queue_json, db, labels)
            yield f"event: queue\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
        elif quiet >= HEARTBEAT_SECONDS:
            quiet = 0.0
            yield ": still here\n\n"
        await asyncio.sleep(CHECK_SECONDS)
        quiet += CHECK_SECONDS
        elapsed += CHECK_SECONDS


CONVERSATION_ID = PathParam(..., ge=1, le=MAX_ID)  # a row id of the conversations table


@router.post("/api/staff/conversations/{conversation_id}/claim")
def claim(
    request: Request,
    who: StaffName,
    conversation_id: int = CONVERSATION_ID,
    _: None = Depends(require_staff),
) -> JSONResponse:
    """Claim ("Lan đang hỗ trợ"); 409 when another staff member holds it."""
    if not handover.claim(engine(request), conversation_id, who.name.strip(), _now()):
        raise HTTPException(409, "Cuộc trò chuyện này đã có người khác hỗ trợ")
    return JSONResponse({"id": conversation_id, "claimed_by": who.name.strip()})


@router.post("/api/staff/conversations/{conversation_id}/reply")
def reply(
    request: Request,
    said: StaffReply,
    conversation_id: int = CONVERSATION_ID,
    _: None = Depends(require_staff),
) -> JSONResponse:
    """A reply to the guest: in the widget, or on Messenger / Zalo (claims it if waiting)."""
    db, name = engine(request), said.name.strip()
    if not handover.claim(db, conversation_id, name, _now()):
        raise HTTPException(409, "Cuộc trò chuyện này đã có người khác hỗ trợ")
    target = handover.reply_target(db, conversation_id)
    if target is not None:
        try:
            outbound.deliver(outbound.to_guest(target.channel, target.recipient_id, said.text))
        except outbound.DeliveryError as error:
            raise HTTPException(502, f"Chưa gửi được tới khách: {error.reason}") from error
    if not handover.reply(db, conversation_id, name, said.text, _now()):
        raise HTTPException(409, "Cuộc trò chuyện này đã có người khác hỗ trợ")
    return JSONResponse({"id": conversation_id, "sent": True, "channel": target and target.channel})


@router.post("/api/staff/conversations/{conversation_id}/return")
def hand_back(
    request: Request, conversation_id: int = CONVERSATION_ID, _: None = Depends(require_staff)
) -> JSONResponse:
    """Hand back ("trả lại cho trợ lý"): the bot answers the guest again."""
    returned = handover.hand_back(engine(request), conversation_id, _now())
    return JSONResponse({"id": conversation_id, "returned": returned})


def _version(db: Engine) -> Any:
    """What the stream watches: the queue and today's bookings."""
    return handover.version(db), bookings_version(db)


def _now() -> datetime:
    return utcnow()
