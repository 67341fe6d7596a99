"""XLSX: a summary sheet, one sheet per table, and an integrity sheet; the hash also in the properties.

Sheets are named by their tables' titles in the report's language; header rows
are frozen and bold; times are real date cells in Beijing time (Excel keeps no
time zone, so the header says so); columns are as wide as their content.
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pdcs.i18n import Lang, text
from reports.cells import xlsx_text_only
from reports.content import HASH_METHOD, Report, Value
from reports.labels import devices_with_data
from reports.times import as_time

DATE_FORMAT = "yyyy-mm-dd hh:mm"
MAX_WIDTH = 60


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:28] or "sheet"
    out, i = base, 2
    while out in used:
        out, i = f"{base}_{i}", i + 1
    used.add(out)
    return out


def _cell(v: Value) -> Any:
    """Times as naive Beijing datetimes (the date format and the header say so); anything else as it is."""
    t = as_time(v)
    return t.replace(tzinfo=None) if t is not None else v


def _display_width(v: Any) -> int:
    if v is None:
        return 0
    if hasattr(v, "strftime"):
        return 16
    s = str(v)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _append(ws: Worksheet, values: list[Value]) -> None:
    ws.append([_cell(v) for v in values])
    for cell in ws[ws.max_row]:
        if hasattr(cell.value, "strftime"):
            cell.number_format = DATE_FORMAT


def _fit_columns(ws: Worksheet, first_row: int = 1) -> None:
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            widths[cell.column] = max(widths.get(cell.column, 0), _display_width(cell.value))
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, max(8, w + 2))


def render_xlsx(report: Report) -> bytes:
    lang: Lang = "en" if report.language == "en" else "zh"
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    used: set[str] = set()
    ws.title = _sheet_name(text("report.sheet.summary", lang), used)
    ws.append([report.title])
    ws["A1"].font = Font(bold=True, size=14)
    _append(ws, [text("report.region", lang), report.region["code"], report.region["name"]])
    _append(ws, [text("report.period_beijing", lang), report.period["start"], report.period["end"]])
    cov = report.coverage
    ws.append([text("report.coverage", lang), cov["share"], f"{devices_with_data(cov, lang)}/{cov['devices']}"])
    ws.append([text("report.method", lang), cov["method"]])
    for sec in report.sections:
        ws.append([])
        ws.append([sec.title])
        ws.cell(ws.max_row, 1).font = bold
        ws.append([text("report.method", lang), sec.method])
        for h in sec.headline:
            ws.append([h.label, h.value, h.unit])
        for n in sec.notes:
            ws.append([n])
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 24
    for sec in report.sections:
        for t in sec.tables:
            ts = wb.create_sheet(_sheet_name(t.title, used))
            ts.append([t.title])
            ts["A1"].font = bold
            ts.append(t.columns)
            for c in range(1, len(t.columns) + 1):
                ts.cell(2, c).font = bold
            for row in t.rows:
                _append(ts, list(row))
            ts.freeze_panes = "A3"  # title and header rows stay on screen
            _fit_columns(ts, first_row=2)
            for row in ts.iter_rows(min_row=3):
                for cell in row:
                    cell.alignment = wrap
    integ = wb.create_sheet(_sheet_name(text("report.sheet.integrity", lang), used))
    integ.append(["content_sha256", report.content_sha256])
    integ.append(["hash_method", HASH_METHOD])
    _append(integ, [text("report.generated", lang), report.generated_at, report.generated_by])
    integ.column_dimensions["A"].width = 16
    integ.column_dimensions["B"].width = 70
    props = wb.properties
    props.title = f"{report.title} {report.region['name']}"
    props.subject = f"{report.period['start']} – {report.period['end']}"
    props.identifier = report.content_sha256
    props.keywords = f"content_sha256={report.content_sha256}"
    props.creator = report.generated_by or "pdcs"
    stamp = as_time(report.generated_at)
    if stamp is not None:
        props.created = props.modified = stamp.astimezone(UTC).replace(tzinfo=None)  # core properties are UTC
    xlsx_text_only(wb)  # no cell may be a formula (OWASP CSV injection applies to XLSX too)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
