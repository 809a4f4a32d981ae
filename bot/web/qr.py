"""QR codes for the tables: each opens the chat widget knowing where the guest sits.

segno (pure Python, no Pillow) writes SVG, which prints sharply at any size
and goes into the page inline, so the printable sheet needs no image files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import List
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno

MAX_TABLES = 200


@dataclass(frozen=True)
class TableCode:
    """One table's card: its number, the address it opens and the QR code (SVG markup)."""

    table: str
    url: str
    svg: str


def table_url(site: str, table: str) -> str:
    """``site`` with ``chat=open&table=<table>`` (the widget opens itself and sends the table)."""
    parts = urlsplit(site)
    query = "&".join(q for q in (parts.query, urlencode({"chat": "open", "table": table})) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (error correction M survives a stained table card)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=5, border=2, xmldecl=False, svgclass="qr", title=url
    )
    return buffer.getvalue().decode("utf-8")


def table_codes(site: str, first: int, last: int) -> List[TableCode]:
    """Cards for tables ``first``..``last`` (at most :data:`MAX_TABLES`)."""
    tables = range(first, min(last, first + MAX_TABLES - 1) + 1)
    return [
        TableCode(str(n), table_url(site, str(n)), qr_svg(table_url(site, str(n)))) for n in tables
    ]
