"""XLSX: a summary sheet, one sheet per table, and an integrity sheet; the hash also in the properties."""

from __future__ import annotations

import io
import re
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from pdcs.i18n import Lang, text
from reports.cells import xlsx_text_only
from reports.content import HASH_METHOD, Report


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:28] or "sheet"
    out, i = base, 2
    while out in used:
        out, i = f"{base}_{i}", i + 1
    used.add(out)
    return out


def render_xlsx(report: Report) -> bytes:
    lang: Lang = "en" if report.language == "en" else "zh"
    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    used: set[str] = set()
    ws.title = _sheet_name("概要" if lang == "zh" else "Summary", used)
    ws.append([report.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([text("report.region", lang), report.region["code"], report.region["name"]])
    ws.append([text("report.period", lang), report.period["start"], report.period["end"]])
    cov = report.coverage
    ws.append([text("report.coverage", lang), cov["share"], f"{cov['devices_with_data']}/{cov['devices']}"])
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
    for sec in report.sections:
        for t in sec.tables:
            ts = wb.create_sheet(_sheet_name(t.key or t.title, used))
            ts.append([t.title])
            ts["A1"].font = bold
            ts.append(t.columns)
            for c in range(1, len(t.columns) + 1):
                ts.cell(2, c).font = bold
                ts.column_dimensions[get_column_letter(c)].width = 16
            for row in t.rows:
                ts.append(list(row))
    integ = wb.create_sheet(_sheet_name("校验" if lang == "zh" else "Integrity", used))
    integ.append(["content_sha256", report.content_sha256])
    integ.append(["hash_method", HASH_METHOD])
    integ.append([text("report.generated", lang), report.generated_at, report.generated_by])
    integ.column_dimensions["B"].width = 70
    props = wb.properties
    props.title = f"{report.title} {report.region['name']}"
    props.subject = f"{report.period['start']} – {report.period['end']}"
    props.identifier = report.content_sha256
    props.keywords = f"content_sha256={report.content_sha256}"
    props.creator = "pdcs"
    if report.generated_at:
        stamp = datetime.fromisoformat(report.generated_at).replace(tzinfo=None)
        props.created = props.modified = stamp
    xlsx_text_only(wb)  # no cell may be a formula (OWASP CSV injection applies to XLSX too)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
