"""How the report writes durations and star ratings (Jinja2 globals)."""

from __future__ import annotations

from typing import Optional

from markupsafe import Markup


def duration(seconds: Optional[float]) -> str:
    """``"45 giây"``, ``"3 phút 20 giây"``, ``"1 giờ 05 phút"``; ``"—"`` when unknown."""
    if seconds is None:
        return "—"
    total = round(seconds)
    if total < 60:
        return f"{total} giây"
    minutes, rest = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} phút {rest:02d} giây" if rest else f"{minutes} phút"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} giờ {minutes:02d} phút"


def stars(average: float) -> Markup:
    """Five stars filled to the nearest whole, with the number for screen readers and sheets."""
    filled = max(0, min(5, round(average)))
    shown = f"{average:.1f}".replace(".", ",")
    return Markup(
        f'<span class="stars" aria-hidden="true">{"★" * filled}{"☆" * (5 - filled)}</span> {shown}'
    )
