"""The report as CSV (for spreadsheets) and as a text table (for the terminal)."""

from __future__ import annotations

import csv
import io
from typing import List

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
]
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell that spreadsheets never evaluate as a formula."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def to_csv(report: Report) -> str:
    """One row per need, then one per question topic, UTF-8 with BOM for Excel.

    A topic row has its id in ``need``, its requests, all met (answered from
    the profile), and ``label`` prefixed "Câu hỏi:" so a sheet can filter them.
    """
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
                )
            ]
        )
    for t in report.topics:
        row = (t.topic, f"Câu hỏi: {t.label}", t.requests, t.requests, 0, 0, 0, "0.00")
        tail = (" | ".join(t.top_phrases), "", topic_advice.get(t.topic, ""))
        writer.writerow([_cell(v) for v in (*row, *tail)])
    return "\ufeff" + buffer.getvalue()


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
    if report.handoffs:
        lines.append(f"Khách đang chờ nhân viên: {len(report.handoffs)}")
    return "\n".join(lines)
