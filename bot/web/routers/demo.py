"""The public side: the demo restaurant page, the widget script, the health check."""

from __future__ import annotations

from typing import Dict

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot import settings
from bot.web.deps import WEB_DIR, templates

router = APIRouter()


@router.get("/healthz")
def health() -> Dict[str, str]:
    """Liveness for load balancers and the test stack."""
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse)
def demo(request: Request) -> Response:
    """A demo restaurant page with the chat widget, talking to Rasa on :5005."""
    rasa_url = settings.rasa_public_url() or f"{request.url.scheme}://{request.url.hostname}:5005"
    return templates(request).TemplateResponse(request, "demo.html", {"rasa_url": rasa_url})


@router.get("/widget.js")
def widget_script() -> Response:
    """The widget, embeddable on any page with one script tag."""
    return Response(
        (WEB_DIR / "static" / "widget.js").read_bytes(),
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )
