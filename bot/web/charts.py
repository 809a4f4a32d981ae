"""Small inline SVG charts for the report (no JavaScript, no CDN).

Only numbers and escaped labels go into the markup.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

from markupsafe import Markup, escape

MET_COLOUR = "#2f855a"
UNMET_COLOUR = "#c05621"
ESCALATED_COLOUR = "#b7791f"
OTHER_COLOUR = "#a0aec0"
LINE_COLOUR = "#2b6cb0"


def sparkline(values: Sequence[int], width: int = 160, height: int = 32) -> Markup:
    """A per-day trend line with a dot on the last value."""
    if not values:
        return Markup("")
    peak = max(max(values), 1)
    step = width / max(len(values) - 1, 1)
    points = [
        (round(i * step, 1), round(height - 3 - (v / peak) * (height - 6), 1))
        for i, v in enumerate(values)
    ]
    path = " ".join(f"{x},{y}" for x, y in points)
    last_x, last_y = points[-1]
    total = sum(values)
    return Markup(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Xu hướng: tổng {total} lượt, cao nhất {max(values)}/ngày">'
        f'<polyline fill="none" stroke="{LINE_COLOUR}" stroke-width="2" points="{path}"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="2.5" fill="{LINE_COLOUR}"/></svg>'
    )


def outcome_bar(met: int, unmet: int, escalated: int, other: int, width: int = 160) -> Markup:
    """A stacked bar: met / unmet / escalated / no answer."""
    total = met + unmet + escalated + other
    if not total:
        return Markup('<span class="muted">—</span>')
    parts = []
    x = 0.0
    for value, colour, name in (
        (met, MET_COLOUR, "đã đáp ứng"),
        (unmet, UNMET_COLOUR, "chưa đáp ứng"),
        (escalated, ESCALATED_COLOUR, "chuyển nhân viên"),
        (other, OTHER_COLOUR, "không phản hồi"),
    ):
        if value:
            w = width * value / total
            parts.append(
                f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="14" fill="{colour}">'
                f"<title>{value} {name}</title></rect>"
            )
            x += w
    label = f"{met} đáp ứng, {unmet} chưa, {escalated} chuyển nhân viên, {other} không phản hồi"
    return Markup(
        f'<svg class="bar" width="{width}" height="14" role="img" aria-label="{escape(label)}">'
        + "".join(parts)
        + "</svg>"
    )


def daily_columns(
    days: Sequence[date], totals: Sequence[int], unmet: Sequence[int], height: int = 120
) -> Markup:
    """Requests per day (columns) with the unmet part highlighted."""
    if not days:
        return Markup("")
    width = max(320, 14 * len(days))
    column = width / len(days)
    peak = max(max(totals), 1)
    bars = []
    for i, (day, total, bad) in enumerate(zip(days, totals, unmet, strict=True)):
        x = i * column + 1
        h_total = (height - 20) * total / peak
        h_bad = (height - 20) * bad / peak
        tip = escape(f"{day:%d/%m}: {total} yêu cầu, {bad} chưa đáp ứng")
        bars.append(
            f"<g><title>{tip}</title>"
            f'<rect x="{x:.1f}" y="{height - 16 - h_total:.1f}" width="{column - 2:.1f}" '
            f'height="{h_total:.1f}" fill="{LINE_COLOUR}" opacity="0.35"/>'
            f'<rect x="{x:.1f}" y="{height - 16 - h_bad:.1f}" width="{column - 2:.1f}" '
            f'height="{h_bad:.1f}" fill="{UNMET_COLOUR}"/></g>'
        )
        if len(days) <= 31 and (i % max(1, len(days) // 8) == 0):
            bars.append(
                f'<text x="{x:.1f}" y="{height - 3}" font-size="10" fill="#4a5568">'
                f"{day:%d/%m}</text>"
            )
    return Markup(
        f'<svg class="columns" width="100%" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="none" role="img" '
        f'aria-label="Số yêu cầu mỗi ngày, phần màu cam là chưa đáp ứng">'
        + "".join(bars)
        + "</svg>"
    )
