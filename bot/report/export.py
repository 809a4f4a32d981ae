"""The report as CSV (for spreadsheets) and as a text table (for the terminal)."""

from __future__ import annotations

import csv
import io
from typing import List, Optional, Tuple

from bot.report.service import RatingGroup
from bot.report.summary import Report

CSV_COLUMNS = [
    "need",
    "label",
    "requests",
    "met",
    "unmet",
    "escalated",
    "no_answer",
    "unmet_share",
    "top_phrases",
    "top_items",
    "recommendation",
    "ratings",
    "avg_stars",
    "waits_for_staff",
    "median_first_reply_seconds",
    "long_waits",
]
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell that spreadsheets never evaluate as a formula."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def to_csv(report: Report) -> str:
    """One row per need, then one per question topic, then one per day; UTF-8 with BOM for Excel.

    A topic row has its id in ``need``, its requests, all met (answered from
    the profile), and ``label`` prefixed "Câu hỏi:" so a sheet can filter them.
    A day row has the ISO date in ``need`` and ``label`` "Ngày …": the day's
    requests, its ratings and how long guests waited for a person.
    """
    service = report.service
    rated = {g.key: g for g in service.by_need} if service else {}
    advice = {r.need: r.message for r in report.recommendations if r.kind == "need"}
    topic_advice = {r.need: r.message for r in report.recommendations if r.kind == "topic"}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for n in report.needs:
        writer.writerow(
            [
                _cell(v)
                for v in (
                    n.need,
                    n.label,
                    n.requests,
                    n.met,
                    n.unmet,
                    n.escalated,
                    n.no_answer,
                    f"{n.unmet_share:.2f}",
                    " | ".join(n.top_phrases),
                    " | ".join(f"{item} ({count})" for item, count in n.top_items),
                    advice.get(n.need, ""),
                    *_rating_cells(rated.get(n.need)),
                    "",
                    "",
                    "",
                )
            ]
        )
    for t in report.topics:
        row = (t.topic, f"Câu hỏi: {t.label}", t.requests, t.requests, 0, 0, 0, "0.00")
        tail = (" | ".join(t.top_phrases), "", topic_advice.get(t.topic, ""), "", "", "", "", "")
        writer.writerow([_cell(v) for v in (*row, *tail)])
    for day_row in _day_rows(report):
        writer.writerow([_cell(v) for v in day_row])
    return "\ufeff" + buffer.getvalue()


def _rating_cells(group: Optional[RatingGroup]) -> Tuple[object, object]:
    return (group.count, f"{group.average:.2f}") if group else (0, "")


def _day_rows(report: Report) -> List[Tuple[object, ...]]:
    """One row per local day: requests, ratings, waits for a person."""
    service = report.service
    rated = {g.key: g for g in service.by_day} if service else {}
    waits = {d.day: d for d in service.days} if service else {}
    rows: List[Tuple[object, ...]] = []
    for day, requests in zip(report.dates, report.daily_totals, strict=True):
        wait = waits.get(day)
        median = "" if wait is None or wait.median_seconds is None else round(wait.median_seconds)
        rows.append(
            (
                day.isoformat(),
                f"Ngày {day:%d/%m/%Y}",
                requests,
                *("",) * 8,
                *_rating_cells(rated.get(day.isoformat())),
                wait.waits if wait else 0,
                median,
                wait.long_waits if wait else 0,
            )
        )
    return rows


def to_table(report: Report) -> str:
    """A fixed-width summary for ``python -m bot report``."""
    lines: List[str] = [
        f"Nhu cầu của khách, {report.period.days} ngày "
        f"({report.period.start:%Y-%m-%d} → {report.period.end:%Y-%m-%d})",
        "",
        f"{'need':<22}{'requests':>9}{'met':>6}{'unmet':>7}{'escal.':>8}{'no ans.':>9}  label",
        "-" * 96,
    ]
    for n in report.needs:
        lines.append(
            f"{n.need:<22}{n.requests:>9}{n.met:>6}{n.unmet:>7}{n.escalated:>8}{n.no_answer:>9}"
            f"  {n.label}"
        )
    lines += ["-" * 96, f"{'total':<22}{report.total_requests:>9}", ""]
    if report.recommendations:
        lines.append("Đề xuất cho chủ quán:")
        lines += [f"  • {r.message}" for r in report.recommendations]
        lines.append("")
    if report.topics:
        lines.append("Câu hỏi khách hỏi nhiều nhất (bot đã trả lời):")
        lines += [f"  {t.requests:>4} × {t.label} ({t.topic})" for t in report.topics]
        lines.append("")
    if report.unrecognized:
        lines.append("Yêu cầu chưa có trong danh mục (đã gom nhóm):")
        lines += [f"  {g.count:>4} × {g.example}" for g in report.unrecognized[:15]]
        lines.append("")
    lines += _service_lines(report)
    if report.handoffs:
        lines.append(f"Khách đang chờ nhân viên: {len(report.handoffs)}")
    return "\n".join(lines)


def _service_lines(report: Report) -> List[str]:
    service = report.service
    if service is None or not (service.days or service.by_need):
        return []
    lines = ["Khách chờ nhân viên (trả lời đầu tiên, trung vị):"]
    for d in service.days:
        median = "—" if d.median_seconds is None else f"{d.median_seconds / 60:.1f} phút"
        lines.append(
            f"  {d.day:%d/%m}: {d.waits} lượt, {d.answered} đã trả lời, {median}, "
            f"{d.long_waits} chờ quá {service.long_wait_minutes:g} phút"
        )
    if service.by_need:
        lines.append("Khách chấm điểm (1–5 sao):")
        lines += [f"  {g.average:.1f} ★ × {g.count:>3}  {g.label}" for g in service.by_need]
    return [*lines, ""]
